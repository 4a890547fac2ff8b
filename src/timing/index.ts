/** Inference timing that compares arms fairly: one process, interleaved balanced passes, every sample recorded. */
export * from './interleaved';
export * from './runner';
