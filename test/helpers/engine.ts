/**
 * Pins the engine of a test suite: with the torch addon built, the automatic engine is torch,
 * whose configs carry `engine: "torch"` (another run key) and whose runs are stored in
 * <out>/torch. Suites about the store, shards and the command line run on the engine of the
 * committed runs instead.
 */
import { prepareEngine } from '../../src/engine';

/** Registers hooks on the current `describe` that run its tests with OCTOLAB_BACKEND=`mode`, restoring it after. */
export function pinBackend(mode: 'wasm' | 'cpu' = 'wasm'): void {
  const before = process.env.OCTOLAB_BACKEND;
  beforeEach(async () => {
    process.env.OCTOLAB_BACKEND = mode;
    await prepareEngine(); // configs made in this process name the engine prepared last
  });
  afterEach(() => {
    if (before === undefined) delete process.env.OCTOLAB_BACKEND;
    else process.env.OCTOLAB_BACKEND = before;
  });
}
