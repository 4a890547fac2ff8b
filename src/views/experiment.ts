/**
 * The tables of one experiment as view models: per-arm summaries, paired comparisons,
 * storage, timing, the bit-width sweep and the protocol comparison. Each is defined here
 * once; the report page, its CSV file and the notebooks render these same objects.
 */
import { METRICS } from '../reports/analysis';
import type { Arm, Panel, PairComparison, RunMetric } from '../reports/analysis';
import { codeRange } from '../reports/bits';
import type { BitSweep } from '../reports/bits';
import type { ProtocolSensitivity } from '../reports/protocols';
import type { Cell } from '../reports/tables';
import { formatSeedList } from '../reports/format';
import { cell, icell } from './table';
import type { StackPart, Unit, ViewCell, ViewColumn, ViewTable } from './table';

/** How a value of `metric` is shown. */
export function metricUnit(metric: RunMetric): Unit {
  switch (METRICS[metric].unit) {
    case 'fraction':
      return 'percent';
    case 'seconds':
      return 'seconds';
    case 'rate':
      return 'rate';
    default:
      return 'number';
  }
}

/** How a difference (A − B) of `metric` is shown: pp for fractions, else signed. */
export function diffUnit(metric: RunMetric): Unit {
  return METRICS[metric].unit === 'fraction' ? 'pp' : 'signed';
}

/** How a spread (sd, MDE) of `metric` is shown: unsigned pp for fractions, else a number. */
export function spreadUnit(metric: RunMetric): Unit {
  return METRICS[metric].unit === 'fraction' ? 'size-pp' : 'number';
}

/** One line naming a panel: epochs, protocol and bits, and (with `withSetting`) the setting. */
export function panelLabel(panel: Panel, withSetting = true): string {
  const q = panel.protocol === 'float' ? 'float only' : `${panel.protocol}, ${panel.bits} bits`;
  return `${panel.epochs} epoch${panel.epochs === 1 ? '' : 's'} · ${q}${withSetting ? ` · ${panel.setting}` : ''}`;
}

/** The key values that place a panel's rows in a stacked CSV. */
export function panelKeys(panel: Panel): [string, Cell][] {
  return [
    ['experiment', panel.experiment],
    ['setting', panel.setting],
    ['epochs', panel.epochs],
    ['protocol', panel.protocol],
    ['bits', panel.bits],
  ];
}

/** Every panel's table of one kind, ready for {@link stackedCsv}. */
export function panelParts(panels: readonly Panel[], view: (p: Panel, idx: number) => ViewTable): StackPart[] {
  return panels.map((p, i) => ({ keys: panelKeys(p), table: view(p, i) }));
}

/** Summary metrics of a panel's arms: the columns of {@link summaryView}. */
function summaryColumns(primary: RunMetric): ViewColumn[] {
  const short = METRICS[primary].short;
  const cols: ViewColumn[] = [
    { key: 'method', label: 'method', strong: true },
    { key: 'n', label: 'n' },
    { key: 'seeds', label: 'seeds' },
    { key: 'mean', label: `${short}: mean [95% t CI]`, interval: 'with-value', ends: ['tLower', 'tUpper'] },
    { key: 'bca', label: 'BCa 95% CI', interval: 'only' },
    { key: 'sd', label: 'sd' },
    { key: 'median', label: 'median' },
    { key: 'range', label: '[min, max]', interval: 'only', ends: ['min', 'max'] },
  ];
  if (primary === 'testAccuracy') cols.push({ key: 'testLoss', label: 'test loss: mean [95% t CI]', interval: 'with-value' });
  cols.push({ key: 'trainLossLast', label: 'train loss, last ep.: mean [95% t CI]', interval: 'with-value' }, { key: 'params', label: 'params' });
  if (primary === 'testAccuracy') cols.push({ key: 'atChance', label: 'at chance (of n)', title: 'seeds whose final accuracy is within 5 pp of chance (10 %)' });
  cols.push({ key: 'lossRose', label: 'loss rose (of n)', title: 'seeds whose training loss at the last epoch is above epoch 1 (diverged)' });
  return cols;
}

