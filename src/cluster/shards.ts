/**
 * A sharded study: each array task runs one cost-balanced shard of the plan's runs into
 * its own shard file, and a gather step checks the whole set of shard files against the
 * plan (nothing missing, nothing foreign, no two different records of one run) before
 * it adds them to the results files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { prepareEngine } from '../engine';
import { runKey, stableStringify } from '../experiments/config';
import type { RunConfig } from '../experiments/config';
import type { RunRecord } from '../experiments/record';
import { runGrid, runLabel } from '../experiments/runner';
import type { RunGridArgs, RunGridSummary } from '../experiments/runner';
import { balancedShards, shardByCost } from '../experiments/shard';
import type { Shard } from '../experiments/shard';
import { mergeRecords, readRecords, writeRecords } from '../experiments/store';
import { describeMissing, stepConfigs } from '../experiments/study';
import type { StudyStep } from '../experiments/study';

/** Folder of the results directory that holds the shard files. */
export const SHARD_FOLDER = 'shards';

const SHARD_DIR = /^(\d+)-of-(\d+)$/;

/** Name of the shard file in its shard's folder. */
export const SHARD_FILE_NAME = 'study.jsonl';

/**
 * The shard file of one task: `<out>/shards/<i>-of-<n>/study.jsonl`. Each shard has its own
 * folder, so its epoch checkpoints (kept beside the results file) are never shared with
 * another task, which may run on another node.
 */
export function shardFile(out: string, shard: Shard): string {
  return path.join(out, SHARD_FOLDER, `${shard.index}-of-${shard.count}`, SHARD_FILE_NAME);
}

/** The shard a shard folder name (`<i>-of-<n>`) stands for, or null for any other name. */
export function parseShardFolderName(name: string): Shard | null {
  const m = SHARD_DIR.exec(name);
  return m === null ? null : { index: Number(m[1]), count: Number(m[2]) };
}

/** Every run of the steps, once (steps share runs), in plan order. */
export function planConfigs(steps: readonly StudyStep[]): RunConfig[] {
  const seen = new Set<string>();
  const out: RunConfig[] = [];
  for (const step of steps) {
    for (const c of stepConfigs(step)) {
      const k = runKey(c);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(c);
      }
    }
  }
  return out;
}

/** The results file of an experiment: `<out>/<experiment>.jsonl`. */
function resultsFileOf(out: string, experiment: string): string {
  return path.join(out, `${experiment}.jsonl`);
}

/** Options of {@link runStudyShard}. */
export interface RunStudyShardArgs extends Omit<RunGridArgs, 'configs' | 'resultsFile'> {
  /** The steps whose runs are split. */
  steps: readonly StudyStep[];
  /** Which shard to run. */
  shard: Shard;
  /** Results directory: runs its results files hold are skipped; the shard file goes to its `shards/` folder. */
  out: string;
  /** Receives one line per experiment as it starts and ends. */
  log?: (line: string) => void;
}

/** What {@link runStudyShard} did. */
export interface RunStudyShardSummary extends RunGridSummary {
  /** Runs of the shard. */
  planned: number;
  /** The shard file. */
  file: string;
}

/**
 * Runs one shard of the steps' runs into its shard file, skipping runs that the shard file
 * or the results files already hold; one grid (worker pool) per experiment, in plan order;
 * the first failure stops the shard.
 */
export async function runStudyShard(args: RunStudyShardArgs): Promise<RunStudyShardSummary> {
  const { steps, shard, out, log = () => undefined, ...gridArgs } = args;
  await prepareEngine(); // first: the planned configs name the engine that runs them
  const configs = shardByCost(planConfigs(steps), shard);
  const file = shardFile(out, shard);
  const total: RunStudyShardSummary = { planned: configs.length, file, completed: 0, diverged: 0, skipped: 0, failed: [], notStarted: 0, interrupted: 0 };
  const groups = new Map<string, RunConfig[]>();
  for (const c of configs) groups.set(c.experiment, [...(groups.get(c.experiment) ?? []), c]);
  for (const [experiment, group] of groups) {
    const stored = new Set(readRecords(resultsFileOf(out, experiment)).records.map((r) => r.key));
    const todo = group.filter((c) => !stored.has(runKey(c)));
    total.skipped += group.length - todo.length;
    log(`shard ${shard.index}/${shard.count} ${experiment}: ${group.length} run(s), ${group.length - todo.length} already in ${resultsFileOf(out, experiment)}`);
    const s = await runGrid({ ...gridArgs, configs: todo, resultsFile: file });
    total.completed += s.completed;
    total.diverged += s.diverged;
    total.skipped += s.skipped;
    total.failed.push(...s.failed);
    total.notStarted += s.notStarted;
    total.interrupted += s.interrupted;
    if (s.failed.length > 0 || s.notStarted > 0) {
      total.notStarted += [...groups.values()].slice([...groups.keys()].indexOf(experiment) + 1).reduce((n, g) => n + g.length, 0);
      break;
    }
  }
  return total;
}

/** The fields two records of one run must agree on (timing, host and process may differ). */
export function runIdentity(r: RunRecord): string {
  return stableStringify({ key: r.key, config: r.config, data: r.data, metrics: r.metrics });
}

/** The missing runs of one shard. */
export interface MissingShardRuns {
  /** The shard. */
  shard: Shard;
  /** Its shard file. */
  file: string;
  /** Whether the shard file exists at all. */
  fileExists: boolean;
  /** Runs of the shard. */
  planned: number;
  /** Its runs that neither the shard files nor the results files hold, in plan order. */
  missing: RunConfig[];
}

