/**
 * The mechanism evidence and the sweeps as view models: the tables of the mechanism page,
 * its CSV files and the notebook display are these objects.
 */
import type { CausalClaim, LayerEvidence, MethodEvidence, RepeatAgreement, SweepCell } from '../analysis/mechanism';
import { cell, icell } from './table';
import type { ViewCell, ViewColumn, ViewTable } from './table';

const EVIDENCE_COLUMNS: ViewColumn[] = [
  { key: 'method', label: 'method', strong: true },
  { key: 'epoch', label: 'epoch' },
  { key: 'n', label: 'seeds' },
  { key: 'changeShare', label: 'code changes / proposal', title: 'median over seeds of the share of proposals (weights × steps) that changed a code' },
  { key: 'shrinkShare', label: 'shrank |code|', title: 'share of the code changes that made |code| smaller' },
  { key: 'growShare', label: 'grew |code|', title: 'share of the code changes that made |code| larger' },
  { key: 'q50', label: '|Δ|/step median', title: "the optimizer's proposed update in grid steps: median (upper edge of its 1/8-octave bin)" },
  { key: 'q90', label: 'q90' },
  { key: 'q99', label: 'q99' },
  { key: 'max', label: 'max', title: 'largest |Δ|/step over all seeds (exact)' },
  { key: 'halfShare', label: '≥ 0.5 step', title: 'share of proposals with |Δ| ≥ 0.5 grid step' },
  { key: 'oneShare', label: '≥ 1 step', title: 'share of proposals with |Δ| ≥ 1 grid step' },
  { key: 'zeroCodeShare', label: 'zero codes', title: 'share of all weights whose quantized value is 0 at the end of the epoch' },
  { key: 'quantMse', label: 'projection MSE', title: 'mean of (q − f)² over the epoch’s projections, weight units' },
  { key: 'quantTowardZero', label: 'mean sign(f)·(q − f)', title: 'negative: the projection pulls weights toward zero' },
];

/** Per method and epoch (0 = initial): the code dynamics that explain the outcome. */
export function evidenceView(evidence: readonly MethodEvidence[], id = 'mechanism-evidence'): ViewTable {
  const rows = evidence.flatMap((m) =>
    m.points.map((p): ViewCell[] => [
      cell(m.method),
      cell(p.epoch, 'count'),
      cell(p.n, 'count'),
      cell(p.changeShare, 'percent'),
      cell(p.shrinkShare, 'percent'),
      cell(p.growShare, 'percent'),
      cell(p.q50, 'number'),
      cell(p.q90, 'number'),
      cell(p.q99, 'number'),
      cell(p.max, 'number'),
      cell(p.halfShare, 'percent'),
      cell(p.oneShare, 'percent'),
      cell(p.zeroCodeShare, 'percent'),
      cell(p.quantMse, 'number'),
      cell(p.quantTowardZero, 'signed'),
    ]),
  );
  return { id, title: "What the optimizer proposes and what each rounding keeps, per epoch (medians over seeds)", columns: EVIDENCE_COLUMNS, rows };
}

const LAYER_COLUMNS: ViewColumn[] = [
  { key: 'method', label: 'method', strong: true },
  { key: 'layer', label: 'layer', strong: true },
  { key: 'n', label: 'seeds' },
  { key: 'zeroShare', label: 'zero weights' },
  { key: 'meanAbs', label: 'mean |w|' },
  { key: 'gradNorm', label: 'gradient norm', title: 'L2 norm of the mean-loss gradient on the probe batch (first 1000 training examples)' },
  { key: 'shrinkShare', label: 'changes that shrank |code|' },
  { key: 'halfShare', label: 'proposals ≥ 0.5 step' },
  { key: 'quantMse', label: 'projection MSE' },
];

/** Per method and layer at the last epoch: zeros, magnitude, gradient, and what the rounding did. */
export function layerView(layers: readonly LayerEvidence[], id = 'mechanism-layers'): ViewTable {
  const rows = layers.map((l): ViewCell[] => [
    cell(l.method),
    cell(l.name),
    cell(l.n, 'count'),
    cell(l.zeroShare, 'percent'),
    cell(l.meanAbs, 'number'),
    cell(l.gradNorm, 'number'),
    cell(l.shrinkShare, 'percent'),
    cell(l.halfShare, 'percent'),
    cell(l.quantMse, 'number'),
  ]);
  return { id, title: 'Layer by layer at the last epoch (medians over seeds)', columns: LAYER_COLUMNS, rows };
}

