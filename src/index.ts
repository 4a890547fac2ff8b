/**
 * octolab: reproduce, extend and peer-review the "Octization" weight-quantization study.
 * The package root re-exports the public API of every concept folder.
 */
export * from './random/rng';
