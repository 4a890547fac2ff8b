/**
 * The general quantizer: float values → integer codes plus parameters, and back.
 *
 * Arithmetic follows the input's precision, as numpy does for arrays:
 * - `Float32Array` input (model weights): for the `'unit'` scale the product
 *   `w · (2^b − 1)` is rounded to float32 (`Math.fround`) before rounding, exactly as
 *   `np.round(w * max_val)` computes it on a float32 array.
 * - `Float64Array` / `number[]` input: the product is a float64, exactly as Python
 *   computes `value * max_val` for a Python float.
 *
 * Grid idempotence. Dequantized values are stored as float32 (as in a model). Quantizing
 * such a stored grid value again must give the same code, or a projection applied after every
 * optimizer step drifts toward zero one level at a time. In float64, `float32(k/(2^b−1)) · (2^b−1)`
 * lands just below k for some k at b = 5, 7, 9–11 and 13–16, and truncation then drops a level.
 * With the float32 product it lands exactly on k for every |k| ≤ 2^b − 1 and every b in 2..16
 * (checked exhaustively in the tests). For float32 input the directed modes (toward-zero, floor,
 * stochastic) also compare the candidate code with the float32 grid value of its neighbour: when
 * the value is within (|code| + 1)·2^−20 of the next level and that level's float32 grid value
 * does not exceed it (does not fall below it for negatives under toward-zero), the neighbour is
 * taken. This check never fires for |code| ≤ 2^b − 1 with the unit scale (so results equal numpy's
 * float32 arithmetic there); it makes codes beyond that range and the calibrated scales
 * idempotent as well. Float64 input with the unit scale gets no check: it reproduces Python
 * bit for bit, drops included.
 */
import type { Rng } from '../random/rng';
import { roundHalfAway, roundHalfEven } from './rounding';
import { validateScheme } from './scheme';
import type { QuantScheme } from './scheme';

/** Options of {@link quantize} and {@link projectValues}, in the style of tfjs `*Args`. */
export interface QuantizeOptions {
  /**
   * Row-major shape of the values; its element count must equal the number of values.
   * Required when the scheme's granularity is per-channel. Default `[n]`.
   */
  shape?: readonly number[];
  /** Seeded random source; required (and only used) for `'stochastic'` rounding, one draw per value. */
  rng?: Rng;
}

/** The parameters that map codes back to values. */
export interface QuantParams {
  /**
   * Real step per channel (length 1 for per-tensor). `'unit'`: `1/(2^b − 1)` (informative: values
   * are dequantized as `code / (2^b − 1)`); `'absmax'`: `max|w| / (2^(b−1) − 1)`; `'minmax'`:
   * `(max(w,0) − min(w,0)) / (2^b − 1)`. An all-zero channel gets step 1.
   */
  scales: Float64Array;
  /** Integer code of 0.0 per channel: nonzero only for `'minmax'`. */
  zeroPoints: Int32Array;
  /** Non-negative channel axis, or `null` when one parameter set covers the tensor. */
  axis: number | null;
}

/** Result of {@link quantize}: codes, parameters and everything needed to dequantize. */
export interface QuantizedValues extends QuantParams {
  /** The scheme used. */
  scheme: QuantScheme;
  /** Row-major shape of the codes. */
  shape: number[];
  /** One int32 code per value (the encoding is applied separately by `encodeCodes`). */
  codes: Int32Array;
  /** Precision of the products: `'float32'` for Float32Array input, else `'float64'`. */
  arithmetic: 'float32' | 'float64';
}

