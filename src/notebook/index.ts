/**
 * Notebook helpers: parameters from the environment, plotly figures that work in
 * offline HTML exports, escaped HTML tables and notices, stored-results loading and
 * small analyses the notebooks show (quantization error and storage versus bits).
 */
export * from './params';
export * from './plotly';
export * from './html';
export * from './quant-error';
export * from './seed-example';
export * from './figures';
export * from './results';
export * from './experiment-views';
export * from './seeds';
export * from './review';
export * from './dataframe';
export * from './display';
export * from './element-ids';
export * from './interrupt';
export * from './live';
export * from './progress';
// The bit-width sweep and protocol sensitivity analyses the review notebook shows.
export { bitSweep, bitSweepChart, bitSweepSummary } from '../reports/bits';
export type { BitSweep } from '../reports/bits';
export { PROTOCOL_TARGETS, protocolSensitivity, protocolSummary } from '../reports/protocols';
export type { ProtocolSensitivity, ProtocolTarget } from '../reports/protocols';
export * from './mechanism';
