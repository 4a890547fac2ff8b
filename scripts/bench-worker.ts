/**
 * Measurement core of the throughput benchmark (scripts/bench.ts), and, when run as a
 * program, one worker process of its scaling run: the parent sends a training job, the
 * worker prepares the engine, loads the data, builds the model and warms up, says
 * `ready`, waits for `go` (sent to all workers at once) and answers with its
 * measurement.
 *
 * Training is measured through the project's own `train()` loop; prediction through
 * `measureInference()`; the per-kernel costs through `tf.profile` on one training step
 * that mirrors the loop's float step (tfjs backends; on `torch` the whole step is one call
 * into libtorch, timed as a whole, with the projection timed alone).
 */
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../src/data';
import type { Dataset, DatasetName } from '../src/data';
import { describeEngine, prepareEngine } from '../src/engine';
import { samplesPerSecond, samplesPerSecondFromStamps, summarize, summarizeKernels } from '../src/bench/stats';
import type { BenchModel, KernelSummary, PredictPlan, RepSummary, StepPlan } from '../src/bench/stats';
import { architecture, buildModel, initialWeightValues, initializeWeights, sizeOf } from '../src/models/models';
import { getPreset, projectValues } from '../src/quantizers';
import { Rng } from '../src/random/rng';
import { createTrainer, makeOptimizer, measureInference, parseProtocol, train } from '../src/training';
import type { ModelTrainer, Trainable } from '../src/training';

/** The training protocols the benchmark compares. */
export type BenchProtocol = 'float' | 'projected-step';

/** The quantizer preset of the projected-step protocol. */
export const BENCH_PRESET = 'standard';

/** Where a model's data comes from: real files in `dataDir`, or seeded random inputs. */
export interface DataSpec {
  /** `real` (files read by the project's loader) or `synthetic` (seeded random inputs). */
  source: 'real' | 'synthetic';
  /** Absolute data directory for `real`; null for `synthetic`. */
  dataDir: string | null;
}

/** What the benchmark trained and predicted on, for the report. */
export interface BenchDataInfo {
  /** Dataset name. */
  dataset: DatasetName;
  /** `real` or `synthetic`. */
  source: 'real' | 'synthetic';
  /** Data directory (real data), else null. */
  dataDir: string | null;
  /** Training examples loaded (the first N of the training split). */
  nTrain: number;
  /** Test examples loaded, used for prediction (the first N of the test split). */
  nTest: number;
  /** Checksum status of the files read. */
  checksums: string;
  /** One sentence on what the inputs are. */
  description: string;
}

/** The dataset each benchmark model trains on. */
export function datasetOf(model: BenchModel): DatasetName {
  return model === 'mnist-mlp' ? 'mnist' : 'cifar10';
}

/** Per-example input shape of each model. */
function inputShapeOf(model: BenchModel): number[] {
  return model === 'mnist-mlp' ? [784] : [32, 32, 3];
}

/**
 * Seeded random inputs of the model's shapes: pixels uniform in [0, 1), labels uniform
 * over the 10 classes. Throughput does not depend on the values.
 */
export function syntheticDataset(model: BenchModel, nTrain: number, nTest: number, seed: number): Dataset {
  for (const [name, n] of [['nTrain', nTrain], ['nTest', nTest]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`syntheticDataset: ${name} must be an integer >= 1, got ${n}`);
  }
  const inputShape = inputShapeOf(model);
  const row = inputShape.reduce((a, b) => a * b, 1);
  const fill = (n: number, label: string): { x: Float32Array; y: Int32Array } => {
    const rng = Rng.stream(seed, `bench/${model}/${label}`);
    const x = new Float32Array(n * row);
    for (let i = 0; i < x.length; i++) x[i] = rng.next();
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) y[i] = rng.int(10);
    return { x, y };
  };
  const tr = fill(nTrain, 'train');
  const te = fill(nTest, 'test');
  const name = datasetOf(model);
  return {
    name,
    task: 'classification',
    inputShape,
    numClasses: 10,
    xTrain: tr.x,
    yTrain: tr.y,
    xTest: te.x,
    yTest: te.y,
    nTrain,
    nTest,
    provenance: {
      dataset: name,
      source: `seeded random inputs of ${name}'s shapes (benchmark only; no real data)`,
      dataDir: null,
      files: [],
      checksums: 'not-applicable',
      downloaded: [],
      split: 'synthetic',
      splitDescription: `train and test inputs drawn from the seeded streams bench/${model}/train and bench/${model}/test`,
      nTrainAvailable: nTrain,
      nTestAvailable: nTest,
      limitTrain: null,
      limitTest: null,
      layout: model === 'mnist-mlp' ? 'flat [784]' : 'NHWC [32,32,3]',
      normalisation: 'uniform in [0, 1)',
      classNames: null,
      generator: null,
    },
  };
}

