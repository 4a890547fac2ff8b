/**
 * Kernel → Interrupt for long notebook operations. tslab answers SIGINT by abandoning
 * the awaited cell while its promise keeps running (a training loop goes on in the
 * background). {@link interruptible} instead runs an operation with an `AbortSignal`
 * that the next SIGINT aborts; the operation stops at its next step (training checks
 * the signal before every optimizer step), the cell finishes normally and says what was
 * done. SIGINT outside an interruptible operation goes to the listeners that were there
 * before (tslab's own), so other cells are interrupted as before.
 */

type SigintListener = (signal: NodeJS.Signals) => void;

/** The process-wide state: the listeners displaced and the operations running now. */
interface InterruptState {
  proc: NodeJS.Process;
  previous: SigintListener[];
  running: Set<AbortController>;
  listener: SigintListener;
}

let state: InterruptState | null = null;

/** Reason given to the aborted signal. */
export class InterruptedError extends Error {
  constructor() {
    super('interrupted (SIGINT)');
    this.name = 'InterruptedError';
  }
}

/**
 * Installs the SIGINT listener (once per process; later calls do nothing). The listeners
 * already on SIGINT are taken off and called when no interruptible operation is running;
 * with none, SIGINT then ends the process with status 130 as it would have.
 */
export function installInterruptHandler(proc: NodeJS.Process = process): void {
  if (state !== null) return;
  const previous = proc.listeners('SIGINT') as SigintListener[];
  for (const l of previous) proc.removeListener('SIGINT', l);
  const running = new Set<AbortController>();
  const listener: SigintListener = (signal) => {
    if (running.size > 0) {
      for (const c of running) c.abort(new InterruptedError());
      return;
    }
    if (previous.length === 0) proc.exit(130);
    for (const l of previous) l(signal);
  };
  proc.on('SIGINT', listener);
  state = { proc, previous, running, listener };
}

/** Takes the listener off again and puts the displaced ones back (for tests). */
export function uninstallInterruptHandler(): void {
  if (state === null) return;
  state.proc.removeListener('SIGINT', state.listener);
  for (const l of state.previous) state.proc.on('SIGINT', l);
  state = null;
}

/** Number of interruptible operations running now. */
export function runningInterruptibles(): number {
  return state?.running.size ?? 0;
}

/**
 * Runs `operation` with a signal that the next SIGINT (Kernel → Interrupt) aborts.
 * The operation decides where it stops and what it returns; the signal is only a flag.
 */
export async function interruptible<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
  installInterruptHandler();
  const controller = new AbortController();
  const running = (state as InterruptState).running;
  running.add(controller);
  try {
    return await operation(controller.signal);
  } finally {
    running.delete(controller);
  }
}
