/**
 * Compact views of one experiment for the experiment notebooks: data provenance,
 * the runs made live in the notebook, and the stored multi-seed results (per-arm
 * summaries, paired comparisons, learning curves, distributions). Statistics come
 * from `src/reports`' analysis; charts from its chart builders.
 */
import type { DatasetArgs } from '../data/dataset';
import { loadDataset } from '../data/dataset';
import type { Dataset, DatasetProvenance } from '../data/types';
import type { RunRecord } from '../results/schema';
import type { CurveMetric, ExperimentAnalysis, Panel, RunMetric } from '../reports/analysis';
import { METRICS } from '../reports/analysis';
import { bandChart, distributionChart, forestChart } from '../reports/charts';
import type { ChartSpec } from '../reports/charts';
import type { ClaimResult } from '../analysis/claims';
import { claimsView } from '../views/claims';
import { bitSweepView, comparisonsView, panelLabel, protocolsView, summaryView } from '../views/experiment';
import type { ViewTable } from '../views/table';
import { formatNumber, formatSeconds, MISSING } from '../reports/format';
import { formatMetric } from '../reports/pages';
import type { BitSweep } from '../reports/bits';
import type { ProtocolSensitivity } from '../reports/protocols';
import type { PlainTableInput } from './html';

/** Outcome of {@link loadDatasetIfPresent}: the data, or why it is not there. */
export type DatasetAvailability = { status: 'loaded'; data: Dataset } | { status: 'missing'; message: string };

/**
 * Loads a dataset without downloading; when its files are missing, returns the
 * loader's message (which names every missing file and where it is expected)
 * instead of throwing. Any other failure (bad checksum, damaged file) still throws.
 */
export async function loadDatasetIfPresent(args: DatasetArgs): Promise<DatasetAvailability> {
  try {
    return { status: 'loaded', data: await loadDataset({ ...args, download: false }) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/\bmissing\b/i.test(message) && !/checksum|sha-?256 mismatch/i.test(message)) return { status: 'missing', message };
    throw err;
  }
}

/** Key facts of a dataset's provenance as a two-column table. */
export function provenanceTable(p: DatasetProvenance): PlainTableInput {
  const limit = (x: number | null): string => (x === null ? 'none' : formatNumber(x));
  const rows: [string, string][] = [
    ['dataset', p.dataset],
    ['source', p.source],
    ['data directory', p.dataDir ?? 'none (generated)'],
    ['checksums', p.checksums],
    ['split', `${p.split}: ${p.splitDescription}`],
    ['training examples available', formatNumber(p.nTrainAvailable)],
    ['test examples available', formatNumber(p.nTestAvailable)],
    ['limit on training / test examples', `${limit(p.limitTrain)} / ${limit(p.limitTest)}`],
    ['layout', p.layout],
    ['normalisation', p.normalisation],
  ];
  if (p.generator !== null) {
    const g = p.generator;
    rows.push(
      ['generator', `${g.kind}, seed ${g.seed}, ${g.nFeatures} features ${g.featureDistribution}, weights ${g.weightDistribution}`],
      ['label noise sd (irreducible MSE)', `${formatNumber(g.noiseStd)} (${formatNumber(g.irreducibleMse)})`],
      ['MSE of always predicting 0 (training set)', formatNumber(g.trainZeroPredictorMse)],
    );
  }
  return { columns: ['field', 'value'], rows };
}

/** Every file a dataset was read from, with its size and SHA-256. */
export function filesTable(p: DatasetProvenance): PlainTableInput {
  return { columns: ['file', 'role', 'bytes', 'SHA-256'], rows: p.files.map((f) => [f.path, f.role, f.bytes, f.sha256]) };
}

/** Options of {@link liveRunTable}. */
export interface LiveRunTableArgs {
  /** Show training and inference time. Default true; false in HTML exports, whose timings would change at every rebuild. */
  timings?: boolean;
}

