import assert from 'node:assert/strict';
import {
  PRESETS,
  ROUNDING_MODES,
  codesToOctal,
  decodeCodes,
  dequantize,
  encodeCodes,
  floatToQuantized,
  makeScheme,
  octalToInt,
  projectValues,
  quantize,
  quantizeToOctal,
  quantizeWeights,
  withBits,
} from '../../src/quantizers';
import type { QuantScheme, RoundingMode } from '../../src/quantizers';
import { Rng } from '../../src/random/rng';

const BIT_SAMPLE = [2, 3, 5, 7, 8, 11, 13, 16];

/** Uniform values in [-range, range), float64. */
function uniform(rng: Rng, n: number, range = 1): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = (rng.next() * 2 - 1) * range;
  return v;
}

/** Every unit-scale grid value k/(2^b−1) stored as float32, for k in [-kmax, kmax] (or a sample). */
function unitGrid(bits: number, ks: Iterable<number>): { codes: Int32Array; values: Float32Array } {
  const m = 2 ** bits - 1;
  const codes = Int32Array.from(ks);
  const values = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) values[i] = codes[i] / m;
  return { codes, values };
}

function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = lo; k <= hi; k++) out.push(k);
  return out;
}

function sampleCodes(rng: Rng, kmax: number, n: number): number[] {
  const out = [-kmax, -1, 0, 1, kmax];
  for (let i = 0; i < n; i++) out.push(rng.int(2 * kmax + 1) - kmax);
  return out;
}

const rngFor = (rounding: RoundingMode, seed = 5): Rng | undefined => (rounding === 'stochastic' ? new Rng(seed) : undefined);

describe('quantizers: presets reproduce the seed functions', () => {
  it('standard ≡ quantizeWeights and octization ≡ quantizeToOctal on float64 input, bit for bit', () => {
    const rng = new Rng(1);
    for (const b of BIT_SAMPLE) {
      const v = uniform(rng, 5000, 1.3);
      const m = 2 ** b - 1;
      const grid = Float64Array.from(range(-m, m).filter((k) => k % Math.ceil(m / 200) === 0), (k) => k / m);
      for (const values of [v, grid, Float64Array.from(unitGrid(b, range(-m, m)).values)]) {
        assert.deepEqual(quantize(values, withBits(PRESETS.standard, b)).codes, quantizeWeights(values, b), `standard, ${b} bits`);
        const seedOct = Int32Array.from(quantizeToOctal(values, b), octalToInt);
        assert.deepEqual(quantize(values, withBits(PRESETS.octization, b)).codes, seedOct, `octization, ${b} bits`);
        assert.deepEqual(quantize(Array.from(values), withBits(PRESETS.octization, b)).codes, seedOct);
      }
    }
  });

  it('standard ≡ quantizeWeights on float32 input, bit for bit (float32 products, grid values included)', () => {
    const rng = new Rng(2);
    for (const b of BIT_SAMPLE) {
      const m = 2 ** b - 1;
      for (const values of [Float32Array.from(uniform(rng, 5000, 1.3)), unitGrid(b, range(-m, m)).values]) {
        assert.deepEqual(quantize(values, withBits(PRESETS.standard, b)).codes, quantizeWeights(values, b));
        assert.deepEqual(projectValues(values, withBits(PRESETS.standard, b)).codes, quantizeWeights(values, b));
      }
    }
  });

  it('octization on float32 input: numpy float32 truncation; differs from the seed (float64 products) only where float32 rounding reaches the next integer', () => {
    const rng = new Rng(3);
    for (const b of BIT_SAMPLE) {
      const m = 2 ** b - 1;
      const random = Float32Array.from(uniform(rng, 5000, 1.3));
      const grid = unitGrid(b, range(-m, m)).values;
      for (const values of [random, grid]) {
        const ours = quantize(values, withBits(PRESETS.octization, b)).codes;
        const seed = Int32Array.from(quantizeToOctal(values, b), octalToInt);
        const seed64 = Int32Array.from(quantizeToOctal(Float64Array.from(values), b), octalToInt);
        assert.deepEqual(seed64, seed, 'the seed multiplies float32 weights in float64');
        for (let i = 0; i < values.length; i++) {
          const w = values[i];
          assert.equal(ours[i], Math.trunc(Math.fround(w * m)) + 0, `numpy float32 trunc of ${w} at ${b} bits`);
          if (ours[i] !== seed[i]) {
            const p32 = Math.fround(w * m);
            assert.ok(Number.isInteger(p32) && Math.abs(w * m) < Math.abs(p32), `${w} at ${b} bits differs without a float32 carry`);
          }
        }
      }
      // Passing the float32 values as float64 reproduces the seed bit for bit, drops included.
      assert.deepEqual(quantize(Float64Array.from(grid), withBits(PRESETS.octization, b)).codes, Int32Array.from(quantizeToOctal(grid, b), octalToInt));
    }
  });
});

