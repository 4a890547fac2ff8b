/**
 * Builds every report from stored results: one self-contained HTML file per
 * experiment, `index.html`, and the CSV of every table shown (under `tables/`).
 * No training happens here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunRecord } from '../results/schema';
import { compareEngines } from '../cross-engine';
import { readResultsWithInitialStates } from '../experiments/initial-states';
import { engineArmsView, engineClaimsView } from '../views/engines';
import { enginesPage, enginesSentence, enginesSummary } from './engines';
import { mergeRecords, readResultsPath, resultFiles } from '../experiments/store';
import { readTimingRecords, TIMING_FOLDER } from '../timing/runner';
import type { InferenceTimingRecord } from '../timing/interleaved';
import { STUDY_PLAN, SWEEP_PLAN, describeMissing, fullDataSecondsPerEpoch, studyProgress } from '../experiments/study';
import { runKey } from '../experiments/config';
import { expandGrid } from '../experiments/grid';
import { causalClaims, layerEvidence, methodEvidence, preferInstrumented, repeatAgreements, repeatOf, sweepCells } from '../analysis/mechanism';
import { causalClaimsView, escapeView, evidenceView, layerView, repeatsView, sweepCellsView } from '../views/mechanism';
import { experimentWhy, mechanismPage, mechanismSummary } from './mechanism';
import type { ExperimentWhy } from './mechanism';
import type { MechanismPageArgs } from './mechanism';
import { bitSweep, bitSweepSummary } from './bits';
import type { BitSweep } from './bits';
import { explainMissingRuns } from './claim-gaps';
import type { StepProgress, StudyStep } from '../experiments/study';
import { analyzeExperiment, methodRank } from './analysis';
import type { ExperimentAnalysis } from './analysis';
import { evaluateClaims } from '../analysis/claims';
import type { ClaimsByProtocol } from '../analysis/claims';
import { DEFAULT_RULE } from '../analysis/verdict';
import type { VerdictRule } from '../analysis/verdict';
import { seedClaims } from '../seed-study/claims';
import type { ClaimSpec } from '../seed-study/claims';
import { claimsView, factsView } from '../views/claims';
import { bottomLine } from '../analysis/bottom-line';
import type { BottomLine } from '../analysis/bottom-line';
import { stackedCsv, viewTableCsv } from '../views/table';
import { bitSweepView, comparisonsView, panelParts, protocolsView, storageView, summaryView, timingView } from '../views/experiment';
import { experimentPage, indexPage } from './pages';
import { PROTOCOL_TARGETS, protocolSensitivity, protocolSummary } from './protocols';
import { checkEpochPrefixes } from './reproducibility';
import type { ProtocolSensitivity, ProtocolTarget } from './protocols';
import { provenanceOf } from './provenance';
import type { DamagedLine, IndexEntry, TableLink } from './pages';
import { aggregateRuns, curveRows, curvesTable, runRow, runsTable, tableOf, toCsv, toDataFrame } from './tables';
import { writeFilesAtomic } from '../io/atomic';
import type { FileContent } from '../io/atomic';
import { divergedSection, divergedTable, withSection } from './diverged';
import type { CurveRow, RunRow, Table } from './tables';

/** Options of {@link buildReports}. */
export interface BuildReportsArgs {
  /** Results directory (every `*.jsonl`) or one results file. */
  results: string;
  /** Output directory for the HTML files; CSV tables go to `<out>/tables/`. */
  out: string;
  /** Build despite damaged result lines (they are listed in the reports). Default false: damaged lines are an error. */
  allowDamaged?: boolean;
  /** Bootstrap resamples of the BCa intervals. Default 10,000. */
  resamples?: number;
  /** Claims to check. Default the seed's ({@link seedClaims}). */
  claims?: ClaimSpec[];
  /** Verdict rule. Default {@link DEFAULT_RULE}. */
  rule?: VerdictRule;
  /** Treat a missing results path as empty (the index then lists every claim as waiting for runs). Default false: an error. */
  missingOk?: boolean;
  /** Study plan whose progress the index shows. Default {@link STUDY_PLAN}. */
  plan?: readonly StudyStep[];
}

