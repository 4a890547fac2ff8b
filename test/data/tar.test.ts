import assert from 'assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { readTar, tarNumber } from '../../src/data/tar';
import { buildTar, removeDir, tempDir } from './fixtures';

const eqBytes = (actual: Uint8Array, expected: Uint8Array): void =>
  assert.deepEqual(Buffer.from(actual.buffer, actual.byteOffset, actual.length), Buffer.from(expected.buffer, expected.byteOffset, expected.length));
const bytes = (n: number, salt: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 13 + salt) & 255);

function hasSystemTar(): boolean {
  try {
    execFileSync('tar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('data/tar: readTar', () => {
  it('reads files, a directory, empty and block-boundary sizes, and the ustar prefix', () => {
    const a = bytes(512, 1);
    const b = bytes(513, 2);
    const c = bytes(3, 3);
    const tar = buildTar([
      { name: 'cifar-10-batches-bin/', typeflag: '5' },
      { name: 'cifar-10-batches-bin/a.bin', data: a },
      { name: 'cifar-10-batches-bin/b.bin', data: b },
      { name: 'empty.txt', data: new Uint8Array(0) },
      { name: 'c.bin', prefix: 'deep/dir', data: c },
    ]);
    const entries = readTar(tar);
    assert.deepEqual(
      entries.map((e) => [e.name, e.type, e.size]),
      [
        ['cifar-10-batches-bin/', 'directory', 0],
        ['cifar-10-batches-bin/a.bin', 'file', 512],
        ['cifar-10-batches-bin/b.bin', 'file', 513],
        ['empty.txt', 'file', 0],
        ['deep/dir/c.bin', 'file', 3],
      ],
    );
    eqBytes(entries[1].data, a);
    eqBytes(entries[2].data, b);
    eqBytes(entries[4].data, c);
    // Views into the archive, not copies.
    assert.equal(entries[1].data.buffer, tar.buffer);
  });

  it('parses octal and GNU base-256 numbers', () => {
    const block = new Uint8Array(512);
    Buffer.from(block.buffer).write('00000001750\0', 124, 'ascii');
    assert.equal(tarNumber(block, 124, 12, 'size', 0), 0o1750);
    const big = new Uint8Array(12);
    big[0] = 0x80;
    big[10] = 0x01;
    big[11] = 0x02;
    assert.equal(tarNumber(big, 0, 12, 'size', 0), 258);
    Buffer.from(block.buffer).write('0009\0', 124, 'ascii');
    assert.throws(() => tarNumber(block, 124, 12, 'size', 0), /invalid octal size '0009'/);
  });

  it('rejects a corrupt header checksum and a truncated member', () => {
    const tar = buildTar([{ name: 'x.bin', data: bytes(1000, 4) }]);
    const bad = Buffer.from(tar);
    bad[0] ^= 0x01;
    assert.throws(() => readTar(bad), /header checksum mismatch at byte 0/);
    assert.throws(() => readTar(tar.subarray(0, 512 + 600)), /truncated archive: member at byte 0 needs 1000 data bytes, only 600 remain/);
  });

  it('stops at the end-of-archive zero block', () => {
    const tar = Buffer.concat([buildTar([{ name: 'one', data: bytes(5, 5) }]), buildTar([{ name: 'two', data: bytes(5, 6) }])]);
    assert.deepEqual(readTar(tar).map((e) => e.name), ['one']);
  });

  for (const format of ['ustar', 'gnu', 'pax']) {
    it(`reads an archive written by the system tar (--format=${format}), long names included`, function () {
      if (!hasSystemTar()) {
        console.log('      (skipped: no `tar` command on this machine)');
        this.skip();
      }
      const dir = tempDir();
      try {
        const longDir = 'cifar-10-batches-bin/' + 'd'.repeat(60);
        const longName = `${longDir}/${'n'.repeat(70)}.bin`; // > 100 bytes
        fs.mkdirSync(path.join(dir, 'src', longDir), { recursive: true });
        const files: Record<string, Uint8Array> = {
          'cifar-10-batches-bin/data_batch_1.bin': bytes(3073 * 3, 7),
          'cifar-10-batches-bin/batches.meta.txt': Buffer.from('airplane\nautomobile\n\n'),
          [longName]: bytes(700, 8),
        };
        for (const [n, b] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'src', n), b);
        const out = path.join(dir, 'a.tar');
        execFileSync('tar', [`--format=${format}`, '-cf', out, '-C', path.join(dir, 'src'), 'cifar-10-batches-bin']);
        const entries = readTar(fs.readFileSync(out));
        for (const [n, b] of Object.entries(files)) {
          const e = entries.find((x) => x.name === n);
          assert.ok(e !== undefined, `member ${n} not found in ${entries.map((x) => x.name).join(', ')}`);
          assert.equal(e.type, 'file');
          eqBytes(e.data, b);
        }
      } finally {
        removeDir(dir);
      }
    });
  }
});
