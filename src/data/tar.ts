/**
 * A small reader for tar archives (POSIX ustar, with the GNU long-name and
 * pax extended-header extensions), enough to take the `.bin` files out of
 * the canonical `cifar-10-binary.tar.gz` without external tools. It only
 * reads: names are returned as strings and never used as paths here.
 */

/** Size of a tar block and of a header. */
export const TAR_BLOCK = 512;

/** One archive member. `data` is a view into the archive buffer (no copy). */
export interface TarEntry {
  /** Member name (pax `path` or GNU long name when present, else ustar prefix + name). */
  name: string;
  /** Kind of member. */
  type: 'file' | 'directory' | 'symlink' | 'other';
  /** The raw type flag character (`'0'`, `'5'`, …; `''` for an old-style NUL flag). */
  typeflag: string;
  /** Size in bytes of the member's data. */
  size: number;
  /** The member's bytes (empty for non-files). */
  data: Uint8Array;
}

function cString(block: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && block[end] !== 0) end++;
  return Buffer.from(block.buffer, block.byteOffset + start, end - start).toString('utf8');
}

/** Parses a numeric header field: octal ASCII, or GNU base-256 when the top bit of the first byte is set. */
export function tarNumber(block: Uint8Array, start: number, length: number, field: string, offset: number): number {
  if ((block[start] & 0x80) !== 0) {
    if ((block[start] & 0x40) !== 0) throw new Error(`tar: negative base-256 ${field} in header at byte ${offset}`);
    let v = block[start] & 0x3f;
    for (let i = 1; i < length; i++) v = v * 256 + block[start + i];
    if (!Number.isSafeInteger(v)) throw new Error(`tar: ${field} too large in header at byte ${offset}`);
    return v;
  }
  const text = cString(block, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`tar: invalid octal ${field} '${text}' in header at byte ${offset}`);
  return parseInt(text, 8);
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function checkHeaderChecksum(block: Uint8Array, offset: number): void {
  const stored = tarNumber(block, 148, 8, 'checksum', offset);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += b;
    signed += b >= 128 ? b - 256 : b;
  }
  if (stored !== unsigned && stored !== signed) {
    throw new Error(`tar: header checksum mismatch at byte ${offset} (stored ${stored}, computed ${unsigned}); not a tar file or corrupt`);
  }
}

/** Parses pax extended-header records (`"<len> <key>=<value>\n"`). */
function parsePax(data: Uint8Array, offset: number): Map<string, string> {
  const out = new Map<string, string>();
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  let pos = 0;
  while (pos < buf.length) {
    const space = buf.indexOf(0x20, pos);
    if (space < 0) break;
    const len = parseInt(buf.toString('latin1', pos, space), 10);
    if (!Number.isInteger(len) || len <= 0 || pos + len > buf.length) {
      throw new Error(`tar: malformed pax record in extended header at byte ${offset}`);
    }
    const record = buf.toString('utf8', space + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

/**
 * Lists the members of an uncompressed tar archive. Verifies each header's
 * checksum; a member whose data runs past the end of the buffer is an error
 * (truncated archive). Reading stops at the first all-zero block or at the
 * end of the buffer.
 */
export function readTar(archive: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | null = null;
  let pax = new Map<string, string>();
  while (offset + TAR_BLOCK <= archive.length) {
    const headerOffset = offset;
    const block = archive.subarray(offset, offset + TAR_BLOCK);
    if (isZeroBlock(block)) break;
    checkHeaderChecksum(block, offset);
    const typeflag = block[156] === 0 ? '' : String.fromCharCode(block[156]);
    let size = tarNumber(block, 124, 12, 'size', offset);
    if (pax.has('size')) size = Number(pax.get('size'));
    const dataStart = offset + TAR_BLOCK;
    const hasData = typeflag !== '5' && typeflag !== '1' && typeflag !== '2';
    const dataLength = hasData ? size : 0;
    if (dataStart + dataLength > archive.length) {
      throw new Error(
        `tar: truncated archive: member at byte ${offset} needs ${dataLength} data bytes, only ${archive.length - dataStart} remain`,
      );
    }
    const data = archive.subarray(dataStart, dataStart + dataLength);
    offset = dataStart + Math.ceil(dataLength / TAR_BLOCK) * TAR_BLOCK;

    if (typeflag === 'L') {
      longName = cString(data, 0, data.length);
      continue;
    }
    if (typeflag === 'x') {
      pax = parsePax(data, headerOffset);
      continue;
    }
    if (typeflag === 'g' || typeflag === 'K') continue;

    const magic = cString(block, 257, 6);
    const posix = magic === 'ustar' && block[262] === 0;
    const prefix = posix ? cString(block, 345, 155) : '';
    const baseName = cString(block, 0, 100);
    const name = pax.get('path') ?? longName ?? (prefix !== '' ? `${prefix}/${baseName}` : baseName);
    const type: TarEntry['type'] =
      typeflag === '0' || typeflag === '' || typeflag === '7'
        ? 'file'
        : typeflag === '5'
          ? 'directory'
          : typeflag === '2'
            ? 'symlink'
            : 'other';
    entries.push({ name, type, typeflag, size: dataLength, data: type === 'file' ? data : data.subarray(0, 0) });
    longName = null;
    pax = new Map();
  }
  return entries;
}
