/**
 * Runs a grid of configs: skips what the results file already holds (resume),
 * spreads the rest over worker processes, appends each finished record at once,
 * and shows progress with an ETA.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cliProgress from 'cli-progress';
import type { Dataset } from '../data/types';
import { prepareEngine } from '../engine';
import { checkpointDirFor, pruneCheckpoints, removeRunCheckpoint } from './checkpoints';
import { runKey } from './config';
import type { RunConfig } from './config';
import { FileError, ensureDir } from '../io/atomic';
import { acquireLock } from '../io/lock';
import { isDiverged } from '../results/schema';
import type { StoredRecord } from '../results/schema';
import * as fs from 'node:fs';
import { runStored } from './record';
import { appendRecord, readRecords } from './store';
import { stepConfigs } from './study';
import type { StudyStep } from './study';
import type { FromWorker, ToWorker } from './worker';

/** Options of {@link runGrid}. */
export interface RunGridArgs {
  /** The runs to do (already sharded, if sharding). */
  configs: RunConfig[];
  /** JSON Lines file the records are appended to. */
  resultsFile: string;
  /** Parallel worker processes (default: number of cores); 1 runs in this process. */
  workers?: number;
  /** Data directory. */
  dataDir: string;
  /** Allow downloading missing canonical data files. */
  download?: boolean;
  /** No progress bar: one plain line per finished run. */
  quiet?: boolean;
  /** Called with every record as it is saved (a diverged run's record too). */
  onRecord?: (record: StoredRecord) => void;
  /** Print the stack trace of a failed run (default: the message only). */
  debug?: boolean;
  /**
   * Keep epoch checkpoints in `<results dir>/.checkpoints` so that a stopped run resumes
   * from its last completed epoch (default true).
   */
  checkpoints?: boolean;
}

/** What {@link runGrid} did. */
export interface RunGridSummary {
  /** Runs completed and saved now (diverged ones included). */
  completed: number;
  /** Of the completed runs, those whose training diverged (saved as such, not retrained). */
  diverged: number;
  /** Runs skipped because the results file already had them. */
  skipped: number;
  /** Runs that failed (nothing saved for them), with the error. */
  failed: { key: string; label: string; error: string }[];
  /** Runs not started because an earlier run failed or a signal stopped the grid (interrupted ones included). */
  notStarted: number;
  /** Runs in flight when SIGINT/SIGTERM stopped the grid: nothing saved, their checkpoints kept for a rerun. */
  interrupted: number;
}

/** A short human label for a run. */
export function runLabel(c: RunConfig): string {
  const q = c.scheme === null ? '' : ` ${c.scheme.bits}b ${c.protocol}`;
  return `${c.experiment} ${c.method}${q} e${c.epochs} seed=${c.seed}`;
}

function finishedLine(r: StoredRecord): string {
  if (isDiverged(r)) {
    const d = r.metrics.diverged;
    return `${runLabel(r.config)}: DIVERGED in epoch ${d.epoch} after ${d.step} step(s) (${d.reason}); recorded as diverged [${r.environment.engine.backend}]`;
  }
  const m = r.metrics;
  const metric = m.testAccuracy !== null ? `acc=${(m.testAccuracy * 100).toFixed(2)}%` : `mse=${m.testLoss.toFixed(3)}`;
  return `${runLabel(r.config)}: ${metric} loss=${m.testLoss.toFixed(4)} train=${r.timing.trainSeconds.toFixed(1)}s [${r.environment.engine.backend}]`;
}

/**
 * Checks before any training that the results file can be written (its directory can be
 * created, it is not a directory, it can be opened for appending), naming the path if not.
 */
export function checkResultsFile(file: string): void {
  ensureDir(path.dirname(path.resolve(file)));
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new FileError('append to results file', file, { code: 'EISDIR' });
  try {
    fs.closeSync(fs.openSync(file, 'a'));
  } catch (err) {
    throw new FileError('open results file', file, err);
  }
}

/**
 * Runs every config not yet in the results file; never loses a finished run. The
 * results file is locked for the whole grid: a second process on the same file refuses
 * (naming the first) instead of doing the same runs again.
 */
export async function runGrid(args: RunGridArgs): Promise<RunGridSummary> {
  checkResultsFile(args.resultsFile);
  const lock = acquireLock(args.resultsFile, `octolab run (${path.basename(args.resultsFile)})`);
  try {
    return await runGridLocked(args);
  } finally {
    lock.release();
  }
}

