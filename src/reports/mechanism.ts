/**
 * The mechanism page: why the rounding modes differ (evidence recorded step by step at the
 * study's operating point) and where the answer flips (the sweeps against the update-to-grid
 * ratio), with the study's causal explanations judged on recorded errors and gradients.
 * Charts and sentences are generated from the analysis objects; every number comes from
 * stored runs.
 */
import type { CausalClaim, LayerEvidence, MethodEvidence, RepeatAgreement, SweepCell } from '../analysis/mechanism';
import { FROZEN_SHARE, predictionTally } from '../analysis/mechanism';
import type { DifferenceCode } from '../analysis/verdict';
import type { StepProgress } from '../experiments/study';
import { describeMissing } from '../experiments/study';
import { causalClaimsView, escapeView, evidenceView, layerView, repeatsView, sweepCellsView } from '../views/mechanism';
import { CODE_LABELS, viewTableHtml } from '../views/table';
import { baseLayout, methodColour, seedLinesChart } from './charts';
import type { ChartSpec } from './charts';
import { formatNumber, formatPercent, formatPp } from './format';
import { chartGrid, escapeHtml, htmlPage } from './html';

/** Where the evidence comes from: the operating point of the study, run in the sweeps. */
export interface OperatingPoint {
  /** Experiment. */
  experiment: string;
  /** Epochs. */
  epochs: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Bits. */
  bits: number;
  /** Engine of the runs. */
  engine: string;
  /** Repeat index of the runs, when the evidence comes from a repeat of the cell; absent for first runs. */
  repeat?: number;
}

/** Everything the page shows. */
export interface MechanismPageArgs {
  /** The operating point of {@link evidence}. */
  point: OperatingPoint;
  /** Evidence per method at the operating point. */
  evidence: MethodEvidence[];
  /** Per experiment of the study: per-seed curves and escape epochs of its main arms. */
  escape: { experiment: string; epochs: number; engine: string; evidence: MethodEvidence[] }[];
  /** The study's causal claims at the operating point. */
  causal: CausalClaim[];
  /** Per method and layer at the operating point's last epoch. */
  layers: LayerEvidence[];
  /** Every sweep cell with a quantized method (one engine). */
  cells: SweepCell[];
  /** First runs against their repeats, per setting and method. */
  repeats: RepeatAgreement[];
  /** Progress of the sweep plan. */
  progress: StepProgress[];
  /** Where the results were read from. */
  resultsPath: string;
  /** CSV links. */
  csv: { evidence: string; cells: string; claims: string; escape: string; layers: string; repeats: string };
}

const pointAt = (m: MethodEvidence | undefined, epoch: number) => m?.points.find((p) => p.epoch === epoch);
const byMethod = (ev: readonly MethodEvidence[], method: string) => ev.find((m) => m.method === method);

/** The "why" sentences, each from recorded numbers (empty when the runs are missing). */
export function whySentences(point: OperatingPoint, ev: readonly MethodEvidence[]): string[] {
  const std = byMethod(ev, 'standard');
  const oct = byMethod(ev, 'octization');
  const sto = byMethod(ev, 'stochastic');
  const out: string[] = [];
  const s1 = pointAt(std, 1);
  const o1 = pointAt(oct, 1);
  const where = `${point.experiment}, Adam lr ${point.learningRate}, ${point.bits} bits (grid step 1/${2 ** point.bits - 1}), ${point.engine}${point.repeat === undefined ? '' : `, repeat ${point.repeat}`}`;
  if (s1 !== undefined && s1.q50 !== null) {
    const size = (s1.q99 ?? 0) < 0.5 ? 'a fraction of the grid step' : 'mostly below the grid step';
    out.push(
      `Adam's proposed updates are ${size} (${where}): in epoch 1 the median proposal is ${formatNumber(s1.q50, 2)} of a step, the 99th percentile ${formatNumber(s1.q99, 2)} and the largest ${formatNumber(s1.max, 2)}; ${formatPercent(s1.halfShare, 3)} of the proposals reach half a step (standard's runs, ${s1.n} seeds).`,
    );
    const escaped = std === undefined ? 0 : std.seeds.filter((x) => x.escape !== null).length;
    const frozen = (s1.halfShare ?? 0) < FROZEN_SHARE;
    out.push(
      `${frozen ? 'Round-to-nearest erases almost all of them' : 'Round-to-nearest keeps only the proposals that reach half a step'}: standard changes ${formatPercent(s1.changeShare, 3)} of the codes per proposal in epoch 1; ${escaped} of ${std?.n ?? 0} seeds rise above chance + 5 pp${frozen && escaped > 0 ? ' all the same' : ''}.`,
    );
  }
  if (o1 !== undefined && o1.shrinkShare !== null) {
    const last = oct?.points[oct.points.length - 1];
    const z0 = pointAt(oct, 0)?.zeroCodeShare ?? null;
    const lead = (o1.growShare ?? 0) < 0.01 ? 'Truncation turns every update toward zero into a full step toward zero and erases every update away from it' : 'Truncation moves codes toward zero far more often than away from it';
    out.push(
      `${lead}: ${formatPercent(o1.shrinkShare, 2)} of octization's code changes in epoch 1 shrink |code| and ${formatPercent(o1.growShare, 2)} grow it (growing needs a proposal of one whole step: ${formatPercent(o1.oneShare, 3)} of them); its share of zero codes goes from ${formatPercent(z0)} at epoch 0 to ${formatPercent(last?.zeroCodeShare ?? null)} after epoch ${last?.epoch ?? '–'}.`,
    );
  }
  const s = pointAt(sto, 1);
  if (s !== undefined && s.shrinkShare !== null && sto !== undefined) {
    out.push(
      `Stochastic rounding, unbiased, moves codes both ways (${formatPercent(s.shrinkShare, 1)} of its epoch-1 changes shrink, ${formatPercent(s.growShare, 1)} grow): the difference between the methods is the rounding mode against the size of Adam's steps, not the octal encoding.`,
    );
  }
  return out;
}

