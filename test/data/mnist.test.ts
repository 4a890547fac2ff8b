import assert from 'assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { CANONICAL_SHA256 } from '../../src/data/checksums';
import { portableDir, sha256Hex } from '../../src/data/files';
import { IDX_IMAGES_MAGIC, parseIdx } from '../../src/data/idx';
import { loadMnist } from '../../src/data/mnist';
import { fakeFetch, idxBytes, listFiles, mnistFixture, offlineFetch, removeDir, tableFor, tempDir, writeFiles } from './fixtures';

const quiet = (): void => undefined;

describe('data/idx: parseIdx', () => {
  it('reads the header and returns a view of the elements', () => {
    const bytes = idxBytes(0x803, [2, 1, 3], Uint8Array.from([1, 2, 3, 4, 5, 6]));
    const idx = parseIdx(bytes, IDX_IMAGES_MAGIC, 'f');
    assert.deepEqual(idx.dims, [2, 1, 3]);
    assert.deepEqual([...idx.data], [1, 2, 3, 4, 5, 6]);
  });

  it('names the file, expected and actual sizes when truncated or too long', () => {
    const bytes = idxBytes(0x803, [2, 1, 3], Uint8Array.from([1, 2, 3, 4, 5, 6]));
    assert.throws(() => parseIdx(bytes.subarray(0, 20), IDX_IMAGES_MAGIC, 'imgs.idx'), /imgs\.idx: truncated: header says 2×1×3 so the file must be 22 bytes, but it is 20 bytes/);
    assert.throws(() => parseIdx(Buffer.concat([bytes, Buffer.from([0])]), IDX_IMAGES_MAGIC, 'imgs.idx'), /1 trailing bytes.*must be 22 bytes, but it is 23/);
    assert.throws(() => parseIdx(bytes.subarray(0, 10), IDX_IMAGES_MAGIC, 'imgs.idx'), /truncated IDX header: expected at least 16 bytes, got 10/);
    assert.throws(() => parseIdx(bytes, 0x801, 'x'), /x: bad IDX magic number 0x00000803, expected 0x00000801/);
  });
});

