/**
 * The study's four quantization functions, exactly as its Python/numpy code
 * computes them (names camelCased):
 *
 * ```python
 * def float_to_quantized(value, num_bits):      # int(value * (2**num_bits - 1))
 * def quantize_weights(weights, num_bits=8):    # np.round(weights * max_val).astype(np.int32)
 * def float_to_octal(value, num_bits):          # oct(int(value * max_val))
 * def quantize_to_octal(weights, num_bits=8):   # np.vectorize(lambda x: float_to_octal(x, num_bits))(weights)
 * ```
 *
 * Arithmetic, as measured with numpy 1.24 and 2.4:
 * - `quantize_weights` multiplies in the array's dtype: float64 for Python floats and
 *   `number[]`, float32 for float32 arrays (`Float32Array` here: the product is rounded
 *   to float32 with `Math.fround` before rounding half to even).
 * - `quantize_to_octal` goes through `np.vectorize`, which hands the lambda each element
 *   as a Python float, so its product is float64 even for float32 arrays. For a
 *   float32 weight that is exactly a grid value k/(2^b − 1) rounded to float32, the
 *   float64 product can land just below k and truncation drops a level: at b = 5,
 *   `float32(5/31) · 31 = 4.99999985…` gives `'0o4'`. That happens for some k at
 *   b = 5, 7, 9–11 and 13–16, never at b = 2–4, 6, 8 or 12.
 *
 * The study prints 97 as the fifth standard code of its weight vector; 0.37683514 · 255 =
 * 96.09…, which rounds to 96 (its own octal output, `'0o140'` = 96, agrees). These functions
 * give 96.
 */
import { checkBits } from './scheme';
import { roundHalfEven } from './rounding';
import { intToOctal } from './octal';

/** Nested weights as the seed's numpy arrays: plain numbers (float64) or Float32Array leaves (float32). */
export type NestedWeights = readonly (number | Float32Array | Float64Array | NestedWeights)[];
/** Nested int32 codes with the shape of a {@link NestedWeights} input. */
export type NestedCodes = (number | NestedCodes)[];
/** Nested octal strings with the shape of a {@link NestedWeights} input. */
export type NestedOctal = (string | NestedOctal)[];

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function maxValue(numBits: number, fn: string): number {
  checkBits(numBits, `${fn}: numBits`);
  return 2 ** numBits - 1;
}