/**
 * One sentence per repeated setting of `experiment` (all when omitted): how the repeat's
 * medians compare with the first runs', seeds identical to the last bit, and initial weights.
 */
export function repeatSentences(repeats: readonly RepeatAgreement[], experiment?: string): string[] {
  const groups = new Map<string, RepeatAgreement[]>();
  for (const r of repeats) {
    if (experiment !== undefined && r.setting.experiment !== experiment) continue;
    const { bits: _bits, ...where } = r.setting; // a setting's float runs go with its quantized ones
    const k = JSON.stringify([where, r.repeat]);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const s = g[0].setting;
    const n = Math.max(...g.map((r) => r.n));
    const identical = g.reduce((t, r) => t + r.identical, 0);
    const total = g.reduce((t, r) => t + r.n, 0);
    const same = g.reduce((t, r) => t + r.sameInitialWeights, 0);
    const named = (xs: string[]): string => xs.map((x) => (x === 'unrecorded' ? 'a CPU its records do not name' : x)).join(' and ');
    const cpus = named([...new Set(g.flatMap((r) => r.cpus[1]))]);
    const firstCpus = named([...new Set(g.flatMap((r) => r.cpus[0]))]);
    const arms = g.map((r) => `${r.method} ${formatPercent(r.firstMedian)} → ${formatPercent(r.repeatMedian)} (largest per-seed change ${formatNumber(r.maxAbsDiff * 100, 2)} pp; at chance ${r.atChance[0]} → ${r.atChance[1]} of ${r.n})`);
    return `Repeat ${g[0].repeat} of ${s.experiment}, ${s.epochs} epochs, ${s.optimizer} lr ${s.learningRate} (${n} seeds per method, run on ${cpus}; first runs on ${firstCpus}), median final accuracy first → repeat: ${arms.join('; ')}. ${identical} of ${total} runs are identical to the last bit; the initial weights are identical in ${same} of ${total}.`;
  });
}

/** The causal-claims sentence: each measure's verdict, and the claim as an explanation of the outcome at that point. */
export function causalSentence(claims: readonly CausalClaim[]): string | null {
  if (claims.length === 0) return null;
  return claims
    .map((c) => {
      const ratio = Math.exp(c.logRatio);
      const what = c.id === 'feature-preservation' ? "octization's projection error (MSE of q − f)" : "octization's first-layer gradient norm";
      const claim = c.id === 'feature-preservation' ? 'better preservation of feature information' : 'more effective gradient flow';
      const measure = `${what} is ${formatNumber(ratio, 3)}× standard's (median ${formatNumber(c.octization, 3)} vs ${formatNumber(c.standard, 3)}, ${c.n} pairs)`;
      if (c.explanation === 'nothing-to-explain') {
        return `${measure}; read against "${claim}" the measure is ${CODE_LABELS[c.verdict.code] ?? c.verdict.code}, but octization is not more accurate here (${c.outcome === null ? 'no paired accuracies' : GAP_WORDS[c.outcome]}), so the claim has no advantage to explain.`;
      }
      return `${measure}: ${CODE_LABELS[c.explanation] ?? c.explanation} as an explanation of "${claim}".`;
    })
    .join(' ');
}

