/**
 * `octolab study`: runs the study plan step by step (resumable: stored runs are skipped),
 * or, with `--status`, says per step what is stored, what is missing and what it costs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseShardOption } from '../cluster/slurm';
import { runStudyShard, shardFile, planConfigs } from '../cluster/shards';
import { resolveDataDir } from '../data';
import { CHECKPOINT_FOLDER, listCheckpoints } from '../experiments/checkpoints';
import type { CheckpointSummary } from '../experiments/checkpoints';
import { runLabel, runStudy } from '../experiments/runner';
import { getProfile, profiledSteps } from '../experiments/profiles';
import { shardByCost, totalCost } from '../experiments/shard';
import { emptyRead, readResultsPath } from '../experiments/store';
import { PLANS, STUDY_PLAN, SWEEP_PLAN, describeMissing, studyProgress, studySteps } from '../experiments/study';
import type { StepProgress } from '../experiments/study';
import type { Command } from './main';
import { UsageError, debugEnabled } from './main';
import { TRAINING_OPTIONS, listOption, prepareTrainingEngine } from './run';

const HELP = `Usage: octolab study [options]

Runs the study plan: each step's grids, skipping every run that the results directory
already holds, so rerunning continues where it stopped. Results go to
<out>/<experiment>.jsonl, one JSON line per finished run.

Steps of the study (--plan study, the default; cheapest first):
${STUDY_PLAN.map((s) => `  ${s.name.padEnd(20)} ${s.purpose}`).join('\n')}

Steps of the mechanism and sensitivity sweeps (--plan sweeps; best run on the torch engine):
${SWEEP_PLAN.map((s) => `  ${s.name.padEnd(20)} ${s.purpose}`).join('\n')}

Options:
  --plan NAME       study (default) or sweeps
  --steps LIST      steps to run, in the order given (default: all, in plan order)
  --profile NAME    full (default) or smoke (every grid with its first seed only,
                    256 train / 128 test examples, 1 epoch)
  --shard SPEC      run one shard of the plan's runs, split by expected cost, into
                    <out>/shards/<i>-of-<n>/study.jsonl: SPEC is i/n (0-based), or
                    slurm (i and n from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT), or
                    slurm/n (i from SLURM_ARRAY_TASK_ID: for resubmitting some shards);
                    'octolab gather --shards n' then adds the shards to the results
  --status          print stored / planned runs, compute spent and estimated compute left
                    per step, and the missing runs; train nothing
  --workers N       parallel processes (default: cores / threads)
  --threads N       threads per process for the torch engine (default 1)
  --out DIR         results directory (default reports/results; torch runs in <out>/torch)
  --data-dir DIR    data directory (default $OCTOLAB_DATA_DIR, else ./data)
  --no-download     never try to download missing data files
  --no-checkpoints  do not keep epoch checkpoints in <out>/.checkpoints (by default a
                    stopped run resumes from its last completed epoch)
  --quiet           no progress bar; one line per finished run
  --dry-run         print the runs that would be done and exit
`;

function hours(seconds: number | null): string {
  return seconds === null ? 'unknown' : (seconds / 3600).toFixed(2);
}

/**
 * The `--status` text: one line per step, then a total, then what is missing, then the
 * missing runs that are part-way through (they have an epoch checkpoint).
 */