describe('quantizers: octization vs the seed on float32 weights in [-1, 1]', () => {
  it('differ exactly at the float32 grid values that the seed drops (none at 8 bits)', () => {
    // A difference needs the float32 product to round up to an integer n, which confines w to
    // within about one float32 step of n/m: scanning ±4 steps around every n/m covers (0, 1].
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    for (let b = 2; b <= 16; b++) {
      const m = 2 ** b - 1;
      const ws: number[] = [];
      const onGrid: boolean[] = [];
      for (let n = 1; n <= m; n++) {
        f32[0] = n / m;
        const base = u32[0];
        for (let t = -4; t <= 4; t++) {
          u32[0] = base + t;
          if (f32[0] > 1) continue;
          ws.push(f32[0], -f32[0]);
          onGrid.push(t === 0, t === 0);
        }
      }
      const values = Float32Array.from(ws);
      const ours = quantize(values, withBits(PRESETS.octization, b)).codes;
      // The seed's per-element function (quantize_to_octal = oct(float_to_quantized) per element).
      const seed = Array.from(values, (w) => floatToQuantized(w, b));
      let differ = 0;
      for (let i = 0; i < values.length; i++) {
        if (ours[i] !== seed[i]) {
          differ++;
          assert.ok(onGrid[i], `${values[i]} at ${b} bits is not a grid value`);
          assert.equal(Math.abs(ours[i]) - Math.abs(seed[i]), 1);
        }
      }
      const drops = [0, 0, 0, 23, 0, 67, 0, 287, 519, 1025, 0, 5119, 8703, 16639, 32895][b - 2];
      assert.equal(differ, 2 * drops, `${b} bits`);
    }
  });
});

describe('quantizers: encodings do not change numbers', () => {
  it('octization ≡ toward-zero-int and standard ≡ half-even-octal (identical codes and values)', () => {
    const rng = new Rng(4);
    for (const b of BIT_SAMPLE) {
      const v = Float32Array.from(uniform(rng, 3000, 1.1));
      const pairs: [QuantScheme, QuantScheme][] = [
        [PRESETS.octization, PRESETS['toward-zero-int']],
        [PRESETS.standard, PRESETS['half-even-octal']],
      ];
      for (const [a, c] of pairs) {
        const pa = projectValues(v, withBits(a, b));
        const pc = projectValues(v, withBits(c, b));
        assert.deepEqual(pa.values, pc.values);
        assert.deepEqual(pa.codes, pc.codes);
        assert.deepEqual(dequantize(quantize(v, withBits(a, b))), pa.values);
        const ea = encodeCodes(pa.codes, withBits(a, b));
        const ec = encodeCodes(pc.codes, withBits(c, b));
        assert.notDeepEqual(ea, ec);
        assert.deepEqual(decodeCodes(ea), decodeCodes(ec));
        assert.deepEqual(decodeCodes(ea), pa.codes);
      }
    }
  });

  it('octal encoding round-trips every code exactly; int encoding picks the smallest typed array', () => {
    const rng = new Rng(6);
    for (const b of [2, 8, 16]) {
      const m = 2 ** b - 1;
      const codes = Int32Array.from(range(-m, m));
      const oct = encodeCodes(codes, withBits(PRESETS.octization, b)) as string[];
      const k = Math.min(191, m);
      assert.equal(oct[m + k], `0o${k.toString(8)}`); // codes[m + k] === k
      assert.equal(oct[m - k], `-0o${k.toString(8)}`);
      assert.deepEqual(decodeCodes(oct), codes);
    }
    const random = Int32Array.from({ length: 10000 }, () => rng.nextUint32() | 0);
    assert.deepEqual(decodeCodes(codesToOctal(random)), random);
    assert.ok(encodeCodes(Int32Array.from([-127, 127]), PRESETS.absmax) instanceof Int8Array);
    assert.ok(encodeCodes(Int32Array.from([0, 255]), PRESETS.minmax) instanceof Uint8Array);
    assert.ok(encodeCodes(Int32Array.from([-255, 255]), PRESETS.standard) instanceof Int16Array);
    assert.ok(encodeCodes(Int32Array.from([0, 65535]), PRESETS.standard) instanceof Uint16Array);
    assert.ok(encodeCodes(Int32Array.from([0, 65536]), PRESETS.standard) instanceof Int32Array);
    assert.throws(() => decodeCodes(['0o1', '0o9']), /index 1.*"0o9"/);
    assert.throws(() => decodeCodes(['0o' + (2 ** 31).toString(8)]), /outside int32/);
  });

  it('projectValues builds no strings (no Number.prototype.toString call), encodeCodes does', () => {
    const v = Float32Array.from(uniform(new Rng(7), 1000));
    const original = Number.prototype.toString;
    let calls = 0;
    // eslint-disable-next-line no-extend-native
    Number.prototype.toString = function (this: number, radix?: number): string {
      calls++;
      return original.call(this, radix);
    };
    try {
      projectValues(v, PRESETS.octization);
      const during = calls;
      const codes = projectValues(v, PRESETS.octization).codes;
      const before = calls;
      encodeCodes(codes, PRESETS.octization);
      assert.equal(during, 0);
      assert.equal(calls - before, codes.filter((c) => c !== 0).length, 'control: the octal encoding calls toString for every nonzero code');
    } finally {
      Number.prototype.toString = original;
    }
  });
});

