/**
 * Live runs in a notebook: a list of run configs trained one after another with a
 * progress bar that updates in place and Kernel → Interrupt stopping the current run at
 * its next optimizer step. The runs finished before the interrupt are returned; the
 * interrupted one is dropped (never a half-trained record).
 */
import type { Dataset } from '../data/types';
import type { RunConfig } from '../experiments/config';
import { runOne } from '../experiments/record';
import type { RunRecord } from '../experiments/record';
import { runLabel } from '../experiments/runner';
import { isTrainingCancelled } from '../training/cancel';
import { newDisplay } from './display';
import { interruptible } from './interrupt';
import { ProgressBar } from './progress';
import type { UpdatableDisplay } from './progress';

/** Where a sequence of live runs was interrupted. */
export interface LiveInterruption {
  /** 1-based number of the run that was stopped. */
  run: number;
  /** Runs asked for. */
  runs: number;
  /** Label of the stopped run. */
  label: string;
  /** Optimizer steps the stopped run had done. */
  steps: number;
  /** Steps it would have taken. */
  totalSteps: number;
}

/** What {@link runLive} did. */
export interface LiveRunResult {
  /** Records of the runs that finished, in order. */
  records: RunRecord[];
  /** Null when every run finished. */
  interrupted: LiveInterruption | null;
}

/** Options of {@link runLive}. */
export interface LiveRunArgs {
  /** Data directory. */
  dataDir: string;
  /** Dataset cache shared between runs. Default: one for this call. */
  cache?: Map<string, Dataset>;
  /** Progress output; null for none. Default: a new tslab display (none outside a kernel). */
  display?: UpdatableDisplay | null;
  /** Show elapsed time in the bar (leave out in export runs). Default true. */
  timings?: boolean;
  /** Called after every optimizer step of every run. */
  onStep?: (done: number, total: number) => void;
  /** Where the summary line goes. Default `console.log`. */
  log?: (line: string) => void;
  /** A signal of the caller's; default: one that Kernel → Interrupt (SIGINT) aborts. */
  signal?: AbortSignal;
}

/** One line on what an interrupted sequence did: `interrupted run 2 of 3 (…) after 120 of 940 steps; 1 finished run kept`. */
export function describeInterruption(result: LiveRunResult): string {
  const i = result.interrupted;
  if (i === null) return `${result.records.length} run(s) finished`;
  const kept = result.records.length;
  return `interrupted run ${i.run} of ${i.runs} (${i.label}) after ${i.steps} of ${i.totalSteps} steps; ${kept} finished run${kept === 1 ? '' : 's'} kept, ${i.runs - kept - 1} not started`;
}

async function runAll(configs: readonly RunConfig[], args: LiveRunArgs, signal: AbortSignal): Promise<LiveRunResult> {
  const cache = args.cache ?? new Map<string, Dataset>();
  const bar = new ProgressBar(args.display === undefined ? newDisplay() : args.display, { timings: args.timings ?? true });
  const records: RunRecord[] = [];
  for (const [i, config] of configs.entries()) {
    const label = `run ${i + 1}/${configs.length}: ${runLabel(config)}`;
    let last = { done: 0, total: 1 };
    try {
      records.push(
        await runOne(config, {
          dataDir: args.dataDir,
          cache,
          signal,
          onStep: (done, total) => {
            last = { done, total };
            bar.update(label, done, total);
            args.onStep?.(done, total);
          },
        }),
      );
      bar.update(label, last.total, last.total, true);
    } catch (err) {
      if (!isTrainingCancelled(err)) throw err;
      bar.update(`${label} (interrupted)`, err.progress.steps, err.progress.totalSteps, true);
      return { records, interrupted: { run: i + 1, runs: configs.length, label: runLabel(config), steps: err.progress.steps, totalSteps: err.progress.totalSteps } };
    }
  }
  return { records, interrupted: null };
}

/**
 * Trains `configs` one after another (the engine must be prepared). Kernel → Interrupt
 * stops the current run at its next step; the cell then ends normally, prints what was
 * done and returns the finished runs.
 */
export async function runLive(configs: readonly RunConfig[], args: LiveRunArgs): Promise<LiveRunResult> {
  const log = args.log ?? ((line: string) => console.log(line));
  const result = args.signal === undefined ? await interruptible((signal) => runAll(configs, args, signal)) : await runAll(configs, args, args.signal);
  if (result.interrupted !== null) log(describeInterruption(result));
  return result;
}
