/**
 * Splitting runs into shards of about equal expected work, for array jobs (Slurm,
 * CI matrices). The split depends on the runs alone (never on what is stored or on
 * the machine), so every task of an array computes the same one.
 */
import { runKey } from './config';
import type { ExperimentName, RunConfig } from './config';

/** One shard of a split: 0-based index of count. */
export interface Shard {
  /** 0-based index, below `count`. */
  index: number;
  /** Number of shards. */
  count: number;
}

/**
 * Rough whole-run costs on the wasm engine, one core: seconds per epoch over the full
 * training split (medians of the stored study runs, reports/results, 2026-12) and
 * seconds per run that do not scale with training data (evaluation, inference timing,
 * storage sizes; measured on smoke runs of 256/128 examples). Only ratios matter.
 */
export const RUN_COSTS: Readonly<Record<ExperimentName, { epochSeconds: number; runSeconds: number; trainExamples: number }>> = {
  regression: { epochSeconds: 0.05, runSeconds: 0.05, trainExamples: 1_000 },
  mnist: { epochSeconds: 10.2, runSeconds: 1.5, trainExamples: 60_000 },
  cifar10: { epochSeconds: 220, runSeconds: 4, trainExamples: 50_000 },
};

/** Expected seconds of one run: epochs × seconds per epoch scaled by the training examples used, plus the per-run part. */
export function expectedCost(config: RunConfig): number {
  const c = RUN_COSTS[config.experiment];
  const full = config.experiment === 'cifar10' && config.data.split === 'train1-4/test5' ? 40_000 : c.trainExamples;
  const used = config.data.limitTrain === null ? full : Math.min(full, config.data.limitTrain);
  return config.epochs * c.epochSeconds * (used / full) + c.runSeconds;
}

/**
 * Assigns every run to one of `count` shards, balancing expected cost: runs in order of
 * decreasing cost (ties by run key) each go to the shard with the least cost so far
 * (ties to the lowest index). Deterministic; duplicates (same key) are assigned once.
 * Returns the run keys of each shard.
 */
export function balancedShards(configs: readonly RunConfig[], count: number, cost: (c: RunConfig) => number = expectedCost): string[][] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`shard count must be an integer >= 1, got ${count}`);
  const unique = new Map<string, number>();
  for (const c of configs) unique.set(runKey(c), cost(c));
  const order = [...unique.entries()].sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const loads = new Array<number>(count).fill(0);
  const keys: string[][] = Array.from({ length: count }, () => []);
  for (const [key, c] of order) {
    let best = 0;
    for (let i = 1; i < count; i++) if (loads[i] < loads[best]) best = i;
    loads[best] += c;
    keys[best].push(key);
  }
  return keys;
}

/** The runs of one shard of a balanced split, in the order `configs` gives them. */
export function shardByCost(configs: readonly RunConfig[], shard: Shard, cost: (c: RunConfig) => number = expectedCost): RunConfig[] {
  if (!Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new Error(`bad shard ${shard.index}/${shard.count}: need 0 <= i < n`);
  }
  const mine = new Set(balancedShards(configs, shard.count, cost)[shard.index]);
  const seen = new Set<string>();
  return configs.filter((c) => {
    const k = runKey(c);
    if (!mine.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Total expected seconds of some runs. */
export function totalCost(configs: readonly RunConfig[], cost: (c: RunConfig) => number = expectedCost): number {
  return configs.reduce((s, c) => s + cost(c), 0);
}
