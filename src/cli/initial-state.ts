/** `octolab initial-state`: computes the epoch-0 state of stored runs that lack it (a backfill). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../data';
import { backfillInitialStates } from '../experiments/initial-states';
import type { Command } from './main';
import { UsageError } from './main';
import { outOption } from './run';

const HELP = `Usage: octolab initial-state [experiment ...] [options]

For every stored run without an epoch-0 state (records written before training recorded
metrics.initial), rebuilds its initial weights from its config and seed, checks them against
the record's SHA-256 (a mismatch stops with the file, key and both hashes), applies the
protocol's first projection, evaluates on the test set with the record's own engine, and
appends the result to <out>/initial/<experiment>.jsonl (torch runs: <out>/torch/initial/).
Test-set passes only; resumable (runs already there are skipped), one line per run.

Options:
  --out DIR         results directory (default reports/results; its torch/ folder too)
  --data-dir DIR    data directory (default $OCTOLAB_DATA_DIR, else ./data)
  --no-download     never try to download missing data files
  --quiet           no line per run
`;

/** The `initial-state` command. */
export const initialStateCommand: Command = {
  summary: 'compute the epoch-0 state (initial weights, test set) of stored runs that lack it',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        out: { type: 'string', default: path.join('reports', 'results') },
        'data-dir': { type: 'string' },
        'no-download': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const out = outOption(values.out);
    if (!fs.existsSync(out) || !fs.statSync(out).isDirectory()) throw new UsageError(`--out '${out}' is not a results directory`);
    const unknown = positionals.filter((e) => ![out, path.join(out, 'torch')].some((d) => fs.existsSync(path.join(d, `${e}.jsonl`))));
    if (unknown.length > 0) throw new UsageError(`no results file for ${unknown.map((e) => `'${e}'`).join(', ')} in ${out} or ${path.join(out, 'torch')}`);
    const dataDir = resolveDataDir(values['data-dir']);
    const log = values.quiet ? () => undefined : (line: string) => console.log(line);
    let total = 0;
    for (const dir of [out, path.join(out, 'torch')]) {
      if (!fs.existsSync(dir)) continue;
      const present = positionals.filter((e) => fs.existsSync(path.join(dir, `${e}.jsonl`)));
      if (positionals.length > 0 && present.length === 0) continue;
      const summaries = await backfillInitialStates({ resultsDir: dir, experiments: positionals.length > 0 ? present : undefined, dataDir, download: !values['no-download'], log });
      for (const s of summaries) {
        console.log(`${s.file}: ${s.added} epoch-0 state(s) added, ${s.skipped} run(s) already had one`);
        total += s.added;
      }
    }
    console.log(`${total} epoch-0 state(s) computed`);
    return 0;
  },
};
