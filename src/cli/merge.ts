/** `octolab merge`: combines results files (e.g. shards of an array job) into one, without duplicates. */
import { parseArgs } from 'node:util';
import { mergeRecords, readRecords, writeRecords } from '../experiments/store';
import type { Command } from './main';
import { UsageError } from './main';

const HELP = `Usage: octolab merge --out FILE INPUT.jsonl [INPUT.jsonl ...]

Merges results files, keeping one record per run key (the first seen). FILE may be
one of the inputs: its records are kept and the others are added.`;

/** The `merge` command. */
export const mergeCommand: Command = {
  summary: 'merge results files (shards) into one, dropping duplicate runs',
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
    if (values.out === undefined) throw new UsageError(`--out FILE is required\n\n${HELP}`);
    if (positionals.length === 0) throw new UsageError(`no input files\n\n${HELP}`);
    const inputs = [values.out, ...positionals.filter((p) => p !== values.out)];
    const lists = inputs.map((file) => {
      const r = readRecords(file);
      if (r.problems.length > 0) {
        const p = r.problems[0];
        throw new Error(`${p.file}:${p.line}: ${p.reason} (${r.problems.length} damaged line(s); repair or remove them before merging)`);
      }
      return r.records;
    });
    const { records, duplicates } = mergeRecords(lists);
    writeRecords(values.out, records);
    console.log(`${records.length} record(s) written to ${values.out} (${duplicates} duplicate(s) dropped)`);
    return 0;
  },
};