/** The boundary sentence over the Adam cells (learning rate × bits) or the SGD cells of one experiment. */
export function boundarySentence(cells: readonly SweepCell[], experiment: string, epochs: number, optimizer: 'adam' | 'sgd' = 'adam'): string | null {
  const group = optimizer === 'adam' ? adamCells(cells, experiment, epochs) : cells.filter((c) => c.experiment === experiment && c.optimizer === 'sgd' && c.epochs === epochs);
  if (group.length === 0) return null;
  const t = predictionTally(group);
  const octWins = group.filter((c) => c.gap?.code === 'a-higher').map((c) => c.ratio);
  const stdWins = group.filter((c) => c.gap?.code === 'b-higher').map((c) => c.ratio);
  const range = (xs: number[]): string => (xs.length === 0 ? 'none' : `${xs.length} (lr·(2^b−1) from ${formatNumber(Math.min(...xs), 3)} to ${formatNumber(Math.max(...xs), 3)})`);
  const open = group.filter((c) => c.prediction === 'no-prediction' && c.gap !== null);
  const count = (code: string): number => open.filter((c) => c.gap?.code === code).length;
  const openText =
    open.length === 0
      ? ''
      : ` Of the ${open.length} ${open.length === 1 ? 'cell' : 'cells'} without a prediction, standard is higher in ${count('b-higher')}, octization in ${count('a-higher')}, the two equivalent in ${count('equivalent')} and neither shown in ${count('inconclusive') + count('too-few-runs')}.`;
  const medians = group.map((c) => c.standardQ50).filter((x): x is number => x !== null);
  const second = group.filter((c) => c.prediction === 'standard-at-least').length;
  const secondText =
    medians.length === 0
      ? ''
      : ` The rule's second branch (standard's median proposal ≥ 0.5 step) applies in ${second} of the ${group.length} (largest median proposal ${formatNumber(Math.max(...medians), 2)} step).`;
  const dead = group.filter((c) => ['standard', 'octization'].every((m) => { const a = c.arms.find((x) => x.method === m); return a !== undefined && a.atChance === a.values.length; }));
  const deadText = dead.length === 0 ? '' : ` In ${dead.length} of the ${group.length} both standard and octization stay at chance in every seed (two dead networks: lr·(2^b−1) ${dead.map((c) => formatNumber(c.ratio, 3)).join(', ')}).`;
  const name = optimizer === 'adam' ? 'Adam' : 'SGD with momentum';
  const bits = [...new Set(group.map((c) => c.bits))];
  const what = bits.length > 1 ? 'learning rate × bits' : `learning rate (${bits[0]} bits)`;
  return `${experiment}, ${epochs} epochs, ${name}, ${group.length} ${group.length === 1 ? 'cell' : 'cells'} of ${what}: octization is higher in ${range(octWins)}, standard higher in ${range(stdWins)}; the mechanism predicts a winner in ${t.predicted} of them and the prediction holds in ${t.holds}, fails in ${t.fails}${t.undecided === 0 ? '' : ` and cannot be told in ${t.undecided} (difference inconclusive)`}.${openText}${deadText}${secondText}`;
}

/** The paired octization − standard gap's code in words. */
const GAP_WORDS: Readonly<Record<DifferenceCode, string>> = {
  'a-higher': 'octization higher',
  'b-higher': 'standard higher',
  equivalent: 'equivalent within 1 pp',
  inconclusive: 'inconclusive',
  'too-few-runs': 'too few runs',
};

/** Every boundary sentence: per experiment, the Adam cells then the SGD cells, then the initialisation cells. */
export function boundarySentences(cells: readonly SweepCell[], epochs: number): string[] {
  const experiments = [...new Set(cells.map((c) => c.experiment))];
  return experiments
    .flatMap((e) => [boundarySentence(cells, e, epochs), boundarySentence(cells, e, epochs, 'sgd'), initSentence(cells, e)])
    .filter((s): s is string => s !== null);
}

/**
 * The initialisation sentence of one experiment: per init (Adam, the operating point's other
 * settings), each method's median final accuracy, how many seeds escape chance, and the gap's code;
 * null without at least two inits at the same setting.
 */
export function initSentence(cells: readonly SweepCell[], experiment: string): string | null {
  const ordered = initCells(cells, experiment);
  if (ordered.length === 0) return null;
  const arm = (c: SweepCell, m: string): string => {
    const a = c.arms.find((x) => x.method === m);
    if (a === undefined) return `${m} –`;
    const escaped = a.values.length - a.atChance;
    return `${m} ${formatPercent(a.median)} (range ${formatPercent(a.range[0])}–${formatPercent(a.range[1])}, ${escaped} of ${a.values.length} seeds above chance + 5 pp)`;
  };
  const c0 = ordered[0];
  const parts = ordered.map((c) => `${c.init}: ${arm(c, 'standard')}, ${arm(c, 'octization')}, ${arm(c, 'float')}; octization − standard ${c.gap === null ? '–' : `mean ${formatPp(c.gap.mean)}, median ${formatPp(c.gap.medianDiff)} (${GAP_WORDS[c.gap.code]})`}`);
  return `${experiment}, ${c0.epochs} epochs, Adam lr ${c0.learningRate}, ${c0.bits} bits, by initialisation (medians): ${parts.join('; ')}.`;
}

