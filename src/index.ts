/**
 * octolab: reproduce, extend and peer-review the "Octization" weight-quantization study.
 * The package root re-exports the public API of every concept folder; statistics and
 * reports are namespaced (`statistics.compareMethods`, `reports.buildReports`) because
 * their generic names (`mean`, `median`, ...) would otherwise crowd the root; so are the
 * notebook helpers (`notebook.show`, `notebook.runLive`, ...) and TensorFlow.js (`tf`, the
 * copy the library trains with). In a notebook: `import * as octolab from 'octolab'`.
 */
export * from './random/rng';
export * from './quantizers';
export * from './engine';
export * from './data';
export * from './models';
export * from './training';
export * from './experiments';
export * from './cluster';
export * from './timing';
export * as statistics from './statistics';
export * as reports from './reports';
export * as notebook from './notebook';
export * as tf from '@tensorflow/tfjs';
export * as crossEngine from './cross-engine';
