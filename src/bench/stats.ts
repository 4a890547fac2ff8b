/**
 * Pure helpers of the throughput benchmark (`npm run bench`, scripts/bench.ts): the
 * command-line options, the measurement plan (steps, repetitions, warm-up), the
 * statistics (medians, throughput from step timestamps, slowdown, scaling efficiency),
 * the per-kernel summary of a `tf.profile` run, the machine-load check and plain-text
 * tables. No TensorFlow.js and no I/O here, so every rule is unit-tested.
 */

/** The two study models the benchmark measures. */
export type BenchModel = 'mnist-mlp' | 'cifar10-cnn';

/** Every {@link BenchModel}, in table order. */
export const BENCH_MODELS: readonly BenchModel[] = ['mnist-mlp', 'cifar10-cnn'];

/** The engine backends the benchmark can measure, in the order it measures them. */
export const BENCH_BACKENDS: readonly string[] = ['torch', 'wasm', 'cpu', 'tensorflow', 'webgpu'];

/** Options of the benchmark script, as parsed by {@link parseBenchArgs}. */
export interface BenchArgs {
  /** Longer, steadier measurements (more steps and repetitions). Default false. */
  full: boolean;
  /** Data directory given with `--data-dir`; undefined when not given. */
  dataDir?: string;
  /** Use seeded random inputs even when real data is available. Default false. */
  synthetic: boolean;
  /** Largest number of worker processes in the scaling run; 0 skips it. Default: the core count. */
  workers: number;
  /** Whether to run the PyTorch reference when torch is importable. Default true. */
  torch: boolean;
  /** Python interpreter for the PyTorch reference. Default `/usr/bin/python3`. */
  python: string;
  /** Folder the JSON reports are written to. Default `reports/bench`. */
  outDir: string;
  /** Backends to measure, from {@link BENCH_BACKENDS}. Default all of them. */
  backends: string[];
  /**
   * Whether `--backends` was given. A software WebGPU adapter is timed only when asked
   * for by name: it is a CPU emulating a GPU.
   */
  backendsGiven: boolean;
  /** Models to measure. Default both. */
  models: BenchModel[];
  /** Repetitions per measurement, overriding the plan's. Undefined: the plan's. */
  reps?: number;
  /** Seed of initial weights, data order and synthetic inputs. Default 1. */
  seed: number;
  /** Print the usage text and exit. */
  help: boolean;
}

/** Usage text of the benchmark script. */
export const BENCH_USAGE = [
  'usage: node dist/scripts/bench.js [options]',
  '  --full              longer, steadier measurements (several minutes)',
  '  --data-dir DIR      real MNIST / CIFAR-10 files (default: $OCTOLAB_DATA_DIR, else ./data; seeded random inputs when absent)',
  '  --synthetic         use seeded random inputs even when real data is available',
  '  --workers N         largest worker count of the scaling run (default: number of cores; 0 skips it)',
  '  --no-torch          skip the PyTorch reference',
  '  --python PATH       interpreter for the PyTorch reference (default /usr/bin/python3)',
  '  --out DIR           folder for latest.json and the dated copy (default reports/bench)',
  `  --backends LIST     comma-separated subset of ${BENCH_BACKENDS.join(',')} (default all)`,
  `  --models LIST       comma-separated subset of ${BENCH_MODELS.join(',')} (default both)`,
  '  --reps N            repetitions per measurement (default 3, --full 5)',
  '  --seed N            seed of weights, data order and random inputs (default 1)',
].join('\n');

/** Parses a comma-separated list and checks every item against `valid`. */
function parseList<T extends string>(flag: string, value: string | undefined, valid: readonly T[]): T[] {
  if (value == null || value.trim() === '') throw new Error(`${flag} needs a comma-separated list of ${valid.join(', ')}`);
  const items = value.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!(valid as readonly string[]).includes(item)) {
      throw new Error(`${flag}: unknown value '${item}' (valid: ${valid.join(', ')})`);
    }
  }
  return [...new Set(items)] as T[];
}

/** Parses an integer flag value with a lower bound. */
function parseInteger(flag: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (value == null || value.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new Error(`${flag} needs an integer >= ${min}, got ${value == null ? 'nothing' : `'${value}'`}`);
  }
  return n;
}

