/** Experiments: configs, the grid, the results store and the parallel, resumable runner. */
export * from './config';
export * from './grid';
export * from './record';
export * from './runner';
export * from './store';
