/**
 * Statistics across seeds: summaries, intervals, paired and unpaired tests,
 * effect sizes, multiple-comparison correction and power, as pure functions.
 */
export * from './validate';
export * from './descriptive';
export * from './distributions';
export * from './ttest';
export * from './bootstrap';
export * from './wilcoxon';
export * from './permutation';
export * from './effect';
export * from './multiple';
export * from './power';
export * from './summary';
export * from './compare';