describe('data/mnist: loadMnist on fixtures', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => removeDir(dir));

  it('loads gzipped files from <dataDir>/mnist: values byte/255, labels, shapes, provenance', async () => {
    const fx = mnistFixture();
    writeFiles(path.join(dir, 'mnist'), fx.files);
    const d = await loadMnist({ dataDir: dir, verify: false });
    assert.equal(d.name, 'mnist');
    assert.equal(d.task, 'classification');
    assert.equal(d.numClasses, 10);
    assert.deepEqual(d.inputShape, [12]);
    assert.equal(d.nTrain, 5);
    assert.equal(d.nTest, 3);
    assert.ok(d.yTrain instanceof Int32Array);
    assert.deepEqual([...d.yTrain], [5, 8, 1, 4, 7]);
    assert.deepEqual([...d.yTest], [2, 9, 6]);
    assert.equal(d.xTrain.length, 60);
    for (let i = 0; i < 60; i++) assert.equal(d.xTrain[i], Math.fround(fx.trainPixels[i] / 255));
    for (let i = 0; i < 36; i++) assert.equal(d.xTest[i], Math.fround(fx.testPixels[i] / 255));
    // Hand check: image 1, row 2, column 3 of the train set is byte (1·12 + 2·4 + 3)·37 + 14 mod 256.
    const k = 1 * 12 + 2 * 4 + 3;
    assert.equal(d.xTrain[k], Math.fround(((k * 37 + 14) & 255) / 255));
    const p = d.provenance;
    assert.equal(p.dataDir, portableDir(dir));
    assert.ok(!path.isAbsolute(p.dataDir as string));
    assert.equal(p.checksums, 'not-verified');
    assert.deepEqual(
      p.files.map((f) => [f.path, f.role, f.bytes, f.sha256]),
      [
        ['mnist/train-images-idx3-ubyte.gz', 'train-images', fx.files['train-images-idx3-ubyte.gz'].length, sha256Hex(fx.files['train-images-idx3-ubyte.gz'])],
        ['mnist/train-labels-idx1-ubyte.gz', 'train-labels', fx.files['train-labels-idx1-ubyte.gz'].length, sha256Hex(fx.files['train-labels-idx1-ubyte.gz'])],
        ['mnist/t10k-images-idx3-ubyte.gz', 'test-images', fx.files['t10k-images-idx3-ubyte.gz'].length, sha256Hex(fx.files['t10k-images-idx3-ubyte.gz'])],
        ['mnist/t10k-labels-idx1-ubyte.gz', 'test-labels', fx.files['t10k-labels-idx1-ubyte.gz'].length, sha256Hex(fx.files['t10k-labels-idx1-ubyte.gz'])],
      ],
    );
    assert.equal(p.split, 'standard');
    assert.equal(p.nTrainAvailable, 5);
    assert.equal(p.limitTrain, null);
    assert.deepEqual(p.downloaded, []);
    assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
  });

  it('accepts uncompressed files with the dotted spelling directly in the data directory, image layout', async () => {
    const fx = mnistFixture({ gzip: false });
    const dotted: Record<string, Buffer> = {};
    for (const [n, b] of Object.entries(fx.files)) dotted[n.replace('-idx', '.idx')] = b;
    writeFiles(dir, dotted);
    const d = await loadMnist({ dataDir: dir, verify: false, layout: 'image' });
    assert.deepEqual(d.inputShape, [3, 4, 1]);
    assert.deepEqual(
      d.provenance.files.map((f) => f.path),
      ['train-images.idx3-ubyte', 'train-labels.idx1-ubyte', 't10k-images.idx3-ubyte', 't10k-labels.idx1-ubyte'],
    );
    assert.equal(d.xTest[35], Math.fround(fx.testPixels[35] / 255));
  });

  it('limits keep the first N examples and are recorded', async () => {
    const fx = mnistFixture();
    writeFiles(path.join(dir, 'mnist'), fx.files);
    const d = await loadMnist({ dataDir: dir, verify: false, limitTrain: 2, limitTest: 1 });
    assert.equal(d.nTrain, 2);
    assert.equal(d.xTrain.length, 24);
    assert.deepEqual([...d.yTrain], [5, 8]);
    assert.deepEqual([...d.yTest], [2]);
    assert.equal(d.provenance.limitTrain, 2);
    assert.equal(d.provenance.limitTest, 1);
    assert.equal(d.provenance.nTrainAvailable, 5);
    await assert.rejects(loadMnist({ dataDir: dir, verify: false, limitTrain: 6 }), /limitTrain 6 exceeds the 5 examples/);
    await assert.rejects(loadMnist({ dataDir: dir, verify: false, limitTest: -1 }), /limitTest must be a positive integer, got -1/);
  });

  it('verifies against the canonical table by default: a fixture fails with both hashes named', async () => {
    const fx = mnistFixture();
    writeFiles(path.join(dir, 'mnist'), fx.files);
    const file = path.join(dir, 'mnist', 'train-images-idx3-ubyte.gz');
    await assert.rejects(loadMnist({ dataDir: dir }), (err: Error) => {
      assert.match(err.message, /checksum mismatch/);
      assert.ok(err.message.includes(file), err.message);
      assert.ok(err.message.includes(CANONICAL_SHA256['mnist/train-images-idx3-ubyte.gz']), err.message);
      assert.ok(err.message.includes(sha256Hex(fx.files['train-images-idx3-ubyte.gz'])), err.message);
      return true;
    });
    // The same files pass against a table that lists them, and are then recorded as verified.
    const d = await loadMnist({ dataDir: dir, checksums: tableFor('mnist/', fx.files) });
    assert.equal(d.provenance.checksums, 'verified');
  });

  it('verifies uncompressed files against the decompressed-file entries', async () => {
    const fx = mnistFixture({ gzip: false });
    writeFiles(path.join(dir, 'mnist'), fx.files);
    await assert.rejects(loadMnist({ dataDir: dir }), new RegExp(CANONICAL_SHA256['mnist/train-images-idx3-ubyte']));
    const d = await loadMnist({ dataDir: dir, checksums: tableFor('mnist/', fx.files) });
    assert.equal(d.provenance.checksums, 'verified');
  });

  describe('corrupt files', () => {
    const corrupt = async (name: string, bytes: Uint8Array, expected: RegExp): Promise<void> => {
      const fx = mnistFixture({ gzip: false });
      writeFiles(path.join(dir, 'mnist'), { ...fx.files, [name]: bytes });
      await assert.rejects(loadMnist({ dataDir: dir, verify: false }), expected);
    };

    it('wrong magic number', () =>
      corrupt('train-labels-idx1-ubyte', idxBytes(0x803, [5, 1, 1], new Uint8Array(5)), /train-labels-idx1-ubyte: bad IDX magic number 0x00000803, expected 0x00000801/));

    it('truncated images file: expected and actual sizes', () => {
      const full = idxBytes(0x803, [5, 3, 4], new Uint8Array(60));
      return corrupt('t10k-images-idx3-ubyte', full.subarray(0, 50), /t10k-images-idx3-ubyte: truncated: header says 5×3×4 so the file must be 76 bytes, but it is 50 bytes/);
    });

    it('truncated gzip stream', async () => {
      const fx = mnistFixture();
      const gz = fx.files['train-images-idx3-ubyte.gz'];
      writeFiles(path.join(dir, 'mnist'), { ...fx.files, 'train-images-idx3-ubyte.gz': gz.subarray(0, gz.length - 10) });
      await assert.rejects(loadMnist({ dataDir: dir, verify: false }), /cannot decompress .*train-images-idx3-ubyte\.gz.*truncated or corrupt/);
    });

    it('label out of range', () =>
      corrupt('train-labels-idx1-ubyte', idxBytes(0x801, [5], Uint8Array.from([1, 2, 10, 3, 4])), /train-labels-idx1-ubyte: label 10 at index 2 is out of range 0\.\.9/));

    it('image and label counts differ', () =>
      corrupt('train-labels-idx1-ubyte', idxBytes(0x801, [4], Uint8Array.from([1, 2, 3, 4])), /has 5 images but .*train-labels-idx1-ubyte has 4 labels/));

    it('train and test image sizes differ', () =>
      corrupt('t10k-images-idx3-ubyte', idxBytes(0x803, [3, 4, 3], new Uint8Array(36)), /image sizes differ.*3×4.*4×3/));
  });

  it('without download, a missing file is an error giving its full path, size, hash and URL', async () => {
    const fx = mnistFixture();
    const { ['t10k-labels-idx1-ubyte.gz']: _dropped, ...rest } = fx.files;
    writeFiles(path.join(dir, 'mnist'), rest);
    await assert.rejects(loadMnist({ dataDir: dir, verify: false }), (err: Error) => {
      const want = path.join(dir, 'mnist', 't10k-labels-idx1-ubyte.gz');
      assert.ok(err.message.includes(want), err.message);
      assert.ok(err.message.includes('https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz'), err.message);
      assert.ok(err.message.includes('4542 bytes'), err.message);
      assert.ok(err.message.includes(CANONICAL_SHA256['mnist/t10k-labels-idx1-ubyte.gz']), err.message);
      assert.match(err.message, /Downloading is off/);
      assert.equal(err.message.split('\n    from ').length - 1, 1, 'only the missing file is listed');
      return true;
    });
  });

  it('offline download: the error names every URL tried, the reason, and where to put each file; nothing is written', async () => {
    const calls: string[] = [];
    await assert.rejects(loadMnist({ dataDir: dir, download: true, fetchFn: offlineFetch(calls), log: quiet }), (err: Error) => {
      for (const n of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
        assert.ok(err.message.includes(path.join(dir, 'mnist', n)), `${n} path missing from: ${err.message}`);
      }
      assert.match(err.message, /Download failed: .*ossci-datasets.*fetch failed.*ENOTFOUND/);
      assert.match(err.message, /yann\.lecun\.com\/exdb\/mnist\/train-images-idx3-ubyte\.gz: fetch failed/);
      return true;
    });
    assert.equal(calls.length, 8); // 4 files × 2 mirrors
    assert.deepEqual(listFiles(dir), []);
  });

  it('a download is verified before it is saved; a bad one is not written (no final file, no .part)', async () => {
    const fx = mnistFixture();
    const routes: Record<string, Uint8Array> = {};
    for (const [n, b] of Object.entries(fx.files)) routes[`https://ossci-datasets.s3.amazonaws.com/mnist/${n}`] = b;
    // Canonical table: the fixture bytes do not match, so nothing may be saved.
    await assert.rejects(loadMnist({ dataDir: dir, download: true, fetchFn: fakeFetch(routes), log: quiet }), /SHA-256 mismatch \(expected 440fcabf.*not saved/);
    assert.deepEqual(listFiles(dir), []);
  });

  it('downloads missing files from the first mirror that works, saves them and records it', async () => {
    const fx = mnistFixture();
    const routes: Record<string, Uint8Array> = {};
    for (const [n, b] of Object.entries(fx.files)) routes[`http://mirror-b.test/${n}`] = b;
    writeFiles(path.join(dir, 'mnist'), { 'train-images-idx3-ubyte.gz': fx.files['train-images-idx3-ubyte.gz'] });
    const calls: string[] = [];
    const lines: string[] = [];
    const d = await loadMnist({
      dataDir: dir,
      download: true,
      fetchFn: fakeFetch(routes, calls),
      mnistMirrors: ['http://mirror-a.test/', 'http://mirror-b.test/'],
      checksums: tableFor('mnist/', fx.files),
      log: (l) => lines.push(l),
    });
    assert.equal(d.nTrain, 5);
    assert.equal(d.provenance.checksums, 'verified');
    assert.deepEqual(d.provenance.downloaded, [
      path.join(dir, 'mnist', 'train-labels-idx1-ubyte.gz'),
      path.join(dir, 'mnist', 't10k-images-idx3-ubyte.gz'),
      path.join(dir, 'mnist', 't10k-labels-idx1-ubyte.gz'),
    ]);
    assert.equal(calls.length, 6); // the present file is not fetched; each missing one tries mirror a then b
    assert.deepEqual(listFiles(dir), [
      'mnist/t10k-images-idx3-ubyte.gz',
      'mnist/t10k-labels-idx1-ubyte.gz',
      'mnist/train-images-idx3-ubyte.gz',
      'mnist/train-labels-idx1-ubyte.gz',
    ]);
    assert.ok(fs.readFileSync(path.join(dir, 'mnist', 't10k-labels-idx1-ubyte.gz')).equals(fx.files['t10k-labels-idx1-ubyte.gz']));
    assert.ok(lines.some((l) => l.startsWith('saved ')));
  });

  it('reads any image size from the header (28×28 as in the real data)', async () => {
    const fx = mnistFixture({ rows: 28, cols: 28, nTrain: 2, nTest: 1 });
    writeFiles(path.join(dir, 'mnist'), fx.files);
    const d = await loadMnist({ dataDir: dir, verify: false });
    assert.deepEqual(d.inputShape, [784]);
    assert.equal(d.xTrain.length, 2 * 784);
  });
});
