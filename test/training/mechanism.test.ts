import assert from 'node:assert/strict';
import { UpdateAccumulator, innerSize } from '../../src/training/mechanism';
import type { StepObservation } from '../../src/training/mechanism';

const s = 1 / 255; // the grid step of 8-bit unit-scale codes

/** One tensor's step from code values (in grid steps) before, proposed and after. */
function obs(before: number[], proposed: number[], codesAfter: number[]): StepObservation {
  return {
    before: Float32Array.from(before, (c) => c * s),
    proposed: Float32Array.from(proposed, (c) => c * s),
    projected: Float32Array.from(codesAfter, (c) => c * s),
    codesBefore: Int32Array.from(before),
    codesAfter: Int32Array.from(codesAfter),
    scales: [s],
    inner: 1,
  };
}

const close = (a: number, b: number, tol = 1e-6): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('update statistics of projected steps (two weights, by hand)', () => {
  it('counts shrinking and growing code changes and the proposals of at least 0.5 and 1 grid step', () => {
    const acc = new UpdateAccumulator(['w']);
    // Step 1: codes 2 and -3; the optimizer proposes 1.4 and -3.2 steps; the projection gives 1 and -3.
    acc.observe([obs([2, -3], [1.4, -3.2], [1, -3])]);
    // Step 2: from 1 and -3, proposals 1 (no move) and -4.1 (1.1 steps away from zero) give 1 and -4.
    acc.observe([obs([1, -3], [1, -4.1], [1, -4])]);
    const e = acc.take();
    assert.ok(e !== null);
    assert.equal(e.steps, 2);
    const w = e.layers[0];
    assert.equal(w.proposals, 4);
    assert.equal(w.zeroProposals, 1);
    assert.equal(w.codeChanges, 2);
    assert.equal(w.shrank, 1);
    assert.equal(w.grew, 1);
    assert.equal(w.atLeastHalfStep, 2); // 0.6 and 1.1
    assert.equal(w.atLeastOneStep, 1); // 1.1
    // |Δ| in steps: 0, 0.2, 0.6, 1.1. The median (rank 2) is 0.2, reported as the upper edge of its
    // 1/8-octave bin [1.5, 1.625)·2^-3; the maximum is exact.
    assert.equal(w.stepQuantiles.q50, 0.203125);
    close(w.stepQuantiles.max, 1.1, 1e-5);
    assert.equal(w.stepQuantiles.q99, w.stepQuantiles.max);
    close(w.gridStep, s);
    // q − f in steps: -0.4, +0.2, 0, +0.1; toward zero (sign(f)·(q − f)): -0.4, -0.2, 0, -0.1.
    close(w.quantError.mean / s, (-0.4 + 0.2 + 0 + 0.1) / 4, 1e-5);
    close(w.quantError.mse / (s * s), (0.16 + 0.04 + 0 + 0.01) / 4, 1e-5);
    close(w.quantError.towardZero / s, (-0.4 - 0.2 - 0 - 0.1) / 4, 1e-5);
    assert.deepEqual(e.all.proposals, 4);
    assert.equal(e.all.name, '*');
  });

  it('sums tensors into the whole-model figure and starts afresh after take()', () => {
    const acc = new UpdateAccumulator(['a', 'b']);
    acc.observe([obs([5], [4.4], [4]), obs([0, 0], [0.25, -0.75], [0, -1])]);
    const e = acc.take();
    assert.ok(e !== null);
    assert.deepEqual(e.layers.map((l) => [l.name, l.proposals, l.shrank, l.grew]), [['a', 1, 1, 0], ['b', 2, 0, 1]]);
    assert.deepEqual([e.all.proposals, e.all.codeChanges, e.all.atLeastHalfStep, e.all.atLeastOneStep], [3, 2, 2, 0]);
    assert.equal(acc.take(), null);
    assert.throws(() => acc.observe([obs([1], [1], [1])]), /got 1 tensors, expected 2/);
  });

  it('uses the step of each weight’s channel along the quantization axis', () => {
    assert.equal(innerSize([3, 4], null), 1);
    assert.equal(innerSize([3, 4], 1), 1);
    assert.equal(innerSize([3, 4], 0), 4);
    const acc = new UpdateAccumulator(['k']);
    // Shape [2, 2], axis 1 (per column): steps 0.1 and 0.2; every weight moves by 0.1.
    acc.observe([
      {
        before: Float32Array.from([0, 0, 0, 0]),
        proposed: Float32Array.from([0.1, 0.1, 0.1, 0.1]),
        projected: Float32Array.from([0.1, 0, 0.1, 0]),
        codesBefore: Int32Array.from([0, 0, 0, 0]),
        codesAfter: Int32Array.from([1, 0, 1, 0]),
        scales: [0.1, 0.2],
        inner: innerSize([2, 2], 1),
      },
    ]);
    const k = acc.take()!.layers[0];
    assert.equal(k.atLeastOneStep, 2); // the column with step 0.1
    assert.equal(k.atLeastHalfStep, 4);
    close(k.gridStep, 0.15);
  });
});
