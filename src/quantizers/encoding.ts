/**
 * Writing integer codes down: the `'int'` encoding (smallest standard typed array)
 * and the `'octal'` encoding (Python `oct()` strings). Both are lossless: decoding
 * gives back exactly the int32 codes, so the encoding never changes a number.
 */
import { intToOctal, octalToInt } from './octal';
import { validateScheme } from './scheme';
import type { QuantScheme } from './scheme';

/** The standard typed arrays the `'int'` encoding uses. */
export type IntCodeArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array;
/** Name of an {@link IntCodeArray} type. */
export type IntCodeArrayName = 'Int8Array' | 'Uint8Array' | 'Int16Array' | 'Uint16Array' | 'Int32Array';
/** Codes as written by {@link encodeCodes}: a typed array (`'int'`) or Python oct strings (`'octal'`). */
export type EncodedCodes = IntCodeArray | string[];

/**
 * The smallest standard typed array holding every integer in [min, max]: for min ≥ 0,
 * Uint8Array, Uint16Array or Int32Array; otherwise Int8Array, Int16Array or Int32Array.
 * An empty range (min > max, no codes) gives Uint8Array.
 */
export function smallestIntArrayType(min: number, max: number): IntCodeArrayName {
  if (min > max) return 'Uint8Array';
  if (min >= 0) {
    if (max <= 0xff) return 'Uint8Array';
    if (max <= 0xffff) return 'Uint16Array';
    return 'Int32Array';
  }
  if (min >= -0x80 && max <= 0x7f) return 'Int8Array';
  if (min >= -0x8000 && max <= 0x7fff) return 'Int16Array';
  return 'Int32Array';
}

/** Smallest and largest code (`{min: 0, max: -1}` for none). */
export function codeRange(codes: ArrayLike<number>): { min: number; max: number } {
  if (codes.length === 0) return { min: 0, max: -1 };
  let min = codes[0];
  let max = codes[0];
  for (let i = 1; i < codes.length; i++) {
    const c = codes[i];
    if (c < min) min = c;
    else if (c > max) max = c;
  }
  return { min, max };
}

/** Copies int32 codes into the smallest standard typed array that holds them (see {@link smallestIntArrayType}). */
export function packIntCodes(codes: Int32Array): IntCodeArray {
  const { min, max } = codeRange(codes);
  switch (smallestIntArrayType(min, max)) {
    case 'Int8Array':
      return Int8Array.from(codes);
    case 'Uint8Array':
      return Uint8Array.from(codes);
    case 'Int16Array':
      return Int16Array.from(codes);
    case 'Uint16Array':
      return Uint16Array.from(codes);
    default:
      return Int32Array.from(codes);
  }
}

/** Python `oct()` of every code. */
export function codesToOctal(codes: ArrayLike<number>): string[] {
  const out: string[] = new Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = intToOctal(codes[i]);
  return out;
}

/**
 * Encodes int32 codes in the scheme's encoding: the smallest typed array for `'int'`,
 * Python `oct()` strings for `'octal'`.
 */
export function encodeCodes(codes: Int32Array, scheme: QuantScheme): EncodedCodes {
  validateScheme(scheme);
  if (!(codes instanceof Int32Array)) throw new Error('encodeCodes: codes must be an Int32Array');
  return scheme.encoding === 'octal' ? codesToOctal(codes) : packIntCodes(codes);
}

/**
 * Decodes codes written by {@link encodeCodes} back to int32: typed arrays are widened,
 * octal strings parsed with `octalToInt` (exact inverse of Python `oct()`).
 * @throws Error naming the index of a malformed octal string or a code outside int32.
 */
export function decodeCodes(encoded: EncodedCodes | readonly string[]): Int32Array {
  if (Array.isArray(encoded)) {
    const out = new Int32Array(encoded.length);
    for (let i = 0; i < encoded.length; i++) {
      let v: number;
      try {
        v = octalToInt(encoded[i] as string);
      } catch (err) {
        throw new Error(`decodeCodes: code at index ${i}: ${(err as Error).message}`);
      }
      if (v < -2147483648 || v > 2147483647) throw new Error(`decodeCodes: code at index ${i} (${encoded[i]}) is outside int32`);
      out[i] = v;
    }
    return out;
  }
  if (
    encoded instanceof Int8Array ||
    encoded instanceof Uint8Array ||
    encoded instanceof Int16Array ||
    encoded instanceof Uint16Array ||
    encoded instanceof Int32Array
  ) {
    return Int32Array.from(encoded);
  }
  throw new Error('decodeCodes: expected an int typed array or an array of octal strings');
}
