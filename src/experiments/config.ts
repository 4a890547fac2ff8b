/**
 * Experiment configurations: plain typed objects, saved whole with every result.
 * One {@link RunConfig} is one training run of one method with one seed.
 */
import { createHash } from 'node:crypto';
import type { DatasetName } from '../data/types';
import { describeEngine, isEnginePrepared } from '../engine/engine';
import { INIT_SCHEMES } from '../models/models';
import type { InitScheme, ModelName } from '../models/models';
import { getPreset, withBits } from '../quantizers';
import type { QuantScheme } from '../quantizers';
import { PROTOCOL_NAMES, parseProtocol } from '../training/protocols';
import type { ProtocolName } from '../training/protocols';
import type { OptimizerArgs } from '../training/train';
import { checkOptimizerArgs } from '../training/trainer';

/** The seed study's experiments. */
export type ExperimentName = 'regression' | 'mnist' | 'cifar10';

/** How much of a dataset a run uses. Part of the run's identity. */
export interface DataSelection {
  /** Use only the first N training examples (null: all). */
  limitTrain: number | null;
  /** Use only the first N test examples (null: all). */
  limitTest: number | null;
  /** CIFAR-10 split: `standard` (batches 1–5 / test batch) or the documented fallback `train1-4/test5`. */
  split: 'standard' | 'train1-4/test5';
}

/** Everything that determines one training run (no paths, no timing, no environment). */
export interface RunConfig {
  /** Experiment of the seed study this run belongs to. */
  experiment: ExperimentName;
  /** Dataset trained on. */
  dataset: DatasetName;
  /** Which part of the dataset. */
  data: DataSelection;
  /** Architecture. */
  model: ModelName;
  /** `float` or the name of a quantizer preset (e.g. `standard`, `octization`). */
  method: string;
  /** Full quantization scheme of the method (null for `float`). */
  scheme: QuantScheme | null;
  /** Training protocol. */
  protocol: ProtocolName;
  /** Epochs of training. */
  epochs: number;
  /** Examples per optimizer step. */
  batchSize: number;
  /** Optimizer and learning rate. */
  optimizer: OptimizerArgs;
  /** Batch size of evaluation and inference passes. */
  evalBatchSize: number;
  /** Timed inference passes over the test split (after one warm-up). */
  inferenceRepeats: number;
  /** The one seed: initial weights, data order, stochastic rounding. */
  seed: number;
  /**
   * How the initial weights are drawn; absent: Glorot uniform (Keras' default, the study's),
   * as in every record written before other inits existed (so their keys stay valid).
   */
  init?: Exclude<InitScheme, 'glorot-uniform'>;
  /**
   * The engine family that trains: `torch` (libtorch), or absent for the TensorFlow.js engines
   * (wasm, webgpu, cpu, native TF), as in every record written before the torch engine. Part of
   * the run's key, so a torch run is never taken for a tfjs run (resume, dedup, pairing).
   */
  engine?: 'torch';
  /**
   * A repeat of an otherwise identical run (1, 2, …); absent for the first, as in every record
   * written before repeats existed. Same seed, so the same initial weights and data order; on
   * one engine and CPU a repeat reproduces its first run bit for bit, on another CPU it is a
   * fresh draw of floating-point rounding. Part of the key, so a repeat never replaces, or is
   * paired with, its first run.
   */
  repeat?: number;
}

/** The engine family of a config: `torch` or `tfjs`. */
export function engineOf(config: Pick<RunConfig, 'engine'>): 'torch' | 'tfjs' {
  return config.engine === 'torch' ? 'torch' : 'tfjs';
}

/**
 * The engine family of the engine prepared in this process (`torch` or `tfjs`), or `tfjs`
 * when none is prepared yet: a config made after `prepareEngine()` names the engine that will
 * run it.
 */
export function preparedEngineFamily(): 'torch' | 'tfjs' {
  return isEnginePrepared() && describeEngine().backend === 'torch' ? 'torch' : 'tfjs';
}

/** Defaults of one experiment: what the seed study ran, plus octolab's documented choices. */
export interface ExperimentSpec {
  /** Experiment name. */
  name: ExperimentName;
  /** Dataset. */
  dataset: DatasetName;
  /** Architecture. */
  model: ModelName;
  /** Epochs the seed reports. */
  epochs: number;
  /** Default methods for `octolab run`. */
  methods: string[];
  /** What the seed reports for this experiment, for reports. */
  description: string;
}

