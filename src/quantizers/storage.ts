/**
 * How many bytes quantized weights take, written down in each of the usual ways.
 *
 * Serialisations (all deterministic):
 * - float32: the dequantized values as little-endian float32, 4 bytes each.
 * - packed: every code in a fixed-width bit field, LSB first (see {@link packBits}):
 *   `ceil(n · width / 8)` bytes. The width is the scheme's bit width b when every code lies in
 *   [0, 2^b − 1] (unsigned), otherwise the smallest two's-complement width ≥ b that holds all
 *   codes (for example b + 1 for unit-scale codes of negative weights in [−(2^b − 1), 2^b − 1]).
 * - intArray: the smallest standard typed array (see `smallestIntArrayType`), little-endian.
 * - octalText: the Python `oct()` strings as UTF-8 text, each followed by `'\n'`
 *   (`"0o277\n-0o177\n0o0\n"`).
 * - octalJson: `JSON.stringify` of the array of strings, no spaces (`["0o277","-0o177","0o0"]`).
 * - gzip: each of the above through node's `zlib.gzipSync` (level 9 unless told otherwise;
 *   node writes a fixed header with no timestamp, so the output is reproducible).
 *
 * Scales and zero points are not counted (a few bytes per tensor or channel).
 */
import { gzipSync } from 'zlib';
import { codeRange, codesToOctal, smallestIntArrayType, packIntCodes } from './encoding';
import type { IntCodeArrayName } from './encoding';
import { dequantize, quantize } from './quantize';
import type { QuantizeOptions, QuantizedValues } from './quantize';
import { validateScheme } from './scheme';
import type { QuantScheme } from './scheme';

/** Options of {@link storageSize}: quantization options (for values) plus the gzip level. */
export interface StorageOptions extends QuantizeOptions {
  /** zlib compression level, integer 0..9. Default 9. */
  gzipLevel?: number;
}

/** Byte counts of one set of codes in every serialisation (see the module notes). */
export interface StorageSize {
  /** Number of values/codes. */
  count: number;
  /** 4 · count. */
  float32Bytes: number;
  /** Bit-field width used by the packed serialisation. */
  packedBits: number;
  /** Whether the packed fields are two's complement (true) or unsigned (false). */
  packedSigned: boolean;
  /** ceil(count · packedBits / 8). */
  packedBytes: number;
  /** The smallest standard typed array that holds the codes. */
  intArray: IntCodeArrayName;
  /** count · bytes per element of {@link StorageSize.intArray}. */
  intArrayBytes: number;
  /** UTF-8 bytes of the oct strings, one per line, each ending in `'\n'`. */
  octalTextBytes: number;
  /** UTF-8 bytes of the JSON array of oct strings. */
  octalJsonBytes: number;
  /** The scheme's own encoding: `intArrayBytes` for `'int'`, `octalTextBytes` for `'octal'`. */
  encodingBytes: number;
  /** zlib level used for the `gzip` sizes. */
  gzipLevel: number;
  /** Gzipped sizes of each serialisation. */
  gzip: {
    /** Gzipped float32 of the dequantized values; `null` for raw codes of a calibrated scale (no parameters to dequantize with). */
    float32: number | null;
    packed: number;
    intArray: number;
    octalText: number;
    octalJson: number;
    /** The scheme's own encoding, gzipped. */
    encoding: number;
  };
}

/** Bit-field width and signedness needed to pack `codes` at nominal width `bits` (see the module notes). */
export function packedWidth(codes: ArrayLike<number>, bits: number): { width: number; signed: boolean } {
  const { min, max } = codeRange(codes);
  if (min > max || (min >= 0 && max <= 2 ** bits - 1)) return { width: bits, signed: false };
  for (let w = bits; w <= 32; w++) {
    if (min >= -(2 ** (w - 1)) && max <= 2 ** (w - 1) - 1) return { width: w, signed: true };
  }
  throw new Error(`packedWidth: codes in [${min}, ${max}] need more than 32 bits`);
}

/**
 * Packs integer codes into `width`-bit fields, least significant bit first: bit k of the
 * stream is bit (k mod 8) of byte ⌊k/8⌋, and code i occupies stream bits [i·width, (i+1)·width).
 * Signed codes are written in two's complement. Unused high bits of the last byte are 0.
 * @throws Error naming the index of a code that does not fit.
 */
export function packBits(codes: ArrayLike<number>, width: number, signed: boolean): Uint8Array {
  if (!Number.isInteger(width) || width < 1 || width > 32) throw new Error(`packBits: width must be an integer from 1 to 32, got ${width}`);
  const lo = signed ? -(2 ** (width - 1)) : 0;
  const hi = signed ? 2 ** (width - 1) - 1 : 2 ** width - 1;
  const out = new Uint8Array(Math.ceil((codes.length * width) / 8));
  let acc = 0; // pending bits, < 2^40
  let nbits = 0;
  let pos = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (!Number.isInteger(c) || c < lo || c > hi) throw new Error(`packBits: code ${c} at index ${i} does not fit ${signed ? 'signed' : 'unsigned'} ${width} bits`);
    acc += (c < 0 ? c + 2 ** width : c) * 2 ** nbits;
    nbits += width;
    while (nbits >= 8) {
      out[pos++] = acc % 256;
      acc = Math.floor(acc / 256);
      nbits -= 8;
    }
  }
  if (nbits > 0) out[pos] = acc;
  return out;
}

