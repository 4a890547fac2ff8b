/**
 * Cancellation of a training run: {@link train} checks an `AbortSignal` before every
 * optimizer step and, once it is aborted, stops with a {@link TrainingCancelledError}
 * that says how far it got. Nothing half-trained is returned as a result.
 */

/** How far a cancelled training run got. */
export interface TrainingProgress {
  /** Optimizer steps done (including steps of a resumed checkpoint). */
  steps: number;
  /** Steps the full run would have taken. */
  totalSteps: number;
  /** Epochs fully completed. */
  epochsDone: number;
  /** Epochs asked for. */
  epochs: number;
}

/** Thrown by {@link train} when its signal was aborted: the run stopped before its next step. */
export class TrainingCancelledError extends Error {
  /** Where the run stopped. */
  readonly progress: TrainingProgress;

  constructor(progress: TrainingProgress) {
    super(`training cancelled after ${progress.steps} of ${progress.totalSteps} steps (${progress.epochsDone} of ${progress.epochs} epochs complete)`);
    this.name = 'TrainingCancelledError';
    this.progress = progress;
  }
}

/** True for a {@link TrainingCancelledError}, also one from another copy of this module. */
export function isTrainingCancelled(err: unknown): err is TrainingCancelledError {
  return err instanceof TrainingCancelledError || (err instanceof Error && err.name === 'TrainingCancelledError' && 'progress' in err);
}

/**
 * Lets the event loop run (timers, I/O, signal listeners). A training loop whose awaits
 * resolve at once (the cpu and wasm backends) never yields otherwise, so a SIGINT
 * listener that aborts its signal would only run after training ended.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Least time between two {@link yieldToEventLoop} calls of a cancellable training loop, in ms. */
export const CANCEL_CHECK_INTERVAL_MS = 50;