const ESCAPE_COLUMNS: ViewColumn[] = [
  { key: 'experiment', label: 'experiment', strong: true },
  { key: 'method', label: 'method', strong: true },
  { key: 'seeds', label: 'seeds' },
  { key: 'escaped', label: 'escaped chance', title: 'seeds whose test accuracy exceeds chance + 5 pp at some epoch' },
  { key: 'epochs', label: 'escape epoch per seed', title: 'first epoch above chance + 5 pp (0 = initial weights; – = never)' },
];

/** Per experiment and method: how many seeds leave chance, and when. */
export function escapeView(groups: readonly { experiment: string; evidence: readonly MethodEvidence[] }[], id = 'mechanism-escape'): ViewTable {
  const rows = groups.flatMap((g) =>
    g.evidence.map((m): ViewCell[] => [
      cell(g.experiment),
      cell(m.method),
      cell(m.n, 'count'),
      cell(`${m.seeds.filter((s) => s.escape !== null).length}/${m.n}`),
      cell(m.seeds.map((s) => `${s.seed}:${s.escape ?? '–'}`).join(' ')),
    ]),
  );
  return { id, title: 'Escape from chance, seed by seed (seed:epoch)', columns: ESCAPE_COLUMNS, rows };
}

const CELL_COLUMNS: ViewColumn[] = [
  { key: 'experiment', label: 'experiment', strong: true },
  { key: 'epochs', label: 'epochs' },
  { key: 'optimizer', label: 'optimizer' },
  { key: 'learningRate', label: 'lr' },
  { key: 'bits', label: 'bits' },
  { key: 'init', label: 'init' },
  { key: 'ratio', label: 'lr·(2^b−1)', title: "Adam's nominal update in grid steps (for SGD only a scale)" },
  { key: 'float', label: 'float median' },
  { key: 'standard', label: 'standard median' },
  { key: 'octization', label: 'octization median' },
  { key: 'stochastic', label: 'stochastic median' },
  { key: 'standardAtChance', label: 'standard at chance', title: 'seeds at most chance + 5 pp, of the seeds run' },
  { key: 'octizationAtChance', label: 'octization at chance' },
  { key: 'gap', label: 'octization − standard: mean [95% t CI]', interval: 'with-value', ends: ['gapLower', 'gapUpper'] },
  { key: 'gapMedian', label: 'median diff' },
  { key: 'pPermutation', label: 'p perm.', title: 'two-sided sign-flip permutation test of the paired differences' },
  { key: 'observed', label: 'observed', title: 'the one rule, equivalence margin 1 pp' },
  { key: 'halfShare', label: 'standard ≥ 0.5 step', title: "share of standard's epoch-1 proposals with |Δ| ≥ 0.5 grid step" },
  { key: 'prediction', label: 'mechanism predicts' },
  { key: 'holds', label: 'prediction holds' },
];

/** One row per sweep cell: each method's median accuracy, the paired gap, the prediction and whether it holds. */
export function sweepCellsView(
  cells: readonly SweepCell[],
  id = 'mechanism-cells',
  title = 'The sweeps cell by cell: final test accuracy (medians over seeds) and the paired octization − standard gap',
  omit: readonly string[] = [],
): ViewTable {
  const arm = (c: SweepCell, m: string) => c.arms.find((a) => a.method === m);
  const rows = cells.map((c): ViewCell[] => {
    const std = arm(c, 'standard');
    const oct = arm(c, 'octization');
    return [
      cell(c.experiment),
      cell(c.epochs, 'count'),
      cell(c.optimizer === 'sgd' && c.momentum !== null ? `sgd m=${c.momentum}` : c.optimizer),
      cell(c.learningRate, 'number'),
      cell(c.bits, 'count'),
      cell(c.init),
      cell(c.ratio, 'number'),
      cell(arm(c, 'float')?.median ?? null, 'percent'),
      cell(std?.median ?? null, 'percent'),
      cell(oct?.median ?? null, 'percent'),
      cell(arm(c, 'stochastic')?.median ?? null, 'percent'),
      cell(std === undefined ? null : `${std.atChance}/${std.seeds.length}`),
      cell(oct === undefined ? null : `${oct.atChance}/${oct.seeds.length}`),
      icell(c.gap?.mean ?? null, 'pp', c.gap?.ci ?? null),
      cell(c.gap?.medianDiff ?? null, 'pp'),
      cell(c.gap?.pPermutation ?? null, 'p'),
      cell(c.gap === null ? null : gapCode(c.gap.code), 'code'),
      cell(c.standardHalfShare, 'percent'),
      cell(c.prediction, 'code'),
      cell(c.holds === null ? (c.prediction !== 'no-prediction' && c.gap?.code === 'inconclusive' ? 'undecided' : null) : c.holds ? 'holds' : 'fails', 'code'),
    ];
  });
  const keep = CELL_COLUMNS.map((c, i) => (omit.includes(c.key) ? -1 : i)).filter((i) => i >= 0);
  return { id, title, columns: keep.map((i) => CELL_COLUMNS[i]), rows: rows.map((r) => keep.map((i) => r[i])) };
}

