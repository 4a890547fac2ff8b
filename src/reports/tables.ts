/**
 * Results as tables: one row per run and one row per (run, epoch), as plain
 * typed rows and as danfojs DataFrames, plus a CSV writer for every table a
 * report shows. Rows are flattened from {@link RunRecord}s; a record missing a
 * field a table needs raises an Error naming the record and the field.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Danfo from 'danfojs-node';

/** danfojs, loaded on first use: it costs seconds to load and most callers never need it. */
let danfo: typeof Danfo | null = null;
function dfd(): typeof Danfo {
  danfo ??= require('danfojs-node') as typeof Danfo;
  return danfo;
}
import type { RunRecord } from '../results/schema';

/** One run, flattened for tables. Null where the run has no such value (e.g. accuracy of a regression). */
export interface RunRow {
  /** The record's run key. */
  key: string;
  /** Experiment name. */
  experiment: string;
  /** Everything about the run's setup except method, quantizer, protocol, epochs and seed (see {@link settingOf}). */
  setting: string;
  /** Method (`float` or a quantizer preset). */
  method: string;
  /** Training protocol. */
  protocol: string;
  /** Bit width, or null for `float`. */
  bits: number | null;
  /** Rounding mode of the quantizer, or null for `float`. */
  rounding: string | null;
  /** Code encoding of the quantizer, or null for `float`. */
  encoding: string | null;
  /** Epochs trained. */
  epochs: number;
  /** Seed. */
  seed: number;
  /** First-N limit on the training examples, or null (all). */
  limitTrain: number | null;
  /** First-N limit on the test examples, or null (all). */
  limitTest: number | null;
  /** Trainable parameters. */
  params: number;
  /** Optimizer steps taken. */
  steps: number;
  /** Final test accuracy (fraction), null for regression. */
  testAccuracy: number | null;
  /** Final test loss (MSE for regression). */
  testLoss: number;
  /** Training loss of the first epoch. */
  trainLossFirst: number;
  /** Training loss of the last epoch. */
  trainLossLast: number;
  /** Mean of the per-epoch training losses: the area under the training-loss curve divided by the epochs. */
  trainLossMean: number;
  /** Seconds in training steps. */
  trainSeconds: number;
  /** Seconds in per-epoch evaluation. */
  evalSeconds: number;
  /** Training examples per second. */
  trainSamplesPerSecond: number;
  /** Median seconds of one inference pass over the test split. */
  inferenceSeconds: number;
  /** Test examples per second at that median. */
  inferenceSamplesPerSecond: number;
  /** Timed inference passes behind the median. */
  inferenceRepeats: number;
  /** Whole run in seconds (data to record). */
  totalSeconds: number;
  /** The tfjs backend actually used. */
  backend: string;
  /** Git commit of the code, or null. */
  commit: string | null;
  /** ISO start time. */
  startedAt: string;
  /** ISO end time. */
  finishedAt: string;
  /** Storage of the final weights in bytes per encoding, flattened (`float32Bytes`, ...). */
  storage: Record<string, number>;
  /** The quantization scheme as recorded, or null for `float` (not a table column). */
  scheme: Record<string, unknown> | null;
}

/** One epoch of one run, flattened for learning curves and code dynamics. */
export interface CurveRow extends Pick<RunRow, 'key' | 'experiment' | 'setting' | 'method' | 'protocol' | 'bits' | 'epochs' | 'seed'> {
  /** Epoch: 1-based; 0 is the initial model (after the protocol's first projection, where it does one). */
  epoch: number;
  /** Mean training loss over the epoch's batches (null at epoch 0: nothing was trained). */
  trainLoss: number | null;
  /** Training accuracy, or null. */
  trainAccuracy: number | null;
  /** Test loss after the epoch. */
  testLoss: number;
  /** Test accuracy after the epoch, or null. */
  testAccuracy: number | null;
  /** Mean per-step fraction of codes that changed, or null. */
  stepChangeFraction: number | null;
  /** Fraction of codes changed since the previous epoch, or null. */
  epochChangeFraction: number | null;
  /** Fraction of weights whose code is 0, or null. */
  zeroCodeFraction: number | null;
  /** Mean |w| over all trainable weights (size-weighted over tensors). */
  meanAbsWeight: number | null;
  /** Fraction of all trainable weights exactly 0. */
  zeroWeightFraction: number | null;
  /** Seconds of the epoch's training steps, or null when not recorded. */
  trainSeconds: number | null;
}

