/**
 * Stored results for a notebook: the records of one experiment from a results
 * file or folder, with a plain sentence saying what was found, so that a notebook
 * without stored runs says so instead of showing anything made up.
 */
import * as fs from 'node:fs';
import { readResultsWithInitialStates } from '../experiments/initial-states';
import type { DivergedRunRecord, RunRecord } from '../results/schema';

/** What {@link loadStoredResults} found. */
export interface StoredResults {
  /** `missing`: the path does not exist; `empty`: no records of the experiment; `found`: at least one. */
  status: 'missing' | 'empty' | 'found';
  /** The results path that was read (absolute if given so). */
  path: string;
  /** The experiment asked for, or null for all. */
  experiment: string | null;
  /** The experiment's valid records, in file order. */
  records: RunRecord[];
  /** The experiment's diverged runs (stored outcomes without final metrics), in file order. */
  diverged: DivergedRunRecord[];
  /** Lines that could not be used, with the reason (never dropped silently). */
  problems: { file: string; line: number; reason: string }[];
  /** One sentence for the reader: what was found where, or what is missing. */
  message: string;
}

/** Options of {@link loadStoredResults}. */
export interface LoadStoredResultsArgs {
  /** How the messages name the path (e.g. `NotebookParams.resultsLabel`). Default the path itself. */
  label?: string;
}

/**
 * Reads the stored runs of `experiment` (all experiments when omitted) from a
 * `.jsonl` file or a folder of them. A missing path is not an error: the result
 * says `missing` and its message names the path.
 */
export function loadStoredResults(resultsPath: string, experiment?: string, args: LoadStoredResultsArgs = {}): StoredResults {
  if (typeof resultsPath !== 'string' || resultsPath.trim() === '') throw new Error('loadStoredResults: resultsPath must be a non-empty string');
  const shown = args.label ?? resultsPath;
  const what = experiment === undefined ? 'runs' : `${experiment} runs`;
  if (!fs.existsSync(resultsPath)) {
    return {
      status: 'missing',
      path: resultsPath,
      experiment: experiment ?? null,
      records: [],
      diverged: [],
      problems: [],
      message: `No stored results: ${shown} does not exist. The stored-results sections below are skipped; run the experiments (octolab run) or set OCTOLAB_RESULTS.`,
    };
  }
  const read = readResultsWithInitialStates(resultsPath);
  const records = experiment === undefined ? read.records : read.records.filter((r) => r.config?.experiment === experiment);
  const diverged = experiment === undefined ? read.diverged : read.diverged.filter((r) => r.config?.experiment === experiment);
  const divergedNote = diverged.length === 0 ? '' : ` ${diverged.length} diverged run(s) are stored apart (no final metrics).`;
  const damaged = read.problems.length === 0 ? '' : ` ${read.problems.length} damaged line(s) were skipped (listed below).`;
  if (records.length === 0) {
    return {
      status: 'empty',
      path: resultsPath,
      experiment: experiment ?? null,
      records,
      diverged,
      problems: read.problems,
      message: `No stored ${what} in ${shown} (${read.records.length} record(s) of other experiments). The stored-results sections below are skipped.${damaged}${divergedNote}`,
    };
  }
  const seeds = new Set(records.map((r) => r.config.seed));
  const methods = [...new Set(records.map((r) => r.config.method))];
  return {
    status: 'found',
    path: resultsPath,
    experiment: experiment ?? null,
    records,
    diverged,
    problems: read.problems,
    message: `${records.length} stored ${what} in ${shown}: methods ${methods.join(', ')}; ${seeds.size} distinct seed(s).${damaged}${divergedNote}`,
  };
}
