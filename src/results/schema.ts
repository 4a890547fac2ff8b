/**
 * The results schema: what one line of a results file (JSON Lines) holds, and the
 * checks every reader applies to it. The store, the runner, the reports and the
 * notebooks take the record types from here.
 */
import type { DatasetProvenance } from '../data/types';
import type { EngineInfo } from '../engine';
import type { StorageSize } from '../quantizers';
import type { EpochRecord, InferenceTiming, InitialState } from '../training/train';
import { runKey } from '../experiments/config';
import type { RunConfig } from '../experiments/config';

/** Current version of the record layout; readers reject other versions. */
export const RECORD_SCHEMA = 1;

/** Per-epoch metrics without wall-clock fields (those live under `timing`). */
export type EpochMetrics = Omit<EpochRecord, 'trainSeconds' | 'evalSeconds'>;

/** What a run measured (deterministic for a given config and backend). */
export interface RunMetrics {
  /** Final test loss (MSE for regression), with the weights the protocol evaluates. */
  testLoss: number;
  /** Final test accuracy, or null for regression. */
  testAccuracy: number | null;
  /** For ptq/qat: the float model's test metrics before the final quantization. */
  floatTest: { loss: number; accuracy: number | null } | null;
  /** Number of trainable parameters (what the seed calls "model size"). */
  params: number;
  /** SHA-256 of the initial float32 weights: equal for every method of one seed (the paired design). */
  initialWeightsSha256: string;
  /** Optimizer steps taken. */
  steps: number;
  /**
   * The model at epoch 0 as the protocol evaluates it (see {@link InitialState}). Absent in
   * records written before it was kept; `octolab initial-state` computes it for those into a
   * file of its own, and {@link joinInitialStates} puts it here for analysis.
   */
  initial?: InitialState;
  /** Per-epoch learning curves and code dynamics. */
  epochs: EpochMetrics[];
  /** Bytes to store the final weights under each encoding (quantized methods), or float32 only. */
  storage: StorageSize | { float32Bytes: number };
}

/** Where and why training stopped when a run diverged. */
export interface Divergence {
  /** 1-based epoch in which the loss or the weights stopped being finite numbers. */
  epoch: number;
  /** Optimizer steps taken when it was detected. */
  step: number;
  /** What was not finite, e.g. `training loss NaN`. */
  reason: string;
}

/**
 * Metrics of a run whose training diverged (NaN or infinite loss or weights): a valid,
 * final outcome of its config, stored so that it is not retrained, and kept apart from
 * the metrics of runs that trained to the end.
 */
export interface DivergedMetrics {
  /** No final test loss exists. */
  testLoss: null;
  /** No final test accuracy exists. */
  testAccuracy: null;
  /** No float comparison exists. */
  floatTest: null;
  /** Number of trainable parameters. */
  params: number;
  /** SHA-256 of the initial float32 weights. */
  initialWeightsSha256: string;
  /** Optimizer steps taken before it diverged. */
  steps: number;
  /** The model at epoch 0, as in {@link RunMetrics.initial}. */
  initial?: InitialState;
  /** The epochs completed with finite metrics before the divergence. */
  epochs: EpochMetrics[];
  /** Where it diverged. */
  diverged: Divergence;
}

/** Wall-clock measurements of a run. */
export interface RunTiming {
  /** Seconds in training steps (projection included), summed over epochs. */
  trainSeconds: number;
  /** Seconds in per-epoch test evaluation. */
  evalSeconds: number;
  /** Per-epoch training and evaluation seconds. */
  epochs: { trainSeconds: number; evalSeconds: number }[];
  /** Training examples per second over all steps. */
  trainSamplesPerSecond: number;
  /** Inference timing on the final model, measured separately after training. */
  inference: InferenceTiming;
  /** Seconds to load the data (0 when cached in the process). */
  dataSeconds: number;
  /** Whole run, data to record (summed over processes when the run was resumed). */
  totalSeconds: number;
}

/** Where and with what a run ran. */
export interface RunEnvironment {
  /** The engine actually used (`torch`, or the tfjs backend), with its versions and threads. */
  engine: EngineInfo;
  /** Git commit of the code (null outside a checkout) and whether the tree had changes. */
  git: { commit: string | null; dirty: boolean | null };
  /** octolab version. */
  octolab: string;
  /** Host facts. */
  host: { hostname: string; cpus: number; cpuModel: string; totalMemGiB: number };
  /** ISO timestamps. */
  startedAt: string;
  /** ISO timestamp of the end of the run. */
  finishedAt: string;
  /** Present only when the run continued from an epoch checkpoint of an earlier process. */
  resumed?: {
    /** Epochs completed before the checkpoint. */
    afterEpoch: number;
    /** Git commit of the code that trained those epochs. */
    checkpointGit: string | null;
    /** ISO time the checkpoint was written. */
    checkpointSavedAt: string;
  };
}

