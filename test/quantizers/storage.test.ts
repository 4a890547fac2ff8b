import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'zlib';
import { PRESETS, packBits, packedWidth, quantize, storageSize, unpackBits, withBits } from '../../src/quantizers';
import { Rng } from '../../src/random/rng';

describe('quantizers: storage sizes', () => {
  it('measures a small Octization case computed by hand', () => {
    // 0.75 → int(191.25) = 191 '0o277'; −0.5 → int(−127.5) = −127 '-0o177'; 0 → '0o0'.
    const s = storageSize([0.75, -0.5, 0], PRESETS.octization, { gzipLevel: 0 });
    assert.equal(s.count, 3);
    assert.equal(s.float32Bytes, 12);
    // Codes in [−127, 191] do not fit unsigned 8 bits; two's complement needs 9 bits: ceil(27/8) = 4 bytes.
    assert.equal(s.packedBits, 9);
    assert.equal(s.packedSigned, true);
    assert.equal(s.packedBytes, 4);
    assert.equal(s.intArray, 'Int16Array');
    assert.equal(s.intArrayBytes, 6);
    assert.equal(s.octalTextBytes, 17); // "0o277\n" 6 + "-0o177\n" 7 + "0o0\n" 4
    assert.equal(s.octalJsonBytes, 24); // ["0o277","-0o177","0o0"]
    assert.equal(s.encodingBytes, 17);
    // Level 0 stores: 10-byte header + 5-byte stored-block header + data + 8-byte trailer.
    assert.equal(s.gzip.octalText, 17 + 23);
    assert.equal(s.gzip.octalJson, 24 + 23);
    assert.equal(s.gzip.packed, 4 + 23);
    assert.equal(s.gzip.intArray, 6 + 23);
    assert.equal(s.gzip.float32, 12 + 23);
    assert.equal(s.gzip.encoding, s.gzip.octalText);
    // The same codes under the int encoding: the scheme's own encoding is the Int16Array.
    const t = storageSize(Int32Array.from([191, -127, 0]), PRESETS['toward-zero-int'], { gzipLevel: 0 });
    assert.equal(t.encodingBytes, 6);
    assert.equal(t.gzip.encoding, 6 + 23);
    assert.equal(t.gzip.float32, 12 + 23); // raw unit-scale codes can be dequantized
  });

  it('packs fields LSB first (hand-computed bytes) and unpacks them back', () => {
    // 191 (9 bits) + 385·2^9 (−127 in 9-bit two's complement) = 197311 = 0x0302BF.
    assert.deepEqual(Array.from(packBits([191, -127, 0], 9, true)), [0xbf, 0x02, 0x03, 0x00]);
    assert.deepEqual(Array.from(packBits([1, 2, 3, 0, 1], 2, false)), [0b00111001, 0b01]);
    assert.deepEqual(Array.from(unpackBits(Uint8Array.from([0xbf, 0x02, 0x03, 0x00]), 3, 9, true)), [191, -127, 0]);
    const rng = new Rng(21);
    for (const width of [1, 3, 8, 9, 13, 16, 17, 31, 32]) {
      for (const signed of width === 32 ? [true] : [false, true]) {
        const lo = signed ? -(2 ** (width - 1)) : 0;
        const span = 2 ** width;
        const codes = Array.from({ length: 257 }, () => lo + Math.floor(rng.next() * span));
        const packed = packBits(codes, width, signed);
        assert.equal(packed.length, Math.ceil((codes.length * width) / 8));
        assert.deepEqual(Array.from(unpackBits(packed, codes.length, width, signed)), codes, `${width} bits, signed ${signed}`);
      }
    }
    assert.throws(() => packBits([256], 8, false), /code 256 at index 0 does not fit unsigned 8 bits/);
    assert.throws(() => packBits([-1], 8, false), /code -1/);
    assert.throws(() => unpackBits(new Uint8Array(4), 1, 32, false), /unsigned 32-bit/);
    assert.throws(() => packBits([0], 33, false), /width must be an integer from 1 to 32, got 33/);
  });

  it('uses the scheme width for codes in range', () => {
    assert.deepEqual(packedWidth([0, 255], 8), { width: 8, signed: false });
    assert.deepEqual(packedWidth([-127, 127], 8), { width: 8, signed: true });
    assert.deepEqual(packedWidth([-255, 255], 8), { width: 9, signed: true });
    assert.deepEqual(packedWidth([0, 256], 8), { width: 10, signed: true });
    const s = storageSize([0, 0.5, 1], PRESETS.standard); // codes 0, 128 (127.5 → even), 255
    assert.equal(s.packedBits, 8);
    assert.equal(s.packedBytes, 3);
    assert.equal(s.intArray, 'Uint8Array');
    assert.equal(s.octalTextBytes, '0o0\n0o200\n0o377\n'.length);
  });

  it('is deterministic and its gzip streams decompress to the serialisations', () => {
    const rng = new Rng(22);
    const values = Float32Array.from({ length: 5000 }, () => rng.normal() * 0.1);
    const a = storageSize(values, PRESETS.octization);
    const b = storageSize(values, PRESETS.octization);
    assert.deepEqual(a, b);
    assert.equal(a.gzipLevel, 9);
    const q = quantize(values, PRESETS.octization);
    assert.deepEqual(storageSize(q), a);
    const text = q.codes.reduce((s, c) => s + (c < 0 ? `-0o${(-c).toString(8)}` : `0o${c.toString(8)}`) + '\n', '');
    assert.equal(a.octalTextBytes, Buffer.byteLength(text));
    assert.equal(a.gzip.octalText, gzipSync(Buffer.from(text), { level: 9 }).length);
    assert.equal(gunzipSync(gzipSync(Buffer.from(text), { level: 9 })).toString(), text);
    // Fewer bits, fewer bytes.
    const four = storageSize(values, withBits(PRESETS.octization, 4));
    assert.ok(four.packedBytes < a.packedBytes);
    assert.ok(four.gzip.octalText < a.gzip.octalText);
  });

  it('handles calibrated codes without parameters and rejects bad options', () => {
    const s = storageSize(Int32Array.from([-127, 3, 127]), PRESETS.absmax);
    assert.equal(s.gzip.float32, null);
    assert.equal(s.packedBits, 8);
    assert.equal(s.intArray, 'Int8Array');
    assert.throws(() => storageSize([0.1], PRESETS.standard, { gzipLevel: 10 }), /gzipLevel must be an integer from 0 to 9, got 10/);
    assert.throws(() => storageSize([0.1, NaN], PRESETS.standard), /index 1 must be finite/);
    assert.throws(() => storageSize(Int32Array.from([1]), undefined as never), /a scheme is required/);
    assert.throws(() => storageSize(quantize([0.1], PRESETS.standard), PRESETS.octization), /differs/);
  });
});
