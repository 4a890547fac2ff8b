/**
 * Training and prediction throughput of the study's models, side by side with PyTorch.
 *
 * usage: npm run bench [-- --full] (see BENCH_USAGE in src/bench/stats.ts)
 *
 * For the MNIST MLP and the CIFAR-10 CNN on every available backend (`wasm`; `cpu` for
 * the MLP only, briefly; native `tensorflow` when installed; `webgpu` with a hardware
 * adapter, or a software one when asked for with `--backends`), at batch 64 with Adam 1e-3:
 * training samples/s through the project's own training loop under the `float` protocol
 * and under `projected-step` with the `standard` preset (the slowdown is the cost of the
 * per-step quantization projection), prediction samples/s, the most expensive kernels of
 * one training step (`tf.profile`), and the tensor count around every timed epoch. Then
 * 1..N worker processes (N = cores) train simultaneously (aggregate samples/s and
 * efficiency), and, when `python3 -c "import torch"` works, scripts/bench_torch.py gives
 * the PyTorch reference. Every figure is the median of several repetitions after a
 * warm-up. Prints tables and writes reports/bench/latest.json plus a dated copy.
 */
import { execFileSync, fork, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DATA_DIR_ENV, resolveDataDir } from '../src/data';
import type { Dataset } from '../src/data';
import { describeAdapter, describeEngine, prepareEngine } from '../src/engine';
import type { EngineInfo, TorchStepTimers } from '../src/engine';
import {
  BENCH_USAGE,
  datedReportName,
  formatRate,
  formatRatio,
  formatTable,
  loadStatus,
  parseBenchArgs,
  predictPlan,
  ratio,
  scalingEfficiency,
  slowdown,
  summarizeKernels,
  trainingPlan,
} from '../src/bench/stats';
import type { BenchArgs, BenchModel, LoadStatus, PredictPlan, RepSummary, StepPlan } from '../src/bench/stats';
import { PROTOCOL_DEFINITIONS, TorchTrainer } from '../src/training';
import {
  BENCH_PRESET,
  benchParams,
  buildBenchModel,
  isBenchTrainer,
  datasetOf,
  loadBenchData,
  measurePredict,
  measureProjectionOnly,
  collectReps,
  profileStep,
  timedRep,
  warmUp,
} from './bench-worker';
import type {
  BenchDataInfo,
  DataSpec,
  FromBenchWorker,
  PredictMeasurement,
  RepResult,
  StepProfile,
  ToBenchWorker,
  TrainingJob,
  TrainingMeasurement,
} from './bench-worker';

/** Examples per optimizer step and per predict call. */
const BATCH = 64;
/** Adam learning rate. */
const LEARNING_RATE = 1e-3;
/** Kernels listed per profiled step. */
const TOP_KERNELS = 8;

/** A backend the benchmark tried to use. */
export interface BenchEngine {
  /** Backend mode asked for. */
  backend: string;
  /** Whether it could be had. */
  available: boolean;
  /** What prepareEngine set up (after the measurements, with the active custom kernels). */
  info: EngineInfo | null;
  /** Why it is not available. */
  reason: string | null;
}

/** Training measurement as stored in the report. */
export interface TrainingFigures {
  /** Warm-up steps, steps per repetition, repetitions. */
  plan: StepPlan;
  /** Samples per second: median, extremes, every repetition. */
  samplesPerSecond: RepSummary;
  /** Samples per CPU second of the process (user + system): less disturbed by other load. */
  cpuSamplesPerSecond: RepSummary;
  /** Median milliseconds per step. */
  msPerStep: number;
  /** The training loop's own `trainSeconds` per repetition. */
  loopTrainSeconds: number[];
  /** Tensor counts around every timed epoch. */
  tensors: TrainingMeasurement['tensors'];
  /** 1-minute load average when the measurement ended. */
  load1: number;
}

/** Everything measured for one model on one backend. */
export interface ModelBackendResult {
  /** Model. */
  model: BenchModel;
  /** Backend actually used (`tf.getBackend()`). */
  backend: string;
  /** Trainable parameters. */
  params: number | null;
  /** Why the pair was not measured, or null. */
  skipped: string | null;
  /** `float` protocol. */
  float: TrainingFigures | null;
  /** `projected-step` protocol with the `standard` preset. */
  projectedStep: TrainingFigures | null;
  /** float rate / projected rate (wall time). */
  projectionSlowdown: number | null;
  /** The same from the CPU-time rates (less disturbed by other load). */
  projectionSlowdownCpu: number | null;
  /** Extra milliseconds per step of the projected protocol (median step times). */
  projectionMsPerStep: number | null;
  /** Milliseconds of `projectValues` alone over every trainable tensor (no tensor reads or writes). */
  projectionOnlyMs: number | null;
  /** Prediction throughput of the float-trained model. */
  predict: PredictMeasurement | null;
  /** Per-kernel costs of one training step. */
  kernels: StepProfile | null;
}