/**
 * Loads the model's data as `spec` says: the first `nTrain` / `nTest` examples of the real
 * files (never downloading), or seeded random inputs.
 */
export async function loadBenchData(model: BenchModel, spec: DataSpec, nTrain: number, nTest: number, seed: number): Promise<{ data: Dataset; info: BenchDataInfo }> {
  let data: Dataset;
  if (spec.source === 'real') {
    if (spec.dataDir == null) throw new Error('loadBenchData: real data needs a dataDir');
    data = await loadDataset(datasetOf(model), { dataDir: spec.dataDir, limitTrain: nTrain, limitTest: nTest, download: false });
    if (data.nTrain < nTrain || data.nTest < nTest) {
      throw new Error(`${data.name} in ${spec.dataDir} has ${data.nTrain} training and ${data.nTest} test examples; the benchmark needs ${nTrain} and ${nTest}`);
    }
  } else {
    data = syntheticDataset(model, nTrain, nTest, seed);
  }
  const info: BenchDataInfo = {
    dataset: data.name,
    source: spec.source,
    dataDir: spec.source === 'real' ? spec.dataDir : null,
    nTrain: data.nTrain,
    nTest: data.nTest,
    checksums: data.provenance.checksums,
    description: spec.source === 'real' ? `first ${data.nTrain} training and ${data.nTest} test examples of ${data.provenance.source}` : data.provenance.source,
  };
  return { data, info };
}

/** The first `nTrain` training and `nTest` test examples of `data` (views, no copies). */
export function subsetDataset(data: Dataset, nTrain: number, nTest: number): Dataset {
  if (!Number.isInteger(nTrain) || nTrain < 1 || nTrain > data.nTrain) throw new Error(`subsetDataset: nTrain ${nTrain} outside 1..${data.nTrain}`);
  if (!Number.isInteger(nTest) || nTest < 1 || nTest > data.nTest) throw new Error(`subsetDataset: nTest ${nTest} outside 1..${data.nTest}`);
  const row = data.inputShape.reduce((a, b) => a * b, 1);
  return {
    ...data,
    xTrain: data.xTrain.subarray(0, nTrain * row),
    yTrain: data.yTrain.subarray(0, nTrain),
    xTest: data.xTest.subarray(0, nTest * row),
    yTest: data.yTest.subarray(0, nTest),
    nTrain,
    nTest,
  };
}

/** One training measurement to make. */
export interface TrainingJob {
  /** Which model. */
  model: BenchModel;
  /** `float`, or `projected-step` with the {@link BENCH_PRESET} preset. */
  protocol: BenchProtocol;
  /** Warm-up, steps per repetition, repetitions. */
  plan: StepPlan;
  /** Examples per optimizer step. */
  batch: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Seed of the initial weights and data order. */
  seed: number;
}

/** Tensor counts around each timed repetition (one epoch of the training loop). */
export interface TensorCheck {
  /** `tf.memory().numTensors` before each repetition. */
  before: number[];
  /** `tf.memory().numTensors` after each repetition. */
  after: number[];
  /** Largest after − before over the repetitions. */
  maxDelta: number;
  /** Whether every repetition left the tensor count unchanged. */
  stable: boolean;
}

/** Result of one training measurement. */
export interface TrainingMeasurement {
  /** The job, as run. */
  job: TrainingJob;
  /** Samples per second, per repetition and median. */
  samplesPerSecond: RepSummary;
  /** Samples per CPU second of the process, per repetition and median. */
  cpuSamplesPerSecond: RepSummary;
  /** Median milliseconds per training step (batch / median rate). */
  msPerStep: number;
  /** `trainSeconds` the loop itself reported per repetition (all steps, end-of-epoch projection included). */
  loopTrainSeconds: number[];
  /** Tensor counts around each repetition. */
  tensors: TensorCheck;
  /** Wall-clock start and end of the timed repetitions (ms since the epoch), for aggregating workers. */
  startedAtMs: number;
  /** See {@link startedAtMs}. */
  endedAtMs: number;
  /** Samples processed in the timed repetitions (all steps). */
  samples: number;
}

