/**
 * A worker process of the experiment runner: prepares the engine once, then runs
 * the configs its parent sends, one at a time, and sends back each record.
 * (The wasm engine uses one core per process; parallelism comes from processes.)
 */
import type { Dataset } from '../data/types';
import { prepareEngine } from '../engine';
import type { RunConfig } from './config';
import { runStored } from './record';
import type { StoredRecord } from '../results/schema';

/** Messages from parent to worker. */
export type ToWorker =
  | { type: 'run'; config: RunConfig; dataDir: string; download: boolean; checkpointDir: string | undefined }
  | { type: 'exit' };

/** Messages from worker to parent. */
export type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'step'; done: number; total: number }
  | { type: 'done'; record: StoredRecord }
  | { type: 'error'; message: string; stack?: string };

/** Exit code of a worker whose parent went away. */
export const EXIT_ORPHANED = 3;

/** Serves run requests on the IPC channel until told to exit. */
export async function serve(): Promise<void> {
  const send = (msg: FromWorker): void => {
    if (process.connected) process.send?.(msg);
  };
  // The parent is the only reader of results: without it (killed, even by kill -9) there
  // is nobody to save a record, so stop at once instead of training on as an orphan.
  // 'disconnect' needs the event loop to poll, which a training loop of resolved promises may
  // not let it do for a long time; so every step also checks that the parent is still the
  // parent (a dead parent's children are re-parented, and process.ppid reads it afresh).
  const parent = process.ppid;
  const exitIfOrphaned = (): void => {
    if (!process.connected || process.ppid !== parent) process.exit(EXIT_ORPHANED);
  };
  process.on('disconnect', () => process.exit(EXIT_ORPHANED));
  exitIfOrphaned();
  const cache = new Map<string, Dataset>();
  try {
    const info = await prepareEngine();
    exitIfOrphaned();
    send({ type: 'ready', backend: info.backend });
  } catch (err) {
    send({ type: 'error', message: (err as Error).message, stack: (err as Error).stack });
    process.exit(1);
  }
  process.on('message', (msg: ToWorker) => {
    if (msg.type === 'exit') {
      process.removeAllListeners('disconnect');
      process.disconnect?.();
      return;
    }
    let last = 0;
    runStored(msg.config, {
      dataDir: msg.dataDir,
      download: msg.download,
      cache,
      checkpointDir: msg.checkpointDir,
      onStep: (done, total) => {
        exitIfOrphaned();
        const now = Date.now();
        if (now - last > 250 || done === total) {
          last = now;
          send({ type: 'step', done, total });
        }
      },
    }).then(
      (record) => send({ type: 'done', record }),
      (err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined }),
    );
  });
}

if (require.main === module) {
  void serve();
}
