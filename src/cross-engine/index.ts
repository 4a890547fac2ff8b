/** Cross-engine comparison: the same study arms on a tfjs engine and on libtorch. */
export * from './compare';