function meanCell(a: Arm, m: RunMetric): ViewCell {
  const s = a.summaries[m];
  return icell(s?.mean, metricUnit(m), s?.tCI);
}

/**
 * Per-arm summary of a panel on its primary metric: n, seeds, mean with 95% t and BCa
 * intervals, sd, median, range; the secondary losses; parameter count; how many seeds sit at
 * chance and how many diverged.
 */
export function summaryView(panel: Panel, primary: RunMetric, id = 'summary'): ViewTable {
  const u = metricUnit(primary);
  const rows = panel.arms.map((a) => {
    const s = a.summaries[primary];
    const cells: ViewCell[] = [
      cell(a.method),
      cell(a.runs.length, 'count'),
      cell(formatSeedList(a.seeds)),
      meanCell(a, primary),
      icell(null, u, s?.bcaCI),
      cell(s?.sd ?? null, spreadUnit(primary)),
      cell(s?.median, u),
      icell(null, u, s === undefined ? null : { lower: s.min, upper: s.max }),
    ];
    if (primary === 'testAccuracy') cells.push(meanCell(a, 'testLoss'));
    cells.push(meanCell(a, 'trainLossLast'), cell(a.params.join(' / ')));
    if (primary === 'testAccuracy') cells.push(cell(a.atChance, 'count'));
    cells.push(cell(a.diverged, 'count'));
    return cells;
  });
  return { id, title: `Per-method summary: ${panelLabel(panel)}`, columns: summaryColumns(primary), rows };
}

/** Why a comparison is made, as shown. */
export const COMPARISON_KIND_LABELS: Readonly<Record<PairComparison['kind'], string>> = Object.freeze({ primary: 'main comparison', 'vs-float': 'vs float baseline', ablation: 'ablation' });

const COMPARISON_COLUMNS: ViewColumn[] = [
  { key: 'a', label: 'A', strong: true },
  { key: 'b', label: 'B' },
  { key: 'kind', label: 'kind' },
  { key: 'metric', label: 'metric' },
  { key: 'design', label: 'design' },
  { key: 'n', label: 'n', title: 'pairs (paired) or runs of A + runs of B (unpaired)', align: 'right' },
  { key: 'meanDiff', label: 'mean A − B [95% t CI]', interval: 'with-value', ends: ['tLower', 'tUpper'] },
  { key: 'bca', label: 'BCa 95% CI', interval: 'only' },
  { key: 'medianDiff', label: 'median diff', title: 'median of the per-seed differences' },
  { key: 'pT', label: 'p t', title: 'two-sided paired t-test (Welch when unpaired)' },
  { key: 'pHolm', label: 'p Holm (family panels)', title: "paired t p-value, Holm-adjusted within the family 'panels/<experiment>': the primary-metric comparisons of this report's panels (the claims tables use their own family, claims/<protocol>)" },
  { key: 'pWilcoxon', label: 'p Wilc.', title: 'two-sided Wilcoxon signed-rank test' },
  { key: 'pPermutation', label: 'p perm.', title: 'two-sided sign-flip permutation test' },
  { key: 'dz', label: 'd_z', title: "Cohen's d_z: mean / sd of the per-seed differences" },
  { key: 'winRate', label: 'wins', title: 'win rate: fraction of seeds on which A is better (ties half)' },
  { key: 'probImprovement', label: 'P(A>B)', title: 'probability that a run of A is better than a run of B, over all pairs' },
  { key: 'mde', label: 'MDE', title: 'minimum detectable difference at alpha 0.05 and power 0.8' },
  { key: 'note', label: 'note' },
];

/** Whether a comparison is a checked identity: every seed pair bit-identical. */
export function isIdentity(c: PairComparison): boolean {
  return c.identity !== null && c.identity.pairs > 0 && c.identity.identical === c.identity.pairs;
}