describe('quantizers: error statistics match theory', () => {
  // Uniform values: the position within a step is uniform, so for step h
  // nearest rounding gives MSE h²/12 and bias 0, truncation MSE h²/3 and magnitude bias −h/2,
  // stochastic rounding MSE h²/6 and bias 0.
  const n = 100000;
  const values = Float32Array.from(uniform(new Rng(8), n));
  const stats = (scheme: QuantScheme, rng?: Rng, minAbs = 0): { mse: number; bias: number; magBias: number; h: number } => {
    const p = projectValues(values, scheme, { rng });
    let se = 0;
    let sum = 0;
    let mag = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (Math.abs(values[i]) < minAbs) continue;
      const e = p.values[i] - values[i];
      se += e * e;
      sum += e;
      mag += Math.abs(p.values[i]) - Math.abs(values[i]);
      count++;
    }
    return { mse: se / count, bias: sum / count, magBias: mag / count, h: p.scales[0] };
  };
  const near = (got: number, want: number, rel: number, what: string): void =>
    assert.ok(Math.abs(got - want) <= rel * Math.abs(want), `${what}: ${got} vs ${want}`);

  for (const b of [4, 8]) {
    it(`at ${b} bits`, () => {
      const h = 1 / (2 ** b - 1);
      for (const name of ['standard', 'half-away-int'] as const) {
        const s = stats(withBits(PRESETS[name], b));
        assert.equal(s.h, h);
        near(s.mse, (h * h) / 12, 0.03, `${name} MSE`);
        assert.ok(Math.abs(s.bias) < 0.01 * h, `${name} bias ${s.bias}`);
      }
      const t = stats(withBits(PRESETS.octization, b), undefined, h);
      near(t.mse, (h * h) / 3, 0.03, 'toward-zero MSE');
      near(t.magBias, -h / 2, 0.02, 'toward-zero magnitude bias');
      const f = stats(withBits(PRESETS['floor-int'], b));
      near(f.bias, -h / 2, 0.02, 'floor bias');
      const st = stats(withBits(PRESETS.stochastic, b), new Rng(9));
      near(st.mse, (h * h) / 6, 0.03, 'stochastic MSE');
      assert.ok(Math.abs(st.bias) < 0.01 * h, `stochastic bias ${st.bias}`);
      const a = stats(withBits(PRESETS['absmax-per-tensor'], b));
      near(a.mse, (a.h * a.h) / 12, 0.03, 'absmax MSE');
    });
  }

  it('stochastic rounding is unbiased for a fixed value and reproducible from its seed', () => {
    const s = withBits(PRESETS.stochastic, 4); // 0.3 · 15 = 4.5, 0.1 · 15 = 1.5, 0.62 · 15 = 9.3
    for (const w of [0.3, 0.1, 0.62, -0.62]) {
      const v = new Float32Array(40000).fill(w);
      const p = projectValues(v, s, { rng: new Rng(10) });
      const mean = p.codes.reduce((a, c) => a + c, 0) / v.length;
      const x = Math.fround(Math.fround(w) * 15);
      const frac = x - Math.floor(x);
      const se = Math.sqrt((frac * (1 - frac)) / v.length);
      assert.ok(Math.abs(mean - x) < 5 * se, `mean code ${mean} vs ${x}`);
      assert.ok(p.codes.every((c) => c === Math.floor(x) || c === Math.floor(x) + 1));
    }
    const v = Float32Array.from(uniform(new Rng(11), 5000));
    const a = projectValues(v, s, { rng: Rng.stream(3, 'stochastic-rounding') });
    const b = projectValues(v, s, { rng: Rng.stream(3, 'stochastic-rounding') });
    const c = projectValues(v, s, { rng: Rng.stream(4, 'stochastic-rounding') });
    assert.deepEqual(a.codes, b.codes);
    assert.deepEqual(a.values, b.values);
    assert.notDeepEqual(a.codes, c.codes);
  });
});