/** Inverse of {@link packBits}: reads `count` fields of `width` bits (unsigned fields up to 31 bits, signed up to 32). */
export function unpackBits(bytes: Uint8Array, count: number, width: number, signed: boolean): Int32Array {
  if (!Number.isInteger(width) || width < 1 || width > 32) throw new Error(`unpackBits: width must be an integer from 1 to 32, got ${width}`);
  if (!signed && width === 32) throw new Error('unpackBits: unsigned 32-bit fields do not fit an Int32Array');
  if (bytes.length < Math.ceil((count * width) / 8)) throw new Error(`unpackBits: ${bytes.length} bytes cannot hold ${count} fields of ${width} bits`);
  const out = new Int32Array(count);
  let acc = 0;
  let nbits = 0;
  let pos = 0;
  const full = 2 ** width;
  for (let i = 0; i < count; i++) {
    while (nbits < width) {
      acc += bytes[pos++] * 2 ** nbits;
      nbits += 8;
    }
    let v = acc % full;
    acc = Math.floor(acc / full);
    nbits -= width;
    if (signed && v >= full / 2) v -= full;
    out[i] = v;
  }
  return out;
}

function isQuantized(x: unknown): x is QuantizedValues {
  return typeof x === 'object' && x !== null && 'codes' in x && 'scheme' in x;
}

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Storage sizes of quantized weights in every serialisation (see the module notes).
 *
 * Accepts float values (Float32Array, Float64Array or number[]: quantized with `scheme` and
 * `options` first), raw int32 codes (an Int32Array: used as they are), or a {@link QuantizedValues}
 * result (its own scheme and parameters; `scheme` may then be omitted).
 * @throws Error for an invalid scheme, bad values (as `quantize`) or a gzip level outside 0..9.
 */
export function storageSize(input: QuantizedValues, scheme?: QuantScheme, options?: StorageOptions): StorageSize;
export function storageSize(input: Int32Array | Float32Array | Float64Array | readonly number[], scheme: QuantScheme, options?: StorageOptions): StorageSize;
export function storageSize(
  input: QuantizedValues | Int32Array | Float32Array | Float64Array | readonly number[],
  scheme?: QuantScheme,
  options: StorageOptions = {},
): StorageSize {
  const level = options.gzipLevel ?? 9;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new Error(`storageSize: gzipLevel must be an integer from 0 to 9, got ${level}`);
  let codes: Int32Array;
  let sch: QuantScheme;
  let float32: Float32Array | null;
  if (isQuantized(input)) {
    sch = validateScheme(input.scheme);
    if (scheme !== undefined) {
      validateScheme(scheme);
      if (JSON.stringify(scheme) !== JSON.stringify(sch)) throw new Error('storageSize: the scheme given differs from the quantized values\' scheme');
    }
    codes = input.codes;
    float32 = dequantize(input);
  } else {
    if (scheme === undefined) throw new Error('storageSize: a scheme is required for raw values or codes');
    sch = validateScheme(scheme);
    if (input instanceof Int32Array) {
      codes = input;
      // Raw codes dequantize without parameters only on the unit scale.
      float32 = sch.scale === 'unit' ? dequantize({ scheme: sch, shape: [codes.length], codes, scales: new Float64Array([1 / (2 ** sch.bits - 1)]), zeroPoints: new Int32Array(1), axis: null, arithmetic: 'float32' }) : null;
    } else {
      const { gzipLevel: _unused, ...qopts } = options;
      const q = quantize(input, sch, qopts);
      codes = q.codes;
      float32 = dequantize(q);
    }
  }
  const n = codes.length;
  const gz = (buf: Buffer | Uint8Array): number => gzipSync(buf, { level }).length;
  const { width, signed } = packedWidth(codes, sch.bits);
  const packed = packBits(codes, width, signed);
  const ints = packIntCodes(codes);
  const octal = codesToOctal(codes);
  const text = Buffer.from(octal.map((s) => `${s}\n`).join(''), 'utf8');
  const json = Buffer.from(JSON.stringify(octal), 'utf8');
  const { min, max } = codeRange(codes);
  const intArray = smallestIntArrayType(min, max);
  const intBytes = bytesOf(ints);
  const gzText = gz(text);
  const gzInts = gz(intBytes);
  return {
    count: n,
    float32Bytes: 4 * n,
    packedBits: width,
    packedSigned: signed,
    packedBytes: packed.length,
    intArray,
    intArrayBytes: ints.byteLength,
    octalTextBytes: text.length,
    octalJsonBytes: json.length,
    encodingBytes: sch.encoding === 'octal' ? text.length : ints.byteLength,
    gzipLevel: level,
    gzip: {
      float32: float32 === null ? null : gz(bytesOf(float32)),
      packed: gz(packed),
      intArray: gzInts,
      octalText: gzText,
      octalJson: gz(json),
      encoding: sch.encoding === 'octal' ? gzText : gzInts,
    },
  };
}