/** Milliseconds since the epoch with sub-millisecond resolution (comparable across processes). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A freshly built model with the seeded initial weights: a libtorch trainer on `torch`, else a tfjs model. */
export function buildBenchModel(model: BenchModel, seed: number): Trainable {
  if (describeEngine().backend === 'torch') {
    const t = createTrainer(architecture({ name: model, inputShape: inputShapeOf(model) }), 'classification');
    t.writeWeights(initialWeightValues(t.weights, seed));
    return t;
  }
  const m = buildModel({ name: model, inputShape: inputShapeOf(model) });
  initializeWeights(m, seed);
  return m;
}

/** Whether `m` is a trainer (the torch engine) rather than a tfjs model. */
export function isBenchTrainer(m: Trainable): m is ModelTrainer {
  return typeof (m as Partial<ModelTrainer>).step === 'function';
}

/** Trainable parameters of a benchmark model. */
export function benchParams(m: Trainable): number {
  return isBenchTrainer(m) ? m.weights.reduce((n, w) => n + sizeOf(w.shape), 0) : m.trainableWeights.reduce((n, w) => n + sizeOf(w.shape), 0);
}

/** Step-end times of one call of the training loop. */
interface EpochTimes {
  /** Wall time (ms, `performance.now()`) at the end of every step. */
  stamps: number[];
  /** Process CPU time (user + system, ms) at the end of the first and of the last step. */
  cpuFirstMs: number;
  /** See {@link cpuFirstMs}. */
  cpuLastMs: number;
  /** The loop's own `trainSeconds`. */
  trainSeconds: number;
}

/** CPU time (user + system) of this process so far, ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs the training loop once over the first `steps` batches of `data`; returns the step-end times. */
async function runEpoch(model: Trainable, data: Dataset, job: TrainingJob, steps: number, seed: number): Promise<EpochTimes> {
  const subset = subsetDataset(data, steps * job.batch, job.batch);
  const stamps: number[] = [];
  let cpuFirstMs = 0;
  let cpuLastMs = 0;
  const protocol = parseProtocol(job.protocol);
  const result = await train(model, subset, {
    epochs: 1,
    batchSize: job.batch,
    optimizer: { name: 'adam', learningRate: job.learningRate },
    protocol,
    scheme: protocol.kind === 'float' ? null : getPreset(BENCH_PRESET),
    seed,
    evalBatchSize: job.batch,
    onStep: () => {
      stamps.push(performance.now());
      cpuLastMs = cpuMs();
      if (stamps.length === 1) cpuFirstMs = cpuLastMs;
    },
  });
  if (stamps.length !== steps) throw new Error(`training loop reported ${stamps.length} steps, expected ${steps}`);
  return { stamps, cpuFirstMs, cpuLastMs, trainSeconds: result.trainSeconds };
}

/** The untimed warm-up of a job (one call of the training loop). */
export async function warmUp(model: Trainable, data: Dataset, job: TrainingJob): Promise<void> {
  if (job.plan.warmupSteps > 0) await runEpoch(model, data, job, job.plan.warmupSteps, job.seed + 1000);
}

/** One timed repetition. */
export interface RepResult {
  /** Samples per wall second (first step left out). */
  rate: number;
  /** Samples per CPU second of this process over the same steps (less disturbed by other load). */
  cpuRate: number;
  /** The loop's own `trainSeconds`. */
  trainSeconds: number;
  /** `tf.memory().numTensors` before the repetition. */
  tensorsBefore: number;
  /** `tf.memory().numTensors` after the repetition. */
  tensorsAfter: number;
  /** Wall-clock start (ms since the epoch). */
  startedAtMs: number;
  /** Wall-clock end (ms since the epoch). */
  endedAtMs: number;
}

/**
 * Timed repetition number `r` of a job: one call of the training loop (fresh Adam, one
 * epoch of `plan.steps` batches in an order seeded by `seed + r`); its rate leaves out the
 * first step.
 */
