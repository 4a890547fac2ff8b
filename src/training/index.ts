/** Training: protocols and their hooks, the engine-neutral trainer seam, the seeded training loop and inference timing. */
export * from './protocols';
export * from './train';
export * from './checkpoint';
export * from './cancel';
export { TfjsTrainer, checkOptimizerArgs } from './trainer';
export type { ModelTrainer, StepResult } from './trainer';
export { TorchTrainer } from './torch-trainer';
export { createTrainer, trainerKindOf } from './create';
export { hooksFor, WeightProjector } from './protocol-hooks';
export type { ProtocolHooks, EpochEnd, HookContext } from './protocol-hooks';
