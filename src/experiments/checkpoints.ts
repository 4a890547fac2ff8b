/**
 * Run checkpoints on disk: after every epoch a run in progress leaves
 * `<results dir>/.checkpoints/<run key>.ckpt`, so a stopped run continues from its
 * last completed epoch instead of from scratch. A checkpoint is written to a temporary
 * file and renamed into place (never half-written), used only by the same config on
 * the same backend, and deleted once the run's record is in the results file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../io/atomic';
import { processAlive } from '../io/lock';
import { decodeCheckpoint, encodeCheckpoint } from '../training/checkpoint';
import { divergedWeights } from '../training/divergence';
import type { TrainCheckpoint } from '../training/checkpoint';
import { runKey } from './config';
import type { RunConfig } from './config';

/** Name of the checkpoint folder inside a results directory. */
export const CHECKPOINT_FOLDER = '.checkpoints';

/** What a run checkpoint file says about the run besides the training state. */
export interface RunCheckpointMeta {
  /** {@link runKey} of the config. */
  key: string;
  /** The whole config. */
  config: RunConfig;
  /** Backend the epochs so far ran on (`tf.getBackend()`). */
  backend: string;
  /** Git commit of the code that wrote the checkpoint (null outside a checkout). */
  git: string | null;
  /** ISO time the run first started. */
  startedAt: string;
  /** ISO time the checkpoint was written. */
  savedAt: string;
  /** Wall seconds the run has used so far, over all processes. */
  elapsedSeconds: number;
}

/** A checkpoint read back from disk. */
export interface RunCheckpoint {
  /** Training state. */
  checkpoint: TrainCheckpoint;
  /** Run identity and history. */
  meta: RunCheckpointMeta;
}

/** The checkpoint folder that belongs to a results file. */
export function checkpointDirFor(resultsFile: string): string {
  return path.join(path.dirname(resultsFile), CHECKPOINT_FOLDER);
}

/** The checkpoint file of one run. */
export function checkpointPath(dir: string, key: string): string {
  if (!/^[0-9a-f]+$/.test(key)) throw new Error(`run key must be hexadecimal, got '${key}'`);
  return path.join(dir, `${key}.ckpt`);
}

/**
 * Writes a checkpoint (with its SHA-256) atomically: a temporary file, every byte
 * checked, fsync, then rename over the old one. A full disk fails naming the file and
 * leaves the previous checkpoint in place.
 */
export function saveRunCheckpoint(file: string, checkpoint: TrainCheckpoint, meta: RunCheckpointMeta): void {
  writeFileAtomic(file, encodeCheckpoint(checkpoint, meta as unknown as Record<string, unknown>));
}

/** Reads a checkpoint file (throws with the file name on damage). */
export function readRunCheckpoint(file: string): RunCheckpoint {
  const { checkpoint, meta } = decodeCheckpoint(fs.readFileSync(file), file);
  for (const field of ['key', 'backend', 'startedAt', 'savedAt'] as const) {
    if (typeof meta[field] !== 'string') throw new Error(`checkpoint ${file}: meta.${field} is missing`);
  }
  if (typeof meta.elapsedSeconds !== 'number' || typeof meta.config !== 'object') {
    throw new Error(`checkpoint ${file}: meta.elapsedSeconds or meta.config is missing`);
  }
  return { checkpoint, meta: meta as unknown as RunCheckpointMeta };
}

/**
 * The checkpoint to resume `config` from on `backend`, or null when there is none or it
 * cannot be used; an unusable file is reported through `warn` with the reason and the
 * run starts from scratch (its next checkpoint replaces the file).
 */
export function resumableCheckpoint(
  file: string,
  config: RunConfig,
  backend: string,
  warn: (line: string) => void = (l) => console.warn(l),
): RunCheckpoint | null {
  if (!fs.existsSync(file)) return null;
  let found: RunCheckpoint;
  try {
    found = readRunCheckpoint(file);
  } catch (err) {
    warn(`warning: ${(err as Error).message}; starting the run from scratch`);
    return null;
  }
  const key = runKey(config);
  if (found.meta.key !== key || runKey(found.meta.config) !== key) {
    warn(`warning: checkpoint ${file} belongs to run ${found.meta.key}, not ${key}; starting the run from scratch`);
    return null;
  }
  if (found.meta.backend !== backend) {
    warn(`warning: checkpoint ${file} was trained on backend '${found.meta.backend}', this process uses '${backend}'; starting the run from scratch so its metrics stay those of one backend`);
    return null;
  }
  if (found.checkpoint.epoch > config.epochs) {
    warn(`warning: checkpoint ${file} is at epoch ${found.checkpoint.epoch}, the run has ${config.epochs}; starting the run from scratch`);
    return null;
  }
  const bad = divergedWeights(found.checkpoint.weights, config.protocol === 'ptq' ? null : config.scheme);
  if (bad !== null) {
    warn(`warning: checkpoint ${file} holds weights that cannot be trained on (${bad}); starting the run from scratch`);
    return null;
  }
  return found;
}

/** Deletes a run's checkpoint (no error when there is none). */
export function removeRunCheckpoint(dir: string, key: string): void {
  fs.rmSync(checkpointPath(dir, key), { force: true });
}

/** One checkpoint of a run in progress, for status displays. */
export interface CheckpointSummary {
  /** Run key. */
  key: string;
  /** The run's config. */
  config: RunConfig;
  /** Completed epochs. */
  epoch: number;
  /** Backend of the epochs so far. */
  backend: string;
  /** ISO time it was written. */
  savedAt: string;
}

/** The checkpoints in `dir` (none when it does not exist); damaged files are reported through `warn`. */
export function listCheckpoints(dir: string, warn: (line: string) => void = (l) => console.warn(l)): CheckpointSummary[] {
  if (!fs.existsSync(dir)) return [];
  const out: CheckpointSummary[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    if (!name.endsWith('.ckpt')) continue;
    try {
      const { checkpoint, meta } = readRunCheckpoint(path.join(dir, name));
      out.push({ key: meta.key, config: meta.config, epoch: checkpoint.epoch, backend: meta.backend, savedAt: meta.savedAt });
    } catch (err) {
      warn(`warning: ${(err as Error).message}`);
    }
  }
  return out;
}


/**
 * Deletes what a finished or killed process left in `dir`: checkpoints of runs in
 * `storedKeys` (their record is saved) and temporary files of processes no longer
 * running. Returns the names deleted.
 */
export function pruneCheckpoints(dir: string, storedKeys: ReadonlySet<string>): string[] {
  if (!fs.existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const ckpt = /^([0-9a-f]+)\.ckpt$/.exec(name);
    const tmp = /^[0-9a-f]+\.ckpt\.(\d+)\.tmp$/.exec(name) ?? /^\.[0-9a-f]+\.ckpt\.(\d+)\.\d+\.tmp$/.exec(name);
    if ((ckpt !== null && storedKeys.has(ckpt[1])) || (tmp !== null && !processAlive(Number(tmp[1])))) {
      fs.rmSync(path.join(dir, name), { force: true });
      removed.push(name);
    }
  }
  return removed.sort();
}