/** The Adam cells of the learning-rate × bits sweep of one experiment (Glorot init, `epochs` epochs). */
export function adamCells(cells: readonly SweepCell[], experiment: string, epochs: number): SweepCell[] {
  return cells.filter((c) => c.experiment === experiment && c.optimizer === 'adam' && c.init === 'glorot-uniform' && c.epochs === epochs);
}

/** Share of code changes that shrank |code|, per epoch and method. */
function shrinkChart(ev: readonly MethodEvidence[]): ChartSpec {
  const data = ev
    .filter((m) => m.points.some((p) => p.shrinkShare !== null))
    .map((m) => {
      const pts = m.points.filter((p) => p.shrinkShare !== null);
      return {
        type: 'scatter', mode: 'lines+markers', name: m.method, x: pts.map((p) => p.epoch), y: pts.map((p) => (p.shrinkShare as number) * 100),
        line: { color: methodColour(m.method), width: 2 }, marker: { color: methodColour(m.method), size: 7 },
        hovertemplate: `${m.method}<br>epoch %{x}<br>%{y:.4g}% of changes shrank |code|<extra></extra>`,
      };
    });
  return {
    id: 'mech-shrink',
    title: 'code changes that shrank |code|, % of all code changes (median over seeds); standard has almost none to split',
    data,
    layout: baseLayout('epoch', '% of code changes', { xaxis: { title: { text: 'epoch' }, dtick: 1, gridcolor: '#e6e6e6' }, yaxis: { range: [0, 105], gridcolor: '#e6e6e6' } }),
  };
}

/** Quantiles of |Δ|/step in epoch 1 per method against the 0.5 and 1 step lines. */
function proposalChart(ev: readonly MethodEvidence[]): ChartSpec {
  const names = ['median', 'q90', 'q99', 'max'];
  const data = ev
    .filter((m) => pointAt(m, 1)?.q50 != null)
    .map((m) => {
      const p = pointAt(m, 1)!;
      return { type: 'bar', name: m.method, x: names, y: [p.q50, p.q90, p.q99, p.max], marker: { color: methodColour(m.method) }, hovertemplate: `${m.method}<br>%{x}: %{y:.3g} grid steps<extra></extra>` };
    });
  const line = (y: number, text: string) => ({ type: 'line', xref: 'paper', x0: 0, x1: 1, y0: y, y1: y, line: { color: '#444', dash: 'dash', width: 1 }, label: { text, textposition: 'end' } });
  return {
    id: 'mech-proposals',
    title: "the optimizer's proposed |Δ| in grid steps, epoch 1 (log scale): round-to-nearest needs 0.5, truncation needs 1 to grow |code|",
    data,
    layout: baseLayout('', '|Δ| / grid step', { barmode: 'group', yaxis: { type: 'log', gridcolor: '#e6e6e6' }, shapes: [line(0.5, '0.5 step'), line(1, '1 step')] }),
  };
}

/** Zero-code share per seed from epoch 0. */
function zeroChart(ev: readonly MethodEvidence[]): ChartSpec {
  return seedLinesChart(
    'mech-zero',
    'weights whose quantized value is 0, % (every seed; thick: median), from the initial weights (epoch 0)',
    ev.filter((m) => m.seeds.some((s) => s.zeroCodes.length > 0)).map((m) => ({ method: m.method, seeds: m.seeds.map((s) => ({ seed: s.seed, points: s.zeroCodes })) })),
    '% zero codes',
    100,
  );
}

/** Per-seed test accuracy from epoch 0, for the escape epochs. */
function escapeChart(g: MechanismPageArgs['escape'][number]): ChartSpec {
  return seedLinesChart(
    `mech-escape-${g.experiment}-${g.epochs}-${g.engine}`,
    `${g.experiment}, ${g.epochs} epochs (${g.engine}): test accuracy of every seed from epoch 0, %`,
    g.evidence.map((m) => ({ method: m.method, seeds: m.seeds.map((s) => ({ seed: s.seed, points: s.accuracy })) })),
    'test accuracy (%)',
    100,
  );
}

const SYMBOLS: Record<number, string> = { 4: 'triangle-up', 6: 'square', 8: 'circle', 10: 'diamond' };

