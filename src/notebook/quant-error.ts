/**
 * Error and storage of quantizer schemes on a fixed set of weights, as rows for
 * tables and plots: how far dequantize(quantize(w)) lands from w for each rounding
 * mode, scale and bit width, and how many bytes each encoding of the codes takes.
 */
import { PRESETS, dequantize, intToOctal, octalToInt, quantize, quantizeToOctal, storageSize, validateScheme, withBits } from '../quantizers';
import type { QuantScheme, StorageSize } from '../quantizers';
import { Rng } from '../random/rng';

/** Distribution of {@link seededWeights}. */
export type WeightDistribution = 'uniform01' | 'normal';

/** Options of {@link seededWeights}. */
export interface SeededWeightsArgs {
  /** `uniform01`: U[0, 1) like the study's example vector; `normal`: N(0, std²) like a trained layer. Default `normal`. */
  distribution?: WeightDistribution;
  /** Standard deviation for `normal`. Default 0.05. */
  std?: number;
}

/** Error of one scheme on one set of values (dequantized minus original). */
export interface QuantError {
  /** Number of values. */
  count: number;
  /** Mean squared error. */
  mse: number;
  /** Mean signed error (negative: values are pulled down on average). */
  bias: number;
  /** Mean of |dequantized| − |original|: negative when values are pulled toward zero. */
  shrinkage: number;
  /** Largest absolute error. */
  maxAbs: number;
}

/** One row of {@link errorVersusBits}. */
export interface ErrorRow extends QuantError {
  /** Name given to the scheme. */
  name: string;
  /** Bit width. */
  bits: number;
  /** Scale of the scheme. */
  scale: string;
  /** Rounding mode of the scheme. */
  rounding: string;
}

/** One row of {@link storageVersusBits}: a name, a bit width and the byte counts. */
export interface StorageRow extends StorageSize {
  /** Name given to the scheme. */
  name: string;
  /** Bit width. */
  bits: number;
}

/**
 * `n` seeded float32 weights: the same seed always gives the same values.
 * @throws Error for a non-integer or negative `n`, a non-integer seed or a bad std.
 */
export function seededWeights(n: number, seed: number, args: SeededWeightsArgs = {}): Float32Array {
  if (!Number.isInteger(n) || n < 0) throw new Error(`seededWeights: n must be a non-negative integer, got ${n}`);
  const distribution = args.distribution ?? 'normal';
  const std = args.std ?? 0.05;
  if (!(std > 0) || !Number.isFinite(std)) throw new Error(`seededWeights: std must be a positive number, got ${std}`);
  const rng = Rng.stream(seed, `notebook/weights/${distribution}`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (distribution === 'uniform01') out[i] = rng.next();
    else if (distribution === 'normal') out[i] = rng.normal() * std;
    else throw new Error(`seededWeights: unknown distribution '${String(distribution)}' (expected uniform01 or normal)`);
  }
  return out;
}

/** Error statistics of `approx` against `exact` (same length). */
export function errorStats(exact: ArrayLike<number>, approx: ArrayLike<number>): QuantError {
  if (exact.length !== approx.length) throw new Error(`errorStats: lengths differ (${exact.length} and ${approx.length})`);
  if (exact.length === 0) throw new Error('errorStats: no values');
  let se = 0;
  let sum = 0;
  let shrink = 0;
  let maxAbs = 0;
  for (let i = 0; i < exact.length; i++) {
    const e = approx[i] - exact[i];
    if (!Number.isFinite(e)) throw new Error(`errorStats: non-finite value at index ${i}`);
    se += e * e;
    sum += e;
    shrink += Math.abs(approx[i]) - Math.abs(exact[i]);
    if (Math.abs(e) > maxAbs) maxAbs = Math.abs(e);
  }
  const n = exact.length;
  return { count: n, mse: se / n, bias: sum / n, shrinkage: shrink / n, maxAbs };
}

/**
 * Error of `scheme` on `values`: quantize, dequantize (float32), compare.
 * Stochastic rounding draws from `Rng.stream(seed, 'notebook/stochastic')`.
 */
export function quantizationError(values: Float32Array | Float64Array | readonly number[], scheme: QuantScheme, seed = 0): QuantError {
  validateScheme(scheme);
  const rng = scheme.rounding === 'stochastic' ? Rng.stream(seed, 'notebook/stochastic') : undefined;
  const q = quantize(values, scheme, rng === undefined ? {} : { rng });
  return errorStats(values, dequantize(q));
}