/** The seed study's experiments with their defaults. */
export const EXPERIMENTS: Readonly<Record<ExperimentName, ExperimentSpec>> = {
  regression: {
    name: 'regression',
    dataset: 'regression',
    model: 'regression-mlp',
    epochs: 50,
    methods: ['float', 'standard', 'octization'],
    description: 'Toy linear regression, 50 epochs; the seed reports MSE 382→157 (standard) vs 98→43 (octization).',
  },
  mnist: {
    name: 'mnist',
    dataset: 'mnist',
    model: 'mnist-mlp',
    epochs: 20,
    methods: ['float', 'standard', 'octization'],
    description: 'MNIST MLP 784→128→10, 20 epochs; the seed reports test accuracy 96.73% (standard) vs 96.93% (octization).',
  },
  cifar10: {
    name: 'cifar10',
    dataset: 'cifar10',
    model: 'cifar10-cnn',
    epochs: 5,
    methods: ['float', 'standard', 'octization'],
    description:
      'CIFAR-10 CNN (282,250 parameters), 5 and 20 epochs; the seed reports 29.14% vs 40.40% (5 epochs) and 33.32% vs 51.89% (20 epochs), standard vs octization.',
  },
};

/** Largest repeat index (a bound, so that a typo cannot name a run nobody meant). */
export const MAX_REPEAT = 1000;

/** Methods that need no preset: the float baseline. */
export const FLOAT_METHOD = 'float';

/** Looks up an experiment by name; throws listing the valid names. */
export function getExperiment(name: string): ExperimentSpec {
  const spec = Object.prototype.hasOwnProperty.call(EXPERIMENTS, name) ? EXPERIMENTS[name as ExperimentName] : undefined;
  if (spec === undefined) throw new Error(`unknown experiment '${name}' (valid: ${Object.keys(EXPERIMENTS).join(', ')})`);
  return spec;
}

/** Options for {@link makeRunConfig}; everything but the experiment, method and seed has a default. */
export interface RunConfigArgs {
  /** Experiment name. */
  experiment: string;
  /** `float` or a preset name. */
  method: string;
  /** Seed. */
  seed: number;
  /** Protocol for quantized methods (default `projected-step`); `float` always trains with `float`. */
  protocol?: string;
  /** Bit width for quantized methods (default 8). */
  bits?: number;
  /** Epochs (default: the experiment's). */
  epochs?: number;
  /** Batch size (default 64). */
  batchSize?: number;
  /** Learning rate (default 1e-3). */
  learningRate?: number;
  /** Optimizer (default adam). */
  optimizer?: OptimizerArgs['name'];
  /** SGD momentum (default none: plain SGD); only with `optimizer: 'sgd'`. */
  momentum?: number;
  /** Initial weights (default glorot-uniform). */
  init?: InitScheme;
  /** Limit on training examples (default all). */
  limitTrain?: number | null;
  /** Limit on test examples (default all). */
  limitTest?: number | null;
  /** CIFAR-10 split (default standard). */
  split?: DataSelection['split'];
  /** Evaluation batch size (default 1000). */
  evalBatchSize?: number;
  /** Timed inference passes (default 5). */
  inferenceRepeats?: number;
  /** Engine family (default: {@link preparedEngineFamily}). */
  engine?: 'torch' | 'tfjs';
  /** Repeat index (default 0: the first run; see {@link RunConfig.repeat}). */
  repeat?: number;
}