/** Column order of the runs table (storage columns `storage.<name>` follow). */
export const RUN_COLUMNS = [
  'experiment', 'setting', 'method', 'protocol', 'bits', 'rounding', 'encoding', 'epochs', 'seed', 'limitTrain', 'limitTest', 'params', 'steps',
  'testAccuracy', 'testLoss', 'trainLossFirst', 'trainLossLast', 'trainLossMean', 'trainSeconds', 'evalSeconds',
  'trainSamplesPerSecond', 'inferenceSeconds', 'inferenceSamplesPerSecond', 'inferenceRepeats', 'totalSeconds',
  'backend', 'commit', 'startedAt', 'finishedAt', 'key',
] as const;

/** Column order of the curves table. */
export const CURVE_COLUMNS = [
  'experiment', 'setting', 'method', 'protocol', 'bits', 'epochs', 'seed', 'epoch', 'trainLoss', 'trainAccuracy',
  'testLoss', 'testAccuracy', 'stepChangeFraction', 'epochChangeFraction', 'zeroCodeFraction', 'meanAbsWeight',
  'zeroWeightFraction', 'trainSeconds', 'key',
] as const;

type Obj = Record<string, unknown>;

function field(obj: unknown, pathText: string, where: string): unknown {
  let cur: unknown = obj;
  for (const part of pathText.split('.')) {
    if (cur === null || typeof cur !== 'object') throw new Error(`${where}: field ${pathText} is missing`);
    cur = (cur as Obj)[part];
  }
  if (cur === undefined) throw new Error(`${where}: field ${pathText} is missing`);
  return cur;
}