async function runGridLocked(args: RunGridArgs): Promise<RunGridSummary> {
  const existing = readRecords(args.resultsFile);
  for (const p of existing.problems) {
    console.warn(`warning: ${p.file}:${p.line} ignored (${p.reason}); that run will be redone if it is in the grid`);
  }
  const done = new Set([...existing.records, ...existing.diverged].map((r) => r.key));
  const checkpointDir = args.checkpoints === false ? undefined : checkpointDirFor(args.resultsFile);
  if (checkpointDir !== undefined) pruneCheckpoints(checkpointDir, done);
  const pending = args.configs.filter((c) => !done.has(runKey(c)));
  const summary: RunGridSummary = { completed: 0, diverged: 0, skipped: args.configs.length - pending.length, failed: [], notStarted: 0, interrupted: 0 };
  if (pending.length === 0) return summary;

  const workers = Math.max(1, Math.min(args.workers ?? os.cpus().length, pending.length));
  const quiet = args.quiet === true || !process.stderr.isTTY;
  const bar = quiet
    ? null
    : new cliProgress.SingleBar(
        { format: 'runs {bar} {percentage}% | {runs}/{total_runs} | ETA {eta_formatted} | {last}', hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      );
  const inFlight = new Map<number, number>(); // slot -> fraction done
  const update = (last?: string): void => {
    if (bar === null) return;
    let frac = 0;
    for (const f of inFlight.values()) frac += f;
    bar.update(summary.completed + summary.failed.length + frac, {
      runs: summary.completed + summary.failed.length,
      total_runs: pending.length,
      ...(last !== undefined ? { last } : {}),
    });
  };
  bar?.start(pending.length, 0, { runs: 0, total_runs: pending.length, last: `${workers} worker(s)` });
  const saved = (record: StoredRecord): void => {
    appendRecord(args.resultsFile, record);
    if (checkpointDir !== undefined) removeRunCheckpoint(checkpointDir, record.key);
    summary.completed++;
    if (isDiverged(record)) {
      summary.diverged++;
      if (!quiet) console.warn(`\n${finishedLine(record)}`);
    }
    args.onRecord?.(record);
    if (quiet) console.log(`[${summary.completed + summary.failed.length}/${pending.length}] ${finishedLine(record)}`);
    update(finishedLine(record));
  };
  const failed = (config: RunConfig | null, error: string, stack?: string): void => {
    const label = config === null ? 'worker start-up' : runLabel(config);
    summary.failed.push({ key: config === null ? '-' : runKey(config), label, error });
    console.error(`\nrun failed: ${label}: ${error}`);
    if (args.debug === true && stack !== undefined) console.error(stack);
    update();
  };

  const queue = [...pending];
  try {
    if (workers === 1) {
      await prepareEngine();
      const cache = new Map<string, Dataset>();
      while (queue.length > 0 && summary.failed.length === 0) {
        const config = queue.shift() as RunConfig;
        inFlight.set(0, 0);
        try {
          const record = await runStored(config, {
            dataDir: args.dataDir,
            download: args.download,
            cache,
            checkpointDir,
            onStep: (d, t) => {
              inFlight.set(0, d / t);
              if (d % 20 === 0) update();
            },
          });
          inFlight.delete(0);
          saved(record);
        } catch (err) {
          inFlight.delete(0);
          if (err instanceof FileError) throw err; // the results cannot be saved: stop, naming the file
          failed(config, err instanceof Error ? err.message : String(err), err instanceof Error ? err.stack : undefined);
        }
      }
    } else {
      const interrupted = (config: RunConfig): void => {
        summary.interrupted++;
        queue.unshift(config);
        console.error(`\nrun interrupted: ${runLabel(config)} (nothing saved${checkpointDir === undefined ? '' : '; its last epoch checkpoint is kept and a rerun resumes from it'})`);
      };
      await runInWorkers(workers, queue, { ...args, checkpointDir }, inFlight, saved, failed, interrupted, update);
    }
  } finally {
    bar?.stop();
  }
  summary.notStarted = queue.length;
  return summary;
}

async function runInWorkers(
  workers: number,
  queue: RunConfig[],
  args: RunGridArgs & { checkpointDir: string | undefined },
  inFlight: Map<number, number>,
  saved: (r: StoredRecord) => void,
  failed: (c: RunConfig | null, e: string, stack?: string) => void,
  interrupted: (c: RunConfig) => void,
  update: () => void,
): Promise<void> {
  const script = path.join(__dirname, 'worker.js');
  let stop = false;
  let signalled = false;
  const children: ChildProcess[] = [];
  const onSignal = (): void => {
    stop = true;
    signalled = true;
    for (const c of children) c.kill('SIGTERM');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await Promise.all(
      Array.from({ length: workers }, (_, slot) =>
        new Promise<void>((resolve) => {
          const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          children.push(child);
          let current: RunConfig | null = null;
          const next = (): void => {
            if (stop || queue.length === 0) {
              current = null;
              inFlight.delete(slot);
              child.send({ type: 'exit' } satisfies ToWorker);
              return;
            }
            current = queue.shift() as RunConfig;
            inFlight.set(slot, 0);
            child.send({
              type: 'run',
              config: current,
              dataDir: args.dataDir,
              download: args.download ?? false,
              checkpointDir: args.checkpointDir,
            } satisfies ToWorker);
          };
          child.on('message', (msg: FromWorker) => {
            switch (msg.type) {
              case 'ready':
                next();
                break;
              case 'step':
                inFlight.set(slot, msg.done / msg.total);
                update();
                break;
              case 'done':
                inFlight.delete(slot);
                try {
                  saved(msg.record);
                } catch (err) {
                  // The record cannot be saved (e.g. a full disk): stop everything, report it as the failure.
                  failed(current, err instanceof Error ? err.message : String(err), err instanceof Error ? err.stack : undefined);
                  stop = true;
                }
                next();
                break;
              case 'error':
                inFlight.delete(slot);
                failed(current, msg.message, msg.stack);
                stop = true; // fail fast: finish what is in flight, start nothing new
                next();
                break;
            }
          });
          child.on('exit', (code) => {
            if (current !== null && signalled) {
              interrupted(current);
            } else if (current !== null) {
              failed(current, `worker process exited with code ${String(code)} during the run`);
              stop = true;
            }
            inFlight.delete(slot);
            resolve();
          });
        }),
      ),
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Options of {@link runStudy}. */
export interface RunStudyArgs extends Omit<RunGridArgs, 'configs' | 'resultsFile'> {
  /** Steps to run, in order. */
  steps: readonly StudyStep[];
  /** Results directory: each experiment's runs go to `<out>/<experiment>.jsonl`. */
  out: string;
  /** Receives one line per step (and per experiment of a step) as it starts and ends. */
  log?: (line: string) => void;
}

/** What {@link runStudy} did, summed over the steps it ran. */
export interface RunStudySummary {
  /** Runs completed and saved now (diverged ones included). */
  completed: number;
  /** Of those, runs whose training diverged. */
  diverged: number;
  /** Planned runs already stored. */
  skipped: number;
  /** Runs that failed (the study stops after the step they belong to). */
  failed: RunGridSummary['failed'];
  /** Runs of that step not started because of a failure or a signal. */
  notStarted: number;
  /** Of those, runs in flight when a signal stopped the study. */
  interrupted: number;
  /** Steps not started because an earlier one failed. */
  stepsNotStarted: string[];
}

/**
 * Runs study steps in order with {@link runGrid}: each experiment of a step is one grid
 * (one worker pool), stored runs are skipped, and the first failure stops the study.
 */
export async function runStudy(args: RunStudyArgs): Promise<RunStudySummary> {
  const { steps, out, log = () => undefined, ...gridArgs } = args;
  const total: RunStudySummary = { completed: 0, diverged: 0, skipped: 0, failed: [], notStarted: 0, interrupted: 0, stepsNotStarted: [] };
  await prepareEngine(); // first: the configs below name the engine that runs them
  for (const [i, step] of steps.entries()) {
    log(`== ${step.name} (${new Date().toISOString()}): ${step.purpose}`);
    const groups = new Map<string, RunConfig[]>();
    for (const c of stepConfigs(step)) groups.set(c.experiment, [...(groups.get(c.experiment) ?? []), c]);
    for (const [experiment, configs] of groups) {
      const resultsFile = path.join(out, `${experiment}.jsonl`);
      const s = await runGrid({ ...gridArgs, configs, resultsFile });
      total.completed += s.completed;
      total.diverged += s.diverged;
      total.skipped += s.skipped;
      total.failed.push(...s.failed);
      total.notStarted += s.notStarted;
      total.interrupted += s.interrupted;
      log(`${step.name}: ${s.completed} run(s) completed, ${s.skipped} already in ${resultsFile}, ${s.failed.length} failed, ${s.notStarted} not started${s.interrupted > 0 ? ` (${s.interrupted} interrupted)` : ''}`);
      if (s.failed.length > 0 || s.notStarted > 0) {
        total.stepsNotStarted = steps.slice(i + 1).map((x) => x.name);
        return total;
      }
    }
  }
  return total;
}
