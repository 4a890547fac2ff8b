/**
 * One run of one config, and the record it leaves: metrics and config first,
 * timing and environment under their own keys so runs can be compared on
 * everything else.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../data';
import type { Dataset } from '../data/types';
import { describeEngine } from '../engine';
import { architecture, initialWeightValues, sizeOf } from '../models/models';
import { storageSize } from '../quantizers';
import { createTrainer, trainerKindOf } from '../training/create';
import { parseProtocol } from '../training/protocols';
import { CheckpointRestoreError, measureInference, train } from '../training/train';
import { checkpointPath, resumableCheckpoint, saveRunCheckpoint } from './checkpoints';
import { engineOf, runKey } from './config';
import type { RunConfig } from './config';
import { RECORD_SCHEMA, isDiverged } from '../results/schema';
import type { DivergedRunRecord, RunEnvironment, RunRecord, StoredRecord } from '../results/schema';

export type {
  DivergedMetrics,
  DivergedRunRecord,
  Divergence,
  EpochMetrics,
  RunEnvironment,
  RunMetrics,
  RunRecord,
  RunTiming,
  StoredRecord,
} from '../results/schema';

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
  /** Receives warnings (an unusable checkpoint); default `console.warn`. */
  warn?: (line: string) => void;
  /** Cancels the run before its next optimizer step (see `TrainingCancelledError`); the model is disposed, no record is returned. */
  signal?: AbortSignal;
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

/** {@link runOne} found that training diverged; `record` is the diverged run's record. */
export class RunDivergedError extends Error {
  /** Always `'RunDivergedError'`. */
  override name = 'RunDivergedError';

  /** The diverged run's record. */
  readonly record: DivergedRunRecord;

  /** Wraps the record of the diverged run. */
  constructor(record: DivergedRunRecord) {
    const d = record.metrics.diverged;
    super(`run ${record.key} diverged in epoch ${d.epoch} (${d.reason})`);
    this.record = record;
  }
}

/**
 * Trains and measures one config that is expected to train to the end; the engine must
 * already be prepared. Throws {@link RunDivergedError} if training diverged (see
 * {@link runStored}, which returns that outcome as a record).
 */
export async function runOne(config: RunConfig, args: RunOneArgs): Promise<RunRecord> {
  const r = await runStored(config, args);
  if (isDiverged(r)) throw new RunDivergedError(r);
  return r;
}

/**
 * Trains and measures one config; the engine must already be prepared. Returns a
 * {@link DivergedRunRecord} when training diverged (a valid, final outcome). A checkpoint
 * that fails its checksum or holds weights no code can represent is discarded before
 * training ({@link resumableCheckpoint}); one that passes those checks but does not fit
 * the run is discarded when training cannot restore it; either way with a warning, and the
 * run starts again from scratch (so one bad checkpoint cannot fail every rerun).
 */
export async function runStored(config: RunConfig, args: RunOneArgs): Promise<StoredRecord> {
  try {
    return await runOnce(config, args, true);
  } catch (err) {
    if (!(err instanceof ResumeFailed)) throw err;
    const warn = args.warn ?? ((l: string) => console.warn(l));
    warn(`warning: resuming from checkpoint ${err.file} failed (${err.cause instanceof Error ? err.cause.message : String(err.cause)}); discarding it and starting the run from scratch`);
    rmSync(err.file, { force: true });
    return runOnce(config, args, false);
  }
}

/** Training from a resumed checkpoint failed. */
class ResumeFailed extends Error {
  constructor(
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(`resuming from ${file} failed`);
  }
}

async function runOnce(config: RunConfig, args: RunOneArgs, allowResume: boolean): Promise<StoredRecord> {
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
  const resumed = ckptFile === null || !allowResume ? null : resumableCheckpoint(ckptFile, config, engine.backend, args.warn);
  if (resumed !== null) {
    console.log(`resuming run ${key} (${config.experiment} ${config.method} seed=${config.seed}) after epoch ${resumed.checkpoint.epoch} of ${config.epochs}`);
  }
  const startedAt = resumed === null ? new Date() : new Date(resumed.meta.startedAt);
  const earlierSeconds = resumed?.meta.elapsedSeconds ?? 0;
  const { data, seconds: dataSeconds } = await datasetFor(config, args);
  const trainer = createTrainer(architecture({ name: config.model, inputShape: data.inputShape }), data.task, engine.backend);
  try {
    const initial = initialWeightValues(trainer.weights, config.seed, config.init);
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
      signal: args.signal,
    }).catch((err: unknown) => {
      throw err instanceof CheckpointRestoreError && ckptFile !== null ? new ResumeFailed(ckptFile, err) : err;
    });
    const params = trainer.weights.reduce((n, w) => n + sizeOf(w.shape), 0);
    const environment = (): RunEnvironment => ({
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
      finishedAt: new Date().toISOString(),
      ...(resumed === null
        ? {}
        : {
            resumed: {
              afterEpoch: resumed.checkpoint.epoch,
              checkpointGit: resumed.meta.git,
              checkpointSavedAt: resumed.meta.savedAt,
            },
          }),
    });
    if (result.diverged !== null) {
      const diverged: DivergedRunRecord = {
        schema: RECORD_SCHEMA,
        key,
        config,
        data: data.provenance,
        metrics: {
          testLoss: null,
          testAccuracy: null,
          floatTest: null,
          params,
          initialWeightsSha256,
          steps: result.steps,
          ...(result.initial === null ? {} : { initial: result.initial }),
          epochs: result.epochs.map(({ trainSeconds: _t, evalSeconds: _e, ...rest }) => rest),
          diverged: result.diverged,
        },
        timing: {
          trainSeconds: result.trainSeconds,
          evalSeconds: result.evalSeconds,
          epochs: result.epochs.map((e) => ({ trainSeconds: e.trainSeconds, evalSeconds: e.evalSeconds })),
          trainSamplesPerSecond: result.trainSeconds > 0 ? (result.steps * config.batchSize) / result.trainSeconds : 0,
          dataSeconds,
          totalSeconds: earlierSeconds + (performance.now() - t0) / 1000,
        },
        environment: environment(),
      };
      return diverged;
    }
    const inference = await measureInference(trainer, data, config.inferenceRepeats, config.evalBatchSize);
    const storage =
      config.scheme !== null && result.codes !== null ? storageSize(concatCodes(result.codes), config.scheme) : { float32Bytes: params * 4 };
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
        ...(result.initial === null ? {} : { initial: result.initial }),
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
      environment: environment(),
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