function num(obj: unknown, pathText: string, where: string): number {
  const v = field(obj, pathText, where);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: field ${pathText} must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

function numOrNull(obj: unknown, pathText: string, where: string): number | null {
  const v = field(obj, pathText, where);
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: field ${pathText} must be a finite number or null, got ${JSON.stringify(v)}`);
  return v;
}

function str(obj: unknown, pathText: string, where: string): string {
  const v = field(obj, pathText, where);
  if (typeof v !== 'string') throw new Error(`${where}: field ${pathText} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * A readable, stable description of a run's setup apart from what varies
 * within a comparison (method, quantizer, protocol, epochs, seed): data
 * selection, batch size, optimizer, evaluation batch and timed inference passes.
 * Runs are only compared when their settings are equal.
 */
export function settingOf(config: RunRecord['config']): string {
  const where = 'config';
  const limit = (v: number | null): string => (v === null ? 'all' : `first ${v}`);
  const d = field(config, 'data', where) as RunRecord['config']['data'];
  const opt = field(config, 'optimizer', where) as RunRecord['config']['optimizer'];
  const repeats = num(config, 'inferenceRepeats', where);
  return [
    `train ${limit(d.limitTrain)}`,
    `test ${limit(d.limitTest)}`,
    `split ${d.split}`,
    `batch ${num(config, 'batchSize', where)}`,
    `${str(opt, 'name', where)} lr ${num(opt, 'learningRate', where)}`,
    `eval batch ${num(config, 'evalBatchSize', where)}`,
    `${repeats} timed inference pass${repeats === 1 ? '' : 'es'}`,
  ].join('; ');
}

/** Flattens the numeric leaves of an object into `a.b` keys (for storage sizes). */
export function flattenNumbers(obj: unknown, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  if (obj === null || typeof obj !== 'object') return out;
  for (const [k, v] of Object.entries(obj as Obj)) {
    const name = prefix === '' ? k : `${prefix}.${k}`;
    if (typeof v === 'number' && Number.isFinite(v)) out[name] = v;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenNumbers(v, name));
  }
  return out;
}

/** Flattens one record into a {@link RunRow}; throws naming the record key and the field on bad input. */
export function runRow(record: RunRecord): RunRow {
  const where = `run ${typeof record?.key === 'string' ? record.key : '(no key)'}`;
  const c = field(record, 'config', where) as RunRecord['config'];
  const epochs = field(record, 'metrics.epochs', where);
  if (!Array.isArray(epochs) || epochs.length === 0) throw new Error(`${where}: field metrics.epochs must be a non-empty array`);
  const trainLosses = epochs.map((e, i) => num(e, 'trainLoss', `${where} epoch ${i + 1}`));
  const scheme = field(c, 'scheme', where) as Obj | null;
  const seed = num(c, 'seed', where);
  const nEpochs = num(c, 'epochs', where);
  if (!Number.isInteger(seed)) throw new Error(`${where}: field config.seed must be an integer, got ${seed}`);
  return {
    key: str(record, 'key', where),
    experiment: str(c, 'experiment', where),
    setting: settingOf(c),
    method: str(c, 'method', where),
    protocol: str(c, 'protocol', where),
    bits: scheme === null ? null : num(scheme, 'bits', where),
    rounding: scheme === null ? null : String(scheme.rounding ?? ''),
    encoding: scheme === null ? null : String(scheme.encoding ?? ''),
    epochs: nEpochs,
    seed,
    limitTrain: numOrNull(c, 'data.limitTrain', where),
    limitTest: numOrNull(c, 'data.limitTest', where),
    params: num(record, 'metrics.params', where),
    steps: num(record, 'metrics.steps', where),
    testAccuracy: numOrNull(record, 'metrics.testAccuracy', where),
    testLoss: num(record, 'metrics.testLoss', where),
    trainLossFirst: trainLosses[0],
    trainLossLast: trainLosses[trainLosses.length - 1],
    trainLossMean: trainLosses.reduce((a, b) => a + b, 0) / trainLosses.length,
    trainSeconds: num(record, 'timing.trainSeconds', where),
    evalSeconds: num(record, 'timing.evalSeconds', where),
    trainSamplesPerSecond: num(record, 'timing.trainSamplesPerSecond', where),
    inferenceSeconds: num(record, 'timing.inference.medianSeconds', where),
    inferenceSamplesPerSecond: num(record, 'timing.inference.samplesPerSecond', where),
    inferenceRepeats: num(record, 'timing.inference.repeats', where),
    totalSeconds: num(record, 'timing.totalSeconds', where),
    backend: str(record, 'environment.engine.backend', where),
    commit: (field(record, 'environment.git', where) as { commit: string | null }).commit ?? null,
    startedAt: str(record, 'environment.startedAt', where),
    finishedAt: str(record, 'environment.finishedAt', where),
    storage: flattenNumbers(field(record, 'metrics.storage', where)),
    scheme,
  };
}

/** Flattens the per-epoch metrics of one record into {@link CurveRow}s, from epoch 0 when the record has its initial state. */
export function curveRows(record: RunRecord): CurveRow[] {
  const run = runRow(record);
  const where = `run ${run.key}`;
  const id = { key: run.key, experiment: run.experiment, setting: run.setting, method: run.method, protocol: run.protocol, bits: run.bits, epochs: run.epochs, seed: run.seed };
  const timingEpochs = (record.timing?.epochs ?? []) as { trainSeconds?: number }[];
  const rows: CurveRow[] = [];
  const init = record.metrics.initial;
  if (init !== undefined) {
    const w = weightTotals(init.weights, `${where} epoch 0`);
    rows.push({
      ...id,
      epoch: 0,
      trainLoss: null,
      trainAccuracy: null,
      testLoss: init.testLoss,
      testAccuracy: init.testAccuracy,
      stepChangeFraction: null,
      epochChangeFraction: null,
      zeroCodeFraction: init.zeroCodeFraction,
      ...w,
      trainSeconds: null,
    });
  }
  record.metrics.epochs.forEach((e, i) => {
    const w = `${where} epoch ${i + 1}`;
    const q = e.quant ?? null;
    const ts = timingEpochs[i]?.trainSeconds;
    rows.push({
      ...id,
      epoch: num(e, 'epoch', w),
      trainLoss: num(e, 'trainLoss', w),
      trainAccuracy: numOrNull(e, 'trainAccuracy', w),
      testLoss: num(e, 'testLoss', w),
      testAccuracy: numOrNull(e, 'testAccuracy', w),
      stepChangeFraction: q === null ? null : numOrNull(q, 'stepChangeFraction', w),
      epochChangeFraction: q === null ? null : numOrNull(q, 'epochChangeFraction', w),
      zeroCodeFraction: q === null ? null : numOrNull(q, 'zeroCodeFraction', w),
      ...weightTotals(Array.isArray(e.weights) ? e.weights : [], w),
      trainSeconds: typeof ts === 'number' && Number.isFinite(ts) ? ts : null,
    });
  });
  return rows;
}

/** Size-weighted mean |w| and zero fraction over a record's per-tensor weight statistics (null without tensors). */
function weightTotals(weights: readonly unknown[], where: string): Pick<CurveRow, 'meanAbsWeight' | 'zeroWeightFraction'> {
  let size = 0;
  let absSum = 0;
  let zeros = 0;
  for (const t of weights) {
    const n = num(t, 'size', where);
    size += n;
    absSum += n * num(t, 'meanAbs', where);
    zeros += n * num(t, 'zeroFraction', where);
  }
  return { meanAbsWeight: size > 0 ? absSum / size : null, zeroWeightFraction: size > 0 ? zeros / size : null };
}

/** A table cell: what DataFrames and CSV files hold. */
export type Cell = string | number | boolean | null;

/** A table as column names plus rows of cells (the shape every report table takes before rendering). */
export interface Table {
  /** Column names, in order. */
  columns: string[];
  /** Rows, each with one cell per column. */
  rows: Cell[][];
}

/** Builds a {@link Table} from objects, taking `columns` in order (missing keys become null). */
export function tableOf(objects: readonly Record<string, unknown>[], columns: readonly string[]): Table {
  const rows = objects.map((o) =>
    columns.map((c) => {
      const v = o[c];
      if (v === undefined || v === null) return null;
      if (typeof v === 'number') return Number.isFinite(v) ? v : null;
      if (typeof v === 'string' || typeof v === 'boolean') return v;
      return JSON.stringify(v);
    }),
  );
  return { columns: [...columns], rows };
}

/** The runs table: {@link RUN_COLUMNS} then one `storage.<name>` column per storage field found. */
export function runsTable(rows: readonly RunRow[]): Table {
  const storageKeys = [...new Set(rows.flatMap((r) => Object.keys(r.storage)))].sort();
  const objects = rows.map((r) => {
    const o: Record<string, unknown> = { ...r };
    delete o.storage;
    delete o.scheme;
    for (const k of storageKeys) o[`storage.${k}`] = r.storage[k] ?? null;
    return o;
  });
  return tableOf(objects, [...RUN_COLUMNS, ...storageKeys.map((k) => `storage.${k}`)]);
}

/** The curves table in {@link CURVE_COLUMNS} order. */
export function curvesTable(rows: readonly CurveRow[]): Table {
  return tableOf(rows as unknown as Record<string, unknown>[], CURVE_COLUMNS);
}

/** A danfojs DataFrame holding a {@link Table} (an empty table keeps its columns). */
export function toDataFrame(table: Table): Danfo.DataFrame {
  if (table.rows.length === 0) return new (dfd().DataFrame)([], { columns: table.columns });
  const data: Record<string, Cell[]> = {};
  table.columns.forEach((c, j) => {
    data[c] = table.rows.map((r) => r[j]);
  });
  return new (dfd().DataFrame)(data, { columns: table.columns });
}

/** Reads a DataFrame back into a {@link Table}. */
export function fromDataFrame(df: Danfo.DataFrame): Table {
  const columns = df.columns.map(String);
  if (df.shape[0] === 0) return { columns, rows: [] };
  const rows = (df.values as unknown[][]).map((r) =>
    r.map((v): Cell => (v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : (v as Cell))),
  );
  return { columns, rows };
}

/**
 * Groups runs by experiment, setting, method, protocol, bits and epochs with
 * danfojs and aggregates `metric` (count, mean, std, min, max). Returns the
 * aggregated DataFrame, one row per group (columns `<metric>_count`, ...).
 * Float runs (bits null) form their own group.
 */
export function aggregateRuns(runs: Danfo.DataFrame, metric: string): Danfo.DataFrame {
  if (!runs.columns.includes(metric)) throw new Error(`aggregateRuns: no column '${metric}' (columns: ${runs.columns.join(', ')})`);
  const keys = ['experiment', 'setting', 'method', 'protocol', 'bits', 'epochs'];
  // danfojs groups on the values as given; a null bit width would vanish from the key, so use a label.
  const labelled = runs.copy();
  const bits = (labelled.column('bits').values as (number | null)[]).map((b) => (b === null || Number.isNaN(b) ? 'float32' : String(b)));
  labelled.addColumn('bits', bits, { inplace: true });
  return labelled.groupby(keys).agg({ [metric]: ['count', 'mean', 'std', 'min', 'max'] });
}

/** Whether a value is a plain {@link Table} (not a DataFrame). */
export function isTable(x: Table | Danfo.DataFrame): x is Table {
  return Array.isArray((x as Table).rows) && Array.isArray((x as Table).columns);
}

/** One CSV field per RFC 4180: quoted when it holds a comma, quote or line break. */
/** A number as CSV writes it: such cells are never treated as formulas. */
const NUMERIC_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * One CSV cell. Text that a spreadsheet would run as a formula (starting with `=`, `+`,
 * `-`, `@`, tab or carriage return) gets a leading `'`, as OWASP recommends against CSV
 * injection; numbers (and text that is exactly a number) are written unchanged.
 */
export function csvField(v: Cell): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v !== 'number' && /^[=+\-@\t\r]/.test(s) && !NUMERIC_TEXT.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A {@link Table} or DataFrame as RFC 4180 CSV text (header line first, `\n` line ends, full precision). */
export function toCsv(table: Table | Danfo.DataFrame): string {
  // Duck-typed: groupby results are DataFrames of danfojs' own class, not always `Danfo.DataFrame`.
  const t = isTable(table) ? table : fromDataFrame(table);
  const lines = [t.columns.map(csvField).join(',')];
  for (const r of t.rows) lines.push(r.map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}

/** Writes a table as CSV, creating the directory. Returns the path written. */
export function writeCsv(file: string, table: Table | Danfo.DataFrame): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, toCsv(table));
  return file;
}
