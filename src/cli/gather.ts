/**
 * `octolab gather`: checks the shard files of a sharded study (`octolab study --shard`)
 * against the plan and adds them to the results files, or names what is missing.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { checkShardSet, describeMissingShard, writeGathered } from '../cluster/shards';
import { getProfile, profiledSteps } from '../experiments/profiles';
import { studySteps } from '../experiments/study';
import type { Command } from './main';
import { UsageError } from './main';
import { intOption, listOption, prepareTrainingEngine } from './run';

const HELP = `Usage: octolab gather --shards N [options]

Checks the shard files <out>/shards/<i>-of-<N>/study.jsonl of a study run with
'octolab study --shard i/N' (same --steps and --profile) against the plan: every
planned run must be in its shard's file or already in <out>/<experiment>.jsonl, and
no record may be damaged, outside the plan, in another shard's file, or disagree with
another record of the same run. Only then are the shards' runs added to
<out>/<experiment>.jsonl; otherwise nothing is written, the missing runs are named
per shard, and the exit code is 1.

Options:
  --shards N        the number of shards of the split (required)
  --steps LIST      the steps the shards ran (default: all)
  --profile NAME    the profile the shards ran: full (default) or smoke
  --out DIR         results directory (default reports/results); on the torch engine (as
                    'octolab study' picks it) the shards and results are in <out>/torch
  --pending         write nothing; print the indices of the shards with missing runs,
                    comma-separated (an empty line when none), for resubmitting them
`;

/** The `gather` command. */
export const gatherCommand: Command = {
  summary: 'check the shard files of a sharded study and add them to the results, or name what is missing',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        shards: { type: 'string' },
        steps: { type: 'string' },
        profile: { type: 'string', default: 'full' },
        out: { type: 'string', default: path.join('reports', 'results') },
        pending: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${HELP}`);
    const count = intOption('shards', values.shards);
    if (count === undefined) throw new UsageError(`--shards N is required\n\n${HELP}`);
    let steps;
    try {
      steps = profiledSteps(studySteps(listOption(values.steps)), getProfile(values.profile as string));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    // The plan's run keys name the engine, as in the 'octolab study --shard' tasks.
    const { out } = await prepareTrainingEngine({ out: values.out });
    const check = checkShardSet({ steps, count, out });
    for (const c of check.conflicts) console.error(`conflict: ${c}`);
    if (values.pending) {
      for (const m of check.incomplete) console.error(`shard ${m.shard.index}/${m.shard.count}: ${m.missing.length} of ${m.planned} run(s) missing`);
      console.log(check.incomplete.map((m) => m.shard.index).join(','));
      return check.conflicts.length > 0 ? 1 : 0;
    }
    if (check.conflicts.length > 0 || check.incomplete.length > 0) {
      for (const m of check.incomplete) console.error(describeMissingShard(m));
      const missing = check.incomplete.reduce((n, m) => n + m.missing.length, 0);
      console.error(
        `gather refused: ${missing} of ${check.planned} planned run(s) missing in ${check.incomplete.length} shard(s), ${check.conflicts.length} conflict(s); nothing written`,
      );
      return 1;
    }
    const written = writeGathered(out, check);
    for (const w of written) console.log(`${w.file}: ${w.added} run(s) added, ${w.total} in all`);
    console.log(`all ${check.planned} planned run(s) stored (${check.alreadyStored} were already, ${check.duplicates} duplicate record(s) dropped)`);
    return 0;
  },
};
