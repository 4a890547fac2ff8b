import assert from 'assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

import { CANONICAL_SHA256 } from '../../src/data/checksums';
import { cifar10RecordCount, decodeCifar10Records, loadCifar10 } from '../../src/data/cifar10';
import { sha256Hex } from '../../src/data/files';
import {
  buildTar,
  cifarBatch,
  cifarFiles,
  cifarLabel,
  cifarPixel,
  fakeFetch,
  listFiles,
  offlineFetch,
  removeDir,
  tableFor,
  tempDir,
  writeFiles,
} from './fixtures';

const quiet = (): void => undefined;
const BIN = path.join('cifar-10', 'cifar-10-batches-bin');
const u = (b: number): number => Math.fround(b / 255);

describe('data/cifar10: record decoding', () => {
  it('moves a known pixel from its CHW plane to its HWC slot', () => {
    // One record: label 7, red plane all 1, green all 2, blue all 3, except
    // green at row 1, column 2 (pixel 34) = 200 and blue at row 31, column 0 (pixel 992) = 9.
    const rec = new Uint8Array(3073);
    rec[0] = 7;
    rec.fill(1, 1, 1025);
    rec.fill(2, 1025, 2049);
    rec.fill(3, 2049, 3073);
    rec[1 + 1024 + 34] = 200;
    rec[1 + 2048 + 992] = 9;
    const x = new Float32Array(2 * 3072);
    const y = new Int32Array(2);
    decodeCifar10Records(rec, 1, x, y, 1, 'rec');
    assert.equal(y[1], 7);
    assert.equal(y[0], 0);
    const at = (n: number, row: number, col: number, c: number): number => x[n * 3072 + (row * 32 + col) * 3 + c];
    assert.equal(at(1, 1, 2, 1), u(200));
    assert.equal(at(1, 1, 2, 0), u(1));
    assert.equal(at(1, 1, 2, 2), u(3));
    assert.equal(at(1, 31, 0, 2), u(9));
    assert.equal(at(1, 0, 0, 0), u(1));
    assert.equal(at(1, 0, 0, 1), u(2));
    assert.equal(at(0, 0, 0, 0), 0, 'example 0 untouched');
    rec[0] = 10;
    assert.throws(() => decodeCifar10Records(rec, 1, x, y, 0, 'b.bin'), /b\.bin: label 10 of record 0 is out of range 0\.\.9/);
  });

  it('record counts: whole records, exactly 10,000 unless partial batches are allowed', () => {
    assert.equal(cifar10RecordCount(30730000, 'f', false), 10000);
    assert.equal(cifar10RecordCount(3073 * 3, 'f', true), 3);
    assert.throws(() => cifar10RecordCount(3073 * 3, 'f.bin', false), /f\.bin: 3 records \(9219 bytes\); a CIFAR-10 batch has exactly 10000 records \(30730000 bytes\)/);
    assert.throws(() => cifar10RecordCount(3074, 'f.bin', true), /f\.bin: size 3074 bytes is not a positive multiple of the 3073-byte CIFAR-10 record/);
    assert.throws(() => cifar10RecordCount(0, 'f.bin', true), /not a positive multiple/);
  });
});