/**
 * The comparisons of a panel: A − B with t and BCa intervals, median difference, the
 * four p-values (Holm within the named family), effect sizes and the MDE. An ablation whose
 * seed pairs are all bit-identical is a checked identity: design `identity`, no test.
 */
export function comparisonsView(panel: Panel, id = 'comparisons'): ViewTable {
  const rows = panel.comparisons.map((c): ViewCell[] => {
    const r = c.result;
    const d = diffUnit(c.metric);
    const head = [cell(c.a), cell(c.b), cell(COMPARISON_KIND_LABELS[c.kind]), cell(`${METRICS[c.metric].short}${c.inFamily ? '' : ' (secondary)'}`)];
    if (isIdentity(c)) {
      const k = c.identity as { pairs: number; identical: number };
      const note = `checked identity: bit-identical runs in ${k.identical} of ${k.pairs} seed pairs (every loss, accuracy and code statistic equal, epoch by epoch); the two write the same integers differently (round trip in the methods note)`;
      return [...head, cell('identity'), cell(k.pairs, 'count'), icell(null, d, null), icell(null, d, null), ...Array.from({ length: 9 }, () => cell(null)), cell(note)];
    }
    return [
      ...head,
      cell(r?.design ?? null),
      r === null ? cell(null) : r.design === 'paired' ? cell(r.n, 'count') : cell(`${r.nA} + ${r.nB}`),
      icell(r?.meanDiff, d, r?.tCI),
      icell(null, d, r?.bcaCI),
      cell(c.medianDiff, d),
      cell(r?.pT, 'p'),
      cell(c.inFamily ? c.pHolm : 'not adj.', c.inFamily ? 'p' : 'text'),
      cell(r?.pWilcoxon, 'p'),
      cell(r?.pPermutation, 'p'),
      cell(r?.dz, 'number'),
      cell(r?.winRate, 'number'),
      cell(r?.probImprovementAllPairs, 'number'),
      cell(r?.mde, spreadUnit(c.metric)),
      cell(c.note ?? ''),
    ];
  });
  return { id, title: `Paired comparisons (A − B per seed): ${panelLabel(panel)}`, columns: COMPARISON_COLUMNS, rows };
}

/** The serialisations of the storage table: label, byte field, gzip field. */
export const STORAGE_ROWS: readonly { label: string; bytes: string; gzip: string }[] = Object.freeze([
  { label: 'float32 (dequantized values)', bytes: 'float32Bytes', gzip: 'gzip.float32' },
  { label: 'packed bit fields', bytes: 'packedBytes', gzip: 'gzip.packed' },
  { label: 'int typed array', bytes: 'intArrayBytes', gzip: 'gzip.intArray' },
  { label: 'octal strings, one per line', bytes: 'octalTextBytes', gzip: 'gzip.octalText' },
  { label: 'octal strings, JSON array', bytes: 'octalJsonBytes', gzip: 'gzip.octalJson' },
  { label: "the method's own encoding", bytes: 'encodingBytes', gzip: 'gzip.encoding' },
]);

/** Weights counted in an arm's storage record. */
function weightCount(a: Arm): number | null {
  return a.storage.count ?? (a.storage.float32Bytes !== undefined ? a.storage.float32Bytes / 4 : null);
}

/**
 * Storage of the final weights: one row per arm and serialisation, raw and gzip -9 bytes
 * (means over seeds) and bits per weight.
 */
