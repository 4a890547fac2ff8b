import assert from 'node:assert/strict';
import { floatToOctal, floatToQuantized, octalToInt, quantizeToOctal, quantizeWeights } from '../../src/quantizers';

/** The study's printed weight vector (first row, first five values). */
const SEED_WEIGHTS = [0.03279644, 0.37225065, 0.03883055, 0.32002673, 0.37683514];

describe('quantizers: the seed functions', () => {
  it("reproduces the study's 0.75 examples", () => {
    assert.equal(floatToQuantized(0.75, 8), 191);
    assert.equal(floatToOctal(0.75, 8), '0o277');
    assert.equal(octalToInt('0o277'), 191);
  });

  it("reproduces the study's weight vector (fifth standard code is 96, not the printed 97)", () => {
    // 0.37683514 · 255 = 96.09..., which rounds to 96; the study printed 97 but its own octal
    // output '0o140' is 96.
    assert.ok(Math.abs(0.37683514 * 255 - 96.0929607) < 1e-6);
    assert.deepEqual(quantizeWeights([SEED_WEIGHTS]), [[8, 95, 10, 82, 96]]);
    assert.deepEqual(quantizeToOctal([SEED_WEIGHTS]), [['0o10', '0o136', '0o11', '0o121', '0o140']]);
    assert.deepEqual(Array.from(quantizeWeights(Float32Array.from(SEED_WEIGHTS))), [8, 95, 10, 82, 96]);
    assert.deepEqual(quantizeToOctal(Float32Array.from(SEED_WEIGHTS)), ['0o10', '0o136', '0o11', '0o121', '0o140']);
    assert.deepEqual(quantizeToOctal([SEED_WEIGHTS]).flat().map((s) => octalToInt(s as string)), [8, 94, 9, 81, 96]);
  });

  it('truncates toward zero like Python int(), writes negatives like oct()', () => {
    assert.equal(floatToQuantized(-0.5, 8), -127); // int(-127.5)
    assert.equal(floatToOctal(-0.5, 8), '-0o177');
    assert.equal(floatToOctal(0, 8), '0o0');
    assert.equal(floatToOctal(-0.001, 8), '0o0'); // int(-0.255) == 0, no '-0o0'
    assert.ok(Object.is(floatToQuantized(-0.001, 8), 0));
    assert.equal(floatToQuantized(0.999, 2), 2);
    assert.equal(floatToQuantized(1, 16), 65535);
    // Python: int(1e20 * 255) == 25500000000000001048576, oct(...) == '0o5314556266363265500000000'
    assert.equal(BigInt(floatToQuantized(1e20, 8)), 25500000000000001048576n);
    assert.equal(floatToOctal(1e20, 8), '0o5314556266363265500000000');
  });

  it('keeps the shape of nested input and the type of flat input', () => {
    const w = [[0.1, -0.2], [0.3, 0.4]];
    assert.deepEqual(quantizeWeights(w, 4), [[2, -3], [4, 6]]); // 1.5→2, −3.0, 4.5→4, 6.0
    assert.deepEqual(quantizeToOctal(w, 4), [['0o1', '-0o3'], ['0o4', '0o6']]); // int(1.5), int(−3.0000000000000004)...
    assert.ok(quantizeWeights(new Float64Array([0.5])) instanceof Int32Array);
    assert.ok(Array.isArray(quantizeWeights([0.5])));
    assert.equal(quantizeWeights(0.75), 191);
    assert.equal(quantizeToOctal(0.75), '0o277');
    assert.deepEqual(quantizeWeights([[new Float32Array([0.5, 0.25])]], 8), [[[128, 64]]]); // 127.5→128 (even), 63.75→64
    assert.throws(() => quantizeWeights([[0.1], [0.2, 0.3]]), /ragged/);
    assert.throws(() => quantizeToOctal([0.1, [0.2]] as never), /ragged/);
  });

  it('multiplies float32 arrays in float32 (numpy quantize_weights), float64 otherwise', () => {
    // Checked with numpy 1.24 and 2.4: np.round(np.float32(w) * 255) == 0, np.round(np.float64(w) * 255) == 1.
    const w = 0.0019607844296842813; // a float32 value
    assert.equal(Math.fround(w), w);
    assert.equal(w * 255, 0.5000000295694917);
    assert.equal(Math.fround(w * 255), 0.5);
    assert.deepEqual(Array.from(quantizeWeights(new Float32Array([w]))), [0]);
    assert.deepEqual(Array.from(quantizeWeights(new Float64Array([w]))), [1]);
    assert.deepEqual(quantizeWeights([w]), [1]);
    assert.deepEqual(quantizeWeights([new Float32Array([w])]), [[0]]);
    assert.deepEqual(quantizeWeights([new Float32Array([w]), [w]]), [[1], [1]]); // mixed leaves promote to float64
  });

  it('multiplies in float64 inside quantize_to_octal (np.vectorize passes Python floats), dropping a level on float32 grid values', () => {
    // Checked with numpy: quantize_to_octal(np.array([5/31], np.float32), 5) == ['0o4'],
    // quantize_weights of the same array == [5].
    const g = Math.fround(5 / 31);
    assert.equal(g * 31, 4.999999850988388);
    assert.deepEqual(quantizeToOctal(new Float32Array([g]), 5), ['0o4']);
    assert.deepEqual(Array.from(quantizeWeights(new Float32Array([g]), 5)), [5]);
    // At 8 bits no float32 grid value in [-1, 1] drops (checked exhaustively in quantize.test.ts).
    assert.deepEqual(quantizeToOctal(new Float32Array([Math.fround(5 / 255)]), 8), ['0o5']);
  });

  it('rejects bad input with a message naming the problem', () => {
    assert.throws(() => floatToQuantized(NaN, 8), /finite number, got NaN/);
    assert.throws(() => floatToOctal(Infinity, 8), /finite number, got Infinity/);
    assert.throws(() => floatToQuantized(1e308 * 10, 8), /Infinity/);
    assert.throws(() => floatToQuantized(1e307, 16), /overflows/);
    assert.throws(() => quantizeWeights([0.1, NaN, 0.2]), /weight\[1\] must be a finite number, got NaN/);
    assert.throws(() => quantizeWeights(new Float32Array([0, -Infinity])), /weight\[1\].*-Infinity/);
    assert.throws(() => quantizeToOctal([[0.1], [Infinity]]), /weight\[1\]\[0\]/);
    assert.throws(() => quantizeWeights([0.5, 1e8], 16), /weight\[1\] = 100000000 gives 6553500000000, outside int32/);
    assert.throws(() => quantizeWeights([0.5], 1), /numBits must be an integer from 2 to 16, got 1/);
    assert.throws(() => quantizeWeights([0.5], 17), /got 17/);
    assert.throws(() => floatToOctal(0.5, 8.5), /got 8.5/);
  });
});
