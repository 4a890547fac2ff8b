/** Experiments: configs, the grid, the results store, the parallel, resumable runner and the study plan. */
export * from './checkpoints';
export * from './config';
export * from './grid';
export * from './record';
export * from './runner';
export * from './store';
export * from './study';