export function storageView(panel: Panel, id = 'storage'): ViewTable {
  const rows: ViewCell[][] = [];
  for (const a of panel.arms) {
    const count = weightCount(a);
    const bpw = (b: number | undefined): ViewCell => cell(b === undefined || count === null || count === 0 ? null : (8 * b) / count, 'number');
    for (const s of STORAGE_ROWS) {
      const raw = a.storage[s.bytes];
      if (raw === undefined) continue;
      const gz = a.storage[s.gzip];
      rows.push([cell(a.method), cell(s.label), cell(count, 'count'), cell(a.storage.packedBits ?? null, 'count'), cell(Math.round(raw), 'count'), bpw(raw), cell(gz === undefined ? null : Math.round(gz), 'count'), bpw(gz)]);
    }
  }
  return {
    id,
    title: `Bytes of the final weights by serialisation (means over seeds): ${panelLabel(panel)}`,
    columns: [
      { key: 'method', label: 'method', strong: true },
      { key: 'serialisation', label: 'written as' },
      { key: 'weights', label: 'weights' },
      { key: 'packedBits', label: 'packed bits each' },
      { key: 'bytes', label: 'raw bytes' },
      { key: 'bitsPerWeight', label: 'raw b/w', title: 'bits per weight' },
      { key: 'gzipBytes', label: 'gzip -9 bytes' },
      { key: 'gzipBitsPerWeight', label: 'gzip b/w', title: 'bits per weight after gzip -9' },
    ],
    rows,
  };
}

/** Training and inference time per arm: means with 95% t intervals, throughputs, timed passes and the backend. */
export function timingView(panel: Panel, id = 'timing'): ViewTable {
  const rows = panel.arms.map((a) => [
    cell(a.method),
    cell(a.runs.length, 'count'),
    meanCell(a, 'trainSeconds'),
    cell(a.summaries.trainSamplesPerSecond?.mean, 'rate'),
    meanCell(a, 'inferenceSeconds'),
    cell(a.summaries.inferenceSamplesPerSecond?.mean, 'rate'),
    cell([...new Set(a.runs.map((r) => r.inferenceRepeats))].join(', ')),
    cell(a.summaries.totalSeconds?.mean, 'seconds'),
    cell([...new Set(a.runs.map((r) => r.backend))].join(', ')),
  ]);
  return {
    id,
    title: `Time per run: ${panelLabel(panel)}`,
    columns: [
      { key: 'method', label: 'method', strong: true },
      { key: 'n', label: 'n' },
      { key: 'trainSeconds', label: 'training time [95% CI]', interval: 'with-value' },
      { key: 'trainSamplesPerSecond', label: 'training throughput' },
      { key: 'inferenceSeconds', label: 'inference: median pass [95% CI]', interval: 'with-value' },
      { key: 'inferenceSamplesPerSecond', label: 'inference throughput' },
      { key: 'inferenceRepeats', label: 'timed passes', align: 'right' },
      { key: 'totalSeconds', label: 'whole run' },
      { key: 'backend', label: 'backend' },
    ],
    rows,
  };
}

/** What the rule says at one width of a sweep, as a code: octization-higher, standard-higher, equivalent, inconclusive, too-few-runs, or both-dead. */
export function sweepCode(row: BitSweep['rows'][number]): string | null {
  if (row.code === null) return null;
  if (row.caveats.some((c) => c.code === 'dead-networks')) return 'both-dead';
  return row.code === 'a-higher' ? 'octization-higher' : row.code === 'b-higher' ? 'standard-higher' : row.code;
}

/**
 * The bit-width sweep: at each width the pairs, both methods' means with 95% t intervals,
 * the paired gap with its interval and median, the three p-values (Holm across widths) and
 * what the one rule says.
 */
