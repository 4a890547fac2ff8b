import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileError, writeFileAtomic, writeFilesAtomic, writeFully } from '../../src/io/atomic';
import { LockHeldError, acquireLock, acquireLocks } from '../../src/io/lock';
import { fullAfter } from '../helpers/disk';


describe('io: atomic writes and lock files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-io-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writeFully loops over short writes and reports no progress as a full disk naming the file', () => {
    const f = path.join(dir, 'a');
    const fd = fs.openSync(f, 'w');
    let calls = 0;
    writeFully(fd, Buffer.from('0123456789'), f, (d, b, o, l) => {
      calls++;
      return fs.writeSync(d, b, o, Math.min(3, l));
    });
    fs.closeSync(fd);
    assert.equal(fs.readFileSync(f, 'utf8'), '0123456789');
    assert.equal(calls, 4);
    assert.throws(() => writeFully(0, Buffer.from('x'), 'named.file', () => 0), (e: Error) => e instanceof FileError && e.code === 'ENOSPC' && /named\.file/.test(e.message));
  });

  it('writeFileAtomic keeps the old content and leaves no temporary file when the disk fills up', () => {
    const f = path.join(dir, 'table.csv');
    writeFileAtomic(f, 'old,content\n');
    assert.throws(() => writeFileAtomic(f, 'x'.repeat(10_000), { write: fullAfter(4096) }), /table\.csv: no space left on the device \(ENOSPC\)/);
    assert.equal(fs.readFileSync(f, 'utf8'), 'old,content\n');
    assert.deepEqual(fs.readdirSync(dir), ['table.csv']);
  });

  it('writeFilesAtomic replaces all files or none', () => {
    const a = path.join(dir, 'a.html');
    const b = path.join(dir, 'sub', 'b.csv');
    writeFilesAtomic([
      { file: a, data: 'A1' },
      { file: b, data: 'B1' },
    ]);
    // The second file cannot be written: the first keeps its old content too.
    assert.throws(
      () =>
        writeFilesAtomic(
          [
            { file: a, data: 'A2' },
            { file: b, data: 'B2'.repeat(5000) },
          ],
          { write: fullAfter(100) },
        ),
      /b\.csv: no space left/,
    );
    assert.equal(fs.readFileSync(a, 'utf8'), 'A1');
    assert.equal(fs.readFileSync(b, 'utf8'), 'B1');
    // A directory in the way is found before anything is written.
    fs.mkdirSync(path.join(dir, 'c.csv'));
    assert.throws(
      () =>
        writeFilesAtomic([
          { file: a, data: 'A3' },
          { file: path.join(dir, 'c.csv'), data: 'C' },
        ]),
      /c\.csv: it is a directory \(EISDIR\)/,
    );
    assert.equal(fs.readFileSync(a, 'utf8'), 'A1');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['a.html', 'c.csv', 'sub']);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'sub')), ['b.csv']);
  });

  it('a lock is exclusive, names its owner, is released, and is taken over when stale', () => {
    const target = path.join(dir, 'r.jsonl');
    const lock = acquireLock(target, 'octolab run');
    assert.throws(() => acquireLock(target, 'octolab merge'), (e: Error) => e instanceof LockHeldError && e.message.includes(`octolab run (pid ${process.pid}`));
    lock.release();
    assert.equal(fs.existsSync(`${target}.lock`), false);
    // A lock left by a process that no longer exists on this host is stale.
    fs.writeFileSync(`${target}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, hostname: os.hostname(), purpose: 'octolab run', since: 'then' }));
    const again = acquireLock(target, 'octolab run');
    again.release();
    // Several locks: all or none.
    const held = acquireLock(path.join(dir, 'b.jsonl'), 'octolab run');
    assert.throws(() => acquireLocks([path.join(dir, 'a.jsonl'), path.join(dir, 'b.jsonl')], 'octolab merge'), LockHeldError);
    assert.equal(fs.existsSync(path.join(dir, 'a.jsonl.lock')), false, 'the lock taken first is given back');
    held.release();
  });
});