export async function timedRep(model: Trainable, data: Dataset, job: TrainingJob, r: number): Promise<RepResult> {
  const { plan } = job;
  if (plan.steps < 2) throw new Error(`plan.steps must be >= 2 to time a repetition, got ${plan.steps}`);
  if (plan.steps * job.batch > data.nTrain) {
    throw new Error(`${job.model}: ${plan.steps} steps of ${job.batch} need ${plan.steps * job.batch} training examples, the data has ${data.nTrain}`);
  }
  const startedAtMs = nowMs();
  const tensorsBefore = tf.memory().numTensors;
  const t = await runEpoch(model, data, job, plan.steps, job.seed + r);
  const tensorsAfter = tf.memory().numTensors;
  return {
    rate: samplesPerSecondFromStamps(t.stamps, job.batch),
    cpuRate: samplesPerSecond((plan.steps - 1) * job.batch, t.cpuLastMs - t.cpuFirstMs),
    trainSeconds: t.trainSeconds,
    tensorsBefore,
    tensorsAfter,
    startedAtMs,
    endedAtMs: nowMs(),
  };
}

/** Combines the timed repetitions of a job into its measurement. */
export function collectReps(job: TrainingJob, reps: readonly RepResult[]): TrainingMeasurement {
  if (reps.length === 0) throw new Error('collectReps: no repetitions');
  const samplesPerSecond = summarize(reps.map((r) => r.rate));
  const deltas = reps.map((r) => r.tensorsAfter - r.tensorsBefore);
  return {
    job,
    samplesPerSecond,
    cpuSamplesPerSecond: summarize(reps.map((r) => r.cpuRate)),
    msPerStep: (job.batch * 1000) / samplesPerSecond.median,
    loopTrainSeconds: reps.map((r) => r.trainSeconds),
    tensors: { before: reps.map((r) => r.tensorsBefore), after: reps.map((r) => r.tensorsAfter), maxDelta: Math.max(...deltas), stable: deltas.every((d) => d === 0) },
    startedAtMs: Math.min(...reps.map((r) => r.startedAtMs)),
    endedAtMs: Math.max(...reps.map((r) => r.endedAtMs)),
    samples: reps.length * job.plan.steps * job.batch,
  };
}

/** All timed repetitions of a job, one after another. */
export async function timedReps(model: Trainable, data: Dataset, job: TrainingJob): Promise<TrainingMeasurement> {
  const reps: RepResult[] = [];
  for (let r = 0; r < job.plan.reps; r++) reps.push(await timedRep(model, data, job, r));
  return collectReps(job, reps);
}

/** Result of a prediction measurement. */
export interface PredictMeasurement {
  /** Examples per timed pass. */
  samples: number;
  /** Examples per predict call. */
  batch: number;
  /** Timed passes after one untimed pass. */
  repeats: number;
  /** Median samples per second. */
  samplesPerSecond: number;
  /** Seconds of every timed pass. */
  seconds: number[];
}

/** Prediction throughput through the project's `measureInference` on the first `plan.samples` test examples. */
export async function measurePredict(model: Trainable, data: Dataset, plan: PredictPlan, batch: number): Promise<PredictMeasurement> {
  const subset = subsetDataset(data, Math.min(batch, data.nTrain), plan.samples);
  const t = await measureInference(model, subset, plan.repeats, batch);
  return { samples: plan.samples, batch, repeats: plan.repeats, samplesPerSecond: t.samplesPerSecond, seconds: t.seconds };
}

/** Per-kernel costs of one profiled training step. */
export interface StepProfile extends KernelSummary {
  /** Wall milliseconds of the profiled step (profiling overhead included). */
  stepMs: number;
}

/**
 * Profiles one training step with `tf.profile`. The step mirrors the training loop's
 * float step (forward in training mode, categorical cross-entropy, the accuracy count,
 * Adam `minimize`, loss read back); two unprofiled steps first create Adam's slots.
 */