/** Median final accuracy per method against lr·(2^b − 1), every Adam cell of one experiment. */
function boundaryChart(cells: readonly SweepCell[], experiment: string, epochs: number): ChartSpec | null {
  const adam = adamCells(cells, experiment, epochs).sort((a, b) => a.ratio - b.ratio);
  if (adam.length === 0) return null;
  const methods = [...new Set(adam.flatMap((c) => c.arms.map((a) => a.method)))];
  const data = methods.map((m) => {
    const pts = adam.flatMap((c) => {
      const a = c.arms.find((x) => x.method === m);
      return a === undefined ? [] : [{ x: c.ratio, y: a.median * 100, bits: c.bits, lr: c.learningRate, n: a.seeds.length }];
    });
    return {
      type: 'scatter', mode: 'lines+markers', name: m, x: pts.map((p) => p.x), y: pts.map((p) => p.y),
      marker: { color: methodColour(m), size: 9, symbol: pts.map((p) => SYMBOLS[p.bits] ?? 'circle') }, line: { color: methodColour(m), width: 1, dash: 'dot' },
      customdata: pts.map((p) => [p.bits, p.lr, p.n]),
      hovertemplate: `${m}<br>lr·(2^b−1) %{x:.3g}<br>%{customdata[0]} bits, lr %{customdata[1]}<br>median %{y:.4g}% (n = %{customdata[2]})<extra></extra>`,
    };
  });
  return {
    id: `mech-boundary-${experiment}`,
    title: `${experiment}, ${epochs} epochs, Adam: median final test accuracy against lr·(2^b−1), Adam's nominal update in grid steps (log scale; marker: bits, ▲4 ■6 ●8 ◆10)`,
    data,
    layout: baseLayout('lr·(2^b−1)', 'test accuracy (%)', { xaxis: { type: 'log', title: { text: 'lr·(2^b−1)' }, gridcolor: '#e6e6e6' } }),
  };
}

/** The paired gap octization − standard per cell with its interval, coloured by what it shows. */
function gapChart(cells: readonly SweepCell[], id: string, title: string, x: (c: SweepCell) => number, xTitle: string): ChartSpec | null {
  const withGap = cells.filter((c) => c.gap !== null && c.gap.ci !== null).sort((a, b) => x(a) - x(b));
  if (withGap.length === 0) return null;
  const colour = (c: SweepCell): string => (c.gap?.code === 'a-higher' ? methodColour('octization') : c.gap?.code === 'b-higher' ? methodColour('standard') : '#888888');
  const data = [
    {
      type: 'scatter', mode: 'markers', name: 'octization − standard', x: withGap.map(x), y: withGap.map((c) => (c.gap?.mean ?? 0) * 100),
      error_y: { type: 'data', symmetric: false, array: withGap.map((c) => ((c.gap!.ci!.upper - c.gap!.mean) * 100)), arrayminus: withGap.map((c) => ((c.gap!.mean - c.gap!.ci!.lower) * 100)), color: '#555', thickness: 1.2, width: 4 },
      marker: { color: withGap.map(colour), size: 10, symbol: withGap.map((c) => SYMBOLS[c.bits] ?? 'circle') },
      customdata: withGap.map((c) => [c.bits, c.learningRate, c.gap?.n, CODE_LABELS[c.prediction], c.holds === null ? (c.prediction === 'no-prediction' ? 'no prediction' : 'undecided') : c.holds ? 'holds' : 'fails']),
      hovertemplate: '%{customdata[0]} bits, lr %{customdata[1]}<br>gap %{y:.3g} pp (n = %{customdata[2]})<br>mechanism: %{customdata[3]} (%{customdata[4]})<extra></extra>',
      showlegend: false,
    },
  ];
  return {
    id,
    title,
    data,
    layout: baseLayout(xTitle, 'octization − standard (pp)', {
      xaxis: { type: 'log', title: { text: xTitle }, gridcolor: '#e6e6e6' },
      shapes: [{ type: 'line', xref: 'paper', x0: 0, x1: 1, y0: 0, y1: 0, line: { color: '#999', dash: 'dash', width: 1 } }],
    }),
  };
}

/** The Adam cells of one experiment that differ only by initialisation (the largest such group), or []. */
export function initCells(cells: readonly SweepCell[], experiment: string): SweepCell[] {
  const adam = cells.filter((c) => c.experiment === experiment && c.optimizer === 'adam');
  const key = (c: SweepCell): string => JSON.stringify([c.epochs, c.learningRate, c.bits]);
  const groups = new Map<string, SweepCell[]>();
  for (const c of adam) groups.set(key(c), [...(groups.get(key(c)) ?? []), c]);
  const multi = [...groups.values()].filter((g) => new Set(g.map((c) => c.init)).size >= 2).sort((a, b) => b.length - a.length);
  if (multi.length === 0) return [];
  return [...multi[0]].sort((a, b) => Number(b.init === 'glorot-uniform') - Number(a.init === 'glorot-uniform') || a.init.localeCompare(b.init));
}

