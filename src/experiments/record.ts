/**
 * One run of one config, and the record it leaves: metrics and config first,
 * timing and environment under their own keys so runs can be compared on
 * everything else.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../data';
import type { Dataset, DatasetProvenance } from '../data/types';
import { describeEngine } from '../engine';
import type { EngineInfo } from '../engine';
import { architecture, initialWeightValues, sizeOf } from '../models/models';
import { storageSize } from '../quantizers';
import type { StorageSize } from '../quantizers';
import { createTrainer, trainerKindOf } from '../training/create';
import { parseProtocol } from '../training/protocols';
import { measureInference, train } from '../training/train';
import type { EpochRecord, InferenceTiming } from '../training/train';
import { checkpointPath, resumableCheckpoint, saveRunCheckpoint } from './checkpoints';
import { engineOf, runKey } from './config';
import type { RunConfig } from './config';
import { RECORD_SCHEMA } from './store';

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
  /** Per-epoch learning curves and code dynamics. */
  epochs: EpochMetrics[];
  /** Bytes to store the final weights under each encoding (quantized methods), or float32 only. */
  storage: StorageSize | { float32Bytes: number };
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

/** One line of a results file. */
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

/** Reads the git commit of the repository holding this package, if any. */
export function gitInfo(cwd = path.resolve(__dirname, '..', '..', '..')): RunEnvironment['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** The package version from package.json. */
export function octolabVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.resolve(__dirname, '..', '..', '..', 'package.json')) as { version: string }).version;
}

/** Options of {@link runOne}. */
export interface RunOneArgs {
  /** Data directory (see `resolveDataDir`). */
  dataDir: string;
  /** Allow downloading missing canonical files. */
  download?: boolean;
  /** Per-process dataset cache keyed by dataset+selection; reused across runs. */
  cache?: Map<string, Dataset>;
  /** Called after each optimizer step. */
  onStep?: (done: number, total: number) => void;
  /**
   * Folder for epoch checkpoints: the run resumes from its checkpoint there (same config and
   * backend) and writes one after every epoch. The caller deletes it once the record is saved.
   */
  checkpointDir?: string;
}

/** Loads (or reuses) the dataset a config asks for. */
export async function datasetFor(config: RunConfig, args: RunOneArgs): Promise<{ data: Dataset; seconds: number }> {
  const cacheKey = `${config.dataset}|${config.data.limitTrain}|${config.data.limitTest}|${config.data.split}|${args.dataDir}`;
  const hit = args.cache?.get(cacheKey);
  if (hit !== undefined) return { data: hit, seconds: 0 };
  const t0 = performance.now();
  const data = await loadDataset(config.dataset, {
    dataDir: args.dataDir,
    download: args.download ?? false,
    limitTrain: config.data.limitTrain,
    limitTest: config.data.limitTest,
    split: config.data.split,
  });
  args.cache?.set(cacheKey, data);
  return { data, seconds: (performance.now() - t0) / 1000 };
}

/** Trains and measures one config; the engine must already be prepared. */
export async function runOne(config: RunConfig, args: RunOneArgs): Promise<RunRecord> {
  const t0 = performance.now();
  const engine = describeEngine();
  if (trainerKindOf(engine.backend) !== engineOf(config)) {
    throw new Error(
      `run config asks for the ${engineOf(config)} engine but the prepared engine is '${engine.backend}' ` +
        `(set ${engineOf(config) === 'torch' ? 'OCTOLAB_BACKEND=torch' : 'OCTOLAB_BACKEND=wasm'} so that records are never mislabelled)`,
    );
  }
  const key = runKey(config);
  const git = gitInfo();
  const ckptFile = args.checkpointDir === undefined ? null : checkpointPath(args.checkpointDir, key);
  const resumed = ckptFile === null ? null : resumableCheckpoint(ckptFile, config, engine.backend);
  if (resumed !== null) {
    console.log(`resuming run ${key} (${config.experiment} ${config.method} seed=${config.seed}) after epoch ${resumed.checkpoint.epoch} of ${config.epochs}`);
  }
  const startedAt = resumed === null ? new Date() : new Date(resumed.meta.startedAt);
  const earlierSeconds = resumed?.meta.elapsedSeconds ?? 0;
  const { data, seconds: dataSeconds } = await datasetFor(config, args);
  const trainer = createTrainer(architecture({ name: config.model, inputShape: data.inputShape }), data.task, engine.backend);
  try {
    const initial = initialWeightValues(trainer.weights, config.seed);
    trainer.writeWeights(initial);
    const initialWeightsSha256 = weightsSha256(initial);
    const result = await train(trainer, data, {
      resumeFrom: resumed?.checkpoint,
      onCheckpoint:
        ckptFile === null
          ? undefined
          : (checkpoint) =>
              saveRunCheckpoint(ckptFile, checkpoint, {
                key,
                config,
                backend: engine.backend,
                git: git.commit,
                startedAt: startedAt.toISOString(),
                savedAt: new Date().toISOString(),
                elapsedSeconds: earlierSeconds + (performance.now() - t0) / 1000,
              }),
      epochs: config.epochs,
      batchSize: config.batchSize,
      optimizer: config.optimizer,
      protocol: parseProtocol(config.protocol),
      scheme: config.scheme,
      seed: config.seed,
      evalBatchSize: config.evalBatchSize,
      onStep: args.onStep,
    });
    const inference = await measureInference(trainer, data, config.inferenceRepeats, config.evalBatchSize);
    const params = trainer.weights.reduce((n, w) => n + sizeOf(w.shape), 0);
    const storage =
      config.scheme !== null && result.codes !== null ? storageSize(concatCodes(result.codes), config.scheme) : { float32Bytes: params * 4 };
    const finishedAt = new Date();
    return {
      schema: RECORD_SCHEMA,
      key,
      config,
      data: data.provenance,
      metrics: {
        testLoss: result.testLoss,
        testAccuracy: result.testAccuracy,
        floatTest: result.floatTest,
        params,
        initialWeightsSha256,
        steps: result.steps,
        epochs: result.epochs.map(({ trainSeconds: _t, evalSeconds: _e, ...rest }) => rest),
        storage,
      },
      timing: {
        trainSeconds: result.trainSeconds,
        evalSeconds: result.evalSeconds,
        epochs: result.epochs.map((e) => ({ trainSeconds: e.trainSeconds, evalSeconds: e.evalSeconds })),
        trainSamplesPerSecond: (result.steps > 0 ? data.nTrain * config.epochs : 0) / result.trainSeconds,
        inference,
        dataSeconds,
        totalSeconds: earlierSeconds + (performance.now() - t0) / 1000,
      },
      environment: {
        engine,
        git,
        octolab: octolabVersion(),
        host: {
          hostname: os.hostname(),
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model ?? 'unknown',
          totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
        },
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        ...(resumed === null
          ? {}
          : {
              resumed: {
                afterEpoch: resumed.checkpoint.epoch,
                checkpointGit: resumed.meta.git,
                checkpointSavedAt: resumed.meta.savedAt,
              },
            }),
      },
    };
  } finally {
    trainer.dispose();
  }
}

/** SHA-256 of trainable weight values (float32 bytes, in weight order). */
export function weightsSha256(values: readonly Float32Array[]): string {
  const h = createHash('sha256');
  for (const v of values) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return h.digest('hex');
}

/** Concatenates per-tensor codes into one array (for storage accounting). */
function concatCodes(codes: Int32Array[]): Int32Array {
  const total = codes.reduce((n, c) => n + c.length, 0);
  const out = new Int32Array(total);
  let off = 0;
  for (const c of codes) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