/** What {@link buildReports} wrote. */
export interface BuildReportsResult {
  /** Every file written (HTML and CSV), absolute or as given. */
  files: string[];
  /** Experiments with a report. */
  experiments: string[];
  /** Diverged runs (listed on their own, not in the statistics). */
  diverged: number;
  /** Records used (after dropping duplicates). */
  runs: number;
  /** Damaged lines skipped (only with `allowDamaged`). */
  damaged: DamagedLine[];
  /** Duplicate records dropped. */
  duplicates: number;
  /** Claims under each protocol, the default (projected-step) first. */
  claims: ClaimsByProtocol[];
  /** Progress of every step of the study plan. */
  progress: StepProgress[];
  /** The protocol comparison of each experiment that has one, in words ({@link protocolSummary}). */
  protocols: { experiment: string; summary: string }[];
  /** The bit-width sweep of each experiment that has one, in words ({@link bitSweepSummary}). */
  bitSweeps: { experiment: string; summary: string }[];
  /** The answer to the study in numbers ({@link bottomLine}). */
  bottomLine: BottomLine;
  /** The mechanism paragraphs (why; where it flips), or null without sweep runs. */
  mechanism: { why: string; boundary: string[] } | null;
  /** Per experiment: pairs of runs that differ only in their epoch count, and how many agree exactly ({@link checkEpochPrefixes}). */
  reproducibility: { experiment: string; pairs: number; agreeing: number }[];
}

/** Raised when the results hold damaged lines and `allowDamaged` is not set; lists every line. */
export class DamagedResultsError extends Error {
  /** Always `'DamagedResultsError'`. */
  override name = 'DamagedResultsError';
  /** The damaged lines. */
  readonly problems: DamagedLine[];
  constructor(problems: DamagedLine[]) {
    super(
      `${problems.length} damaged result line${problems.length === 1 ? '' : 's'} (use --allow-damaged to build anyway and list them):\n` +
        problems.map((p) => `  ${p.file}:${p.line}: ${p.reason}`).join('\n'),
    );
    this.problems = problems;
  }
}

/** Order of the seed's experiments; others follow by name. */
const EXPERIMENT_ORDER = ['regression', 'mnist', 'cifar10'];