export async function profileStep(model: tf.LayersModel, data: Dataset, batch: number, learningRate: number, top: number): Promise<StepProfile> {
  const subset = subsetDataset(data, batch, 1);
  const optimizer = makeOptimizer({ name: 'adam', learningRate });
  const varList = model.trainableWeights.map((v) => v.read() as tf.Variable);
  const row = subset.inputShape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(subset.xTrain.slice(0, batch * row), [batch, ...subset.inputShape], 'float32');
  const labels = new Float32Array(batch * 10);
  for (let i = 0; i < batch; i++) labels[i * 10 + subset.yTrain[i]] = 1;
  const y = tf.tensor(labels, [batch, 10], 'float32');
  const step = async (): Promise<void> => {
    let correct: tf.Scalar | null = null;
    const cost = optimizer.minimize(
      () => {
        const pred = model.apply(x, { training: true }) as tf.Tensor;
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(y, -1), tf.argMax(pred, -1)), 'float32')) as tf.Scalar);
        return tf.mean(tf.metrics.categoricalCrossentropy(y, pred)) as tf.Scalar;
      },
      true,
      varList,
    ) as tf.Scalar;
    await cost.data();
    cost.dispose();
    if (correct !== null) {
      await (correct as tf.Scalar).data();
      (correct as tf.Scalar).dispose();
    }
  };
  try {
    await step();
    await step();
    const t0 = performance.now();
    const info = await tf.profile(async () => {
      await step();
      return null as unknown as tf.TensorContainer;
    });
    const stepMs = performance.now() - t0;
    return { ...summarizeKernels(info.kernels, top), stepMs };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
  }
}

/**
 * Milliseconds to project every trainable tensor of `model` with the {@link BENCH_PRESET}
 * preset (`projectValues` alone, no tensor reads or writes): median of `repeats` runs
 * after three untimed ones.
 */
export async function measureProjectionOnly(model: Trainable, repeats = 10): Promise<number> {
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats must be an integer >= 1, got ${repeats}`);
  const scheme = getPreset(BENCH_PRESET);
  const values = isBenchTrainer(model)
    ? (await model.readWeights()).map((data, i) => ({ shape: [...model.weights[i].shape], data }))
    : await Promise.all(model.trainableWeights.map(async (w) => ({ shape: w.shape as number[], data: ((await w.read().data()) as Float32Array).slice() })));
  const times: number[] = [];
  for (let r = 0; r < repeats + 3; r++) {
    const t0 = performance.now();
    for (const v of values) projectValues(v.data, scheme, { shape: v.shape });
    if (r >= 3) times.push(performance.now() - t0);
  }
  return summarize(times).median;
}

// ---------------------------------------------------------------------------------------
// Worker process.
// ---------------------------------------------------------------------------------------

/** Messages from the benchmark to a worker. */
export type ToBenchWorker = { type: 'job'; job: TrainingJob; backend: string; data: DataSpec } | { type: 'go' };

/** Messages from a worker to the benchmark. */
export type FromBenchWorker =
  | { type: 'ready'; backend: string }
  | { type: 'result'; measurement: TrainingMeasurement }
  | { type: 'error'; message: string };

/** Serves one job on the IPC channel, then exits. */
export function serveBenchWorker(): void {
  const send = (msg: FromBenchWorker): void => {
    process.send?.(msg);
  };
  const fail = (err: unknown): void => {
    send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.disconnect?.();
  };
  let pending: { model: Trainable; data: Dataset; job: TrainingJob } | null = null;
  process.on('message', (msg: ToBenchWorker) => {
    if (msg.type === 'job') {
      const { job } = msg;
      (async () => {
        const engine = await prepareEngine({ backend: msg.backend });
        const { data } = await loadBenchData(job.model, msg.data, Math.max(job.plan.steps, job.plan.warmupSteps) * job.batch, job.batch, job.seed);
        const model = buildBenchModel(job.model, job.seed);
        await warmUp(model, data, job);
        pending = { model, data, job };
        send({ type: 'ready', backend: engine.backend });
      })().catch(fail);
    } else if (msg.type === 'go') {
      (async () => {
        if (pending === null) throw new Error("worker got 'go' before its job was ready");
        const measurement = await timedReps(pending.model, pending.data, pending.job);
        pending.model.dispose();
        // Disconnect only once the result is on its way: the channel closing lets the process exit.
        process.send?.({ type: 'result', measurement } satisfies FromBenchWorker, undefined, {}, () => process.disconnect?.());
      })().catch(fail);
    }
  });
}

if (require.main === module) serveBenchWorker();