/** One row per run made in the notebook: what ran and what it measured. */
export function liveRunTable(records: readonly RunRecord[], args: LiveRunTableArgs = {}): PlainTableInput {
  const timings = args.timings ?? true;
  const rows = records.map((r) => {
    const c = r.config;
    const m = r.metrics;
    return [
      c.method,
      c.protocol,
      c.scheme === null ? MISSING : c.scheme.bits,
      c.seed,
      c.epochs,
      `${formatNumber(r.data.limitTrain ?? r.data.nTrainAvailable)} / ${formatNumber(r.data.limitTest ?? r.data.nTestAvailable)}`,
      m.testAccuracy === null ? MISSING : formatMetric('testAccuracy', m.testAccuracy),
      formatNumber(m.testLoss, 4),
      formatNumber(m.params),
      ...(timings ? [formatSeconds(r.timing.trainSeconds), formatSeconds(r.timing.inference.medianSeconds)] : []),
      r.environment.engine.backend,
    ];
  });
  return {
    columns: [
      'method', 'protocol', 'bits', 'seed', 'epochs', 'train / test examples', 'test accuracy', 'test loss', 'parameters',
      ...(timings ? ['training time', 'inference (median pass)'] : []),
      'backend',
    ],
    rows,
  };
}

export { panelLabel } from '../views/experiment';

/**
 * The panels to show in detail: those with the given protocol and bit width
 * (default `projected-step`, 8 bits: the study's setting), or every panel when none matches.
 */
export function mainPanels(analysis: ExperimentAnalysis, protocol = 'projected-step', bits = 8): Panel[] {
  const main = analysis.panels.filter((p) => p.protocol === protocol && p.bits === bits);
  return main.length > 0 ? main : analysis.panels;
}

/** Per-arm summary of one metric in a panel: the report's summary table ({@link summaryView}), the same object its page and CSV show. */
export function armTable(panel: Panel, metric: RunMetric, id = 'summary'): ViewTable {
  return summaryView(panel, metric, id);
}

/** The paired comparisons of a panel: the report's comparison table ({@link comparisonsView}). */
export function comparisonTable(panel: Panel, id = 'comparisons'): ViewTable {
  return comparisonsView(panel, id);
}

/** Mean ± 95% interval per epoch for each arm of a panel (metric in % when it is a fraction). */
export function curveFigure(panel: Panel, metric: CurveMetric): ChartSpec {
  const series = panel.arms.filter((a) => a.bands[metric] !== undefined).map((a) => ({ method: a.method, points: a.bands[metric] ?? [] }));
  const fraction = metric === 'testAccuracy';
  const label = metric.replace(/([A-Z])/g, ' $1').toLowerCase();
  return bandChart(`curve-${metric}`, `${label} per epoch (mean, 95% CI over seeds): ${panelLabel(panel)}`, series, fraction ? `${label} (%)` : label, fraction ? 100 : 1);
}

/** One point per seed and a box per arm for a run metric. */
export function distributionFigure(panel: Panel, metric: RunMetric): ChartSpec {
  const series = panel.arms.map((a) => ({
    method: a.method,
    points: a.runs.flatMap((r) => (typeof r[metric] === 'number' ? [{ seed: r.seed, value: r[metric] as number }] : [])),
  }));
  const fraction = METRICS[metric].unit === 'fraction';
  return distributionChart(`dist-${metric}`, `${METRICS[metric].label} per seed: ${panelLabel(panel)}`, series, fraction ? `${METRICS[metric].label} (%)` : METRICS[metric].label, fraction ? 100 : 1);
}

/** Mean differences with 95% t intervals of a panel's comparisons on `metric`, or null when none has a result. */
export function forestFigure(panel: Panel, metric: RunMetric): ChartSpec | null {
  const rows = panel.comparisons
    .filter((c) => c.metric === metric && c.result !== null)
    .map((c) => {
      const r = c.result as NonNullable<typeof c.result>;
      return { label: `${c.a} − ${c.b}`, estimate: r.meanDiff, lower: r.tCI.lower, upper: r.tCI.upper };
    });
  if (rows.length === 0) return null;
  const fraction = METRICS[metric].unit === 'fraction';
  return forestChart(`forest-${metric}`, `Paired differences in ${METRICS[metric].label} (95% t CI): ${panelLabel(panel)}`, rows, fraction ? 'difference (pp)' : 'difference', fraction ? 100 : 1);
}

/** The claims checked against the runs: the same view table the reports and their CSV show (render it with `viewTableHtml`). */
export function claimTable(claims: readonly ClaimResult[], id = 'claims'): ViewTable {
  return claimsView(claims, { id, title: 'Claims of the study' });
}

/** A protocol comparison: the report's protocol table ({@link protocolsView}), the same object its page and CSV show. */
export function protocolTable(s: ProtocolSensitivity): ViewTable {
  return protocolsView(s);
}

/** A bit-width sweep: the report's sweep table ({@link bitSweepView}). */
export function bitSweepTable(s: BitSweep): ViewTable {
  return bitSweepView(s);
}