/** Result of {@link projectValues}: the dequantized values and the codes they come from. */
export interface Projection extends QuantParams {
  /** Dequantized values, float32, same layout as the input. */
  values: Float32Array;
  /** One int32 code per value. */
  codes: Int32Array;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const F32_MAX = 3.4028234663852886e38;
/** Relative closeness (per unit of code magnitude) under which the grid check of directed modes runs. */
const GRID_TOL = 2 ** -20;

const UNIT = 0;
const ABSMAX = 1;
const MINMAX = 2;

const HALF_EVEN = 0;
const HALF_AWAY = 1;
const TOWARD_ZERO = 2;
const FLOOR = 3;
const STOCHASTIC = 4;

const MODE_IDS = { 'half-even': HALF_EVEN, 'half-away': HALF_AWAY, 'toward-zero': TOWARD_ZERO, floor: FLOOR, stochastic: STOCHASTIC };
const SCALE_IDS = { unit: UNIT, absmax: ABSMAX, minmax: MINMAX };

/** Checks a shape against a value count; returns a copy. */
function checkShape(shape: readonly number[] | undefined, n: number, fn: string): number[] {
  if (shape === undefined) return [n];
  if (!Array.isArray(shape)) throw new Error(`${fn}: options.shape must be an array of integers, got ${String(shape)}`);
  let size = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new Error(`${fn}: options.shape [${shape.join(', ')}] has a bad dimension ${String(d)}`);
    }
    size *= d;
  }
  if (size !== n) throw new Error(`${fn}: options.shape [${shape.join(', ')}] holds ${size} values, got ${n}`);
  return shape.slice();
}

/** Channel layout: values are visited as [outer][channels][inner]. */
interface Layout {
  axis: number | null;
  outer: number;
  channels: number;
  inner: number;
}

function layoutOf(scheme: QuantScheme, shape: number[], shapeGiven: boolean, fn: string): Layout {
  const n = shape.reduce((a, b) => a * b, 1);
  const g = scheme.granularity;
  // The unit scale has nothing to calibrate per channel.
  if (g === 'per-tensor' || scheme.scale === 'unit') return { axis: null, outer: 1, channels: 1, inner: n };
  if (!shapeGiven) {
    throw new Error(`${fn}: granularity { axis: ${g.axis} } needs options.shape to find the channels`);
  }
  const rank = shape.length;
  // Rank 0/1 (biases): one parameter set.
  if (rank < 2) return { axis: null, outer: 1, channels: 1, inner: n };
  if (g.axis < -rank || g.axis >= rank) {
    throw new Error(`${fn}: granularity axis ${g.axis} is out of range for shape [${shape.join(', ')}]`);
  }
  const axis = g.axis < 0 ? g.axis + rank : g.axis;
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  let inner = 1;
  for (let i = axis + 1; i < rank; i++) inner *= shape[i];
  return { axis, outer, channels: shape[axis], inner };
}

function badValue(fn: string, idx: number, w: number): Error {
  return new Error(`${fn}: value at index ${idx} must be finite, got ${w}`);
}

/** Computes per-channel parameters (scale, zero point) from the data; also rejects NaN/±Infinity. */
function calibrate(values: ArrayLike<number>, kind: number, bits: number, lay: Layout, fn: string): { scales: Float64Array; zeroPoints: Int32Array } {
  const { outer, channels, inner } = lay;
  const scales = new Float64Array(channels);
  const zeroPoints = new Int32Array(channels);
  const lo = new Float64Array(channels);
  const hi = new Float64Array(channels);
  const lim = values instanceof Float32Array ? F32_MAX : Number.MAX_VALUE;
  let idx = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      let l = lo[c];
      let h = hi[c];
      for (let j = 0; j < inner; j++, idx++) {
        const w = values[idx];
        if (!(w <= lim && w >= -lim)) throw badValue(fn, idx, w);
        if (w < l) l = w;
        if (w > h) h = w;
      }
      lo[c] = l;
      hi[c] = h;
    }
  }
  if (kind === UNIT) {
    scales.fill(1 / (2 ** bits - 1));
    return { scales, zeroPoints };
  }
  for (let c = 0; c < channels; c++) {
    if (kind === ABSMAX) {
      const m = Math.max(-lo[c], hi[c]);
      scales[c] = m > 0 ? m / (2 ** (bits - 1) - 1) : 1;
    } else {
      const qmax = 2 ** bits - 1;
      const range = hi[c] - lo[c]; // lo ≤ 0 ≤ hi: the range always contains 0
      if (range > 0 && Number.isFinite(range)) {
        const s = range / qmax;
        scales[c] = s;
        zeroPoints[c] = Math.min(qmax, Math.max(0, roundHalfEven(-lo[c] / s)));
      } else if (range > 0) {
        throw new Error(`${fn}: value range [${lo[c]}, ${hi[c]}] is too wide for a float64 scale`);
      } else {
        scales[c] = 1;
      }
    }
  }
  return { scales, zeroPoints };
}

