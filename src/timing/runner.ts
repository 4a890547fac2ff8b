/**
 * The timing store and its runner: one JSON line per (experiment, seed, args), appended
 * atomically to its own results file under a lock; a rerun skips every key the file
 * holds, so it resumes where a stopped one ended and never duplicates a record.
 */
import * as path from 'node:path';
import { prepareEngine } from '../engine';
import { checkpointDirFor, checkResultsFile } from '../experiments';
import { gitInfo } from '../experiments/record';
import { appendJsonLine, readJsonLines } from '../experiments/store';
import type { JsonLinesRead } from '../experiments/store';
import { acquireLock } from '../io/lock';
import { invalidTimingRecordReason, loadTimingData, makeTimingArgs, timeInterleaved, timingKey, timingSetKey } from './interleaved';
import type { InferenceTimingRecord, InterleavedTimingArgs, TimingArgsInput } from './interleaved';

/** Folder of the timing results inside a results directory. */
export const TIMING_FOLDER = 'inference';

/** The timing results file of an experiment: `<results dir>/inference/<experiment>.jsonl`. */
export function timingResultsFile(resultsDir: string, experiment: string): string {
  return path.join(resultsDir, TIMING_FOLDER, `${experiment}.jsonl`);
}

/** Reads a timing results file: valid records with their line, and the damaged lines. A missing file is empty. */
export function readTimingRecords(file: string): JsonLinesRead<InferenceTimingRecord> {
  return readJsonLines<InferenceTimingRecord>(file, invalidTimingRecordReason);
}

/** Options of {@link runInferenceTimings}. */
export interface RunTimingsArgs {
  /** Every args field but the seed (see {@link makeTimingArgs}). */
  base: Omit<TimingArgsInput, 'seed'>;
  /** Seeds to time. */
  seeds: readonly number[];
  /** The study's results directory: the records go to {@link timingResultsFile}, checkpoints are looked up in its checkpoint folder. */
  resultsDir: string;
  /** Data directory. */
  dataDir: string;
  /** Allow downloading missing canonical data files. */
  download?: boolean;
  /** Receives one line per seed (and per warning). */
  log?: (line: string) => void;
  /** Called after every pass of the seed in progress. */
  onPass?: (seed: number, done: number, total: number) => void;
}

/** What {@link runInferenceTimings} did. */
export interface RunTimingsSummary {
  /** The results file. */
  file: string;
  /** Seeds timed and stored now. */
  completed: number[];
  /** Seeds skipped because the file already holds their key. */
  skipped: number[];
  /** Damaged lines found in the file (reported, left as they are). */
  problems: number;
}

/** Per-arm median seconds of one record's timed passes, for progress lines. */
export function armMedians(record: InferenceTimingRecord): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of record.args.methods) {
    const s = record.passes.filter((p) => p.method === m).map((p) => p.seconds).sort((a, b) => a - b);
    const k = s.length >> 1;
    out[m] = s.length % 2 === 1 ? s[k] : (s[k - 1] + s[k]) / 2;
  }
  return out;
}

/**
 * Times every seed whose key the file does not hold yet, in one process, appending each
 * record as soon as it is complete. Every args is built (and validated) before anything
 * runs; the file is locked for the whole call, so a second process on it refuses.
 */
export async function runInferenceTimings(args: RunTimingsArgs): Promise<RunTimingsSummary> {
  const all: InterleavedTimingArgs[] = args.seeds.map((seed) => makeTimingArgs({ ...args.base, seed }));
  if (all.length === 0) throw new Error('no seeds to time');
  const experiment = all[0].experiment;
  const file = timingResultsFile(args.resultsDir, experiment);
  const log = args.log ?? ((l: string) => console.log(l));
  checkResultsFile(file);
  const lock = acquireLock(file, `octolab time-inference (${experiment})`);
  try {
    const existing = readTimingRecords(file);
    for (const p of existing.problems) log(`warning: ${p.file}:${p.line} ignored (${p.reason}); that seed is timed again if it is asked for`);
    const done = new Set(existing.values.map((v) => v.value.key));
    const summary: RunTimingsSummary = { file, completed: [], skipped: [], problems: existing.problems.length };
    const pending = all.filter((a) => {
      if (!done.has(timingKey(a))) return true;
      summary.skipped.push(a.seed);
      return false;
    });
    if (pending.length === 0) return summary;
    const git = gitInfo(); // the code loaded now, whatever is committed while the seeds run
    const engine = await prepareEngine();
    const data = await loadTimingData(pending[0], args.dataDir, args.download);
    const checkpointDir = checkpointDirFor(path.join(args.resultsDir, `${experiment}.jsonl`));
    log(`${experiment}: timing ${pending.length} seed(s) (${summary.skipped.length} already in ${file}); set ${timingSetKey(pending[0])}, ${pending[0].methods.join('/')}, ${pending[0].repeats} timed pass(es) per arm, backend ${engine.backend}`);
    for (const [i, a] of pending.entries()) {
      const record = await timeInterleaved(a, { dataDir: args.dataDir, data, checkpointDir, git, onPass: (d, t) => args.onPass?.(a.seed, d, t) });
      appendJsonLine(file, record);
      summary.completed.push(a.seed);
      const med = armMedians(record);
      const l = record.environment.loadavg;
      log(
        `[${i + 1}/${pending.length}] ${experiment} seed=${a.seed}: ` +
          a.methods.map((m) => `${m} ${med[m].toFixed(3)} s`).join(', ') +
          ` per pass (median of ${a.repeats}); load ${l.start[0].toFixed(2)} -> ${l.end[0].toFixed(2)}; weights ${record.arms.map((x) => x.weights.kind).join('/')}`,
      );
    }
    return summary;
  } finally {
    lock.release();
  }
}
