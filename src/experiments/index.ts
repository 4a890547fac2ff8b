/** Experiments: configs, the grid, the results store, the parallel, resumable runner, the study plan, its profiles and cost-balanced shards. */
export * from './checkpoints';
export * from './config';
export * from './grid';
export * from './record';
export * from './runner';
export * from './store';
export * from './study';
export * from './profiles';
export * from './shard';
export * from './initial-states';