function checkBitsList(bitsList: readonly number[], fn: string): void {
  if (!Array.isArray(bitsList) || bitsList.length === 0) throw new Error(`${fn}: bitsList must be a non-empty array of bit widths`);
}

/**
 * Error of every named scheme at every bit width in `bitsList` (the scheme's own
 * width is replaced), one row per (scheme, bits), schemes in the given order.
 * @throws Error for an empty `bitsList`, a bit width outside 2..16 or an invalid scheme.
 */
export function errorVersusBits(
  values: Float32Array | Float64Array | readonly number[],
  schemes: Readonly<Record<string, QuantScheme>>,
  bitsList: readonly number[],
  seed = 0,
): ErrorRow[] {
  checkBitsList(bitsList, 'errorVersusBits');
  const rows: ErrorRow[] = [];
  for (const [name, scheme] of Object.entries(schemes)) {
    for (const bits of bitsList) {
      const s = withBits(scheme, bits);
      rows.push({ name, bits, scale: s.scale, rounding: s.rounding, ...quantizationError(values, s, seed) });
    }
  }
  return rows;
}

/**
 * Storage sizes of the codes of every named scheme at every bit width (see
 * `storageSize` for the serialisations), one row per (scheme, bits).
 */
export function storageVersusBits(
  values: Float32Array | Float64Array | readonly number[],
  schemes: Readonly<Record<string, QuantScheme>>,
  bitsList: readonly number[],
  seed = 0,
): StorageRow[] {
  checkBitsList(bitsList, 'storageVersusBits');
  const rows: StorageRow[] = [];
  for (const [name, scheme] of Object.entries(schemes)) {
    for (const bits of bitsList) {
      const s = withBits(scheme, bits);
      const rng = s.rounding === 'stochastic' ? Rng.stream(seed, 'notebook/stochastic') : undefined;
      rows.push({ name, bits, ...storageSize(quantize(values, s, rng === undefined ? {} : { rng }), s) });
    }
  }
  return rows;
}

/** One row of {@link octizationEquivalence}: Octization against truncation and against standard rounding. */
export interface EquivalenceRow {
  /** Bit width. */
  bits: number;
  /** Number of values. */
  count: number;
  /** Codes where `octalToInt(quantizeToOctal(w))` differs from the `toward-zero-int` code (0: same numbers). */
  decodeMismatches: number;
  /** Strings where `intToOctal(octalToInt(s))` differs from `s` (0: the octal spelling is lossless). */
  roundTripMismatches: number;
  /** Codes where Octization differs from standard (half-even) quantization. */
  differsFromStandard: number;
  /** Largest |Octization code − standard code|. */
  maxCodeDistance: number;
}

/**
 * Checks, at each bit width, that the study's Octization (`quantizeToOctal`) is
 * truncation written in octal: decoding its strings gives exactly the codes of the
 * `toward-zero-int` preset, re-encoding gives back the same strings, and it differs
 * from standard quantization only by rounding. Values are used as float64, as the
 * study's Python functions compute them.
 */
export function octizationEquivalence(values: Float32Array | Float64Array | readonly number[], bitsList: readonly number[]): EquivalenceRow[] {
  checkBitsList(bitsList, 'octizationEquivalence');
  const w = Float64Array.from(values);
  return bitsList.map((bits) => {
    const octal = quantizeToOctal(w, bits);
    const truncated = quantize(w, withBits(PRESETS['toward-zero-int'], bits)).codes;
    const standard = quantize(w, withBits(PRESETS.standard, bits)).codes;
    let decodeMismatches = 0;
    let roundTripMismatches = 0;
    let differsFromStandard = 0;
    let maxCodeDistance = 0;
    for (let i = 0; i < w.length; i++) {
      const code = octalToInt(octal[i]);
      if (code !== truncated[i]) decodeMismatches++;
      if (intToOctal(code) !== octal[i]) roundTripMismatches++;
      const d = Math.abs(code - standard[i]);
      if (d !== 0) differsFromStandard++;
      if (d > maxCodeDistance) maxCodeDistance = d;
    }
    return { bits, count: w.length, decodeMismatches, roundTripMismatches, differsFromStandard, maxCodeDistance };
  });
}