export function statusText(progress: readonly StepProgress[], inProgress: readonly CheckpointSummary[] = []): string {
  const head = ['step', 'stored/planned', 'core-h spent', 'core-h left (est.)'];
  const rows = progress.map((p) => [p.step, `${p.stored}/${p.planned}`, hours(p.spentSeconds), hours(p.remainingSeconds)]);
  const sum = (f: (p: StepProgress) => number): number => progress.reduce((s, p) => s + f(p), 0);
  const left = progress.some((p) => p.remainingSeconds === null) ? null : sum((p) => p.remainingSeconds ?? 0);
  rows.push(['total', `${sum((p) => p.stored)}/${sum((p) => p.planned)}`, hours(sum((p) => p.spentSeconds)), hours(left)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [line(head), ...rows.map(line)];
  const incomplete = progress.filter((p) => p.missing.length > 0);
  if (incomplete.length > 0) {
    out.push('', 'Missing runs:');
    for (const p of incomplete) out.push(`  ${p.step}: ${describeMissing(p.missing)}`);
  }
  if (inProgress.length > 0) {
    out.push('', 'Part-way (resume from their epoch checkpoint):');
    for (const c of inProgress) out.push(`  ${runLabel(c.config)}: ${c.epoch}/${c.config.epochs} epochs on ${c.backend}, saved ${c.savedAt}`);
  }
  out.push('', 'Estimates: epochs x the median seconds per epoch of the stored full-size runs of the same experiment.');
  return out.join('\n');
}

/** Expected compute as core-hours, or core-seconds below a few minutes. */
function coreTime(seconds: number): string {
  return seconds < 180 ? `${seconds.toFixed(0)} core-s` : `${hours(seconds)} core-h`;
}

/** The `study` command. */
export const studyCommand: Command = {
  summary: 'run the study plan step by step (resumable), or report its progress with --status',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        steps: { type: 'string' },
        plan: { type: 'string', default: 'study' },
        status: { type: 'boolean', default: false },
        profile: { type: 'string', default: 'full' },
        shard: { type: 'string' },
        ...TRAINING_OPTIONS,
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${HELP}`);
    let steps;
    try {
      const planName = values.plan as string;
      if (planName !== 'study' && planName !== 'sweeps') throw new Error(`unknown --plan '${planName}' (valid: ${Object.keys(PLANS).join(', ')})`);
      steps = profiledSteps(studySteps(listOption(values.steps, 'steps'), PLANS[planName]), getProfile(values.profile as string));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const engine = await prepareTrainingEngine(values);
    const { workers, out } = engine;
    if (values.shard !== undefined) {
      if (values.status) throw new UsageError("--status describes the results files; for shards use 'octolab gather --shards n --pending'");
      let shard;
      try {
        shard = parseShardOption(values.shard);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      if (values['dry-run']) {
        const runs = shardByCost(planConfigs(steps), shard);
        for (const c of runs) console.log(`${c.experiment} ${c.method} ${c.protocol} bits=${c.scheme?.bits ?? '-'} epochs=${c.epochs} seed=${c.seed}`);
        console.log(`${runs.length} run(s), about ${coreTime(totalCost(runs))}, in shard ${shard.index}/${shard.count} -> ${shardFile(out, shard)}`);
        return 0;
      }
      const s = await runStudyShard({
        steps,
        shard,
        out,
        workers,
        dataDir: resolveDataDir(values['data-dir']),
        download: !values['no-download'],
        checkpoints: !values['no-checkpoints'],
        quiet: values.quiet || process.env.CI === 'true',
        log: (line) => console.log(line),
      });
      console.log(
        `shard ${shard.index}/${shard.count}: ${s.completed} run(s) completed, ${s.skipped} already stored, ${s.failed.length} failed, ${s.notStarted} not started (of ${s.planned}) -> ${s.file}`,
      );
      return s.failed.length > 0 || s.notStarted > 0 ? 1 : 0;
    }
    if (values.status || values['dry-run']) {
      // The default folder may not exist yet (nothing run); a folder named explicitly must.
      const explicit = args.some((a) => a === '--out' || a.startsWith('--out='));
      if (explicit && !fs.existsSync(out)) throw new UsageError(`--out directory '${out}' does not exist`);
      if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UsageError(`--out '${out}' is not a directory`);
      const read = fs.existsSync(out) ? readResultsPath(out) : emptyRead();
      for (const p of read.problems) console.warn(`warning: ${p.file}:${p.line} ignored (${p.reason})`);
      const storedRecords = [...read.records, ...read.diverged];
      const stored = new Set(storedRecords.map((r) => r.key));
      const partway = listCheckpoints(path.join(out, CHECKPOINT_FOLDER)).filter((c) => !stored.has(c.key));
      const progress = studyProgress(steps, storedRecords, new Map(partway.map((c) => [c.key, c.epoch])));
      if (values.status) {
        console.log(statusText(progress, partway));
        return 0;
      }
      for (const p of progress) {
        for (const c of p.missing) console.log(`${p.step}: ${c.experiment} ${c.method} ${c.protocol} bits=${c.scheme?.bits ?? '-'} epochs=${c.epochs} seed=${c.seed}`);
      }
      console.log(`${progress.reduce((n, p) => n + p.missing.length, 0)} run(s) to do in ${steps.length} step(s) -> ${out}`);
      return 0;
    }
    const dataDir = resolveDataDir(values['data-dir']);
    const summary = await runStudy({
      steps,
      out,
      workers,
      dataDir,
      download: !values['no-download'],
      checkpoints: !values['no-checkpoints'],
      quiet: values.quiet || process.env.CI === 'true',
      debug: debugEnabled(),
      log: (line) => console.log(line),
    });
    if (summary.failed.length > 0 || summary.notStarted > 0) {
      const why = summary.failed.length > 0 ? `${summary.failed.length} run(s) failed` : `interrupted (${summary.interrupted} run(s) in flight, nothing of them saved)`;
      console.error(`study stopped: ${why}; not started: ${summary.notStarted} run(s) of that step and the steps ${summary.stepsNotStarted.join(', ') || '(none)'}; the same command resumes`);
      return 1;
    }
    return 0;
  },
};
