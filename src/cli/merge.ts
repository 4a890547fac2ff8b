/** `octolab merge`: combines results files (e.g. shards of an array job) into one, without duplicates. */
import { parseArgs } from 'node:util';
import { MergeInputError, mergeResultFiles } from '../experiments/store';
import type { Command } from './main';
import { UsageError } from './main';

const HELP = `Usage: octolab merge --out FILE INPUT.jsonl [INPUT.jsonl ...]

Merges results files into FILE, keeping one record per run key. FILE may be one of
the inputs; if it exists it is read too. Every input must exist and have no damaged
lines. Records of one key with the same metrics are merged; records of one key with
different metrics are an error naming both. While a run appends to FILE or to an
input, the merge refuses (exit 1) instead of losing records. FILE is replaced
atomically.`;

/** The `merge` command. */
export const mergeCommand: Command = {
  summary: 'merge results files (shards) into one, dropping identical duplicate runs',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (values.out === undefined || values.out === '') throw new UsageError(`--out FILE is required\n\n${HELP}`);
    if (positionals.length === 0) throw new UsageError(`no input files\n\n${HELP}`);
    let summary;
    try {
      summary = mergeResultFiles(values.out, positionals);
    } catch (err) {
      if (err instanceof MergeInputError && err.kind === 'missing') throw new UsageError(err.message);
      throw err;
    }
    console.log(`${summary.written} record(s) written to ${values.out} (${summary.diverged} diverged; ${summary.duplicates} identical duplicate(s) dropped)`);
    return 0;
  },
};