/**
 * Parses the benchmark's command line (without `node` and the script path).
 *
 * @param argv The arguments.
 * @param cores Number of CPU cores: the default of `--workers`.
 * @throws Error naming the flag and the bad value, for unknown flags and bad values
 */
export function parseBenchArgs(argv: readonly string[], cores: number): BenchArgs {
  if (!Number.isInteger(cores) || cores < 1) throw new Error(`cores must be an integer >= 1, got ${cores}`);
  const out: BenchArgs = {
    full: false,
    synthetic: false,
    workers: cores,
    torch: true,
    python: '/usr/bin/python3',
    outDir: 'reports/bench',
    backends: [...BENCH_BACKENDS],
    backendsGiven: false,
    models: [...BENCH_MODELS],
    seed: 1,
    help: false,
  };
  const text = (flag: string, value: string | undefined): string => {
    if (value == null || value.trim() === '' || value.startsWith('--')) throw new Error(`${flag} needs a value`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case '--full':
        out.full = true;
        break;
      case '--data-dir':
        out.dataDir = text(flag, argv[++i]);
        break;
      case '--synthetic':
        out.synthetic = true;
        break;
      case '--workers':
        out.workers = parseInteger(flag, argv[++i], 0);
        break;
      case '--no-torch':
        out.torch = false;
        break;
      case '--python':
        out.python = text(flag, argv[++i]);
        break;
      case '--out':
        out.outDir = text(flag, argv[++i]);
        break;
      case '--backends':
        out.backends = parseList(flag, argv[++i], BENCH_BACKENDS);
        out.backendsGiven = true;
        break;
      case '--models':
        out.models = parseList(flag, argv[++i], BENCH_MODELS);
        break;
      case '--reps':
        out.reps = parseInteger(flag, argv[++i], 1);
        break;
      case '--seed':
        out.seed = parseInteger(flag, argv[++i], 0);
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        throw new Error(`unknown argument '${flag}'\n${BENCH_USAGE}`);
    }
  }
  if (out.synthetic && out.dataDir !== undefined) throw new Error('--synthetic and --data-dir exclude each other');
  return out;
}

/** How one training measurement is run. */
export interface StepPlan {
  /** Untimed training steps first (one call of the training loop). */
  warmupSteps: number;
  /** Training steps per timed repetition (one epoch of that many batches). */
  steps: number;
  /** Timed repetitions; the figure is their median. */
  reps: number;
}

/** How one prediction measurement is run. */
export interface PredictPlan {
  /** Examples per timed pass (predicted in batches of the training batch size). */
  samples: number;
  /** Timed passes after one untimed pass; the figure is their median. */
  repeats: number;
}

/**
 * The training plan for `model` on `backend`: a short one by default (a few hundred MLP
 * steps and a few dozen CNN steps per measurement), a longer one with `full`; null
 * where the pair is not measured (the CNN on the pure-JS `cpu` backend, far too slow).
 *
 * @param reps Repetitions overriding the plan's (from `--reps`).
 */
export function trainingPlan(model: BenchModel, backend: string, full: boolean, reps?: number): StepPlan | null {
  let plan: StepPlan;
  if (model === 'mnist-mlp') {
    plan = backend === 'cpu' ? (full ? { warmupSteps: 10, steps: 150, reps: 5 } : { warmupSteps: 5, steps: 30, reps: 3 })
      : full ? { warmupSteps: 50, steps: 600, reps: 5 } : { warmupSteps: 20, steps: 200, reps: 3 };
  } else if (model === 'cifar10-cnn') {
    if (backend === 'cpu') return null;
    plan = full ? { warmupSteps: 5, steps: 100, reps: 5 } : { warmupSteps: 3, steps: 15, reps: 3 };
  } else {
    throw new Error(`unknown benchmark model '${String(model)}' (valid: ${BENCH_MODELS.join(', ')})`);
  }
  if (reps !== undefined) {
    if (!Number.isInteger(reps) || reps < 1) throw new Error(`reps must be an integer >= 1, got ${reps}`);
    plan = { ...plan, reps };
  }
  return plan;
}

/** The prediction plan for `model` (short by default, longer with `full`). */
export function predictPlan(model: BenchModel, full: boolean, reps?: number): PredictPlan {
  const plan: PredictPlan =
    model === 'mnist-mlp' ? (full ? { samples: 10000, repeats: 5 } : { samples: 2048, repeats: 3 })
      : full ? { samples: 2048, repeats: 5 } : { samples: 512, repeats: 3 };
  if (reps !== undefined) {
    if (!Number.isInteger(reps) || reps < 1) throw new Error(`reps must be an integer >= 1, got ${reps}`);
    return { ...plan, repeats: reps };
  }
  return plan;
}