export function bitSweepView(s: BitSweep, id = 'bits'): ViewTable {
  const accuracy = s.metric === 'testAccuracy';
  const v: Unit = accuracy ? 'percent' : 'number';
  const g: Unit = accuracy ? 'pp' : 'signed';
  const rows = s.rows.map((r) => [
    cell(r.bits, 'count'),
    cell(codeRange(r.bits).max, 'count'),
    cell(r.n, 'count'),
    icell(r.standard.mean, v, r.standard.ci),
    icell(r.octization.mean, v, r.octization.ci),
    icell(r.gap.mean, g, r.gap.ci),
    cell(r.medianGap, g),
    cell(r.p, 'p'),
    cell(r.pPermutation, 'p'),
    cell(r.pHolm, 'p'),
    cell(sweepCode(r), 'code'),
  ]);
  return {
    id,
    title: `${s.experiment}: standard vs octization by bit width (${s.epochs} epochs, ${s.protocol}, ${accuracy ? 'test accuracy' : 'test MSE of the quantized model'})`,
    columns: [
      { key: 'bits', label: 'bits' },
      { key: 'codeMax', label: 'codes ±', title: 'with the unit scale, b bits store codes −(2^b − 1)…2^b − 1: b + 1 signed bits' },
      { key: 'pairs', label: 'pairs' },
      { key: 'standard', label: 'standard: mean [95% CI]', interval: 'with-value' },
      { key: 'octization', label: 'octization: mean [95% CI]', interval: 'with-value' },
      { key: 'gap', label: `gap oct − std${accuracy ? ' (pp)' : ''}: mean [95% CI]`, interval: 'with-value' },
      { key: 'medianGap', label: 'median gap' },
      { key: 'p', label: 'p (paired t)' },
      { key: 'pPermutation', label: 'p (perm.)', title: 'two-sided sign-flip permutation test' },
      { key: 'pHolm', label: 'p (Holm, family bits)', title: 'paired t, Holm-adjusted across the widths of this sweep' },
      { key: 'code', label: 'the rule says' },
    ],
    rows,
  };
}

/**
 * The protocol comparison: per protocol the pairs, each method's mean with the range of
 * its runs and whether the seed's figure is inside, the paired gap with its 95% CI and range,
 * and the distance of the means from the seed's figures.
 */
export function protocolsView(s: ProtocolSensitivity, id = 'protocols'): ViewTable {
  const accuracy = s.target.metric === 'testAccuracy';
  const v: Unit = accuracy ? 'percent' : 'number';
  const g: Unit = accuracy ? 'pp' : 'signed';
  const rows = s.rows.map((r) => [
    cell(r.protocol),
    cell(r.n, 'count'),
    icell(r.standard.mean, v, r.standard.range),
    cell(r.standard.seedInside, 'yes-no'),
    icell(r.octization.mean, v, r.octization.range),
    cell(r.octization.seedInside, 'yes-no'),
    icell(r.gap.mean, g, r.gap.ci),
    icell(null, g, r.gap.range),
    cell(r.gap.seedInside, 'yes-no'),
    cell(r.distance, accuracy ? 'size-pp' : 'number'),
  ]);
  const seedText = accuracy
    ? `${(s.target.seed.standard * 100).toFixed(2)}% standard, ${(s.target.seed.octization * 100).toFixed(2)}% octization`
    : `${s.target.seed.standard} standard, ${s.target.seed.octization} octization`;
  return {
    id,
    title: `${s.target.experiment}: protocols at ${s.epochs} epochs, ${s.bits} bits, against the study's single runs (${seedText})`,
    columns: [
      { key: 'protocol', label: 'protocol', strong: true },
      { key: 'pairs', label: 'pairs' },
      { key: 'standard', label: 'standard: mean [min, max]', title: 'mean over seeds and the range of the runs', interval: 'with-value' },
      { key: 'standardSeedInside', label: 'seed inside?' },
      { key: 'octization', label: 'octization: mean [min, max]', interval: 'with-value' },
      { key: 'octizationSeedInside', label: 'seed inside?' },
      { key: 'gap', label: 'gap oct − std: mean [95% CI]', interval: 'with-value' },
      { key: 'gapRange', label: 'gap: [min, max] of the pairs', interval: 'only' },
      { key: 'gapSeedInside', label: 'seed gap inside?' },
      { key: 'distance', label: 'distance to seed', title: accuracy ? 'sum of |mean − seed| of both methods' : 'sum of |log(mean / seed)| of both methods' },
    ],
    rows,
  };
}
