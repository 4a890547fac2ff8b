import * as fs from 'node:fs';
import type { WriteFn } from '../../src/io/atomic';

/** A write call that writes `limit` bytes in total, then fails as a full disk does (ENOSPC). */
export function fullAfter(limit: number): WriteFn {
  let left = limit;
  return (fd, buffer, offset, length) => {
    if (left <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const n = Math.min(left, length);
    left -= n;
    return fs.writeSync(fd, buffer, offset, n);
  };
}
