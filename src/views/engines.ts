/**
 * The cross-engine replication as view models: per arm, the same runs on libtorch and on
 * the tfjs wasm engine (torch − wasm, paired by seed), and per claim the verdict on each
 * engine. The engines page and its CSV files render these objects.
 */
import type { EngineArmComparison, EngineComparison } from '../cross-engine';
import { cell, icell } from './table';
import type { Unit, ViewCell, ViewColumn, ViewTable } from './table';

const ARM_COLUMNS: ViewColumn[] = [
  { key: 'experiment', label: 'experiment', strong: true },
  { key: 'epochs', label: 'epochs' },
  { key: 'method', label: 'method', strong: true },
  { key: 'protocol', label: 'protocol' },
  { key: 'bits', label: 'bits' },
  { key: 'metric', label: 'metric' },
  { key: 'n', label: 'pairs', title: 'seeds run on both engines' },
  { key: 'meanTorch', label: 'torch mean' },
  { key: 'meanWasm', label: 'wasm mean' },
  { key: 'medianTorch', label: 'torch median' },
  { key: 'medianWasm', label: 'wasm median' },
  { key: 'diff', label: 'torch − wasm: mean [95% t CI]', interval: 'with-value', ends: ['tLower', 'tUpper'] },
  { key: 'medianDiff', label: 'median diff', title: 'median of the per-seed differences torch − wasm' },
  { key: 'pT', label: 'p t', title: 'two-sided paired t-test' },
  { key: 'pPermutation', label: 'p perm.', title: 'two-sided sign-flip permutation test' },
  { key: 'atChance', label: 'at chance (torch / wasm)', title: 'runs whose accuracy is at most chance + 5 pp, of the runs on each engine' },
  { key: 'identical', label: 'same final value', title: 'seeds whose final metric is bit-identical on both engines' },
];

/** Value and difference units of an arm's metric: accuracies in % and pp, losses as numbers. */
function units(a: EngineArmComparison): { value: Unit; diff: Unit } {
  return a.metric === 'testAccuracy' ? { value: 'percent', diff: 'pp' } : { value: 'number', diff: 'signed' };
}

/** Per arm: both engines' means and medians, the paired torch − wasm difference with its t interval, t and permutation p, chance counts. */
export function engineArmsView(cmp: EngineComparison, id = 'engines-arms'): ViewTable {
  const rows = cmp.arms.map((a): ViewCell[] => {
    const u = units(a);
    return [
      cell(a.experiment),
      cell(a.epochs, 'count'),
      cell(a.method),
      cell(a.protocol),
      cell(a.bits, 'count'),
      cell(a.metric === 'testAccuracy' ? 'test accuracy' : 'test loss'),
      cell(a.seeds.length, 'count'),
      cell(a.meanTorch, u.value),
      cell(a.meanWasm, u.value),
      cell(a.medianTorch, u.value),
      cell(a.medianWasm, u.value),
      icell(a.diff, u.diff, a.ci === null ? null : { lower: a.ci[0], upper: a.ci[1] }),
      cell(a.medianDiff, u.diff),
      cell(a.p, 'p'),
      cell(a.pPermutation, 'p'),
      cell(a.atChanceTorch === null ? null : `${a.atChanceTorch}/${a.nTorch} · ${a.atChanceWasm}/${a.nWasm}`),
      cell(`${a.identicalSeeds}/${a.seeds.length}`),
    ];
  });
  return { id, title: 'The same arms on both engines: torch − wasm per seed (same initial weights and batches)', columns: ARM_COLUMNS, rows };
}

const CLAIM_COLUMNS: ViewColumn[] = [
  { key: 'claim', label: 'claim', strong: true },
  { key: 'experiment', label: 'experiment' },
  { key: 'torch', label: 'verdict on torch' },
  { key: 'wasm', label: 'verdict on wasm' },
  { key: 'estimateTorch', label: 'estimate on torch' },
  { key: 'estimateWasm', label: 'estimate on wasm' },
  { key: 'agreement', label: 'same verdict' },
];

/** The claims that both engines have runs for: each engine's verdict and estimate, and whether the verdicts agree. */
export function engineClaimsView(cmp: EngineComparison, id = 'engines-claims'): ViewTable {
  const rows = cmp.claims
    .filter((c) => c.agreement !== 'not-comparable')
    .map((c): ViewCell[] => {
      const unit: Unit = c.scale === 'log-ratio' ? 'change' : c.metric === 'testAccuracy' ? 'pp' : 'signed';
      return [cell(c.id), cell(c.experiment), cell(c.torch, 'code'), cell(c.wasm, 'code'), cell(c.estimateTorch, unit), cell(c.estimateWasm, unit), cell(c.agreement === 'same', 'yes-no')];
    });
  return { id, title: 'Claims of the study judged on each engine separately (the common seeds of the compared arms)', columns: CLAIM_COLUMNS, rows };
}