/**
 * Median of a non-empty list of finite numbers.
 * @throws Error for an empty list or a non-finite value
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  for (const v of values) if (!Number.isFinite(v)) throw new Error(`median: non-finite value ${v}`);
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median, extremes and count of repeated measurements. */
export interface RepSummary {
  /** Median: the reported figure. */
  median: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Every value, in measurement order. */
  values: number[];
}

/** Summarises repeated measurements (see {@link RepSummary}). */
export function summarize(values: readonly number[]): RepSummary {
  const med = median(values);
  return { median: med, min: Math.min(...values), max: Math.max(...values), values: values.slice() };
}

/**
 * Training throughput of one repetition from the times (ms) at which its steps ended:
 * `(stamps.length − 1) · batch` samples over `last − first`. The first step is left out
 * (it also draws the epoch's data order).
 *
 * @throws Error with fewer than two stamps, decreasing stamps, or a zero time span
 */
export function samplesPerSecondFromStamps(stampsMs: readonly number[], batch: number): number {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`batch must be an integer >= 1, got ${batch}`);
  if (stampsMs.length < 2) throw new Error(`need at least 2 step timestamps, got ${stampsMs.length}`);
  for (let i = 1; i < stampsMs.length; i++) {
    if (!(stampsMs[i] >= stampsMs[i - 1])) throw new Error(`step timestamps decrease at index ${i}: ${stampsMs[i - 1]} then ${stampsMs[i]}`);
  }
  const span = stampsMs[stampsMs.length - 1] - stampsMs[0];
  if (!(span > 0)) throw new Error(`step timestamps span ${span} ms; cannot compute a rate`);
  return ((stampsMs.length - 1) * batch * 1000) / span;
}

/**
 * `samples` over `ms` milliseconds, per second.
 * @throws Error for a negative or non-integer sample count or a non-positive span
 */
export function samplesPerSecond(samples: number, ms: number): number {
  if (!Number.isInteger(samples) || samples < 0) throw new Error(`samples must be an integer >= 0, got ${samples}`);
  if (!(ms > 0) || !Number.isFinite(ms)) throw new Error(`time span must be positive, got ${ms} ms`);
  return (samples * 1000) / ms;
}

/** Ratio `a / b`, or null when either is missing or `b` is not positive. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}

/**
 * How much slower the projected-step protocol trains than float: float rate / projected
 * rate (1.25 = the projection costs 25 % more time per sample).
 */
export function slowdown(floatSamplesPerSecond: number, projectedSamplesPerSecond: number): number {
  if (!(floatSamplesPerSecond > 0) || !(projectedSamplesPerSecond > 0)) {
    throw new Error(`slowdown needs positive rates, got float ${floatSamplesPerSecond} and projected ${projectedSamplesPerSecond}`);
  }
  return floatSamplesPerSecond / projectedSamplesPerSecond;
}

/**
 * Parallel efficiency of `workers` processes: aggregate rate / (workers × one-process rate).
 * 1 is perfect scaling.
 */
