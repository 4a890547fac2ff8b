/**
 * Inference timing that makes arms comparable: in one process, for one seed, one model
 * per arm (float, standard, octization, ...) holds that arm's weights, and full passes
 * over the test split are timed alternately in a balanced, seeded order after discarded
 * warm-up passes. Every pass, the order, the engine and the machine load are recorded.
 *
 * Each run record's `timing.inference` was measured in its own process at its own moment,
 * so differences between arms there mix with differences between processes and machine
 * load. Here every arm sees the same process, the same data buffers and the same load
 * pattern, and a drift in speed (a neighbour starting, thermal throttling) falls on every
 * arm alike: each block of passes is a random permutation of the arms followed by its
 * reverse, so every arm has the same mean position.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { LayersModel } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../data';
import type { Dataset, DatasetProvenance } from '../data/types';
import { describeEngine } from '../engine';
import type { EngineInfo } from '../engine';
import { readRunCheckpoint, checkpointPath } from '../experiments/checkpoints';
import { EXPERIMENTS, checkSeed, getExperiment, makeRunConfig, runKey, stableStringify } from '../experiments/config';
import type { ExperimentName, RunConfig } from '../experiments/config';
import { gitInfo, octolabVersion } from '../experiments/record';
import { buildModel, initialWeightValues, sizeOf } from '../models/models';
import { projectValues } from '../quantizers';
import type { QuantScheme } from '../quantizers';
import { Rng } from '../random/rng';
import type { RunEnvironment } from '../results/schema';
import { seedClaims } from '../seed-study/claims';
import { PROTOCOL_NAMES } from '../training/protocols';
import type { ProtocolName } from '../training/protocols';
import { timeInferencePass } from '../training/train';

/** Version of the timing record layout; readers reject other versions. */
export const INFERENCE_TIMING_SCHEMA = 1;

/** The `kind` tag of a timing record. */
export const INFERENCE_TIMING_KIND = 'interleaved-inference';

/** Everything that determines one interleaved timing of one seed (saved whole with the result). */
export interface InterleavedTimingArgs {
  /** Experiment whose model and test split are timed. */
  experiment: ExperimentName;
  /** Seed: the weights of every arm and the order of the passes. */
  seed: number;
  /** The arms, as methods: `float` and/or quantizer presets. */
  methods: string[];
  /** Bit width of the quantized arms. */
  bits: number;
  /** Protocol of the study runs whose checkpoints are looked up. */
  protocol: ProtocolName;
  /** Epochs of the study runs whose checkpoints are looked up. */
  epochs: number;
  /** Examples per predict call (the study's evaluation batch size). */
  evalBatchSize: number;
  /** First N test examples only, or null for the whole test split. */
  limitTest: number | null;
  /** Untimed passes per arm before the timed ones (discarded from the analysis, kept in the record). */
  warmup: number;
  /** Timed passes per arm: an even number (each block is a permutation and its reverse). */
  repeats: number;
}

/** Options of {@link makeTimingArgs}: everything but the experiment and the seed has a default. */
export interface TimingArgsInput {
  /** Experiment name. */
  experiment: string;
  /** Seed. */
  seed: number;
  /** Arms (default float, standard, octization). */
  methods?: string[];
  /** Bit width (default 8, the study's). */
  bits?: number;
  /** Protocol (default projected-step, the study's runs). */
  protocol?: string;
  /** Epochs of the runs looked up (default: the epochs of the study's timing claim, else the experiment's). */
  epochs?: number;
  /** Evaluation batch size (default: the runs' default, 1000). */
  evalBatchSize?: number;
  /** Test limit (default none). */
  limitTest?: number | null;
  /** Warm-up passes per arm (default 1). */
  warmup?: number;
  /** Timed passes per arm (default 10). */
  repeats?: number;
}

/** The arms the study compares, plus float as the reference. */
export const DEFAULT_TIMING_METHODS: readonly string[] = ['float', 'standard', 'octization'];

/** Epochs of the study's inference-time claim on `experiment`, or null when it makes none there. */
export function claimEpochs(experiment: string): number | null {
  for (const c of seedClaims()) if (c.kind === 'paired' && c.metric === 'inferenceSeconds' && c.experiment === experiment) return c.epochs;
  return null;
}