/** One line of a results file: a run that trained to the end. */
export interface RunRecord {
  /** Layout version ({@link RECORD_SCHEMA}). */
  schema: number;
  /** {@link runKey} of the config. */
  key: string;
  /** The whole config. */
  config: RunConfig;
  /** Data provenance: files with SHA-256, split, generator. */
  data: DatasetProvenance;
  /** Measured metrics. */
  metrics: RunMetrics;
  /** Timing, kept apart. */
  timing: RunTiming;
  /** Environment, kept apart. */
  environment: RunEnvironment;
}

/** One line of a results file: a run whose training diverged (no inference timing). */
export interface DivergedRunRecord extends Omit<RunRecord, 'metrics' | 'timing'> {
  /** Metrics up to the divergence, and where it happened. */
  metrics: DivergedMetrics;
  /** Timing of the epochs it trained (no inference was timed). */
  timing: Omit<RunTiming, 'inference'>;
}

/** Any valid line of a results file. */
export type StoredRecord = RunRecord | DivergedRunRecord;

/** Whether a stored record is a diverged run. */
export function isDiverged(r: StoredRecord): r is DivergedRunRecord {
  return (r.metrics as Partial<DivergedMetrics>).diverged !== undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks a divergence marker; returns a reason or null. */
function invalidDivergence(m: Record<string, unknown>): string | null {
  const d = m.diverged;
  if (!isObject(d)) return 'metrics.diverged is not an object';
  if (!Number.isInteger(d.epoch) || (d.epoch as number) < 1) return `metrics.diverged.epoch is ${String(d.epoch)}`;
  if (typeof d.reason !== 'string') return 'metrics.diverged.reason is missing';
  if (m.testLoss !== null) return `metrics.testLoss of a diverged run must be null, got ${String(m.testLoss)}`;
  return null;
}

const isFraction = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= 1;

/**
 * Checks an {@link InitialState} (`where` names it in the reason, e.g. `metrics.initial`);
 * returns a reason or null.
 */
export function invalidInitialState(v: unknown, where: string): string | null {
  if (!isObject(v)) return `${where} is not an object`;
  if (typeof v.testLoss !== 'number' || !Number.isFinite(v.testLoss)) return `${where}.testLoss is ${String(v.testLoss)}`;
  if (v.testAccuracy !== null && !isFraction(v.testAccuracy)) return `${where}.testAccuracy is ${String(v.testAccuracy)} (expected a fraction or null)`;
  if (!Array.isArray(v.weights) || v.weights.length === 0) return `${where}.weights is not a non-empty array`;
  for (const [i, w] of (v.weights as unknown[]).entries()) {
    if (!isObject(w) || typeof w.name !== 'string' || !Number.isInteger(w.size) || (w.size as number) < 1) return `${where}.weights[${i}] lacks a name or a size`;
    if (typeof w.meanAbs !== 'number' || !Number.isFinite(w.meanAbs) || w.meanAbs < 0) return `${where}.weights[${i}].meanAbs is ${String(w.meanAbs)}`;
    if (!isFraction(w.zeroFraction)) return `${where}.weights[${i}].zeroFraction is ${String(w.zeroFraction)}`;
  }
  if (v.zeroCodeFraction !== null && !isFraction(v.zeroCodeFraction)) return `${where}.zeroCodeFraction is ${String(v.zeroCodeFraction)}`;
  const q = v.quantizedTest;
  if (q !== null) {
    if (!isObject(q) || typeof q.loss !== 'number' || !Number.isFinite(q.loss)) return `${where}.quantizedTest is not {loss, accuracy}`;
    if (q.accuracy !== null && !isFraction(q.accuracy)) return `${where}.quantizedTest.accuracy is ${String(q.accuracy)}`;
  }
  return null;
}

/**
 * Checks the fields every reader relies on, and that the record's key is the
 * {@link runKey} of its config (an edited config under an old key would otherwise be
 * skipped by `run` and analysed under the wrong identity). Returns a reason or null.
 */
export function invalidRecordReason(obj: unknown): string | null {
  if (!isObject(obj)) return 'not a JSON object';
  if (obj.schema !== RECORD_SCHEMA) return `schema ${String(obj.schema)} (expected ${RECORD_SCHEMA})`;
  if (typeof obj.key !== 'string') return 'missing field key';
  if (!isObject(obj.config)) return 'missing field config';
  if (!isObject(obj.metrics)) return 'missing field metrics';
  const m = obj.metrics;
  if (m.diverged !== undefined) {
    const why = invalidDivergence(m);
    if (why !== null) return why;
  } else if (typeof m.testLoss !== 'number' || !Number.isFinite(m.testLoss)) {
    return `metrics.testLoss is ${String(m.testLoss)} and the run is not marked diverged`;
  }
  if (m.initial !== undefined) {
    const why = invalidInitialState(m.initial, 'metrics.initial');
    if (why !== null) return why;
  }
  let expected: string;
  try {
    expected = runKey(obj.config as unknown as RunConfig);
  } catch (err) {
    return `config cannot be hashed (${(err as Error).message})`;
  }
  if (expected !== obj.key) return `key ${obj.key} does not match its config (the config hashes to ${expected}): the record was edited`;
  return null;
}