export function scalingEfficiency(aggregate: number, workers: number, single: number): number {
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be an integer >= 1, got ${workers}`);
  if (!(single > 0)) throw new Error(`single-process rate must be positive, got ${single}`);
  if (!(aggregate >= 0)) throw new Error(`aggregate rate must be >= 0, got ${aggregate}`);
  return aggregate / (workers * single);
}

/** One entry of `tf.profile(...).kernels`, as far as the summary needs it. */
export interface ProfiledKernel {
  /** Kernel name. */
  name: string;
  /** Milliseconds, or an error object where the backend could not time the kernel. */
  kernelTimeMs: unknown;
}

/** One row of the per-kernel cost table. */
export interface KernelCost {
  /** Kernel name, e.g. `Conv2DBackpropFilter`. */
  kernelName: string;
  /** Total milliseconds of all its calls in the profiled step. */
  totalMs: number;
  /** Number of calls. */
  calls: number;
  /** Share of the summed kernel time of the step (0..1). */
  share: number;
}

/** Per-kernel costs of a profiled step, with the step's summed kernel time. */
export interface KernelSummary {
  /** The `top` most expensive kernels, most expensive first (ties by name). */
  top: KernelCost[];
  /** Summed kernel time of every kernel, ms. */
  totalMs: number;
  /** Number of kernel calls. */
  calls: number;
  /** Number of distinct kernels. */
  distinct: number;
  /** Kernel calls whose time the backend did not report (counted as 0 ms). */
  untimed: number;
}

/** Sums `tf.profile` kernel entries by name and keeps the `top` most expensive. */
export function summarizeKernels(kernels: readonly ProfiledKernel[], top: number): KernelSummary {
  if (!Number.isInteger(top) || top < 1) throw new Error(`top must be an integer >= 1, got ${top}`);
  const byName = new Map<string, { ms: number; calls: number }>();
  let untimed = 0;
  let totalMs = 0;
  for (const k of kernels) {
    let ms = 0;
    if (typeof k.kernelTimeMs === 'number' && Number.isFinite(k.kernelTimeMs) && k.kernelTimeMs >= 0) ms = k.kernelTimeMs;
    else untimed++;
    const row = byName.get(k.name) ?? { ms: 0, calls: 0 };
    row.ms += ms;
    row.calls += 1;
    byName.set(k.name, row);
    totalMs += ms;
  }
  const rows = [...byName.entries()]
    .map(([kernelName, r]) => ({ kernelName, totalMs: r.ms, calls: r.calls, share: totalMs > 0 ? r.ms / totalMs : 0 }))
    .sort((a, b) => b.totalMs - a.totalMs || (a.kernelName < b.kernelName ? -1 : a.kernelName > b.kernelName ? 1 : 0));
  return { top: rows.slice(0, top), totalMs, calls: kernels.length, distinct: byName.size, untimed };
}

/** The machine's load when a measurement ran. */
export interface LoadStatus {
  /** 1-, 5- and 15-minute load averages. */
  loadavg: [number, number, number];
  /** Number of CPU cores. */
  cores: number;
  /** Whether the 1-minute load exceeds the core count (figures are then depressed). */
  overloaded: boolean;
  /** Warning to print when overloaded, else null. */
  warning: string | null;
}

/** Judges the load averages (`os.loadavg()`) against the core count. */
export function loadStatus(loadavg: readonly number[], cores: number): LoadStatus {
  if (loadavg.length !== 3 || loadavg.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new Error(`loadavg must be three non-negative numbers, got [${loadavg.join(', ')}]`);
  }
  if (!Number.isInteger(cores) || cores < 1) throw new Error(`cores must be an integer >= 1, got ${cores}`);
  const overloaded = loadavg[0] > cores;
  const warning = overloaded
    ? `WARNING: load average ${loadavg[0].toFixed(2)} exceeds the ${cores} cores: other processes compete for the CPU, ` +
      'so every figure is depressed and noisy; rerun on an idle machine for comparable numbers.'
    : null;
  return { loadavg: [loadavg[0], loadavg[1], loadavg[2]], cores, overloaded, warning };
}

/** Cell alignment of a {@link formatTable} column. */
export type Align = 'left' | 'right';

/**
 * A plain-text table: header, a rule of dashes, then the rows; columns padded to their
 * widest cell and separated by two spaces.
 *
 * @param align Per-column alignment (default: first column left, the others right).
 * @throws Error when a row's cell count differs from the header's
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  rows.forEach((r, i) => {
    if (r.length !== header.length) throw new Error(`table row ${i} has ${r.length} cells, header has ${header.length}`);
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const al = (c: number): Align => align?.[c] ?? (c === 0 ? 'left' : 'right');
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (al(c) === 'left' ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A rate for a table cell: integer samples/s, or `—` when absent. */
export function formatRate(v: number | null | undefined): string {
  return v == null || !Number.isFinite(v) ? '—' : Math.round(v).toString();
}

/** A ratio for a table cell, e.g. `0.42x`, or `—` when absent. */
export function formatRatio(v: number | null | undefined, digits = 2): string {
  return v == null || !Number.isFinite(v) ? '—' : `${v.toFixed(digits)}x`;
}

/** File name of the dated copy of a report: `bench-YYYY-MM-DDTHH-MM-SSZ.json` (UTC). */
export function datedReportName(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error('datedReportName: invalid date');
  return `bench-${date.toISOString().slice(0, 19).replace(/:/g, '-')}Z.json`;
}