/** Builds and validates a complete {@link RunConfig}. */
export function makeRunConfig(args: RunConfigArgs): RunConfig {
  const spec = getExperiment(args.experiment);
  checkSeed(args.seed);
  if (args.split !== undefined && args.split !== 'standard' && spec.dataset !== 'cifar10') {
    throw new Error(`split '${args.split}' exists only for cifar10, not for ${spec.name}`);
  }
  const learningRate = args.learningRate ?? 1e-3;
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || !(learningRate > 0)) {
    throw new Error(`learning rate must be a finite positive number, got ${String(learningRate)}`);
  }
  const optimizer: OptimizerArgs = { name: args.optimizer ?? 'adam', learningRate, ...(args.momentum !== undefined && args.momentum !== 0 ? { momentum: args.momentum } : {}) };
  checkOptimizerArgs(optimizer);
  const init = args.init ?? 'glorot-uniform';
  if (!INIT_SCHEMES.includes(init)) throw new Error(`unknown init '${String(init)}' (valid: ${INIT_SCHEMES.join(', ')})`);
  const repeat = args.repeat ?? 0;
  if (!Number.isInteger(repeat) || repeat < 0 || repeat > MAX_REPEAT) throw new Error(`repeat must be an integer from 0 to ${MAX_REPEAT}, got ${String(repeat)}`);
  const isFloat = args.method === FLOAT_METHOD;
  const bits = args.bits ?? 8;
  const scheme = isFloat ? null : withBits(getPreset(args.method), bits);
  const protocolName = isFloat ? 'float' : (args.protocol ?? 'projected-step');
  parseProtocol(protocolName);
  if (!isFloat && protocolName === 'float') {
    throw new Error(`method '${args.method}' is a quantizer: its protocol cannot be 'float' (valid: ${PROTOCOL_NAMES.filter((p) => p !== 'float').join(', ')})`);
  }
  const positive = (name: string, v: number): number => {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be an integer >= 1, got ${v}`);
    return v;
  };
  const limit = (name: string, v: number | null | undefined): number | null =>
    v === undefined || v === null ? null : positive(name, v);
  return {
    experiment: spec.name,
    dataset: spec.dataset,
    data: {
      limitTrain: limit('limitTrain', args.limitTrain),
      limitTest: limit('limitTest', args.limitTest),
      split: args.split ?? 'standard',
    },
    model: spec.model,
    method: args.method,
    scheme,
    protocol: protocolName as ProtocolName,
    epochs: positive('epochs', args.epochs ?? spec.epochs),
    batchSize: positive('batchSize', args.batchSize ?? 64),
    optimizer,
    evalBatchSize: positive('evalBatchSize', args.evalBatchSize ?? 1000),
    inferenceRepeats: positive('inferenceRepeats', args.inferenceRepeats ?? 5),
    seed: args.seed,
    ...(init !== 'glorot-uniform' ? { init } : {}),
    ...((args.engine ?? preparedEngineFamily()) === 'torch' ? { engine: 'torch' as const } : {}),
    ...(repeat > 0 ? { repeat } : {}),
  };
}

/** JSON with object keys sorted at every level: the same config always gives the same text. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/** The identity of a run: a short SHA-256 of its whole config. */
export function runKey(config: RunConfig): string {
  return createHash('sha256').update(stableStringify(config)).digest('hex').slice(0, 20);
}

/** The identity of a run without its seed: runs that differ only by seed share it (one "arm"). */
export function armKey(config: RunConfig): string {
  const { seed: _seed, ...rest } = config;
  return createHash('sha256').update(stableStringify(rest)).digest('hex').slice(0, 12);
}

/**
 * Largest seed: the random streams take seeds as unsigned 32-bit integers, so larger
 * seeds would alias smaller ones (2^32 gives the weights of 0) and pair one sample twice.
 */
export const MAX_SEED = 2 ** 32 - 1;

/** Most seeds one list may name (a bound, so a typo cannot exhaust memory or loop for hours). */
export const MAX_SEEDS = 10_000;

/** Throws unless `seed` is an integer in 0..{@link MAX_SEED}. */
export function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new Error(`seed must be an integer from 0 to ${MAX_SEED} (2^32-1), got ${String(seed)}`);
  }
}

/**
 * Parses a seed list: `0-9`, `0,3,7`, or a mix (`0-4,10`). Seeds must lie in
 * 0..{@link MAX_SEED} and a list may name at most {@link MAX_SEEDS}; throws naming the
 * offending part otherwise (checked before any list is built).
 */
export function parseSeeds(text: string): number[] {
  const ranges: [number, number][] = [];
  let count = 0;
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (m === null) throw new Error(`bad seed list '${text}': '${part}' is not N or N-M`);
    for (const digits of [m[1], m[2]]) {
      if (digits !== undefined && Number(digits) > MAX_SEED) {
        throw new Error(`seed ${digits} in '${text}' is out of range: seeds are integers from 0 to ${MAX_SEED} (2^32-1)`);
      }
    }
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`bad seed range '${part}' in '${text}': end before start`);
    count += b - a + 1;
    if (count > MAX_SEEDS) throw new Error(`seed list '${text}' names more than ${MAX_SEEDS} seeds`);
    ranges.push([a, b]);
  }
  const seeds: number[] = [];
  for (const [a, b] of ranges) for (let s = a; s <= b; s++) seeds.push(s);
  if (new Set(seeds).size !== seeds.length) throw new Error(`seed list '${text}' repeats a seed`);
  return seeds;
}

/** The scheme-free description of a method for reports. */
export function describeMethod(config: Pick<RunConfig, 'method' | 'scheme' | 'protocol'>): string {
  if (config.scheme === null) return 'float32 (no quantization)';
  const s = config.scheme;
  return `${config.method}: ${s.bits}-bit, scale ${s.scale}, rounding ${s.rounding}, encoding ${s.encoding}; protocol ${config.protocol}`;
}