function checkFinite(value: unknown, fn: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${fn}: weight${where} must be a finite number, got ${String(value)}`);
  }
  return value;
}

/** Python `int(p)` of a finite float product `p`, as a number (exact: every double that large is an integer). */
function pyInt(product: number, value: number, fn: string, where: string): number {
  if (!Number.isFinite(product)) throw new Error(`${fn}: weight${where} ${value} times 2^b−1 overflows to ${product}`);
  return Math.trunc(product) + 0; // + 0 turns −0 into 0
}

/** Python `oct()` of an integer-valued double of any size (exact, like Python's int). */
function pyOct(n: number): string {
  if (Number.isSafeInteger(n)) return intToOctal(n);
  const big = BigInt(n);
  return big < 0n ? `-0o${(-big).toString(8)}` : `0o${big.toString(8)}`;
}

/**
 * Python `float_to_quantized(value, num_bits)`: `int(value * (2**num_bits - 1))`, i.e.
 * truncation toward zero of the float64 product. `floatToQuantized(0.75, 8) === 191`.
 * @throws Error for a non-finite value or product, or bits outside 2..16.
 */
export function floatToQuantized(value: number, numBits: number): number {
  const m = maxValue(numBits, 'floatToQuantized');
  checkFinite(value, 'floatToQuantized', '');
  return pyInt(value * m, value, 'floatToQuantized', '');
}

/**
 * Python `float_to_octal(value, num_bits)`: `oct(int(value * (2**num_bits - 1)))`.
 * `floatToOctal(0.75, 8) === '0o277'`, `floatToOctal(-0.5, 8) === '-0o177'`, `floatToOctal(0, 8) === '0o0'`.
 * @throws Error for a non-finite value or product, or bits outside 2..16.
 */
export function floatToOctal(value: number, numBits: number): string {
  return pyOct(floatToQuantized(value, numBits));
}

type Precision = 'float32' | 'float64';

/** numpy's dtype of `np.array(weights)`: float32 only if every leaf is a Float32Array. */
function precisionOf(weights: NestedWeights | Float32Array | Float64Array): Precision {
  if (weights instanceof Float32Array) return 'float32';
  if (weights instanceof Float64Array) return 'float64';
  let all32 = weights.length > 0;
  const visit = (w: NestedWeights): void => {
    for (const item of w) {
      if (item instanceof Float32Array) continue;
      if (item instanceof Float64Array || typeof item === 'number') all32 = false;
      else visit(item);
    }
  };
  visit(weights);
  return all32 ? 'float32' : 'float64';
}

/** Checks that a nested array is rectangular (numpy rejects ragged nested lists). */
function checkRectangular(weights: NestedWeights, fn: string): void {
  const shapeOf = (w: NestedWeights | Float32Array | Float64Array, path: string): number[] => {
    if (w instanceof Float32Array || w instanceof Float64Array) return [w.length];
    if (!Array.isArray(w)) throw new Error(`${fn}: expected an array at weights${path}, got ${typeof w}`);
    if (w.length === 0) return [0];
    const kinds = new Set(w.map((x) => (typeof x === 'number' ? 'number' : 'array')));
    if (kinds.size > 1) throw new Error(`${fn}: ragged weights at weights${path}: numbers mixed with arrays`);
    if (typeof w[0] === 'number') return [w.length];
    const first = shapeOf(w[0] as NestedWeights, `${path}[0]`);
    for (let i = 1; i < w.length; i++) {
      const s = shapeOf(w[i] as NestedWeights, `${path}[${i}]`);
      if (s.join(',') !== first.join(',')) {
        throw new Error(`${fn}: ragged weights: weights${path}[${i}] has shape [${s.join(', ')}], weights${path}[0] has [${first.join(', ')}]`);
      }
    }
    return [w.length, ...first];
  };
  shapeOf(weights, '');
}

/** Maps every leaf value of a weight array (flat or nested), keeping the nesting. */
function mapNested<T>(
  weights: NestedWeights | Float32Array | Float64Array,
  fn: (value: number, where: string) => T,
  path = '',
): unknown[] {
  const out: unknown[] = new Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const item = weights[i] as number | NestedWeights | Float32Array | Float64Array;
    const where = `${path}[${i}]`;
    out[i] = typeof item === 'number' ? fn(item, where) : mapNested(item, fn, where);
  }
  return out;
}

/**
 * Python `quantize_weights(weights, num_bits=8)`: `np.round(weights * (2**num_bits - 1)).astype(np.int32)`.
 *
 * Rounds half to even. The product follows numpy's dtype: float64 for numbers, `number[]`,
 * `Float64Array` and nested number arrays; float32 (rounded with `Math.fround`) when the input is a
 * `Float32Array` or every leaf of a nested array is one. Example: at 8 bits the float32 weight
 * 0.0019607844296842813 gives 0 (float32 product exactly 0.5, a tie) but 1 as a float64 (product 0.50000003).
 *
 * Returns a number for a number, an `Int32Array` for a flat typed array, and plain nested number
 * arrays with the input's shape for (nested) arrays.
 * @throws Error naming the index for NaN/±Infinity or a code outside int32 (numpy would wrap
 *   around silently), for ragged nested arrays, and for bits outside 2..16.
 */
export function quantizeWeights(weights: number, numBits?: number): number;
export function quantizeWeights(weights: Float32Array | Float64Array, numBits?: number): Int32Array;
export function quantizeWeights(weights: readonly number[], numBits?: number): number[];
export function quantizeWeights(weights: NestedWeights, numBits?: number): NestedCodes;
export function quantizeWeights(
  weights: number | Float32Array | Float64Array | NestedWeights,
  numBits = 8,
): number | Int32Array | NestedCodes {
  const fn = 'quantizeWeights';
  const m = maxValue(numBits, fn);
  const code = (value: number, f32: boolean, where: string): number => {
    checkFinite(value, fn, where);
    const p = f32 ? Math.fround(value * m) : value * m;
    const r = roundHalfEven(p) + 0;
    if (!(r >= INT32_MIN && r <= INT32_MAX)) {
      throw new Error(`${fn}: weight${where} = ${value} gives ${r}, outside int32 (numpy astype(int32) would overflow)`);
    }
    return r;
  };
  if (typeof weights === 'number') return code(weights, false, '');
  if (weights instanceof Float32Array || weights instanceof Float64Array) {
    const f32 = weights instanceof Float32Array;
    const out = new Int32Array(weights.length);
    for (let i = 0; i < weights.length; i++) out[i] = code(weights[i], f32, `[${i}]`);
    return out;
  }
  checkRectangular(weights, fn);
  const f32 = precisionOf(weights) === 'float32';
  return mapNested(weights, (v, where) => code(v, f32, where)) as NestedCodes;
}

/**
 * Python `quantize_to_octal(weights, num_bits=8)`: `float_to_octal` on every element,
 * keeping the shape. As with `np.vectorize`, every element is multiplied as a float64
 * (Python float), also for `Float32Array` input (see the module notes).
 *
 * Returns a string for a number, a `string[]` for a flat array, nested string arrays otherwise.
 * @throws Error naming the index for NaN/±Infinity, ragged arrays or bits outside 2..16.
 */
export function quantizeToOctal(weights: number, numBits?: number): string;
export function quantizeToOctal(weights: Float32Array | Float64Array | readonly number[], numBits?: number): string[];
export function quantizeToOctal(weights: NestedWeights, numBits?: number): NestedOctal;
export function quantizeToOctal(weights: number | Float32Array | Float64Array | NestedWeights, numBits = 8): string | NestedOctal {
  const fn = 'quantizeToOctal';
  const m = maxValue(numBits, fn);
  const oct = (value: number, where: string): string => {
    checkFinite(value, fn, where);
    return pyOct(pyInt(value * m, value, fn, where));
  };
  if (typeof weights === 'number') return oct(weights, '');
  if (!(weights instanceof Float32Array || weights instanceof Float64Array)) checkRectangular(weights, fn);
  return mapNested(weights, oct) as NestedOctal;
}