function experimentOrder(a: string, b: string): number {
  const ia = EXPERIMENT_ORDER.indexOf(a);
  const ib = EXPERIMENT_ORDER.indexOf(b);
  return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Every metric's summary per arm, long format (one row per panel × method × metric): the data behind the summary tables, for analysis elsewhere. */
export function metricsTable(an: ExperimentAnalysis): Table {
  const rows: Record<string, unknown>[] = [];
  for (const p of an.panels) {
    for (const a of p.arms) {
      for (const [metric, s] of Object.entries(a.summaries)) {
        if (s === undefined) continue;
        rows.push({
          experiment: p.experiment, setting: p.setting, epochs: p.epochs, protocol: p.protocol, bits: p.bits, method: a.method, metric,
          n: s.n, mean: s.mean, sd: s.sd, se: s.se, median: s.median, iqm: s.iqm, min: s.min, max: s.max,
          tLower: s.tCI?.lower, tUpper: s.tCI?.upper, bcaLower: s.bcaCI?.lower, bcaUpper: s.bcaCI?.upper, seeds: a.seeds.join(' '),
        });
      }
    }
  }
  return tableOf(rows, ['experiment', 'setting', 'epochs', 'protocol', 'bits', 'method', 'metric', 'n', 'mean', 'sd', 'se', 'median', 'iqm', 'min', 'max', 'tLower', 'tUpper', 'bcaLower', 'bcaUpper', 'seeds']);
}

const PANEL_KEYS = ['experiment', 'setting', 'epochs', 'protocol', 'bits'];

/** The per-method summary tables of every panel as one CSV table: the rows of the pages' summary tables ({@link summaryView}). */
export function summaryTable(an: ExperimentAnalysis): Table {
  return stackedCsv(panelParts(an.panels, (p, i) => summaryView(p, an.primaryMetric, `summary-p${i}`)), PANEL_KEYS);
}

/** The comparison tables of every panel as one CSV table ({@link comparisonsView}). */
export function comparisonsTable(an: ExperimentAnalysis): Table {
  return stackedCsv(panelParts(an.panels, (p, i) => comparisonsView(p, `comparisons-p${i}`)), PANEL_KEYS);
}

/** The storage tables of every panel as one CSV table ({@link storageView}). */
export function storageTable(an: ExperimentAnalysis): Table {
  return stackedCsv(panelParts(an.panels, (p, i) => storageView(p, `storage-p${i}`)), PANEL_KEYS);
}

/** The timing tables of every panel as one CSV table ({@link timingView}). */
export function timingTable(an: ExperimentAnalysis): Table {
  return stackedCsv(panelParts(an.panels, (p, i) => timingView(p, `timing-p${i}`)), PANEL_KEYS);
}

/** The claims of every group as one CSV table: the rows of the pages' claims tables ({@link claimsView}). */
export function claimsCsvTable(groups: readonly ClaimsByProtocol[], rule: VerdictRule = DEFAULT_RULE): Table {
  return viewTableCsv(claimsView(groups.flatMap((g) => g.claims), { id: 'claims', title: 'claims', rule }));
}

/** The checked facts of every group as one CSV table ({@link factsView}). */
export function factsCsvTable(groups: readonly ClaimsByProtocol[]): Table {
  return viewTableCsv(factsView(groups.flatMap((g) => g.facts), { id: 'facts', title: 'checked facts' }));
}

/** A bit-width sweep as a CSV table: the rows of the page's sweep table ({@link bitSweepView}) after its setting; only the setting columns when there is none. */
export function bitSweepTable(s: BitSweep | null): Table {
  const keys = ['experiment', 'setting', 'epochs', 'protocol', 'metric'];
  if (s === null) return stackedCsv([], keys);
  return stackedCsv([{ keys: [['experiment', s.experiment], ['setting', s.setting], ['epochs', s.epochs], ['protocol', s.protocol], ['metric', s.metric]], table: bitSweepView(s) }]);
}

/** A protocol comparison as a CSV table: the rows of the page's protocol table ({@link protocolsView}) after its setting; only the setting columns when there is none. */
export function protocolsTable(experiment: string, s: ProtocolSensitivity | null): Table {
  const keys = ['experiment', 'setting', 'epochs', 'bits', 'metric'];
  if (s === null) return stackedCsv([], keys);
  return stackedCsv([{ keys: [['experiment', experiment], ['setting', s.setting], ['epochs', s.epochs], ['bits', s.bits], ['metric', s.target.metric]], table: protocolsView(s) }]);
}

/** Study progress as a table: one row per step (runs stored and planned, core-hours spent and estimated left, missing runs). */
export function progressTable(progress: readonly StepProgress[]): Table {
  const rows = progress.map((p) => ({
    step: p.step,
    purpose: p.purpose,
    experiments: p.experiments.join(' '),
    planned: p.planned,
    stored: p.stored,
    missing: p.missing.length,
    coreHoursSpent: p.spentSeconds / 3600,
    coreHoursLeftEstimate: p.remainingSeconds === null ? null : p.remainingSeconds / 3600,
    missingRuns: describeMissing(p.missing),
  }));
  return tableOf(rows, ['step', 'purpose', 'experiments', 'planned', 'stored', 'missing', 'coreHoursSpent', 'coreHoursLeftEstimate', 'missingRuns']);
}

/** The data files read by the runs (one row per distinct dataset provenance and file; generated data get one row without a file). */
export function dataFilesTable(records: readonly RunRecord[]): Table {
  const rows: Record<string, unknown>[] = [];
  for (const d of provenanceOf(records).data) {
    const v = d.provenance;
    const common = { dataset: v.dataset, split: v.split, splitDescription: v.splitDescription, limitTrain: v.limitTrain, limitTest: v.limitTest, checksums: v.checksums, runs: d.runs };
    if (v.files.length === 0) rows.push({ ...common, path: null, role: null, bytes: null, sha256: null, generator: v.generator === null ? null : `${v.generator.kind}; data seed ${v.generator.seed}` });
    for (const f of v.files) rows.push({ ...common, path: f.path, role: f.role, bytes: f.bytes, sha256: f.sha256, generator: null });
  }
  return tableOf(rows, ['dataset', 'split', 'splitDescription', 'limitTrain', 'limitTest', 'checksums', 'path', 'role', 'bytes', 'sha256', 'generator', 'runs']);
}

/** Notebook exports under `<out>/notebooks/*.html`, as hrefs relative to `out`. */
export function findNotebooks(out: string): string[] {
  const dir = path.join(out, 'notebooks');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.html'))
    .sort()
    .map((f) => `notebooks/${f}`);
}

/** The protocols whose claims are shown: projected-step first (always), then every other quantized protocol present. */
export function claimProtocols(rows: readonly RunRow[]): string[] {
  const present = [...new Set(rows.filter((r) => r.method !== 'float').map((r) => r.protocol))].sort();
  return ['projected-step', ...present.filter((p) => p !== 'projected-step')];
}

/** Options of {@link studyClaims}. */
export interface StudyClaimsArgs {
  /** Claims to check. Default {@link seedClaims}(). */
  specs?: ClaimSpec[];
  /** Verdict rule. Default {@link DEFAULT_RULE}. */
  rule?: VerdictRule;
  /** Bootstrap resamples of the BCa intervals. Default 10,000. */
  resamples?: number;
  /** The study plan. Default {@link STUDY_PLAN}. */
  plan?: readonly StudyStep[];
  /** Its progress against `records`, if already computed. */
  progress?: readonly StepProgress[];
  /** Interleaved inference timings; inference-time claims are judged on them where present. */
  inferenceTiming?: readonly InferenceTimingRecord[];
}

/**
 * The claims under every protocol with runs ({@link claimProtocols}), each claim that
 * still waits for runs naming the planned runs it lacks ({@link explainMissingRuns}):
 * the claims table of the reports, the README and the notebooks.
 */
export function studyClaims(records: readonly RunRecord[], rows: readonly RunRow[], args: StudyClaimsArgs = {}): ClaimsByProtocol[] {
  const specs = args.specs ?? seedClaims();
  const rule = args.rule ?? DEFAULT_RULE;
  const plan = args.plan ?? STUDY_PLAN;
  const progress = args.progress ?? studyProgress(plan, records);
  const perEpoch = fullDataSecondsPerEpoch(records);
  return claimProtocols(rows).map((protocol) => {
    const { claims, facts } = evaluateClaims(rows, { specs, protocol, resamples: args.resamples, rule, inferenceTiming: args.inferenceTiming });
    return { protocol, claims: explainMissingRuns(claims, { specs, plan, progress, perEpoch, rule }), facts };
  });
}

/** The interleaved timing records under `<results>/inference/` (none when `results` is a file or has no such folder), and their damaged lines. */
export function readTimingPath(results: string): { records: InferenceTimingRecord[]; problems: { file: string; line: number; reason: string }[] } {
  const dir = path.join(results, TIMING_FOLDER);
  if (!fs.existsSync(results) || !fs.statSync(results).isDirectory() || !fs.existsSync(dir)) return { records: [], problems: [] };
  const out: ReturnType<typeof readTimingPath> = { records: [], problems: [] };
  for (const f of resultFiles(dir)) {
    const r = readTimingRecords(f);
    out.records.push(...r.values.map((v) => v.value));
    out.problems.push(...r.problems);
  }
  return out;
}

/** Name of the folder of torch runs inside a results folder. */
export const TORCH_FOLDER = 'torch';

/**
 * The engines page and its two CSV files, staged with `stage`, when `<results>/torch/` holds
 * runs of arms that the wasm records have too; null otherwise. Damaged torch lines are fatal
 * unless `allowDamaged` (then skipped, as for the wasm results).
 */
function readTorchRecords(args: BuildReportsArgs): RunRecord[] {
  const dir = path.join(args.results, TORCH_FOLDER);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  const read = readResultsWithInitialStates(dir);
  if (read.problems.length > 0 && args.allowDamaged !== true) throw new DamagedResultsError(read.problems);
  return mergeRecords([read]).records as RunRecord[];
}

function enginesOutputs(args: BuildReportsArgs, wasm: readonly RunRecord[], torch: readonly RunRecord[], stage: (file: string, data: string) => string): { files: string[]; sentence: string } | null {
  if (torch.length === 0) return null;
  const comparison = compareEngines([...wasm, ...torch], { claims: { resamples: args.resamples ?? 10000, rule: args.rule ?? DEFAULT_RULE } });
  if (comparison.arms.length === 0) return null;
  const tablesDir = path.join(args.out, 'tables');
  const compared = new Set(comparison.arms.flatMap((a) => [a.experiment]));
  const files = [
    stage(path.join(tablesDir, 'engines-arms.csv'), toCsv(viewTableCsv(engineArmsView(comparison)))),
    stage(path.join(tablesDir, 'engines-claims.csv'), toCsv(viewTableCsv(engineClaimsView(comparison)))),
    stage(
      path.join(args.out, 'engines.html'),
      enginesPage({
        comparison,
        torchRecords: torch.filter((r) => compared.has(r.config.experiment)),
        resultsPath: path.join(args.results, TORCH_FOLDER),
        csv: { arms: 'tables/engines-arms.csv', claims: 'tables/engines-claims.csv' },
      }),
    ),
  ];
  return { files, sentence: enginesSentence(enginesSummary(comparison)) };
}

/** Where the mechanism evidence is read: a cell of the Adam sweeps. */
export interface EvidencePoint {
  /** Experiment. */
  experiment: string;
  /** Epochs. */
  epochs: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Bits of the quantized methods. */
  bits: number;
}

/** The study's own operating point (MNIST, Adam lr 1e-3, 8 bits) in the 5-epoch sweeps. */
export const OPERATING_POINT: Readonly<EvidencePoint> = Object.freeze({ experiment: 'mnist', epochs: 5, learningRate: 1e-3, bits: 8 });

/** Whether a record is an arm of a setting: Adam at `learningRate`, `bits` bits, projected-step (or float), Glorot init, full data. */
function studySetting(r: RunRecord, experiment: string, epochs: number, learningRate = 1e-3, bits = 8): boolean {
  const c = r.config;
  return (
    c.experiment === experiment && c.epochs === epochs && c.optimizer.name === 'adam' && c.optimizer.learningRate === learningRate && c.init === undefined &&
    (c.method === 'float' || (c.protocol === 'projected-step' && c.scheme?.bits === bits)) && c.data.limitTrain === null && c.data.limitTest === null
  );
}

/**
 * What the mechanism page shows, from the study's (wasm) records and the torch records of
 * `<resultsPath>/torch`: null when no run of the sweep plan is stored. The escape-from-chance
 * view also shows the study's own (wasm) arms. The page, its CSV files and notebook 07 use it.
 */
export function mechanismInputs(resultsPath: string, wasm: readonly RunRecord[], torch: readonly RunRecord[], at: EvidencePoint = OPERATING_POINT): MechanismPageArgs | null {
  const steps = SWEEP_PLAN.map((s) => ({ ...s, grids: s.grids.map((g) => ({ ...g, engine: 'torch' as const })) }));
  const progress = studyProgress(steps, torch);
  const keys = new Set(steps.flatMap((s) => s.grids.flatMap((g) => expandGrid(g).map(runKey))));
  const stored = torch.filter((r) => keys.has(r.key));
  if (stored.length === 0) return null;
  // One set of runs per setting: a repeat stands in for first runs that predate the update statistics.
  const sweep = preferInstrumented(stored);
  const quantized = ['standard', 'octization', 'stochastic'];
  const point = sweep.filter((r) => studySetting(r, at.experiment, at.epochs, at.learningRate, at.bits));
  const evidence = methodEvidence(point, quantized);
  const repeat = Math.max(0, ...point.map(repeatOf));
  const escape = [
    { experiment: 'mnist', epochs: 20 },
    { experiment: 'cifar10', epochs: 5 },
    { experiment: 'cifar10', epochs: 20 },
  ].map((g) => ({ ...g, engine: 'wasm', evidence: methodEvidence(wasm.filter((r) => studySetting(r, g.experiment, g.epochs)), ['float', 'standard', 'octization']) }));
  const page: MechanismPageArgs = {
    point: { ...at, engine: 'torch', ...(repeat > 0 ? { repeat } : {}) },
    evidence,
    escape: [{ experiment: at.experiment, epochs: at.epochs, engine: 'torch', evidence: methodEvidence(point, ['float', ...quantized]) }, ...escape],
    causal: causalClaims(point),
    layers: layerEvidence(point, ['float', ...quantized]),
    cells: sweepCells(sweep),
    repeats: repeatAgreements(stored),
    progress,
    resultsPath: path.join(resultsPath, TORCH_FOLDER),
    csv: {
      evidence: 'tables/mechanism-evidence.csv',
      cells: 'tables/mechanism-cells.csv',
      claims: 'tables/mechanism-claims.csv',
      escape: 'tables/mechanism-escape.csv',
      layers: 'tables/mechanism-layers.csv',
      repeats: 'tables/mechanism-repeats.csv',
    },
  };
  return page;
}

/** The "why" section of one experiment page, from the sweeps at that experiment's operating point (undefined without any). */
function experimentWhyOf(args: BuildReportsArgs, wasm: readonly RunRecord[], torch: readonly RunRecord[], experiment: string): ExperimentWhy | undefined {
  const inputs = mechanismInputs(args.results, wasm, torch, { ...OPERATING_POINT, experiment });
  return inputs === null ? undefined : (experimentWhy(inputs, experiment) ?? undefined);
}

function mechanismOutputs(args: BuildReportsArgs, wasm: readonly RunRecord[], torch: readonly RunRecord[], stage: (file: string, data: string) => string): { files: string[]; summary: { why: string; boundary: string[] } } | null {
  const page = mechanismInputs(args.results, wasm, torch);
  if (page === null) return null;
  const tablesDir = path.join(args.out, 'tables');
  const files = [
    stage(path.join(tablesDir, 'mechanism-evidence.csv'), toCsv(viewTableCsv(evidenceView(page.evidence)))),
    stage(path.join(tablesDir, 'mechanism-cells.csv'), toCsv(viewTableCsv(sweepCellsView(page.cells)))),
    stage(path.join(tablesDir, 'mechanism-claims.csv'), toCsv(viewTableCsv(causalClaimsView(page.causal)))),
    stage(path.join(tablesDir, 'mechanism-layers.csv'), toCsv(viewTableCsv(layerView(page.layers)))),
    stage(path.join(tablesDir, 'mechanism-repeats.csv'), toCsv(viewTableCsv(repeatsView(page.repeats)))),
    stage(path.join(tablesDir, 'mechanism-escape.csv'), toCsv(viewTableCsv(escapeView(page.escape.map((g) => ({ experiment: `${g.experiment} ${g.epochs} ep (${g.engine})`, evidence: g.evidence })))))),
    stage(path.join(args.out, 'mechanism.html'), mechanismPage(page)),
  ];
  return { files, summary: mechanismSummary(page) };
}

/**
 * Reads the results, checks them (damaged lines are fatal unless
 * `allowDamaged`), drops duplicate runs, and writes every report and table.
 * @throws DamagedResultsError listing file:line and reason of each damaged line.
 */
export function buildReports(args: BuildReportsArgs): BuildReportsResult {
  const exists = fs.existsSync(args.results);
  // A missing path is an error unless missingOk: readResultsPath names it.
  const runs = exists ? readResultsWithInitialStates(args.results) : args.missingOk === true ? { records: [], problems: [] } : readResultsPath(args.results);
  const timing = readTimingPath(args.results);
  const read = { ...runs, problems: [...runs.problems, ...timing.problems] };
  if (read.problems.length > 0 && args.allowDamaged !== true) throw new DamagedResultsError(read.problems);
  const { records, duplicates, diverged } = mergeRecords([read]);
  const rule = args.rule ?? DEFAULT_RULE;
  const resamples = args.resamples ?? 10000;
  const rows: RunRow[] = records.map(runRow);
  const curves: CurveRow[] = records.flatMap(curveRows);
  const specs = args.claims ?? seedClaims();
  const plan = args.plan ?? STUDY_PLAN;
  const progress = studyProgress(plan, [...records, ...diverged]);
  const claims = studyClaims(records, rows, { specs, rule, resamples, plan, progress, inferenceTiming: timing.records });
  const tablesDir = path.join(args.out, 'tables');
  const files: string[] = [];
  // Every output is staged here and written at the end as one unit (all or nothing).
  const outputs: FileContent[] = [];
  const stage = (file: string, data: string): string => {
    outputs.push({ file, data });
    return file;
  };
  const experiments = [...new Set(rows.map((r) => r.experiment))].sort(experimentOrder);
  const entries: IndexEntry[] = [];
  const protocols: BuildReportsResult['protocols'] = [];
  const bitSweeps: BuildReportsResult['bitSweeps'] = [];
  const reproducibility: BuildReportsResult['reproducibility'] = [];
  const torch = readTorchRecords(args);
  for (const exp of experiments) {
    const expRecords = records.filter((r) => r.config.experiment === exp);
    const expRows = rows.filter((r) => r.experiment === exp);
    const analysis = analyzeExperiment(exp, expRows, curves, { resamples });
    const expClaims = claims.map((g) => ({ protocol: g.protocol, claims: g.claims.filter((c) => c.experiment === exp), facts: g.facts.filter((f) => f.experiment === exp) }));
    const target = (PROTOCOL_TARGETS as Record<string, ProtocolTarget | undefined>)[exp];
    const sensitivity = target === undefined ? null : protocolSensitivity(expRows, target);
    if (sensitivity !== null) protocols.push({ experiment: exp, summary: protocolSummary(sensitivity) });
    const sweep = bitSweep(expRows, exp, { curves: analysis.curves });
    if (sweep !== null) bitSweeps.push({ experiment: exp, summary: bitSweepSummary(sweep) });
    const prefixes = checkEpochPrefixes(expRecords);
    if (prefixes.pairs > 0) reproducibility.push({ experiment: exp, pairs: prefixes.pairs, agreeing: prefixes.agreeing });
    const runsFrame = toDataFrame(runsTable(expRows));
    const tables: [string, string, Table | ReturnType<typeof toDataFrame>][] = [
      ['runs', 'one row per run (config, metrics, timing, storage)', runsFrame],
      ['aggregate', `${analysis.primaryMetric} grouped by setting, method, protocol, bits and epochs (count, mean, sd, min, max)`, aggregateRuns(runsFrame, analysis.primaryMetric)],
      ['curves', 'one row per run and epoch (learning curves, code dynamics)', toDataFrame(curvesTable(analysis.curves))],
      ['summary', 'per-method summaries with t and BCa intervals (the rows of the summary tables above)', summaryTable(analysis)],
      ['metrics', 'every metric summarised per arm, long format (mean, sd, se, median, IQM, range, t and BCa intervals)', metricsTable(analysis)],
      ['comparisons', 'paired comparisons with Holm-adjusted p-values (the rows of the comparison tables above)', comparisonsTable(analysis)],
      ['storage', 'storage by serialisation (the rows of the storage tables above)', storageTable(analysis)],
      ['timing', 'training and inference time (the rows of the timing tables above)', timingTable(analysis)],
      ['claims', 'claims of this experiment (the rows of the claims tables above)', claimsCsvTable(expClaims, rule)],
      ['facts', 'checked facts of this experiment (deterministic, not statistical support)', factsCsvTable(expClaims)],
      ['protocols', "protocols against the seed's figures (means, ranges of the runs, paired gaps)", protocolsTable(exp, sensitivity)],
      ['bits', 'standard vs octization by bit width (means, 95% CIs, paired gaps, Holm-adjusted p)', bitSweepTable(sweep)],
      ['data', 'data files with SHA-256 and the split', dataFilesTable(expRecords)],
    ];
    const links: TableLink[] = [];
    for (const [name, label, table] of tables) {
      const file = path.join(tablesDir, `${exp}-${name}.csv`);
      files.push(stage(file, toCsv(table)));
      links.push({ label: `${exp}-${name}.csv: ${label}`, href: `tables/${exp}-${name}.csv` });
    }
    const html = experimentPage({
      analysis,
      records: expRecords as RunRecord[],
      claims: expClaims,
      rule,
      damaged: read.problems,
      duplicates,
      reproducibility: prefixes,
      tables: links,
      resultsPath: args.results,
      resamples,
      notebook: findNotebooks(args.out).find((n) => n.endsWith(`-${exp}.html`)),
      why: experimentWhyOf(args, records as RunRecord[], torch, exp),
    });
    const file = path.join(args.out, `${exp}.html`);
    const expDiverged = diverged.filter((r) => r.config.experiment === exp);
    if (expDiverged.length > 0) files.push(stage(path.join(tablesDir, `${exp}-diverged.csv`), toCsv(divergedTable(expDiverged))));
    files.push(stage(file, withSection(html, divergedSection(expDiverged, `tables/${exp}-diverged.csv`))));
    entries.push({
      experiment: exp,
      href: `${exp}.html`,
      runs: expRows.length,
      methods: [...new Set(expRows.map((r) => r.method))].sort((x, y) => { const [rx, nx] = methodRank(x); const [ry, ny] = methodRank(y); return rx - ry || (nx < ny ? -1 : nx > ny ? 1 : 0); }),
      epochs: [...new Set(expRows.map((r) => r.epochs))].sort((a, b) => a - b),
      protocols: [...new Set(expRows.map((r) => r.protocol))].sort(),
    });
  }
  files.push(stage(path.join(tablesDir, 'claims.csv'), toCsv(claimsCsvTable(claims, rule))));
  files.push(stage(path.join(tablesDir, 'facts.csv'), toCsv(factsCsvTable(claims))));
  files.push(stage(path.join(tablesDir, 'study-progress.csv'), toCsv(progressTable(progress))));
  if (diverged.length > 0) files.push(stage(path.join(tablesDir, 'diverged.csv'), toCsv(divergedTable(diverged))));
  const engines = enginesOutputs(args, records as RunRecord[], torch, stage);
  if (engines !== null) files.push(...engines.files);
  const mechanism = mechanismOutputs(args, records as RunRecord[], torch, stage);
  if (mechanism !== null) files.push(...mechanism.files);
  // Float on torch (first runs, the study's init) as the absolute reference where the study's engine has no float arm.
  const torchFloat = torch.filter((r) => r.config.method === 'float' && r.config.init === undefined && r.config.repeat === undefined).map(runRow);
  const bottom = bottomLine(claims, rows, curves, torchFloat.length === 0 ? undefined : { engine: 'torch', rows: torchFloat });
  const index = indexPage({
    bottomLine: bottom,
    entries,
    notebooks: findNotebooks(args.out),
    claims,
    rule,
    records,
    damaged: read.problems,
    duplicates,
    claimsCsv: 'tables/claims.csv',
    progress,
    progressCsv: 'tables/study-progress.csv',
    resultsPath: args.results,
    engines: engines === null ? undefined : { sentence: engines.sentence, href: 'engines.html', csv: 'tables/engines-arms.csv' },
    mechanism: mechanism === null ? undefined : { ...mechanism.summary, href: 'mechanism.html', csv: 'tables/mechanism-cells.csv' },
  });
  const indexFile = path.join(args.out, 'index.html');
  files.push(stage(indexFile, withSection(index, divergedSection(diverged, 'tables/diverged.csv'))));
  writeFilesAtomic(outputs);
  return { files, experiments, runs: records.length, diverged: diverged.length, damaged: read.problems, duplicates, claims, progress, protocols, bitSweeps, reproducibility, bottomLine: bottom, mechanism: mechanism?.summary ?? null };
}
