/** Array jobs: which shard a Slurm task is, sharded study runs, and gathering shard files. */
export * from './shards';
export * from './slurm';