/** Final test accuracy of every seed by initialisation and method: the per-seed view of a bimodal arm. */
function initChart(cells: readonly SweepCell[], experiment: string): ChartSpec | null {
  const group = initCells(cells, experiment);
  if (group.length === 0) return null;
  const methods = ['float', 'standard', 'octization', 'stochastic'].filter((m) => group.some((c) => c.arms.some((a) => a.method === m)));
  const offset = (m: string): number => (methods.indexOf(m) - (methods.length - 1) / 2) * 0.18;
  const data = methods.flatMap((m) => {
    const pts = group.flatMap((c, i) => {
      const a = c.arms.find((x) => x.method === m);
      return a === undefined ? [] : a.values.map((v, j) => ({ x: i + offset(m), y: v * 100, seed: a.seeds[j], init: c.init }));
    });
    const medians = group.flatMap((c, i) => {
      const a = c.arms.find((x) => x.method === m);
      return a === undefined ? [] : [{ x: i + offset(m), y: a.median * 100 }];
    });
    return [
      {
        type: 'scatter', mode: 'markers', name: m, x: pts.map((p) => p.x), y: pts.map((p) => p.y),
        marker: { color: methodColour(m), size: 7, opacity: 0.75 }, customdata: pts.map((p) => [p.init, p.seed]),
        hovertemplate: `${m}, %{customdata[0]}, seed %{customdata[1]}<br>%{y:.2f}%<extra></extra>`,
      },
      {
        type: 'scatter', mode: 'markers', name: `${m} median`, x: medians.map((p) => p.x), y: medians.map((p) => p.y), showlegend: false,
        marker: { color: methodColour(m), size: 16, symbol: 'line-ew-open', line: { width: 3, color: methodColour(m) } }, hoverinfo: 'skip',
      },
    ];
  });
  const c0 = group[0];
  return {
    id: `mech-init-${experiment}`,
    title: `${experiment}, ${c0.epochs} epochs, Adam lr ${c0.learningRate}, ${c0.bits} bits: final test accuracy of every seed by initialisation (bar: median; dotted: chance + 5 pp)`,
    data,
    layout: baseLayout('initialisation', 'test accuracy (%)', {
      xaxis: { tickmode: 'array', tickvals: group.map((_, i) => i), ticktext: group.map((c) => c.init), title: { text: 'initialisation' }, zeroline: false, range: [-0.5, group.length - 0.5] },
      shapes: [{ type: 'line', xref: 'paper', x0: 0, x1: 1, y0: 15, y1: 15, line: { color: '#999', dash: 'dot', width: 1 } }],
    }),
  };
}

/** The charts of the page, in page order (pure). */
export function mechanismCharts(args: MechanismPageArgs): { why: ChartSpec[]; escape: ChartSpec[]; boundary: ChartSpec[] } {
  const why = args.evidence.length === 0 ? [] : [proposalChart(args.evidence), shrinkChart(args.evidence), zeroChart(args.evidence)];
  const escape = args.escape.filter((g) => g.evidence.length > 0).map(escapeChart);
  const experiments = [...new Set(args.cells.map((c) => c.experiment))];
  const boundary: ChartSpec[] = [];
  for (const e of experiments) {
    const b = boundaryChart(args.cells, e, args.point.epochs);
    if (b !== null) boundary.push(b);
    const adam = adamCells(args.cells, e, args.point.epochs);
    const g = gapChart(adam, `mech-gap-${e}`, `${e}, ${args.point.epochs} epochs, Adam: octization − standard per cell, mean ± 95% t interval (orange: octization higher, blue: standard higher, grey: neither shown)`, (c) => c.ratio, 'lr·(2^b−1)');
    if (g !== null) boundary.push(g);
    const sgd = args.cells.filter((c) => c.experiment === e && c.optimizer === 'sgd');
    const gs = gapChart(sgd, `mech-gap-sgd-${e}`, `${e}, SGD with momentum: octization − standard per learning rate, mean ± 95% t interval`, (c) => c.learningRate, 'learning rate');
    if (gs !== null) boundary.push(gs);
    const ic = initChart(args.cells, e);
    if (ic !== null) boundary.push(ic);
  }
  return { why, escape, boundary };
}