describe('quantizers: idempotence on the float32 grid', () => {
  it('documents the trap: a float64 product drops a level at 5, 7, 9–11 and 13–16 bits', () => {
    // Number of k in 1..2^b−1 with trunc(float32(k/m) · m) < k in float64 (and the seed's
    // quantizeToOctal on float32 weights, which multiplies in float64, agrees).
    const want = [0, 0, 0, 23, 0, 67, 0, 287, 519, 1025, 0, 5119, 8703, 16639, 32895];
    for (let b = 2; b <= 16; b++) {
      const m = 2 ** b - 1;
      let drops = 0;
      for (let k = 1; k <= m; k++) if (Math.trunc(Math.fround(k / m) * m) < k) drops++;
      assert.equal(drops, want[b - 2], `${b} bits`);
      if (b <= 8) {
        const { codes, values } = unitGrid(b, range(1, m));
        const seed = Int32Array.from(quantizeToOctal(values, b), octalToInt);
        assert.equal(seed.filter((c, i) => c !== codes[i]).length, drops);
        assert.deepEqual(quantizeWeights(values, b), codes); // numpy float32 round: no drop
      }
    }
  });

  it('unit scale: every code at every width 2..16 and every rounding mode maps back to itself', () => {
    const rng = new Rng(12);
    for (let b = 2; b <= 16; b++) {
      const m = 2 ** b - 1;
      // All codes for b ≤ 12 (plus beyond-range codes up to ±4m), a sample for larger b.
      const ks = b <= 12 ? range(-4 * m, 4 * m) : sampleCodes(rng, 4 * m, 20000).concat(range(-m, -m + 2000), range(m - 2000, m));
      const { codes, values } = unitGrid(b, ks);
      for (const rounding of ROUNDING_MODES) {
        const s = makeScheme({ bits: b, rounding });
        const p = projectValues(values, s, { rng: rngFor(rounding) });
        assert.deepEqual(p.codes, codes, `${b} bits, ${rounding}`);
        assert.deepEqual(p.values, values, `${b} bits, ${rounding}`);
        assert.deepEqual(quantize(dequantize(quantize(values, s, { rng: rngFor(rounding) })), s, { rng: rngFor(rounding) }).codes, codes);
      }
    }
  });

  it('absmax: every code maps back to itself (the scale is reproduced exactly)', () => {
    const rng = new Rng(13);
    for (let b = 2; b <= 16; b++) {
      const qmax = 2 ** (b - 1) - 1;
      const ks = b <= 12 ? range(-qmax, qmax) : sampleCodes(rng, qmax, 20000);
      for (const rounding of ROUNDING_MODES) {
        const scheme = makeScheme({ bits: b, scale: 'absmax', rounding });
        const w = Float32Array.from(uniform(rng, ks.length, 0.7));
        w[0] = 0.7; // one value at the top of the range
        const first = projectValues(w, scheme, { rng: rngFor(rounding) });
        const again = projectValues(first.values, scheme, { rng: rngFor(rounding, 99) });
        assert.deepEqual(again.codes, first.codes, `${b} bits, ${rounding}`);
        assert.deepEqual(again.values, first.values);
        assert.deepEqual(again.scales, first.scales);
        // A tensor holding every code: the grid values of its own scale.
        const scale = Math.fround(0.37) / qmax;
        const grid = Float32Array.from(ks, (k) => k * scale);
        const p = projectValues(grid, scheme, { rng: rngFor(rounding) });
        assert.deepEqual(p.codes, Int32Array.from(ks), `${b} bits, ${rounding}, grid`);
      }
    }
  });

  it('projection is idempotent on random tensors (unit and absmax, all modes; minmax, nearest modes)', () => {
    const rng = new Rng(14);
    for (const b of BIT_SAMPLE) {
      for (const rounding of ROUNDING_MODES) {
        const scales = rounding === 'half-even' || rounding === 'half-away' ? (['unit', 'absmax', 'minmax'] as const) : (['unit', 'absmax'] as const);
        for (const scale of scales) {
          const scheme = makeScheme({ bits: b, scale, rounding, granularity: { axis: -1 } });
          const w = Float32Array.from(uniform(rng, 600, 1.5));
          const p1 = projectValues(w, scheme, { shape: [100, 6], rng: rngFor(rounding) });
          const p2 = projectValues(p1.values, scheme, { shape: [100, 6], rng: rngFor(rounding, 77) });
          assert.deepEqual(p2.codes, p1.codes, `${b} bits, ${scale}, ${rounding}`);
          if (scale !== 'minmax') assert.deepEqual(p2.values, p1.values, `${b} bits, ${scale}, ${rounding}`);
          else for (let i = 0; i < w.length; i++) assert.ok(Math.abs(p2.values[i] - p1.values[i]) <= 4e-7 * Math.abs(p1.values[i]));
        }
      }
    }
  });
});