/** What {@link checkShardSet} found. */
export interface ShardSetCheck {
  /** Runs of the plan. */
  planned: number;
  /** Planned runs the results files already held. */
  alreadyStored: number;
  /** Shards with missing runs (empty when complete). */
  incomplete: MissingShardRuns[];
  /** Why the set cannot be gathered as it is (damaged lines, foreign files or runs, disagreeing records). */
  conflicts: string[];
  /** Records of planned runs found in the shard files and not in the results files, by experiment, once each. */
  newRecords: Map<string, RunRecord[]>;
  /** Records found more than once with the same identity (dropped). */
  duplicates: number;
}

/**
 * Checks the shard files of a split into `count` against the plan of `steps`: every planned
 * run must be in its own shard's file or already in the results files; a shard file of
 * another split, a damaged line, a record of a run outside the plan or of another shard,
 * and two records of one run that disagree (config, data or metrics) are conflicts.
 */
export function checkShardSet(args: { steps: readonly StudyStep[]; count: number; out: string }): ShardSetCheck {
  const { steps, count, out } = args;
  const configs = planConfigs(steps);
  const byKey = new Map(configs.map((c) => [runKey(c), c]));
  const owner = new Map<string, number>();
  balancedShards(configs, count).forEach((keys, i) => keys.forEach((k) => owner.set(k, i)));
  const conflicts: string[] = [];
  const seen = new Map<string, { record: RunRecord; file: string }>();
  let duplicates = 0;
  const note = (record: RunRecord, file: string): boolean => {
    const prior = seen.get(record.key);
    if (prior === undefined) {
      seen.set(record.key, { record, file });
      return true;
    }
    if (runIdentity(prior.record) !== runIdentity(record)) {
      conflicts.push(`${file}: run ${runLabel(record.config)} (key ${record.key}) differs from its record in ${prior.file} (config, data or metrics)`);
    } else duplicates++;
    return false;
  };

  for (const experiment of new Set(configs.map((c) => c.experiment))) {
    const file = resultsFileOf(out, experiment);
    const r = readRecords(file);
    for (const p of r.problems) conflicts.push(`${p.file}:${p.line}: ${p.reason}`);
    for (const rec of r.records) if (byKey.has(rec.key)) note(rec, file);
  }
  const alreadyStored = seen.size;

  const folder = path.join(out, SHARD_FOLDER);
  const names = fs.existsSync(folder) ? fs.readdirSync(folder).sort() : [];
  const newRecords = new Map<string, RunRecord[]>();
  for (const name of names) {
    const shard = parseShardFolderName(name);
    const file = path.join(folder, name, SHARD_FILE_NAME);
    if (shard === null || !fs.existsSync(file)) continue;
    if (shard.count !== count || shard.index >= count) {
      conflicts.push(`${file}: a shard file of a split into ${shard.count}, not ${count} (remove it or gather with --shards ${shard.count})`);
      continue;
    }
    const r = readRecords(file);
    for (const p of r.problems) conflicts.push(`${p.file}:${p.line}: ${p.reason}`);
    for (const rec of r.records) {
      const i = owner.get(rec.key);
      if (i === undefined) {
        conflicts.push(`${file}: run ${runLabel(rec.config)} (key ${rec.key}) is not in the plan of these steps and profile`);
        continue;
      }
      if (i !== shard.index) {
        conflicts.push(`${file}: run ${runLabel(rec.config)} (key ${rec.key}) belongs to shard ${i}/${count}, not ${shard.index}/${count}`);
        continue;
      }
      if (note(rec, file)) newRecords.set(rec.config.experiment, [...(newRecords.get(rec.config.experiment) ?? []), rec]);
    }
  }

  const incomplete: MissingShardRuns[] = [];
  for (let index = 0; index < count; index++) {
    const shardConfigs = configs.filter((c) => owner.get(runKey(c)) === index);
    const missing = shardConfigs.filter((c) => !seen.has(runKey(c)));
    const file = shardFile(out, { index, count });
    if (missing.length > 0) incomplete.push({ shard: { index, count }, file, fileExists: fs.existsSync(file), planned: shardConfigs.length, missing });
  }
  return { planned: configs.length, alreadyStored, incomplete, conflicts, newRecords, duplicates };
}

/** One line naming the missing runs of a shard, by experiment and arm. */
export function describeMissingShard(m: MissingShardRuns): string {
  const byExp = new Map<string, RunConfig[]>();
  for (const c of m.missing) byExp.set(c.experiment, [...(byExp.get(c.experiment) ?? []), c]);
  const what = [...byExp.entries()].map(([e, cs]) => `${e}: ${describeMissing(cs)}`).join('; ');
  const file = m.fileExists ? m.file : `${m.file}, absent`;
  return `shard ${m.shard.index}/${m.shard.count} (${file}): ${m.missing.length} of ${m.planned} run(s) missing: ${what}`;
}

/**
 * Adds the new records of a complete, conflict-free check to the results files
 * (`<out>/<experiment>.jsonl`, each rewritten atomically with its existing records first).
 * Returns the results files written with the number of records each gained.
 */
export function writeGathered(out: string, check: ShardSetCheck): { file: string; added: number; total: number }[] {
  if (check.conflicts.length > 0 || check.incomplete.length > 0) throw new Error('refusing to gather an incomplete or conflicting shard set');
  const written: { file: string; added: number; total: number }[] = [];
  for (const [experiment, records] of check.newRecords) {
    const file = resultsFileOf(out, experiment);
    const existing = readRecords(file);
    if (existing.problems.length > 0) throw new Error(`${file}:${existing.problems[0].line}: ${existing.problems[0].reason}`);
    const merged = mergeRecords([existing.records, records]);
    writeRecords(file, merged.records);
    written.push({ file, added: merged.records.length - existing.records.length, total: merged.records.length });
  }
  return written;
}
