/**
 * octolab: reproduce, extend and peer-review the "Octization" weight-quantization study.
 * The package root re-exports the public API of every concept folder; statistics and
 * reports are namespaced (`statistics.compareMethods`, `reports.buildReports`) because
 * their generic names (`mean`, `median`, ...) would otherwise crowd the root.
 */
export * from './random/rng';
export * from './quantizers';
export * from './engine';
export * from './data';
export * from './models';
export * from './training';
export * from './experiments';
export * as statistics from './statistics';
export * as reports from './reports';
export * as crossEngine from './cross-engine';