/** The self-contained mechanism page. */
export function mechanismPage(args: MechanismPageArgs): string {
  const charts = mechanismCharts(args);
  const why = whySentences(args.point, args.evidence);
  const causal = causalSentence(args.causal);
  const experiments = [...new Set(args.cells.map((c) => c.experiment))];
  const boundary = boundarySentences(args.cells, args.point.epochs);
  const missing = args.progress.filter((p) => p.missing.length > 0);
  const adam = experiments.flatMap((e) => adamCells(args.cells, e, args.point.epochs));
  const sgd = args.cells.filter((c) => c.optimizer === 'sgd');
  const inits = args.cells.filter((c) => c.optimizer === 'adam' && (c.init !== 'glorot-uniform' || c.epochs !== args.point.epochs));
  const body = `<header>
<h1>octolab: why the methods differ, and where the answer flips</h1>
<p class="muted">Recorded at every projected step: the optimizer's proposed update Δ (weights after the step − the projected weights before it) in grid steps, whether each code change shrank or grew |code|, and the projection's error; per epoch the zero-code share and each layer's gradient norm on a fixed probe batch (the first 1000 training examples). Then the learning rate, the optimizer, the bit width and the initialisation are swept with paired seeds.</p>
<p class="note">Built from <code>${escapeHtml(args.resultsPath)}</code> without training; every run here is on ${escapeHtml(args.point.engine)}, and no comparison mixes engines. <a href="index.html">All reports</a> · CSV: <a href="${escapeHtml(args.csv.evidence)}">evidence</a>, <a href="${escapeHtml(args.csv.cells)}">sweep cells</a>, <a href="${escapeHtml(args.csv.claims)}">explanations</a>, <a href="${escapeHtml(args.csv.layers)}">layers</a>, <a href="${escapeHtml(args.csv.escape)}">escape epochs</a>${args.repeats.length === 0 ? '' : `, <a href="${escapeHtml(args.csv.repeats)}">repeats</a>`}.</p>
<nav class="toc"><a href="#why">Why</a><a href="#explanations">The study's explanations</a><a href="#escape">Escape from chance</a><a href="#boundary">Where it flips</a><a href="#cells">Cell by cell</a>${args.repeats.length === 0 ? '' : '<a href="#repeats">Repeats</a>'}<a href="#plan">Sweep plan</a></nav>
</header>
<section id="why"><h2>Why</h2>
${why.length === 0 ? `<p>No run of the operating point (${escapeHtml(args.point.experiment)}, Adam lr ${args.point.learningRate}, ${args.point.bits} bits, ${args.point.epochs} epochs) with update statistics is stored yet.</p>` : `<ul>${why.map((s) => `<li>${escapeHtml(s)}</li>`).join('\n')}</ul>`}
${chartGrid(charts.why)}
${args.evidence.length === 0 ? '' : viewTableHtml(evidenceView(args.evidence), 'wide')}
<p class="note">Quantiles of |Δ|/step are upper edges of 1/8-octave bins (at most 9 % above the exact value); the maximum and the shares are exact counts over every weight and step.</p>
</section>
<section id="explanations"><h2>The study's explanations</h2>
${causal === null ? '<p>No paired runs with recorded errors and gradients yet.</p>' : `<p>${escapeHtml(causal)}</p>`}
${args.causal.length === 0 ? '' : viewTableHtml(causalClaimsView(args.causal), 'wide')}
${args.layers.length === 0 ? '' : viewTableHtml(layerView(args.layers), 'wide')}
<p class="note">Both measured at the operating point above, octization against standard paired by seed, as a mean log-ratio with its 95% t interval, under the one verdict rule (equivalence margin: a ratio of 1.1). A measure counts as an explanation only where octization is more accurate at that point; elsewhere there is nothing for it to explain. A larger gradient in a network whose updates are erased is not "flow": the gradient reaches every layer in every arm; what differs is whether the update survives the rounding.</p>
</section>
<section id="escape"><h2>Escape from chance</h2>
${chartGrid(charts.escape)}
${viewTableHtml(escapeView(args.escape.map((g) => ({ experiment: `${g.experiment} ${g.epochs} ep (${g.engine})`, evidence: g.evidence }))), 'wide')}
</section>
<section id="boundary"><h2>Where it flips</h2>
${boundary.length === 0 ? '<p>No sweep cells stored yet.</p>' : `<ul>${boundary.map((s) => `<li>${escapeHtml(s)}</li>`).join('\n')}</ul>`}
<p class="note">The prediction, cell by cell, from standard's own epoch-1 proposals: when fewer than ${formatPercent(FROZEN_SHARE, 1)} of them reach half a grid step, round-to-nearest is frozen while truncation still moves every weight toward zero, so octization is predicted higher; when the median proposal reaches half a step, both roundings move codes both ways and truncation's bias toward zero costs it, so standard is predicted at least as high (higher or equivalent within 1 pp); in between, no prediction. "Observed" applies the one verdict rule (n ≥ 5, margin 1 pp) to the paired gap.</p>
${chartGrid(charts.boundary)}
</section>
<section id="cells"><h2>Cell by cell</h2>
${adam.length === 0 ? '' : viewTableHtml(sweepCellsView(adam, 'mechanism-cells-adam', `Adam, learning rate × bits, ${args.point.epochs} epochs, Glorot init: final test accuracy and the paired gap`, ['init', 'optimizer']), 'wide')}
${sgd.length === 0 ? '' : viewTableHtml(sweepCellsView(sgd, 'mechanism-cells-sgd', `SGD with momentum 0.9 by learning rate, 8 bits, ${args.point.epochs} epochs`, ['init', 'bits']), 'wide')}
${inits.length === 0 ? '' : viewTableHtml(sweepCellsView(inits, 'mechanism-cells-init', 'Initialisation (and the 20-epoch cells): Adam lr 0.001, 8 bits', ['optimizer', 'learningRate', 'bits', 'ratio', 'stochastic']), 'wide')}
</section>
${
  args.repeats.length === 0
    ? ''
    : `<section id="repeats"><h2>Repeats</h2>
<ul>${repeatSentences(args.repeats).map((x) => `<li>${escapeHtml(x)}</li>`).join('\n')}</ul>
${viewTableHtml(repeatsView(args.repeats), 'wide')}
<p class="note">A repeat runs the same configs and seeds again (<code>--repeat N</code>), stored under its own key. Where a cell's first runs predate the update statistics, the cell and the evidence above read its repeat, whole, and never pair a first run with a repeat. On one CPU the torch engine reproduces a run bit for bit; across CPUs (vector extensions differ, and with them the BLAS and oneDNN kernels) the last bits differ and training amplifies them.</p>
</section>`
}
<section id="plan"><h2>Sweep plan</h2>
<p>${args.progress.map((p) => `${escapeHtml(p.step)}: ${p.stored}/${p.planned} runs`).join(' · ')}.</p>
${missing.length === 0 ? '<p>Every planned sweep run is stored.</p>' : `<p class="warn">Not yet run (the plan resumes with <code>OCTOLAB_BACKEND=torch octolab study --plan sweeps</code>): ${missing.map((p) => `<b>${escapeHtml(p.step)}</b>: ${escapeHtml(describeMissing(p.missing))}`).join('; ')}.</p>`}
</section>
<footer>generated from stored results only.</footer>`;
  return htmlPage({ title: 'octolab: mechanism and sweeps', body, charts: [...charts.why, ...charts.escape, ...charts.boundary] });
}

