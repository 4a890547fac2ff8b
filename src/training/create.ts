/**
 * Builds the {@link ModelTrainer} of the engine in use: libtorch when the prepared engine is
 * `torch`, else tfjs on the active tfjs backend.
 */
import { describeEngine } from '../engine/engine';
import { torchAddon } from '../engine/torch';
import type { Architecture } from '../models/models';
import { TorchTrainer } from './torch-trainer';
import { TfjsTrainer } from './trainer';
import type { ModelTrainer, Task } from './trainer';

/** Which trainer implementation an engine backend uses. */
export function trainerKindOf(backend: string): 'torch' | 'tfjs' {
  return backend === 'torch' ? 'torch' : 'tfjs';
}

/** A trainer of `arch` for `task` on `backend` (default: the prepared engine's). */
export function createTrainer(arch: Architecture, task: Task, backend: string = describeEngine().backend): ModelTrainer {
  return trainerKindOf(backend) === 'torch' ? new TorchTrainer(torchAddon(), arch, task) : TfjsTrainer.build(arch, task);
}
