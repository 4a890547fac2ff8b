/**
 * Slurm array tasks: which shard a task is, from the variables Slurm sets in every
 * array task (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_COUNT`, `..._MIN`, `..._MAX`).
 */
import { parseShard } from '../experiments/grid';
import type { Shard } from '../experiments/shard';

/** The environment variables read (a subset of `process.env`). */
export type SlurmEnv = Readonly<Record<string, string | undefined>>;

function intVar(env: SlurmEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`${name} is '${v}', expected a non-negative integer`);
  return Number(v);
}

/**
 * The shard of this array task. With `count` given (`--shard slurm/N`), the task id is
 * the index of N shards, so an array of only some ids (a resubmission, `--array=1,3`)
 * runs those shards of the same split. Without it (`--shard slurm`), N is the array's
 * task count, and the array must be exactly 0..N-1 (otherwise ids and count disagree).
 */
export function shardFromSlurm(env: SlurmEnv, count?: number): Shard {
  const index = intVar(env, 'SLURM_ARRAY_TASK_ID');
  if (index === undefined) throw new Error('--shard slurm: SLURM_ARRAY_TASK_ID is not set (not inside a Slurm array task; submit with sbatch --array)');
  if (count !== undefined) {
    if (index >= count) throw new Error(`--shard slurm/${count}: SLURM_ARRAY_TASK_ID is ${index}, not below ${count}`);
    return { index, count };
  }
  const n = intVar(env, 'SLURM_ARRAY_TASK_COUNT');
  if (n === undefined || n < 1) throw new Error('--shard slurm: SLURM_ARRAY_TASK_COUNT is not set; give the shard count as --shard slurm/N');
  const min = intVar(env, 'SLURM_ARRAY_TASK_MIN');
  const max = intVar(env, 'SLURM_ARRAY_TASK_MAX');
  if ((min !== undefined && min !== 0) || (max !== undefined && max !== n - 1) || index >= n) {
    throw new Error(
      `--shard slurm: the array's ids (${min ?? '?'}..${max ?? '?'}, ${n} task(s)) are not 0..${n - 1}; give the shard count as --shard slurm/N`,
    );
  }
  return { index, count: n };
}

/** Parses a `--shard` value: `i/n`, `slurm` or `slurm/N` (the last two read the Slurm array variables). */
export function parseShardOption(text: string, env: SlurmEnv = process.env): Shard {
  const t = text;
  if (t === 'slurm') return shardFromSlurm(env);
  const m = /^slurm\/(\d+)$/.exec(t);
  if (m !== null) {
    const n = Number(m[1]);
    if (n < 1) throw new Error(`bad shard '${text}': the shard count must be >= 1`);
    return shardFromSlurm(env, n);
  }
  return parseShard(t);
}