/** The "why" section of one experiment's page: its HTML and the charts it draws. */
export interface ExperimentWhy {
  /** The section, `<section id="why">…</section>`. */
  html: string;
  /** Its charts (the page's script draws them). */
  charts: ChartSpec[];
}

/**
 * The "why" section of an experiment page, from `args` built at that experiment's operating
 * point: the recorded update statistics and their sentences when standard's epoch-1
 * proposals were recorded there, the per-seed escape charts of the experiment, and its
 * boundary sentences; null when there is nothing recorded for the experiment.
 */
export function experimentWhy(args: MechanismPageArgs, experiment: string): ExperimentWhy | null {
  const recorded = args.point.experiment === experiment && pointAt(byMethod(args.evidence, 'standard'), 1)?.q50 != null;
  const why = recorded ? whySentences(args.point, args.evidence) : [];
  const escape = args.escape.filter((g) => g.experiment === experiment && g.evidence.length > 0);
  const boundary = boundarySentences(args.cells.filter((c) => c.experiment === experiment), args.point.epochs);
  const repeats = repeatSentences(args.repeats, experiment);
  const causal = recorded ? causalSentence(args.causal) : null;
  if (why.length === 0 && escape.length === 0 && boundary.length === 0) return null;
  const charts = [...(recorded ? [proposalChart(args.evidence), shrinkChart(args.evidence), zeroChart(args.evidence)] : []), ...escape.map(escapeChart)];
  const where = `${args.point.experiment}, Adam lr ${args.point.learningRate}, ${args.point.bits} bits, ${args.point.epochs} epochs`;
  const html = `<section id="why"><h2>Why</h2>
<p class="note">${
    recorded
      ? `The update statistics below come from the ${escapeHtml(args.point.engine)} sweep runs at ${escapeHtml(where)}${
          args.point.repeat === undefined ? '' : ` (repeat ${args.point.repeat}: its first runs predate that instrumentation; the repeat is compared with them below)`
        }; the escape charts name their engine. No comparison here mixes engines.`
      : `No update statistics were recorded at ${escapeHtml(where)} (its stored ${escapeHtml(args.point.engine)} runs predate that instrumentation); the other cells of the sweep have them.`
  } Every cell is on <a href="mechanism.html">the mechanism page</a>.</p>
${why.length === 0 ? '' : `<ul>${why.map((x) => `<li>${escapeHtml(x)}</li>`).join('\n')}</ul>`}
${chartGrid(charts)}
${causal === null ? '' : `<h3>The study's explanations</h3>\n<p>${escapeHtml(causal)}</p>\n${viewTableHtml(causalClaimsView(args.causal, `why-claims-${experiment}`), 'wide')}`}
${repeats.length === 0 ? '' : `<h3>Repeat of the cell</h3>\n<ul>${repeats.map((x) => `<li>${escapeHtml(x)}</li>`).join('\n')}</ul>`}
${boundary.length === 0 ? '' : `<h3>Where the answer flips</h3>\n<ul>${boundary.map((x) => `<li>${escapeHtml(x)}</li>`).join('\n')}</ul>`}
</section>`;
  return { html, charts };
}

/** Index and README lines: the why paragraph and the boundary paragraph, from the same numbers. */
export function mechanismSummary(args: MechanismPageArgs): { why: string; boundary: string[] } {
  const why = whySentences(args.point, args.evidence);
  const causal = causalSentence(args.causal);
  const b = boundarySentences(args.cells, args.point.epochs);
  return {
    why: [...why, ...(causal === null ? [] : [causal])].join(' ') || 'No run with update statistics is stored yet.',
    boundary: b.length === 0 ? ['No sweep cells are stored yet.'] : b,
  };
}

