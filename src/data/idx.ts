/**
 * The IDX file format of MNIST: a big-endian header (magic `0x0000 TT NN`,
 * TT = element type, NN = number of dimensions, then NN 32-bit sizes)
 * followed by the elements. Only unsigned bytes (TT = 0x08) are read.
 */

/** Magic number of an IDX file of unsigned-byte images (3 dimensions). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of an IDX file of unsigned-byte labels (1 dimension). */
export const IDX_LABELS_MAGIC = 0x00000801;

/** A parsed IDX file: its dimensions and a view of its element bytes (no copy). */
export interface IdxArray {
  /** Sizes from the header, outermost first (e.g. `[60000, 28, 28]`). */
  dims: number[];
  /** The elements, `prod(dims)` bytes. */
  data: Uint8Array;
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * Parses an (already decompressed) IDX file of unsigned bytes and checks it:
 * the magic number must equal `expectedMagic`, and the byte count must equal
 * what the header implies (a shorter file is reported as truncated, a longer
 * one as having trailing bytes). `where` names the file in error messages.
 */
export function parseIdx(bytes: Uint8Array, expectedMagic: number, where: string): IdxArray {
  if (bytes.length < 4) throw new Error(`${where}: too short for an IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    throw new Error(`${where}: bad IDX magic number ${hex(magic)}, expected ${hex(expectedMagic)}`);
  }
  const nDims = magic & 0xff;
  const headerBytes = 4 + 4 * nDims;
  if (bytes.length < headerBytes) {
    throw new Error(`${where}: truncated IDX header: expected at least ${headerBytes} bytes, got ${bytes.length}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < nDims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count;
  if (bytes.length < expected) {
    throw new Error(
      `${where}: truncated: header says ${dims.join('×')} so the file must be ${expected} bytes, but it is ${bytes.length} bytes`,
    );
  }
  if (bytes.length > expected) {
    throw new Error(
      `${where}: ${bytes.length - expected} trailing bytes: header says ${dims.join('×')} so the file must be ${expected} bytes, but it is ${bytes.length} bytes`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes, expected) };
}