/** One row of the worker-scaling run. */
export interface ScalingRow {
  /** Model. */
  model: BenchModel;
  /** Worker processes training at once. */
  workers: number;
  /** Median samples/s of each worker. */
  perWorker: number[];
  /** Sum of the workers' median rates. */
  aggregate: number;
  /** All samples of all workers over the wall time from the first start to the last end (cross-check). */
  wallAggregate: number;
  /** aggregate / (workers × the one-worker aggregate). */
  efficiency: number;
  /** Whether every worker's tensor count was stable. */
  tensorsStable: boolean;
  /** 1-minute load average when the row ended. */
  load1: number;
}

/** The worker-scaling run. */
export interface ScalingSection {
  /** Backend the workers used, or null when skipped. */
  backend: string | null;
  /** Protocol the workers trained with. */
  protocol: 'float';
  /** Largest worker count. */
  maxWorkers: number;
  /** Rows, per model and worker count. */
  rows: ScalingRow[];
  /** Why it was skipped, or null. */
  skipped: string | null;
}

/** One row of PyTorch's output (see scripts/bench_torch.py). */
export interface TorchRow {
  /** Model. */
  model: BenchModel;
  /** `torch.set_num_threads` value. */
  threads: number;
  /** Parameters of the PyTorch model. */
  params: number;
  /** Warm-up, steps, repetitions. */
  plan: StepPlan;
  /** Median training samples/s. */
  trainSamplesPerSecond: number;
  /** Median prediction samples/s. */
  predictSamplesPerSecond: number;
}

/** The PyTorch reference. */
export interface TorchSection {
  /** Whether torch could be imported and the script ran. */
  available: boolean;
  /** Interpreter used. */
  python: string;
  /** Why it is missing or failed, or null. */
  reason: string | null;
  /** torch version. */
  version: string | null;
  /** Thread counts measured. */
  threads: number[];
  /** Result rows. */
  rows: TorchRow[];
  /** The script's whole JSON output. */
  raw: unknown;
}

/** One octolab / PyTorch ratio. */
export interface Comparison {
  /** Model. */
  model: BenchModel;
  /** What octolab ran, e.g. `wasm, 1 process` or `wasm, 2 workers`. */
  octolab: string;
  /** What PyTorch ran, e.g. `2 threads`. */
  torch: string;
  /** octolab training rate / PyTorch training rate. */
  train: number | null;
  /** octolab prediction rate / PyTorch prediction rate (single process only). */
  predict: number | null;
}

/** The JSON report. */
export interface BenchReport {
  /** Format identifier. */
  schema: 'octolab-bench/1';
  /** ISO date and time the run started. */
  date: string;
  /** `short` (default) or `full`. */
  mode: 'short' | 'full';
  /** Wall seconds of the whole run. */
  durationSeconds: number;
  /** Commit of the working tree and whether tracked files had uncommitted changes. */
  git: { commit: string | null; dirty: boolean | null };
  /** The machine. */
  host: { cpuModel: string; cores: number; node: string; platform: string; arch: string; totalMemoryBytes: number };
  /** Load at the start and at the end. */
  load: { start: LoadStatus; end: LoadStatus };
  /** How everything was measured. */
  settings: {
    batch: number;
    optimizer: { name: 'adam'; learningRate: number };
    projectedPreset: string;
    protocols: Record<string, string>;
    seed: number;
    procedure: string[];
    plans: Record<string, { training: StepPlan | null; predict: PredictPlan }>;
  };
  /** The data each model used. */
  data: Partial<Record<BenchModel, BenchDataInfo>>;
  /** Backends tried. */
  engines: BenchEngine[];
  /** Per model and backend. */
  results: ModelBackendResult[];
  /** Worker scaling. */
  workers: ScalingSection;
  /** PyTorch reference. */
  torch: TorchSection;
  /** octolab / PyTorch ratios. */
  comparisons: Comparison[];
  /** Everything the reader should know about the figures. */
  warnings: string[];
}

