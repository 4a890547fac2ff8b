/**
 * The grid of runs an `octolab run` command asks for, its deterministic order,
 * and how it splits into shards for array jobs (Slurm, Kubernetes, CI matrices).
 */
import { makeRunConfig, runKey } from './config';
import type { RunConfig, RunConfigArgs } from './config';

/** A grid: the cartesian product of methods × protocols × bits × seeds for one experiment. */
export interface GridArgs extends Omit<RunConfigArgs, 'method' | 'seed' | 'protocol' | 'bits'> {
  /** Methods (`float` and/or preset names). */
  methods: string[];
  /** Seeds. */
  seeds: number[];
  /** Protocols for the quantized methods (default `projected-step`). */
  protocols?: string[];
  /** Bit widths for the quantized methods (default 8). */
  bits?: number[];
}

/**
 * Expands a grid into run configs, ordered by seed first (so that an interrupted
 * grid leaves complete paired sets of methods), then method, protocol and bits.
 * The float method ignores protocols and bits and appears once per seed.
 */
export function expandGrid(args: GridArgs): RunConfig[] {
  const { methods, seeds, protocols, bits, ...common } = args;
  if (methods.length === 0) throw new Error('the grid has no methods');
  if (seeds.length === 0) throw new Error('the grid has no seeds');
  const out: RunConfig[] = [];
  const seen = new Set<string>();
  for (const seed of seeds) {
    for (const method of methods) {
      const ps = method === 'float' ? [undefined] : (protocols ?? [undefined]);
      const bs = method === 'float' ? [undefined] : (bits ?? [undefined]);
      for (const protocol of ps) {
        for (const b of bs) {
          const config = makeRunConfig({ ...common, method, seed, protocol, bits: b });
          const key = runKey(config);
          if (!seen.has(key)) {
            seen.add(key);
            out.push(config);
          }
        }
      }
    }
  }
  return out;
}

/**
 * Parses `i/n` (0-based shard index i of n shards, plain decimal without spaces or
 * leading zeros, so that one shard has one spelling); throws on anything else.
 */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(0|[1-9]\d{0,5})\/([1-9]\d{0,5})$/.exec(text);
  if (m === null) throw new Error(`bad shard '${text}': expected i/n with 0 <= i < n in plain decimal, e.g. 0/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new Error(`bad shard '${text}': need 0 <= i < n and n >= 1`);
  return { index, count };
}

/** The runs of shard `index` of `count`: every count-th run of the grid, starting at index. */
export function shardOf<T>(grid: readonly T[], shard: { index: number; count: number }): T[] {
  return grid.filter((_, i) => i % shard.count === shard.index);
}

/** The results file name of one shard of an experiment: `<experiment>.shard-<i>-of-<n>.jsonl`. */
export function shardFileName(experiment: string, shard: { index: number; count: number }): string {
  return `${experiment}.shard-${shard.index}-of-${shard.count}.jsonl`;
}