/**
 * The quantization kernel shared by {@link quantize} and {@link projectValues}: writes codes
 * (and dequantized values when `out` is given) for every value. No per-element allocation.
 */
function run(
  values: ArrayLike<number>,
  f32: boolean,
  scheme: QuantScheme,
  options: QuantizeOptions,
  fn: string,
  out: Float32Array | null,
): { shape: number[]; codes: Int32Array; params: QuantParams } {
  validateScheme(scheme);
  if (options === null || typeof options !== 'object') throw new Error(`${fn}: options must be an object`);
  const n = values.length;
  const shape = checkShape(options.shape, n, fn);
  const lay = layoutOf(scheme, shape, options.shape !== undefined, fn);
  const mode = MODE_IDS[scheme.rounding];
  const kind = SCALE_IDS[scheme.scale];
  const rng = options.rng;
  if (mode === STOCHASTIC && (rng === undefined || rng === null || typeof rng.next !== 'function')) {
    throw new Error(`${fn}: rounding 'stochastic' needs options.rng (a seeded Rng)`);
  }
  const { scales, zeroPoints } = calibrate(values, kind, scheme.bits, lay, fn);
  const codes = new Int32Array(n);
  const m = 2 ** scheme.bits - 1;
  const unit = kind === UNIT;
  let cmin = INT32_MIN;
  let cmax = INT32_MAX;
  if (kind === ABSMAX) {
    cmax = 2 ** (scheme.bits - 1) - 1;
    cmin = -cmax;
  } else if (kind === MINMAX) {
    cmin = 0;
    cmax = m;
  }
  const check = f32 || !unit; // the grid check (see the module notes); off for Python-exact float64 unit
  const { outer, channels, inner } = lay;
  let idx = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const s = scales[c];
      const zp = zeroPoints[c];
      for (let j = 0; j < inner; j++, idx++) {
        const w = values[idx];
        let x: number;
        if (unit) {
          x = f32 ? Math.fround(w * m) : w * m;
        } else {
          x = w / s;
        }
        let r: number;
        switch (mode) {
          case HALF_EVEN:
            r = roundHalfEven(x);
            break;
          case HALF_AWAY:
            r = roundHalfAway(x);
            break;
          case TOWARD_ZERO:
            r = Math.trunc(x);
            if (check) {
              if (w >= 0) {
                if (r + 1 - x <= (r + 1) * GRID_TOL && grid(r + 1, unit, m, s, f32) <= w) r += 1;
              } else if (x - (r - 1) <= (1 - r) * GRID_TOL && grid(r - 1, unit, m, s, f32) >= w) {
                r -= 1;
              }
            }
            break;
          case FLOOR:
            r = Math.floor(x);
            if (check && r + 1 - x <= (Math.abs(r) + 1) * GRID_TOL && grid(r + 1, unit, m, s, f32) <= w) r += 1;
            break;
          default: {
            const u = (rng as Rng).next();
            r = Math.floor(x);
            let p = x - r;
            if (check) {
              const tol = (Math.abs(r) + 1) * GRID_TOL;
              if (1 - p <= tol && grid(r + 1, unit, m, s, f32) <= w) {
                r += 1;
                p = 0;
              } else if (p <= tol && grid(r, unit, m, s, f32) === w) {
                p = 0;
              }
            }
            if (u < p) r += 1;
          }
        }
        if (unit) {
          if (!(r >= INT32_MIN && r <= INT32_MAX)) {
            if (!Number.isFinite(w)) throw badValue(fn, idx, w);
            throw new Error(`${fn}: value ${w} at index ${idx} gives code ${r}, outside int32`);
          }
        } else {
          r += zp;
          if (r < cmin) r = cmin;
          else if (r > cmax) r = cmax;
        }
        const code = r | 0;
        codes[idx] = code;
        if (out !== null) out[idx] = unit ? code / m : (code - zp) * s;
      }
    }
  }
  return { shape, codes, params: { scales, zeroPoints, axis: lay.axis } };
}