describe('data/cifar10: loadCifar10 on fixtures (3 records per batch)', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => removeDir(dir));

  const base = { verify: false, allowPartialBatches: true } as const;

  it('standard split: all records in file order, NHWC values byte/255, provenance', async () => {
    const files = cifarFiles(3);
    writeFiles(path.join(dir, BIN), files);
    const d = await loadCifar10({ dataDir: dir, ...base });
    assert.equal(d.name, 'cifar10');
    assert.deepEqual(d.inputShape, [32, 32, 3]);
    assert.equal(d.numClasses, 10);
    assert.equal(d.nTrain, 15);
    assert.equal(d.nTest, 3);
    const expectedTrain: number[] = [];
    for (let b = 1; b <= 5; b++) for (let r = 0; r < 3; r++) expectedTrain.push(cifarLabel(b, r));
    assert.deepEqual([...d.yTrain], expectedTrain);
    assert.deepEqual([...d.yTest], [0, 1, 2].map((r) => cifarLabel(6, r)));
    // Every value, against the HWC index formula.
    for (let n = 0; n < 15; n++) {
      const b = 1 + Math.floor(n / 3);
      const r = n % 3;
      for (let p = 0; p < 1024; p++) {
        for (let c = 0; c < 3; c++) {
          const got = d.xTrain[n * 3072 + p * 3 + c];
          if (got !== u(cifarPixel(b, r, c, p))) assert.fail(`train example ${n}, pixel ${p}, channel ${c}: ${got}`);
        }
      }
    }
    assert.equal(d.xTest[2 * 3072 + 1023 * 3 + 2], u(cifarPixel(6, 2, 2, 1023)));
    const p = d.provenance;
    assert.equal(p.split, 'standard');
    assert.match(p.splitDescription, /test = test_batch \(3 records\)/);
    assert.deepEqual(
      p.files.map((f) => [f.path, f.role, f.sha256]),
      [1, 2, 3, 4, 5]
        .map((i) => [`cifar-10/cifar-10-batches-bin/data_batch_${i}.bin`, 'train', sha256Hex(files[`data_batch_${i}.bin`])])
        .concat([['cifar-10/cifar-10-batches-bin/test_batch.bin', 'test', sha256Hex(files['test_batch.bin'])]]),
    );
    assert.deepEqual(p.classNames?.slice(0, 3), ['airplane', 'automobile', 'bird']);
    assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
  });

  it('flat layout holds the same HWC bytes', async () => {
    writeFiles(path.join(dir, BIN), cifarFiles(3));
    const img = await loadCifar10({ dataDir: dir, ...base });
    const flat = await loadCifar10({ dataDir: dir, ...base, layout: 'flat' });
    assert.deepEqual(flat.inputShape, [3072]);
    assert.deepEqual(flat.xTest, img.xTest);
  });

  it('accepts cifar-10-batches-bin/ or the files directly in the data directory', async () => {
    writeFiles(path.join(dir, 'cifar-10-batches-bin'), cifarFiles(3));
    const a = await loadCifar10({ dataDir: dir, ...base });
    assert.equal(a.provenance.files[0].path, 'cifar-10-batches-bin/data_batch_1.bin');
    const dir2 = tempDir();
    try {
      writeFiles(dir2, cifarFiles(3));
      const b = await loadCifar10({ dataDir: dir2, ...base });
      assert.equal(b.provenance.files[0].path, 'data_batch_1.bin');
      assert.deepEqual(b.yTrain, a.yTrain);
    } finally {
      removeDir(dir2);
    }
  });

  it('a limit reads only the batches it needs and records it', async () => {
    writeFiles(path.join(dir, BIN), cifarFiles(3));
    const d = await loadCifar10({ dataDir: dir, ...base, limitTrain: 4, limitTest: 2 });
    assert.equal(d.nTrain, 4);
    assert.equal(d.xTrain.length, 4 * 3072);
    assert.deepEqual([...d.yTrain], [cifarLabel(1, 0), cifarLabel(1, 1), cifarLabel(1, 2), cifarLabel(2, 0)]);
    assert.deepEqual(d.provenance.files.map((f) => path.basename(f.path)), ['data_batch_1.bin', 'data_batch_2.bin', 'test_batch.bin']);
    assert.equal(d.provenance.limitTrain, 4);
    assert.equal(d.provenance.nTrainAvailable, 15);
    assert.equal(d.xTrain[3 * 3072 + 5], u(cifarPixel(2, 0, 2, 1)));
    await assert.rejects(loadCifar10({ dataDir: dir, ...base, limitTest: 4 }), /limitTest 4 exceeds the 3 examples available in .*test_batch\.bin/);
  });

  it('rejects partial batches by default, naming the file and the record counts', async () => {
    writeFiles(path.join(dir, BIN), cifarFiles(3));
    await assert.rejects(loadCifar10({ dataDir: dir, verify: false }), /data_batch_1\.bin: 3 records \(9219 bytes\); a CIFAR-10 batch has exactly 10000 records/);
  });

  it('rejects a file that is not whole records', async () => {
    writeFiles(path.join(dir, BIN), { ...cifarFiles(3), 'data_batch_4.bin': cifarBatch(4, 3).subarray(0, 3073 * 2 + 100) });
    await assert.rejects(loadCifar10({ dataDir: dir, ...base }), /data_batch_4\.bin: size 6246 bytes is not a positive multiple of the 3073-byte/);
  });

  it('rejects a label out of range, even in records a limit skips', async () => {
    const bad = cifarBatch(6, 3);
    bad[2 * 3073] = 12;
    writeFiles(path.join(dir, BIN), { ...cifarFiles(3), 'test_batch.bin': bad });
    await assert.rejects(loadCifar10({ dataDir: dir, ...base, limitTest: 1 }), /test_batch\.bin: label 12 of record 2 is out of range 0\.\.9/);
  });

  it('missing test_batch.bin: error with the full path, the source and the fallback split; nothing used silently', async () => {
    const { ['test_batch.bin']: _t, ...train } = cifarFiles(3);
    writeFiles(path.join(dir, BIN), train);
    await assert.rejects(loadCifar10({ dataDir: dir, ...base }), (err: Error) => {
      assert.match(err.message, /CIFAR-10 test set missing \(split 'standard'\)/);
      assert.ok(err.message.includes(path.join(dir, BIN, 'test_batch.bin')), err.message);
      assert.ok(err.message.includes('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz (member cifar-10-batches-bin/test_batch.bin)'), err.message);
      assert.ok(err.message.includes(CANONICAL_SHA256['cifar-10/cifar-10-batches-bin/test_batch.bin']), err.message);
      assert.match(err.message, /split 'train1-4\/test5'/);
      return true;
    });
  });

  it('the explicit fallback split trains on batches 1–4, tests on batch 5, and says so', async () => {
    const { ['test_batch.bin']: _t, ...train } = cifarFiles(3);
    writeFiles(path.join(dir, BIN), train);
    const d = await loadCifar10({ dataDir: dir, ...base, split: 'train1-4/test5' });
    assert.equal(d.nTrain, 12);
    assert.equal(d.nTest, 3);
    assert.deepEqual([...d.yTest], [0, 1, 2].map((r) => cifarLabel(5, r)));
    assert.equal(d.xTest[0], u(cifarPixel(5, 0, 0, 0)));
    assert.equal(d.provenance.split, 'train1-4/test5');
    assert.match(d.provenance.splitDescription, /fallback .*test = data_batch_5/);
    assert.deepEqual(d.provenance.files.map((f) => [path.basename(f.path), f.role]), [
      ['data_batch_1.bin', 'train'],
      ['data_batch_2.bin', 'train'],
      ['data_batch_3.bin', 'train'],
      ['data_batch_4.bin', 'train'],
      ['data_batch_5.bin', 'test'],
    ]);
    await assert.rejects(loadCifar10({ dataDir: dir, ...base, split: 'other' as never }), /split must be 'standard' or 'train1-4\/test5', got 'other'/);
  });

  it('checksum mismatch against the canonical table names the file and both hashes', async () => {
    const files = cifarFiles(3);
    writeFiles(path.join(dir, BIN), files);
    await assert.rejects(loadCifar10({ dataDir: dir, allowPartialBatches: true }), (err: Error) => {
      assert.ok(err.message.includes(path.join(dir, BIN, 'data_batch_1.bin')), err.message);
      assert.ok(err.message.includes(CANONICAL_SHA256['cifar-10/cifar-10-batches-bin/data_batch_1.bin']), err.message);
      assert.ok(err.message.includes(sha256Hex(files['data_batch_1.bin'])), err.message);
      return true;
    });
    const d = await loadCifar10({ dataDir: dir, allowPartialBatches: true, checksums: tableFor('cifar-10/cifar-10-batches-bin/', files) });
    assert.equal(d.provenance.checksums, 'verified');
  });

  it('offline: the error says which files to put where and why the download failed; nothing is written', async () => {
    const calls: string[] = [];
    await assert.rejects(loadCifar10({ dataDir: dir, ...base, download: true, fetchFn: offlineFetch(calls), log: quiet }), (err: Error) => {
      for (const n of ['data_batch_1.bin', 'data_batch_5.bin', 'test_batch.bin']) {
        assert.ok(err.message.includes(path.join(dir, BIN, n)), `${n}: ${err.message}`);
      }
      assert.match(err.message, /Download failed: https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar-10-binary\.tar\.gz: fetch failed/);
      return true;
    });
    assert.deepEqual(calls, ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz']);
    assert.deepEqual(listFiles(dir), []);
  });

  it('downloads the tarball, extracts and verifies the missing batches, keeps present ones', async () => {
    const files = cifarFiles(3);
    const tar = buildTar([
      { name: 'cifar-10-batches-bin/', typeflag: '5' },
      { name: 'cifar-10-batches-bin/batches.meta.txt', data: Buffer.from('airplane\n') },
      ...Object.entries(files).map(([n, data]) => ({ name: `cifar-10-batches-bin/${n}`, data })),
      { name: 'cifar-10-batches-bin/readme.html', data: Buffer.from('<html></html>') },
    ]);
    const url = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
    writeFiles(path.join(dir, BIN), { 'data_batch_1.bin': files['data_batch_1.bin'] });
    const d = await loadCifar10({
      dataDir: dir,
      allowPartialBatches: true,
      download: true,
      fetchFn: fakeFetch({ [url]: gzipSync(tar) }),
      checksums: tableFor('cifar-10/cifar-10-batches-bin/', files),
      log: quiet,
    });
    assert.equal(d.nTrain, 15);
    assert.equal(d.provenance.checksums, 'verified');
    assert.deepEqual(d.provenance.downloaded.map((p) => path.basename(p)), ['data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']);
    assert.deepEqual(listFiles(dir), Object.keys(files).map((n) => `cifar-10/cifar-10-batches-bin/${n}`).sort());
    assert.ok(fs.readFileSync(path.join(dir, BIN, 'test_batch.bin')).equals(files['test_batch.bin']));
  });

  it('a downloaded archive whose members fail verification leaves nothing behind', async () => {
    const files = cifarFiles(3);
    const tar = buildTar(Object.entries(files).map(([n, data]) => ({ name: `cifar-10-batches-bin/${n}`, data })));
    const url = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
    await assert.rejects(
      loadCifar10({ dataDir: dir, ...base, download: true, fetchFn: fakeFetch({ [url]: gzipSync(tar) }), log: quiet }),
      /extracted data_batch_1\.bin has SHA-256 [0-9a-f]{64}, expected cee91656/,
    );
    assert.deepEqual(listFiles(dir), []);
  });
});