describe('quantizers: calibrated scales', () => {
  it('minmax with directed rounding is not a projection: the range shrinks every time (documented)', () => {
    const rng = new Rng(3);
    let v: Float32Array = Float32Array.from({ length: 1000 }, () => rng.next() * 1.3 - 0.3);
    const scheme = makeScheme({ scale: 'minmax', rounding: 'toward-zero' });
    const steps: number[] = [];
    for (let k = 0; k < 4; k++) {
      const p = projectValues(v, scheme);
      steps.push(p.scales[0]);
      v = p.values;
    }
    for (let k = 1; k < steps.length; k++) {
      const ratio = steps[k] / steps[k - 1];
      assert.ok(ratio < 0.998 && ratio > 0.99, `step ratio ${ratio}`);
    }
  });

  it('absmax, per tensor and per channel (hand-computed)', () => {
    const s3 = makeScheme({ bits: 3, scale: 'absmax' }); // qmax 3
    const v = Float32Array.from([0.5, -1, 0.25, 0.1]);
    const q = quantize(v, s3); // step 1/3: 1.5→2, −3, 0.75→1, 0.3→0
    assert.deepEqual(Array.from(q.codes), [2, -3, 1, 0]);
    assert.deepEqual(Array.from(dequantize(q)), [Math.fround(2 / 3), -1, Math.fround(1 / 3), 0]);
    const pc = quantize(v, makeScheme({ bits: 3, scale: 'absmax', granularity: { axis: -1 } }), { shape: [2, 2] });
    // channel 0 = [0.5, 0.25], step 0.5/3: 3, 1.5→2; channel 1 = [−1, 0.1], step 1/3: −3, 0.3→0
    assert.deepEqual(Array.from(pc.codes), [3, -3, 2, 0]);
    assert.deepEqual(Array.from(pc.scales), [0.5 / 3, 1 / 3]);
    assert.equal(pc.axis, 1);
    const axis0 = quantize(v, makeScheme({ bits: 3, scale: 'absmax', granularity: { axis: 0 } }), { shape: [2, 2] });
    // rows [0.5, −1] (step 1/3) and [0.25, 0.1] (step 0.25/3): 1.5→2, −3, 3, 1.2→1
    assert.deepEqual(Array.from(axis0.codes), [2, -3, 3, 1]);
    assert.deepEqual(Array.from(dequantize(axis0)), Array.from(Float32Array.from([2 / 3, -1, 0.25, 0.25 / 3])));
    // A bias (rank 1) gets one scale even with per-channel granularity.
    const bias = quantize(v, PRESETS.absmax, { shape: [4] });
    assert.equal(bias.scales.length, 1);
    assert.equal(bias.axis, null);
    // All zeros: step 1, codes 0.
    assert.deepEqual(Array.from(quantize(new Float32Array(3), s3).codes), [0, 0, 0]);
    // Toward zero never leaves the clipped range.
    const tz = quantize(v, makeScheme({ bits: 3, scale: 'absmax', rounding: 'toward-zero' }));
    assert.deepEqual(Array.from(tz.codes), [1, -3, 0, 0]);
  });

  it('minmax: zero point nudged so 0.0 is exact (hand-computed)', () => {
    const v = [-0.3, 1.0, 0.5, 0];
    const q = quantize(v, PRESETS.minmax);
    // step 1.3/255, −min/step = 58.85 → zero point 59; 1/step = 196.15 → 196+59 = 255; 0.5/step = 98.08 → 157
    assert.equal(q.scales[0], 1.3 / 255);
    assert.deepEqual(Array.from(q.zeroPoints), [59]);
    assert.deepEqual(Array.from(q.codes), [0, 255, 157, 59]);
    const d = dequantize(q);
    assert.equal(d[3], 0);
    assert.equal(d[0], Math.fround((-59 * 1.3) / 255));
    // All positive: the range is extended to 0, zero point 0.
    const pos = quantize([0.2, 0.4], PRESETS.minmax);
    assert.deepEqual(Array.from(pos.zeroPoints), [0]);
    assert.deepEqual(Array.from(pos.codes), [128, 255]); // 127.5 → 128 (even)
    const neg = quantize([-0.2, -0.4], PRESETS.minmax);
    assert.deepEqual(Array.from(neg.zeroPoints), [255]);
    assert.deepEqual(Array.from(neg.codes), [127, 0]); // −127.5 → −128 (even), + 255 = 127
  });
});