function positiveInt(name: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

/** Builds and validates a complete {@link InterleavedTimingArgs}. */
export function makeTimingArgs(input: TimingArgsInput): InterleavedTimingArgs {
  const spec = getExperiment(input.experiment);
  checkSeed(input.seed);
  const methods = [...(input.methods ?? DEFAULT_TIMING_METHODS)];
  if (methods.length < 2) throw new Error(`interleaved timing needs at least 2 methods, got ${methods.length} (${methods.join(', ')})`);
  if (new Set(methods).size !== methods.length) throw new Error(`methods repeat a name: ${methods.join(', ')}`);
  const protocol = input.protocol ?? 'projected-step';
  if (!(PROTOCOL_NAMES as readonly string[]).includes(protocol) || protocol === 'float') {
    throw new Error(`unknown protocol '${protocol}' (valid: ${PROTOCOL_NAMES.filter((p) => p !== 'float').join(', ')})`);
  }
  const epochs = positiveInt('epochs', input.epochs ?? claimEpochs(spec.name) ?? spec.epochs);
  const bits = input.bits ?? 8;
  // Validates every method, the bits and the batch size the way run configs do.
  const configs = methods.map((method) =>
    makeRunConfig({ experiment: spec.name, method, seed: input.seed, bits, epochs, protocol, evalBatchSize: input.evalBatchSize, limitTest: input.limitTest }),
  );
  const repeats = positiveInt('repeats', input.repeats ?? 10, 2);
  if (repeats % 2 !== 0) throw new Error(`repeats must be even (each block is a permutation of the arms and its reverse), got ${repeats}`);
  return {
    experiment: spec.name,
    seed: input.seed,
    methods,
    bits,
    protocol: protocol as ProtocolName,
    epochs,
    evalBatchSize: configs[0].evalBatchSize,
    limitTest: configs[0].data.limitTest,
    warmup: positiveInt('warmup', input.warmup ?? 1, 0),
    repeats,
  };
}

/** The identity of one timing: a short SHA-256 of its whole args (a rerun finds it and skips it). */
export function timingKey(args: InterleavedTimingArgs): string {
  return createHash('sha256').update(stableStringify(args)).digest('hex').slice(0, 20);
}

/** The identity of a timing without its seed: records that differ only by seed form one sample. */
export function timingSetKey(args: InterleavedTimingArgs): string {
  const { seed: _seed, ...rest } = args;
  return createHash('sha256').update(stableStringify(rest)).digest('hex').slice(0, 12);
}

/** The study run whose weights an arm stands for (same key as its record in the results store). */
export function studyRunConfig(args: InterleavedTimingArgs, method: string): RunConfig {
  return makeRunConfig({
    experiment: args.experiment,
    method,
    seed: args.seed,
    bits: args.bits,
    epochs: args.epochs,
    protocol: args.protocol,
    evalBatchSize: args.evalBatchSize,
    limitTest: args.limitTest,
  });
}

/**
 * The timed order: `repeats / 2` blocks, each a permutation of `methods` drawn from the
 * seed's `timing/order` stream followed by its reverse (ABC CBA, BAC CAB, ...). Every
 * method runs `repeats` times and has the same mean position, so a linear drift in
 * speed adds the same to every arm.
 */
export function balancedOrder(methods: readonly string[], repeats: number, seed: number): string[] {
  if (methods.length < 1) throw new Error('balancedOrder needs at least one method');
  if (!Number.isInteger(repeats) || repeats < 2 || repeats % 2 !== 0) throw new Error(`repeats must be an even integer >= 2, got ${repeats}`);
  const rng = Rng.stream(seed, 'timing/order');
  const out: string[] = [];
  for (let b = 0; b < repeats / 2; b++) {
    const perm = rng.shuffle([...methods]);
    out.push(...perm, ...[...perm].reverse());
  }
  return out;
}

/** Where an arm's weights came from. */
export type WeightSource =
  | {
      /** A checkpoint of the study run in the results store, projected by the arm's quantizer. */
      kind: 'checkpoint';
      /** Checkpoint file name. */
      file: string;
      /** Epochs the checkpoint had completed. */
      epoch: number;
      /** Epochs of the run. */
      epochs: number;
    }
  | {
      /** The seeded initial weights (the run's epoch 0), projected by the arm's quantizer (float: as they are). */
      kind: 'initial';
      /** Why no checkpoint was used (none in the store, or the reason it could not be read). */
      reason: string;
    };

/** One arm of a timing record. */
export interface TimedArm {
  /** Method. */
  method: string;
  /** Its quantization scheme (null for float). */
  scheme: QuantScheme | null;
  /** Key of the study run these weights stand for. */
  runKey: string;
  /** Where the weights came from. */
  weights: WeightSource;
  /** SHA-256 of the float32 weights the arm ran with (arms with different quantizers differ). */
  weightsSha256: string;
}

/** One pass over the test split. */
export interface TimedPass {
  /** Arm. */
  method: string;
  /** Seconds of the whole pass. */
  seconds: number;
}

/** Where and under what load a timing ran. */
export interface TimingEnvironment extends Omit<RunEnvironment, 'resumed'> {
  /** `os.loadavg()` (1, 5, 15 minutes) before the first and after the last pass. */
  loadavg: { start: number[]; end: number[] };
}

/** One line of an inference timing results file: every pass of every arm of one seed. */
export interface InferenceTimingRecord {
  /** Layout version ({@link INFERENCE_TIMING_SCHEMA}). */
  schema: number;
  /** Always {@link INFERENCE_TIMING_KIND}. */
  kind: typeof INFERENCE_TIMING_KIND;
  /** {@link timingKey} of `args`. */
  key: string;
  /** The whole args. */
  args: InterleavedTimingArgs;
  /** Arms in `args.methods` order. */
  arms: TimedArm[];
  /** Warm-up passes in the order they ran (not analysed). */
  warmup: TimedPass[];
  /** Timed passes in the order they ran. */
  passes: TimedPass[];
  /** Test examples per pass. */
  nTest: number;
  /** Test data provenance (the training split is not read: only its first example). */
  data: DatasetProvenance;
  /** Engine, code, host, times and load. */
  environment: TimingEnvironment;
}

/** Options of {@link timeInterleaved}. */
export interface TimeInterleavedOptions {
  /** Data directory. */
  dataDir: string;
  /** Allow downloading missing canonical files. */
  download?: boolean;
  /** The results store's checkpoint folder, where trained weights of the study runs may be. */
  checkpointDir?: string;
  /** Dataset reused across seeds (same experiment and test limit). */
  data?: Dataset;
  /** Called after every pass (warm-up ones too), with the count done and the total. */
  onPass?: (done: number, total: number) => void;
  /**
   * Git commit of the code that runs, read once when the process starts timing (default:
   * read at the start of this call); commits made while a long timing runs do not change it.
   */
  git?: RunEnvironment['git'];
}

/** Loads the test split an args needs (and only the first training example). */
export function loadTimingData(args: InterleavedTimingArgs, dataDir: string, download = false): Promise<Dataset> {
  return loadDataset(EXPERIMENTS[args.experiment].dataset, { dataDir, download, limitTrain: 1, limitTest: args.limitTest });
}

function sha256Of(values: readonly Float32Array[]): string {
  const h = createHash('sha256');
  for (const v of values) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return h.digest('hex');
}

/** The run's stored checkpoint weights when the store has a usable one for it; otherwise the reason it has none. */
function checkpointWeights(model: LayersModel, config: RunConfig, dir: string | undefined): { values: Float32Array[]; source: WeightSource } | { reason: string } {
  if (dir === undefined) return { reason: 'no checkpoint folder given' };
  const key = runKey(config);
  const file = checkpointPath(dir, key);
  if (!fs.existsSync(file)) return { reason: 'the results store holds no checkpoint of this run (checkpoints are deleted once a run is stored)' };
  try {
    const { checkpoint, meta } = readRunCheckpoint(file);
    if (meta.key !== key) return { reason: `checkpoint ${file} belongs to run ${meta.key}` };
    const shapes = model.weights.map((w) => sizeOf(w.shape));
    if (checkpoint.weights.length !== shapes.length || checkpoint.weights.some((w, i) => w.length !== shapes[i])) {
      return { reason: `checkpoint ${file} does not fit the model's weights` };
    }
    return { values: checkpoint.weights, source: { kind: 'checkpoint', file: `${key}.ckpt`, epoch: checkpoint.epoch, epochs: config.epochs } };
  } catch (err) {
    return { reason: `checkpoint ${file} cannot be read (${(err as Error).message})` };
  }
}

/** The float32 weights of one arm (model.weights order) and where they came from. */
export function armWeights(
  model: LayersModel,
  args: InterleavedTimingArgs,
  method: string,
  checkpointDir?: string,
): { values: Float32Array[]; source: WeightSource; scheme: QuantScheme | null; runKey: string } {
  const config = studyRunConfig(args, method);
  if (model.weights.length !== model.trainableWeights.length) throw new Error(`model ${model.name} has non-trainable weights; the timing sets trainable weights only`);
  const found = checkpointWeights(model, config, checkpointDir);
  const base = 'values' in found ? found.values : initialWeightValues(model, args.seed);
  const source: WeightSource = 'values' in found ? found.source : { kind: 'initial', reason: found.reason };
  const scheme = config.scheme;
  const rng = Rng.stream(args.seed, `timing/project/${method}`);
  const values = scheme === null ? base.map((v) => Float32Array.from(v)) : base.map((v, i) => projectValues(v, scheme, { shape: model.weights[i].shape as number[], rng }).values);
  return { values, source, scheme, runKey: runKey(config) };
}

function setWeights(model: LayersModel, values: readonly Float32Array[]): void {
  model.weights.forEach((w, i) => {
    const t = tf.tensor(values[i], w.shape as number[], 'float32');
    w.write(t);
    t.dispose();
  });
}

/** The host facts a record keeps. */
function hostFacts(): RunEnvironment['host'] {
  return {
    hostname: os.hostname(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

/**
 * Times one seed: builds one model per arm with that arm's weights ({@link armWeights}),
 * runs `warmup` untimed passes per arm (arms in a seeded order), then the timed passes in
 * {@link balancedOrder}. The engine must already be prepared.
 */
export async function timeInterleaved(args: InterleavedTimingArgs, options: TimeInterleavedOptions): Promise<InferenceTimingRecord> {
  const engine: EngineInfo = describeEngine();
  const git = options.git ?? gitInfo();
  const startedAt = new Date();
  const data = options.data ?? (await loadTimingData(args, options.dataDir, options.download));
  if (data.name !== EXPERIMENTS[args.experiment].dataset) throw new Error(`timing of ${args.experiment} was given the ${data.name} dataset`);
  if ((args.limitTest ?? data.provenance.nTestAvailable) !== data.nTest) {
    throw new Error(`timing of ${args.experiment} wants ${args.limitTest ?? 'all'} test examples, the dataset given has ${data.nTest}`);
  }
  const models = new Map<string, LayersModel>();
  try {
    const arms: TimedArm[] = [];
    for (const method of args.methods) {
      const model = buildModel({ name: EXPERIMENTS[args.experiment].model, inputShape: data.inputShape });
      models.set(method, model);
      const w = armWeights(model, args, method, options.checkpointDir);
      setWeights(model, w.values);
      arms.push({ method, scheme: w.scheme, runKey: w.runKey, weights: w.source, weightsSha256: sha256Of(w.values) });
    }
    const warmOrder: string[] = [];
    const warmRng = Rng.stream(args.seed, 'timing/warmup');
    for (let k = 0; k < args.warmup; k++) warmOrder.push(...warmRng.shuffle([...args.methods]));
    const order = balancedOrder(args.methods, args.repeats, args.seed);
    const total = warmOrder.length + order.length;
    let done = 0;
    const run = async (method: string): Promise<TimedPass> => {
      const seconds = await timeInferencePass(models.get(method) as LayersModel, data, args.evalBatchSize);
      options.onPass?.(++done, total);
      return { method, seconds };
    };
    const loadStart = os.loadavg();
    const warmup: TimedPass[] = [];
    for (const m of warmOrder) warmup.push(await run(m));
    const passes: TimedPass[] = [];
    for (const m of order) passes.push(await run(m));
    const loadEnd = os.loadavg();
    return {
      schema: INFERENCE_TIMING_SCHEMA,
      kind: INFERENCE_TIMING_KIND,
      key: timingKey(args),
      args,
      arms,
      warmup,
      passes,
      nTest: data.nTest,
      data: data.provenance,
      environment: {
        engine,
        git,
        octolab: octolabVersion(),
        host: hostFacts(),
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        loadavg: { start: loadStart, end: loadEnd },
      },
    };
  } finally {
    for (const m of models.values()) m.dispose();
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks what readers rely on: layout version and kind, that the key is the hash of the
 * args, that every arm has exactly `repeats` timed passes of finite positive seconds.
 * Returns a reason, or null when the record can be used.
 */
export function invalidTimingRecordReason(obj: unknown): string | null {
  if (!isObject(obj)) return 'not a JSON object';
  if (obj.schema !== INFERENCE_TIMING_SCHEMA) return `schema ${String(obj.schema)} (expected ${INFERENCE_TIMING_SCHEMA})`;
  if (obj.kind !== INFERENCE_TIMING_KIND) return `kind ${String(obj.kind)} (expected ${INFERENCE_TIMING_KIND})`;
  if (!isObject(obj.args)) return 'missing field args';
  const args = obj.args as unknown as InterleavedTimingArgs;
  if (!Array.isArray(args.methods) || !Number.isInteger(args.repeats)) return 'args.methods or args.repeats is missing';
  let expected: string;
  try {
    expected = timingKey(args);
  } catch (err) {
    return `args cannot be hashed (${(err as Error).message})`;
  }
  if (obj.key !== expected) return `key ${String(obj.key)} does not match its args (they hash to ${expected}): the record was edited`;
  if (!Array.isArray(obj.passes)) return 'missing field passes';
  const counts = new Map<string, number>(args.methods.map((m) => [m, 0]));
  for (const [i, p] of (obj.passes as unknown[]).entries()) {
    if (!isObject(p) || typeof p.method !== 'string' || !counts.has(p.method)) return `passes[${i}] names no arm of args.methods`;
    if (typeof p.seconds !== 'number' || !Number.isFinite(p.seconds) || !(p.seconds > 0)) return `passes[${i}].seconds is ${String(p.seconds)}`;
    counts.set(p.method, (counts.get(p.method) as number) + 1);
  }
  for (const [m, n] of counts) if (n !== args.repeats) return `arm ${m} has ${n} timed passes, args.repeats is ${args.repeats}`;
  return null;
}
