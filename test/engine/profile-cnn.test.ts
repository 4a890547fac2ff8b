import assert from 'assert/strict';
import { aggregateKernels, buildCifarCnn, parseProfileArgs } from '../../scripts/profile-cnn';

describe('engine: profile-cnn script helpers', () => {
  it('parses flags, with defaults, and rejects bad ones by name', () => {
    const d = parseProfileArgs([]);
    assert.deepEqual([d.backend, d.kernels, d.batch, d.warmup, d.steps], ['wasm', 'fast', 64, 3, 10]);
    const a = parseProfileArgs(['--kernels', 'baseline', '--batch', '8', '--steps', '2', '--json']);
    assert.deepEqual([a.kernels, a.batch, a.steps, a.json], ['baseline', 8, 2, true]);
    assert.throws(() => parseProfileArgs(['--batch', '0']), /--batch needs an integer >= 1, got 0/);
    assert.throws(() => parseProfileArgs(['--kernels', 'slow']), /--kernels must be 'fast' or 'baseline', got slow/);
    assert.throws(() => parseProfileArgs(['--frobnicate']), /unknown argument '--frobnicate'/);
  });

  it('aggregates profile entries per kernel and per step, slowest first', () => {
    const rows = aggregateKernels(
      [
        { name: 'Conv2D', kernelTimeMs: 4 },
        { name: 'Add', kernelTimeMs: 1 },
        { name: 'Conv2D', kernelTimeMs: 6 },
        { name: 'Add', kernelTimeMs: { error: 'n/a' } },
      ],
      2,
    );
    assert.deepEqual(rows, [
      { kernel: 'Conv2D', callsPerStep: 1, msPerStep: 5 },
      { kernel: 'Add', callsPerStep: 1, msPerStep: 0.5 },
    ]);
  });

  it('builds the study CNN with 282,250 parameters', () => {
    const model = buildCifarCnn(1);
    assert.equal(model.countParams(), 282250);
    model.dispose();
  });
});