const CAUSAL_COLUMNS: ViewColumn[] = [
  { key: 'claim', label: "the study's explanation", strong: true },
  { key: 'measure', label: 'measured as' },
  { key: 'n', label: 'pairs' },
  { key: 'octization', label: 'octization (median)' },
  { key: 'standard', label: 'standard (median)' },
  { key: 'logRatio', label: 'octization / standard: mean change [95% t CI]', interval: 'with-value', ends: ['logRatioLower', 'logRatioUpper'] },
  { key: 'verdict', label: 'the measure', title: 'whether the measure differs the way the study says, under the one rule (margin: a ratio of 1.1)' },
  { key: 'outcome', label: 'accuracy here', title: 'octization − standard final test accuracy at this point, paired by seed (margin 1 pp): the outcome the claim would explain' },
  { key: 'explanation', label: 'as an explanation', title: "the measure's verdict where octization is more accurate; 'nothing to explain' where it is not" },
];

/** A paired octization − standard code in the methods' names. */
const gapCode = (code: string | null): string | null => (code === 'a-higher' ? 'octization-higher' : code === 'b-higher' ? 'standard-higher' : code);

const MEASURES: Record<CausalClaim['id'], { claim: string; measure: string }> = {
  'feature-preservation': { claim: '"better preservation of feature information"', measure: 'projection error: mean over epochs of the MSE of q − f, all weights (lower = better preserved)' },
  'gradient-flow': { claim: '"more effective gradient flow"', measure: 'gradient norm of the first layer at the last epoch on the probe batch (higher = more flow)' },
};

/** The study's causal explanations judged on recorded statistics. */
export function causalClaimsView(claims: readonly CausalClaim[], id = 'mechanism-claims'): ViewTable {
  const rows = claims.map((c): ViewCell[] => [
    cell(MEASURES[c.id].claim),
    cell(MEASURES[c.id].measure),
    cell(c.n, 'count'),
    cell(c.octization, 'number'),
    cell(c.standard, 'number'),
    icell(c.logRatio, 'change', c.ci),
    cell(c.verdict.code, 'code'),
    cell(gapCode(c.outcome), 'code'),
    cell(c.explanation, 'code'),
  ]);
  return { id, title: "The study's explanations, judged on the recorded errors and gradients (octization against standard, paired by seed)", columns: CAUSAL_COLUMNS, rows };
}

const REPEAT_COLUMNS: ViewColumn[] = [
  { key: 'method', label: 'method', strong: true },
  { key: 'repeat', label: 'repeat' },
  { key: 'n', label: 'seeds' },
  { key: 'firstMedian', label: 'first runs: median' },
  { key: 'repeatMedian', label: 'repeat: median' },
  { key: 'maxAbsDiff', label: 'largest |Δ| per seed', title: 'largest |repeat − first| final test accuracy over the seeds, in accuracy points' },
  { key: 'identical', label: 'identical', title: 'seeds whose final test accuracy is the same to the last bit' },
  { key: 'sameInit', label: 'same initial weights', title: 'seeds whose initial weights have the same SHA-256 both times' },
  { key: 'chance', label: 'at chance (first / repeat)', title: 'seeds within 5 pp of chance, first runs / repeat' },
  { key: 'cpus', label: 'CPUs (first / repeat)' },
];

/** First runs against their repeats, per method (final test accuracy). */
export function repeatsView(repeats: readonly RepeatAgreement[], id = 'mechanism-repeats'): ViewTable {
  const rows = repeats.map((r): ViewCell[] => [
    cell(r.method),
    cell(r.repeat, 'count'),
    cell(r.n, 'count'),
    cell(r.firstMedian, 'percent'),
    cell(r.repeatMedian, 'percent'),
    cell(r.maxAbsDiff, 'size-pp'),
    cell(`${r.identical}/${r.n}`),
    cell(`${r.sameInitialWeights}/${r.n}`),
    cell(`${r.atChance[0]} / ${r.atChance[1]}`),
    cell(`${r.cpus[0].join(', ')} / ${r.cpus[1].join(', ')}`),
  ]);
  return { id, title: 'Repeats: the same configs and seeds run again, against their first runs', columns: REPEAT_COLUMNS, rows };
}