describe('quantizers: bad input', () => {
  it('rejects non-finite values, naming the index', () => {
    assert.throws(() => projectValues(Float32Array.from([0, 0.5, NaN]), PRESETS.standard), /index 2 must be finite, got NaN/);
    assert.throws(() => projectValues(Float32Array.from([Infinity]), PRESETS.absmax, { shape: [1, 1] }), /index 0 must be finite, got Infinity/);
    assert.throws(() => quantize([0, -Infinity], PRESETS.minmax), /index 1 must be finite, got -Infinity/);
    assert.throws(() => quantize([0.1, 'x' as never], PRESETS.standard), /index 1 must be a number/);
    assert.throws(() => quantize([1e10], withBits(PRESETS.standard, 16)), /value 10000000000 at index 0 gives code 655350000000000, outside int32/);
  });

  it('rejects bad schemes and options', () => {
    const v = new Float32Array(6);
    assert.throws(() => projectValues(v, { ...PRESETS.standard, bits: 17 }), /bits must be an integer from 2 to 16, got 17/);
    assert.throws(() => projectValues(v, { ...PRESETS.standard, rounding: 'nearest' } as never), /unknown rounding 'nearest'/);
    assert.throws(() => projectValues(v, PRESETS.absmax), /needs options.shape/);
    assert.throws(() => projectValues(v, PRESETS.absmax, { shape: [2, 2] }), /holds 4 values, got 6/);
    assert.throws(() => projectValues(v, PRESETS.absmax, { shape: [2, 3, 1.5] }), /bad dimension 1.5/);
    assert.throws(() => projectValues(v, makeScheme({ scale: 'absmax', granularity: { axis: 2 } }), { shape: [2, 3] }), /axis 2 is out of range/);
    assert.throws(() => projectValues(v, PRESETS.stochastic), /stochastic' needs options.rng/);
    assert.throws(() => projectValues(new Float64Array(2) as never, PRESETS.standard), /must be a Float32Array/);
  });
});