/** The grid value of relative code `j` as stored: float32 when `f32`. */
function grid(j: number, unit: boolean, m: number, s: number, f32: boolean): number {
  const v = unit ? j / m : j * s;
  return f32 ? Math.fround(v) : v;
}

/**
 * Quantizes values to int32 codes plus parameters under `scheme`.
 *
 * Float32Array input uses float32 products (numpy's float32 arithmetic); `number[]` and
 * Float64Array input use float64 (Python's arithmetic). See the module notes for grid idempotence.
 * @throws Error for NaN/±Infinity values (naming the index), a unit-scale code outside int32,
 *   an invalid scheme, a shape that does not match, or stochastic rounding without `options.rng`.
 */
export function quantize(
  values: Float32Array | Float64Array | readonly number[],
  scheme: QuantScheme,
  options: QuantizeOptions = {},
): QuantizedValues {
  const fn = 'quantize';
  const f32 = values instanceof Float32Array;
  if (!f32 && !(values instanceof Float64Array) && !Array.isArray(values)) {
    throw new Error(`${fn}: values must be a Float32Array, Float64Array or number[]`);
  }
  if (!f32 && !(values instanceof Float64Array)) {
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] !== 'number') throw new Error(`${fn}: value at index ${i} must be a number, got ${typeof values[i]}`);
    }
  }
  const { shape, codes, params } = run(values, f32, scheme, options, fn, null);
  return { scheme, shape, codes, ...params, arithmetic: f32 ? 'float32' : 'float64' };
}

/**
 * Dequantizes codes back to float32 values: `code / (2^b − 1)` for the unit scale,
 * `code · scale` for absmax, `(code − zeroPoint) · scale` for minmax (per channel).
 * @throws Error when codes, shape and parameters do not fit together.
 */
export function dequantize(q: QuantizedValues): Float32Array {
  const fn = 'dequantize';
  validateScheme(q.scheme);
  const shape = checkShape(q.shape, q.codes.length, fn);
  const channels = q.axis === null ? 1 : shape[q.axis];
  if (q.axis !== null && (!Number.isInteger(q.axis) || q.axis < 0 || q.axis >= shape.length)) {
    throw new Error(`${fn}: axis ${q.axis} is out of range for shape [${shape.join(', ')}]`);
  }
  if (q.scales.length !== channels || q.zeroPoints.length !== channels) {
    throw new Error(`${fn}: expected ${channels} scales and zero points, got ${q.scales.length} and ${q.zeroPoints.length}`);
  }
  let inner = 1;
  if (q.axis !== null) for (let i = q.axis + 1; i < shape.length; i++) inner *= shape[i];
  else inner = q.codes.length;
  const out = new Float32Array(q.codes.length);
  const m = 2 ** q.scheme.bits - 1;
  const unit = q.scheme.scale === 'unit';
  for (let i = 0; i < out.length; i++) {
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    const code = q.codes[i];
    out[i] = unit ? code / m : (code - q.zeroPoints[c]) * q.scales[c];
  }
  return out;
}

/**
 * The training projection: quantizes float32 values and returns the dequantized float32
 * values with their codes (and parameters), in one pass after calibration, without building
 * strings (the encoding never changes numbers) and without per-element allocation.
 * Idempotent: projecting the returned values again gives the same codes and values
 * (see the module notes).
 * @throws Error as {@link quantize}; also when `values` is not a Float32Array.
 */
export function projectValues(values: Float32Array, scheme: QuantScheme, options: QuantizeOptions = {}): Projection {
  const fn = 'projectValues';
  if (!(values instanceof Float32Array)) throw new Error(`${fn}: values must be a Float32Array`);
  const out = new Float32Array(values.length);
  const { codes, params } = run(values, true, scheme, options, fn, out);
  return { values: out, codes, ...params };
}