/** Progress line on stderr, with the seconds since the script started. */
function progress(text: string): void {
  process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(0).padStart(4)} s] ${text}\n`);
}

/** First line of an error's message. */
function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/** The repository root: the folder above dist/ holding package.json, else the working directory. */
function repoRoot(): string {
  const up = path.resolve(__dirname, '..', '..');
  return fs.existsSync(path.join(up, 'package.json')) ? up : process.cwd();
}

/** Commit and dirtiness of the working tree, null where git cannot tell. */
function gitInfo(root: string): BenchReport['git'] {
  const run = (args: string[]): string | null => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const commit = run(['rev-parse', 'HEAD']);
  const status = run(['status', '--porcelain', '--untracked-files=no']);
  return { commit, dirty: status == null ? null : status !== '' };
}

/** Figures of a training measurement, as stored. */
function figures(m: TrainingMeasurement): TrainingFigures {
  return {
    plan: m.job.plan,
    samplesPerSecond: m.samplesPerSecond,
    cpuSamplesPerSecond: m.cpuSamplesPerSecond,
    msPerStep: m.msPerStep,
    loopTrainSeconds: m.loopTrainSeconds,
    tensors: m.tensors,
    load1: os.loadavg()[0],
  };
}

/** The benchmark's training job for a model, protocol and plan. */
function jobFor(model: BenchModel, protocol: TrainingJob['protocol'], plan: StepPlan, seed: number): TrainingJob {
  return { model, protocol, plan, batch: BATCH, learningRate: LEARNING_RATE, seed };
}

/**
 * Where a torch float step spends its time, per step: libtorch's forward (with the loss),
 * backward and optimizer, the rest of its call (reading the loss and accuracy), and what the
 * training loop does outside libtorch (batching, the N-API call, bookkeeping), from the
 * median wall time per step.
 */
function torchPhases(t: TorchStepTimers, wallMsPerStep: number): StepProfile {
  if (t.steps === 0) throw new Error('torch timers: no steps were timed');
  const per = (ms: number): number => ms / t.steps;
  const inTorch = per(t.stepMs);
  const phases = [
    { name: 'libtorch forward + loss', kernelTimeMs: per(t.forwardMs) },
    { name: 'libtorch backward', kernelTimeMs: per(t.backwardMs) },
    { name: 'libtorch Adam', kernelTimeMs: per(t.optimizerMs) },
    { name: 'libtorch other (loss/accuracy read)', kernelTimeMs: Math.max(0, inTorch - per(t.forwardMs + t.backwardMs + t.optimizerMs)) },
    { name: 'outside libtorch (batching, N-API, loop)', kernelTimeMs: Math.max(0, wallMsPerStep - inTorch) },
  ];
  return { ...summarizeKernels(phases, phases.length), stepMs: wallMsPerStep };
}

/**
 * Loads each model's data once, for the largest plan: real files where the data
 * directory holds them, else seeded random inputs. A data directory named with
 * `--data-dir` or `$OCTOLAB_DATA_DIR` that cannot be read is an error.
 */
async function loadAllData(args: BenchArgs, sizes: Map<BenchModel, { nTrain: number; nTest: number }>): Promise<Map<BenchModel, { data: Dataset; info: BenchDataInfo; spec: DataSpec }>> {
  const out = new Map<BenchModel, { data: Dataset; info: BenchDataInfo; spec: DataSpec }>();
  const envDir = process.env[DATA_DIR_ENV];
  const explicit = args.dataDir !== undefined || (envDir !== undefined && envDir.trim() !== '');
  const dir = args.synthetic ? null : resolveDataDir(args.dataDir);
  for (const [model, { nTrain, nTest }] of sizes) {
    if (dir !== null) {
      const spec: DataSpec = { source: 'real', dataDir: dir };
      try {
        const loaded = await loadBenchData(model, spec, nTrain, nTest, args.seed);
        out.set(model, { ...loaded, spec });
        continue;
      } catch (err) {
        const where = args.dataDir !== undefined ? '--data-dir' : DATA_DIR_ENV;
        if (explicit) throw new Error(`cannot read ${datasetOf(model)} from ${dir} (given by ${where}): ${err instanceof Error ? err.message : String(err)}`);
        progress(`no ${datasetOf(model)} data in ${dir} (${errorText(err)}); using seeded random inputs`);
      }
    }
    const spec: DataSpec = { source: 'synthetic', dataDir: null };
    const loaded = await loadBenchData(model, spec, nTrain, nTest, args.seed);
    out.set(model, { ...loaded, spec });
  }
  return out;
}

/**
 * Measures one model on the active backend. The float and projected-step repetitions
 * alternate (each protocol on its own model), so that both see the same load.
 */
async function measureModel(model: BenchModel, backend: string, data: Dataset, plan: StepPlan, pPlan: PredictPlan, seed: number): Promise<ModelBackendResult> {
  const floatJob = jobFor(model, 'float', plan, seed);
  const projJob = jobFor(model, 'projected-step', plan, seed);
  const floatModel = buildBenchModel(model, seed);
  const projModel = buildBenchModel(model, seed);
  try {
    const params = benchParams(floatModel);
    progress(`${backend} ${model}: float and projected-step (${BENCH_PRESET}) alternating, ${plan.reps} × ${plan.steps} steps each after ${plan.warmupSteps} warm-up steps`);
    await warmUp(floatModel, data, floatJob);
    await warmUp(projModel, data, projJob);
    if (floatModel instanceof TorchTrainer) floatModel.stepTimers(); // reset: time the timed steps only
    const floatReps: RepResult[] = [];
    const projReps: RepResult[] = [];
    for (let r = 0; r < plan.reps; r++) {
      floatReps.push(await timedRep(floatModel, data, floatJob, r));
      projReps.push(await timedRep(projModel, data, projJob, r));
    }
    const floatM = collectReps(floatJob, floatReps);
    const projM = collectReps(projJob, projReps);
    const f = floatM.samplesPerSecond.median;
    const p = projM.samplesPerSecond.median;
    progress(`${backend} ${model}: float ${formatRate(f)}, projected-step ${formatRate(p)} samples/s (slowdown ${formatRatio(slowdown(f, p))}); predict (${pPlan.repeats} × ${pPlan.samples} samples)`);
    const predict = await measurePredict(floatModel, data, pPlan, BATCH);
    // tf.profile's kernel timers wait on GPU timestamp queries, which Dawn in Node never resolves.
    // On torch the step is one libtorch call: its phases are timed inside the addon instead of tf.profile.
    const kernels =
      floatModel instanceof TorchTrainer
        ? torchPhases(floatModel.stepTimers(), floatM.msPerStep)
        : backend === 'webgpu' || isBenchTrainer(floatModel)
          ? null
          : await profileStep(floatModel, data, BATCH, LEARNING_RATE, TOP_KERNELS);
    const projectionOnlyMs = await measureProjectionOnly(floatModel);
    return {
      model,
      backend,
      params,
      skipped: null,
      float: figures(floatM),
      projectedStep: figures(projM),
      projectionSlowdown: slowdown(f, p),
      projectionSlowdownCpu: slowdown(floatM.cpuSamplesPerSecond.median, projM.cpuSamplesPerSecond.median),
      projectionMsPerStep: projM.msPerStep - floatM.msPerStep,
      projectionOnlyMs,
      predict,
      kernels,
    };
  } finally {
    floatModel.dispose();
    projModel.dispose();
  }
}

/**
 * Runs `k` worker processes at once on the same training job: each prepares its engine,
 * loads its data and warms up; when all are ready they get `go` together.
 */
async function runWorkers(k: number, job: TrainingJob, backend: string, spec: DataSpec): Promise<TrainingMeasurement[]> {
  const script = path.join(__dirname, 'bench-worker.js');
  if (!fs.existsSync(script)) throw new Error(`worker script not found: ${script} (run npm run build)`);
  const children = Array.from({ length: k }, () => fork(script, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  const results: (TrainingMeasurement | null)[] = children.map(() => null);
  try {
    return await new Promise<TrainingMeasurement[]>((resolve, reject) => {
      let ready = 0;
      let done = 0;
      let failed = false;
      const fail = (err: Error): void => {
        if (failed) return;
        failed = true;
        reject(err);
      };
      children.forEach((child, i) => {
        child.on('message', (msg: FromBenchWorker) => {
          if (msg.type === 'error') fail(new Error(`worker ${i + 1} of ${k}: ${msg.message}`));
          else if (msg.type === 'ready') {
            if (msg.backend !== backend) fail(new Error(`worker ${i + 1} of ${k} got backend '${msg.backend}', expected '${backend}'`));
            else if (++ready === k) for (const c of children) c.send({ type: 'go' } satisfies ToBenchWorker);
          } else if (msg.type === 'result') {
            results[i] = msg.measurement;
            if (++done === k) resolve(results as TrainingMeasurement[]);
          }
        });
        child.on('error', (err) => fail(new Error(`worker ${i + 1} of ${k}: ${err.message}`)));
        child.on('exit', (code, signal) => {
          // A message sent just before exiting may be delivered after 'exit': look once the queue has run.
          setImmediate(() => {
            if (results[i] === null) fail(new Error(`worker ${i + 1} of ${k} exited (code ${String(code)}, signal ${String(signal)}) before sending its result`));
          });
        });
        child.send({ type: 'job', job, backend, data: spec } satisfies ToBenchWorker);
      });
    });
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
  }
}

/** Worker scaling for every model: 1..maxWorkers processes. */
async function measureScaling(models: BenchModel[], backend: string, maxWorkers: number, args: BenchArgs, specs: Map<BenchModel, DataSpec>): Promise<ScalingRow[]> {
  const rows: ScalingRow[] = [];
  for (const model of models) {
    const plan = trainingPlan(model, backend, args.full, args.reps);
    const spec = specs.get(model);
    if (plan === null || spec === undefined) continue;
    const job = jobFor(model, 'float', plan, args.seed);
    let single = 0;
    for (let k = 1; k <= maxWorkers; k++) {
      progress(`workers ${model}: ${k} process${k > 1 ? 'es' : ''} on ${backend}`);
      const ms = await runWorkers(k, job, backend, spec);
      const perWorker = ms.map((m) => m.samplesPerSecond.median);
      const aggregate = perWorker.reduce((a, b) => a + b, 0);
      if (k === 1) single = aggregate;
      const wall = (Math.max(...ms.map((m) => m.endedAtMs)) - Math.min(...ms.map((m) => m.startedAtMs))) / 1000;
      const samples = ms.reduce((a, m) => a + m.samples, 0);
      const row: ScalingRow = {
        model,
        workers: k,
        perWorker,
        aggregate,
        wallAggregate: samples / wall,
        efficiency: scalingEfficiency(aggregate, k, single),
        tensorsStable: ms.every((m) => m.tensors.stable),
        load1: os.loadavg()[0],
      };
      progress(`workers ${model}: ${k} → aggregate ${formatRate(aggregate)} samples/s, efficiency ${row.efficiency.toFixed(2)}`);
      rows.push(row);
    }
  }
  return rows;
}

/** Runs scripts/bench_torch.py when torch can be imported. */
function runTorch(args: BenchArgs, root: string, threads: number[]): TorchSection {
  const section: TorchSection = { available: false, python: args.python, reason: null, version: null, threads, rows: [], raw: null };
  if (!args.torch) {
    section.reason = 'skipped with --no-torch';
    return section;
  }
  const probe = spawnSync(args.python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (probe.error != null || probe.status !== 0) {
    const why = probe.error != null ? probe.error.message : (probe.stderr || '').trim().split('\n').pop() ?? `exit ${String(probe.status)}`;
    section.reason = `${args.python} -c "import torch" failed: ${why}`;
    return section;
  }
  const script = path.join(root, 'scripts', 'bench_torch.py');
  const mlp = trainingPlan('mnist-mlp', 'wasm', args.full, args.reps);
  const cnn = trainingPlan('cifar10-cnn', 'wasm', args.full, args.reps);
  if (mlp === null || cnn === null) throw new Error('internal: no wasm training plan');
  const cli = [
    script,
    '--threads', threads.join(','),
    '--batch', String(BATCH),
    '--reps', String(mlp.reps),
    '--seed', String(args.seed),
    '--models', args.models.join(','),
    '--mlp-plan', `${mlp.warmupSteps},${mlp.steps}`,
    '--cnn-plan', `${cnn.warmupSteps},${cnn.steps}`,
    '--mlp-predict', String(predictPlan('mnist-mlp', args.full).samples),
    '--cnn-predict', String(predictPlan('cifar10-cnn', args.full).samples),
  ];
  progress(`PyTorch reference: ${args.python} ${cli.join(' ')}`);
  const res = spawnSync(args.python, cli, { encoding: 'utf8', timeout: 600_000, maxBuffer: 16 << 20 });
  if (res.error != null || res.status !== 0) {
    section.reason = `bench_torch.py failed (${res.error != null ? res.error.message : `exit ${String(res.status)}`}): ${(res.stderr || '').trim().split('\n').slice(-3).join(' | ')}`;
    return section;
  }
  const lines = res.stdout.trim().split('\n');
  let raw: { torch?: unknown; results?: unknown };
  try {
    raw = JSON.parse(lines[lines.length - 1]) as { torch?: unknown; results?: unknown };
  } catch (err) {
    section.reason = `bench_torch.py printed no JSON on its last line: ${errorText(err)}`;
    return section;
  }
  if (!Array.isArray(raw.results)) {
    section.reason = 'bench_torch.py output has no results list';
    return section;
  }
  section.available = true;
  section.version = typeof raw.torch === 'string' ? raw.torch : null;
  section.raw = raw;
  section.rows = (raw.results as TorchRow[]).map((r) => ({
    model: r.model,
    threads: r.threads,
    params: r.params,
    plan: r.plan,
    trainSamplesPerSecond: r.trainSamplesPerSecond,
    predictSamplesPerSecond: r.predictSamplesPerSecond,
  }));
  return section;
}

/** octolab / PyTorch ratios: single process against PyTorch with 1 and N threads, N workers against N threads. */
function compare(results: ModelBackendResult[], scaling: ScalingSection, torch: TorchSection, cores: number): Comparison[] {
  if (!torch.available) return [];
  const out: Comparison[] = [];
  for (const model of [...new Set(results.map((r) => r.model))]) {
    for (const threads of torch.threads) {
      const t = torch.rows.find((r) => r.model === model && r.threads === threads);
      if (t === undefined) continue;
      for (const r of results) {
        if (r.model !== model || r.float === null) continue;
        out.push({
          model,
          octolab: `${r.backend}, 1 process`,
          torch: `${threads} thread${threads > 1 ? 's' : ''}`,
          train: ratio(r.float.samplesPerSecond.median, t.trainSamplesPerSecond),
          predict: ratio(r.predict?.samplesPerSecond, t.predictSamplesPerSecond),
        });
      }
      if (threads === cores) {
        const w = scaling.rows.find((r) => r.model === model && r.workers === cores);
        if (w !== undefined) {
          out.push({ model, octolab: `${scaling.backend ?? '?'}, ${cores} workers`, torch: `${threads} threads`, train: ratio(w.aggregate, t.trainSamplesPerSecond), predict: null });
        }
      }
    }
  }
  return out;
}

/** The printed report. */
export function formatReport(r: BenchReport, jsonPath: string, datedPath: string): string {
  const wasm = r.engines.find((e) => e.info?.backend === 'wasm')?.info ?? null;
  const tfjs = r.engines.find((e) => e.info != null)?.info?.versions.tfjs ?? '?';
  const out: string[] = [];
  out.push(`octolab throughput benchmark (${r.mode}), ${r.date}, commit ${r.git.commit?.slice(0, 10) ?? 'unknown'}${r.git.dirty ? ' (uncommitted changes)' : ''}`);
  out.push(
    `${r.host.cpuModel} × ${r.host.cores} cores, node ${r.host.node}, tfjs ${tfjs}` +
      (wasm != null ? `, wasm SIMD ${String(wasm.wasm.simd)}, ${String(wasm.wasm.threadsCount)} thread(s), custom kernels: ${wasm.wasm.customKernels.length}` : ''),
  );
  for (const e of r.engines) if (!e.available) out.push(`backend ${e.backend}: not available (${e.reason ?? '?'})`);
  for (const e of r.engines) {
    const t = e.info?.torch;
    if (t != null) out.push(`backend torch: libtorch ${t.version}, ${t.threads} thread(s), ${t.build.join(', ')}`);
  }
  for (const e of r.engines) if (e.info?.gpuAdapter != null) out.push(`backend ${e.backend}: adapter ${describeAdapter(e.info.gpuAdapter)}`);
  for (const [model, d] of Object.entries(r.data)) {
    if (d == null) continue;
    out.push(`data ${model}: ${d.source === 'real' ? `real, ${d.description}, checksums ${d.checksums}` : `SYNTHETIC: ${d.description}`}`);
  }
  const fmtLoad = (l: LoadStatus): string => l.loadavg.map((v) => v.toFixed(2)).join(' ');
  out.push(`load average at start ${fmtLoad(r.load.start)}, at end ${fmtLoad(r.load.end)} (${r.host.cores} cores); run took ${r.durationSeconds.toFixed(0)} s`);
  for (const w of r.warnings) out.push(w);

  out.push('', `Training and prediction, samples/s (batch ${r.settings.batch}, Adam ${r.settings.optimizer.learningRate}; medians of the repetitions after warm-up)`);
  const rows = r.results.map((x) => {
    if (x.skipped !== null) return [x.model, x.backend, '—', '—', '—', '—', '—', '—', '—', `skipped: ${x.skipped}`];
    const plan = x.float?.plan;
    return [
      x.model,
      x.backend,
      formatRate(x.float?.samplesPerSecond.median),
      formatRate(x.float?.cpuSamplesPerSecond.median),
      formatRate(x.projectedStep?.samplesPerSecond.median),
      `${formatRatio(x.projectionSlowdown)} / ${formatRatio(x.projectionSlowdownCpu)}`,
      x.projectionMsPerStep == null ? '—' : `${x.projectionMsPerStep.toFixed(1)} (${x.projectionOnlyMs?.toFixed(1) ?? '—'})`,
      formatRate(x.predict?.samplesPerSecond),
      `${x.float?.tensors.maxDelta ?? '—'}/${x.projectedStep?.tensors.maxDelta ?? '—'}`,
      plan == null ? '' : `${plan.reps}×${plan.steps} steps, warm-up ${plan.warmupSteps}`,
    ];
  });
  out.push(
    formatTable(
      ['model', 'backend', 'train float', '(per CPU-s)', 'train proj.', 'slowdown wall / CPU', 'proj. ms/step (alone)', 'predict', 'tensors Δ', 'procedure'],
      rows,
      ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
  );

  const kernelRows: string[][] = [];
  for (const x of r.results) {
    if (x.kernels == null) continue;
    x.kernels.top.slice(0, 5).forEach((k, i) => {
      kernelRows.push([i === 0 ? `${x.model} ${x.backend}` : '', k.kernelName, k.totalMs.toFixed(2), `${(100 * k.share).toFixed(1)}%`, String(k.calls)]);
    });
    kernelRows.push(['', `(all ${x.kernels.distinct} kernels)`, x.kernels.totalMs.toFixed(2), '100%', String(x.kernels.calls)]);
  }
  if (kernelRows.length > 0) {
    out.push('', 'Top kernels of one training step (tf.profile; on torch: phase timers of the addon)');
    out.push(formatTable(['model backend', 'kernel', 'ms', 'share', 'calls'], kernelRows, ['left', 'left', 'right', 'right', 'right']));
  }

  out.push('');
  if (r.workers.skipped !== null) out.push(`Worker scaling: skipped (${r.workers.skipped})`);
  else {
    out.push(`Worker scaling: 1..${r.workers.maxWorkers} processes training at once (${r.workers.backend}, float), samples/s`);
    out.push(
      formatTable(
        ['model', 'workers', 'per worker', 'aggregate', 'wall aggregate', 'efficiency', 'tensors'],
        r.workers.rows.map((w) => [
          w.model,
          String(w.workers),
          w.perWorker.map((v) => formatRate(v)).join(' '),
          formatRate(w.aggregate),
          formatRate(w.wallAggregate),
          w.efficiency.toFixed(2),
          w.tensorsStable ? 'stable' : 'LEAK',
        ]),
      ),
    );
  }

  out.push('');
  if (!r.torch.available) out.push(`PyTorch reference: not run (${r.torch.reason ?? '?'})`);
  else {
    out.push(`PyTorch ${r.torch.version ?? '?'} reference (same shapes, batch, Adam 1e-3, warm-up and medians; random inputs), samples/s`);
    out.push(
      formatTable(
        ['model', 'threads', 'train', 'predict'],
        r.torch.rows.map((t) => [t.model, String(t.threads), formatRate(t.trainSamplesPerSecond), formatRate(t.predictSamplesPerSecond)]),
      ),
    );
    out.push('', 'octolab / PyTorch (above 1: octolab faster)');
    out.push(
      formatTable(
        ['model', 'octolab', 'PyTorch', 'train', 'predict'],
        r.comparisons.map((c) => [c.model, c.octolab, c.torch, formatRatio(c.train), formatRatio(c.predict)]),
        ['left', 'left', 'left', 'right', 'right'],
      ),
    );
  }
  out.push('', `JSON: ${jsonPath} (copy: ${datedPath})`);
  return out.join('\n');
}

/** Runs the whole benchmark and writes the report; returns the process exit code. */
export async function runBench(argv: readonly string[]): Promise<number> {
  const cores = os.cpus().length;
  const args = parseBenchArgs(argv, cores);
  if (args.help) {
    console.log(BENCH_USAGE);
    return 0;
  }
  const started = new Date();
  const t0 = performance.now();
  const root = repoRoot();
  const warnings: string[] = [];
  const loadStart = loadStatus(os.loadavg(), cores);
  if (loadStart.warning !== null) {
    console.warn(loadStart.warning);
    warnings.push(`at start: ${loadStart.warning}`);
  }

  // Data, sized for the largest plan any backend (and the workers) will use.
  const sizes = new Map<BenchModel, { nTrain: number; nTest: number }>();
  for (const model of args.models) {
    let nTrain = BATCH;
    for (const backend of args.backends) {
      const plan = trainingPlan(model, backend, args.full, args.reps);
      if (plan !== null) nTrain = Math.max(nTrain, Math.max(plan.steps, plan.warmupSteps) * BATCH);
    }
    sizes.set(model, { nTrain, nTest: Math.max(BATCH, predictPlan(model, args.full, args.reps).samples) });
  }
  const data = await loadAllData(args, sizes);
  for (const [model, d] of data) {
    progress(`data ${model}: ${d.info.source} (${d.info.description})`);
    if (d.info.source === 'synthetic') warnings.push(`${model}: seeded random inputs, not real ${d.info.dataset} (${args.synthetic ? '--synthetic' : 'no data files found'})`);
  }

  // Single-process measurements, backend by backend.
  const engines: BenchEngine[] = [];
  const results: ModelBackendResult[] = [];
  for (const backend of args.backends) {
    try {
      await prepareEngine({ backend });
    } catch (err) {
      engines.push({ backend, available: false, info: null, reason: errorText(err) });
      progress(`backend ${backend}: not available (${errorText(err)})`);
      continue;
    }
    const adapter = describeEngine().gpuAdapter;
    if (adapter !== null) progress(`backend ${backend}: adapter ${describeAdapter(adapter)}`);
    for (const model of args.models) {
      if (adapter !== null && adapter.software && !args.backendsGiven) {
        const skipped = `software adapter ${describeAdapter(adapter)}: a CPU emulating a GPU, not timed unless asked for with --backends webgpu`;
        results.push({ model, backend, params: null, skipped, float: null, projectedStep: null, projectionSlowdown: null, projectionSlowdownCpu: null, projectionMsPerStep: null, projectionOnlyMs: null, predict: null, kernels: null });
        continue;
      }
      const plan = trainingPlan(model, backend, args.full, args.reps);
      if (plan === null) {
        results.push({ model, backend, params: null, skipped: `the ${backend} backend trains ${model} far too slowly for a benchmark`, float: null, projectedStep: null, projectionSlowdown: null, projectionSlowdownCpu: null, projectionMsPerStep: null, projectionOnlyMs: null, predict: null, kernels: null });
        continue;
      }
      const d = data.get(model);
      if (d === undefined) throw new Error(`internal: no data for ${model}`);
      results.push(await measureModel(model, backend, d.data, plan, predictPlan(model, args.full, args.reps), args.seed));
    }
    engines.push({ backend, available: true, info: describeEngine(), reason: null });
  }

  // Worker scaling on the fastest training backend available.
  const scalingBackend = ['tensorflow', 'torch', 'wasm'].find((b) => engines.some((e) => e.available && e.backend === b)) ?? null;
  const workers: ScalingSection = { backend: scalingBackend, protocol: 'float', maxWorkers: args.workers, rows: [], skipped: null };
  if (args.workers === 0) workers.skipped = 'skipped with --workers 0';
  else if (scalingBackend === null) workers.skipped = 'none of the tensorflow, torch and wasm backends is available';
  else {
    const specs = new Map<BenchModel, DataSpec>([...data].map(([m, d]) => [m, d.spec]));
    workers.rows = await measureScaling(args.models, scalingBackend, args.workers, args, specs);
  }

  // PyTorch reference with 1 and N threads.
  const torch = runTorch(args, root, [...new Set([1, cores])]);
  if (!torch.available) progress(`PyTorch reference: not run (${torch.reason ?? '?'})`);
  for (const model of args.models) {
    const one = torch.rows.find((t) => t.model === model && t.threads === 1);
    const all = torch.rows.find((t) => t.model === model && t.threads === cores);
    if (cores > 1 && one !== undefined && all !== undefined && all.trainSamplesPerSecond < one.trainSamplesPerSecond) {
      warnings.push(
        `PyTorch trains ${model} slower with ${cores} threads than with 1 (${formatRate(all.trainSamplesPerSecond)} vs ${formatRate(one.trainSamplesPerSecond)} samples/s): ` +
          "for this model's small operations its threads cost more in synchronisation than they save (more so when other processes hold the cores), so compare with its 1-thread figure too.",
      );
    }
  }

  const loadEnd = loadStatus(os.loadavg(), cores);
  if (loadEnd.warning !== null) warnings.push(`at end: ${loadEnd.warning}`);
  const leaks = results.filter((x) => (x.float !== null && !x.float.tensors.stable) || (x.projectedStep !== null && !x.projectedStep.tensors.stable));
  for (const x of leaks) warnings.push(`TENSOR LEAK: ${x.model} on ${x.backend}: tf.memory().numTensors grew during a training epoch`);
  for (const w of workers.rows) if (!w.tensorsStable) warnings.push(`TENSOR LEAK: ${w.model} in ${w.workers} workers: tf.memory().numTensors grew during a training epoch`);

  const hostEngine = engines.find((e) => e.info != null)?.info?.host;
  const plans: BenchReport['settings']['plans'] = {};
  for (const model of args.models) {
    for (const backend of args.backends) {
      plans[`${model}/${backend}`] = { training: trainingPlan(model, backend, args.full, args.reps), predict: predictPlan(model, args.full, args.reps) };
    }
  }
  const report: BenchReport = {
    schema: 'octolab-bench/1',
    date: started.toISOString(),
    mode: args.full ? 'full' : 'short',
    durationSeconds: (performance.now() - t0) / 1000,
    git: gitInfo(root),
    host: {
      cpuModel: hostEngine?.cpuModel ?? (os.cpus()[0]?.model.trim() || 'unknown'),
      cores,
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      totalMemoryBytes: os.totalmem(),
    },
    load: { start: loadStart, end: loadEnd },
    settings: {
      batch: BATCH,
      optimizer: { name: 'adam', learningRate: LEARNING_RATE },
      projectedPreset: BENCH_PRESET,
      protocols: { float: PROTOCOL_DEFINITIONS.float, 'projected-step': PROTOCOL_DEFINITIONS['projected-step'] },
      seed: args.seed,
      procedure: [
        "Training: the project's train() loop; per repetition a fresh Adam and one epoch of `steps` batches in a seeded order; the rate is (steps − 1) × batch over the time from the end of the first step to the end of the last (onStep callbacks); untimed warm-up steps first; the figure is the median of the repetitions. Float and projected-step repetitions alternate, each protocol on its own model. 'per CPU-s' divides by the process's CPU time (user + system) over the same steps instead of wall time.",
        'Projection slowdown: float rate / projected-step rate; proj. ms/step is the difference of the median step times; "alone" is projectValues over every trainable tensor without tensor reads or writes.',
        `Prediction: measureInference() in batches of ${BATCH} over the first test examples; one untimed pass, the median of the timed passes.`,
        'Kernels: tf.profile over one training step mirroring the float step of train(), after two unprofiled steps; share = kernel ms / summed kernel ms. On torch: timers inside the addon over the timed float steps (forward with loss, backward, Adam, the rest of the call) and the wall time per step outside libtorch.',
        'Tensors: tf.memory().numTensors before and after every timed epoch; stable when equal.',
        'Workers: k separate processes (1..N) each prepare the engine, load the data and warm up, then start together; aggregate = sum of their median rates; efficiency = aggregate / (k × the 1-process aggregate).',
        'PyTorch: scripts/bench_torch.py, same shapes, batch, optimizer and procedure, torch.set_num_threads(threads), seeded random inputs.',
      ],
      plans,
    },
    data: Object.fromEntries([...data].map(([m, d]) => [m, d.info])),
    engines,
    results,
    workers,
    torch,
    comparisons: compare(results, workers, torch, cores),
    warnings,
  };

  const outDir = path.resolve(args.outDir);
  fs.mkdirSync(outDir, { recursive: true });
  const jsonPath = path.join(outDir, 'latest.json');
  const datedPath = path.join(outDir, datedReportName(started));
  const text = JSON.stringify(report, null, 2) + '\n';
  fs.writeFileSync(datedPath, text);
  fs.writeFileSync(jsonPath, text);
  console.log(formatReport(report, path.relative(process.cwd(), jsonPath), path.relative(process.cwd(), datedPath)));
  if (warnings.some((w) => w.startsWith('TENSOR LEAK'))) {
    console.error('tensor count not stable during training: see the warnings above');
    return 1;
  }
  return 0;
}

if (require.main === module) {
  runBench(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
