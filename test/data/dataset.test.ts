import assert from 'assert/strict';
import * as path from 'node:path';

import { CANONICAL_SHA256, verifyChecksum, verifyChecksums } from '../../src/data/checksums';
import { loadDataset } from '../../src/data/dataset';
import { fetchBytes } from '../../src/data/download';
import { DATA_DIR_ENV, portableDir, resolveDataDir, sha256Hex, writeFileAtomic } from '../../src/data/files';
import { cifarFiles, listFiles, mnistFixture, removeDir, tempDir, writeFiles } from './fixtures';

describe('data/files: resolveDataDir', () => {
  it('prefers the flag, then the environment variable, then ./data; resolves relative paths', () => {
    const env = { [DATA_DIR_ENV]: '/env/dir' };
    assert.equal(resolveDataDir('/flag/dir', env, '/cwd'), '/flag/dir');
    assert.equal(resolveDataDir('rel', env, '/cwd'), path.resolve('/cwd', 'rel'));
    assert.equal(resolveDataDir(undefined, env, '/cwd'), '/env/dir');
    assert.equal(resolveDataDir(undefined, { [DATA_DIR_ENV]: 'envrel' }, '/cwd'), path.resolve('/cwd', 'envrel'));
    assert.equal(resolveDataDir(undefined, {}, '/cwd'), path.resolve('/cwd', 'data'));
    assert.equal(resolveDataDir(undefined, { [DATA_DIR_ENV]: '  ' }, '/cwd'), path.resolve('/cwd', 'data'));
    assert.throws(() => resolveDataDir('', env, '/cwd'), /--data-dir must not be empty/);
  });

  it('records directories relative to the package root, never as a machine path', () => {
    assert.equal(portableDir('/w/shared/data', '/w/main'), '../shared/data');
    assert.equal(portableDir('/w/main/data', '/w/main'), 'data');
    assert.equal(portableDir('/w/main', '/w/main'), '.');
  });
});

describe('data/checksums', () => {
  const file = { path: 'mnist/t10k-labels-idx1-ubyte.gz', role: 'test-labels', bytes: 4542, sha256: CANONICAL_SHA256['mnist/t10k-labels-idx1-ubyte.gz'] };

  it('the table lists every canonical file with a 64-digit hash', () => {
    assert.equal(Object.keys(CANONICAL_SHA256).length, 15);
    for (const [k, v] of Object.entries(CANONICAL_SHA256)) assert.match(v, /^[0-9a-f]{64}$/, k);
  });

  it('accepts a match, rejects a mismatch naming both hashes, rejects an unknown key', () => {
    verifyChecksum({ file, key: 'mnist/t10k-labels-idx1-ubyte.gz' });
    const bad = { ...file, sha256: sha256Hex(Buffer.from('x')) };
    assert.throws(
      () => verifyChecksums([{ file, key: 'mnist/t10k-labels-idx1-ubyte.gz' }, { file: bad, key: 'mnist/t10k-labels-idx1-ubyte.gz', absolutePath: '/d/mnist/x.gz' }]),
      new RegExp(`checksum mismatch for /d/mnist/x\\.gz \\(mnist/t10k-labels-idx1-ubyte\\.gz\\): expected SHA-256 ${file.sha256}, got ${bad.sha256}`),
    );
    assert.throws(() => verifyChecksum({ file, key: 'mnist/other' }), /no entry for 'mnist\/other'/);
  });

  it('#15 a mismatch suggests what the CLI can do, not an option it lacks', () => {
    const bad = { ...file, sha256: sha256Hex(Buffer.from('x')) };
    assert.throws(
      () => verifyChecksum({ file: bad, key: 'mnist/t10k-labels-idx1-ubyte.gz' }),
      (e: Error) => /delete or replace it \(octolab downloads the canonical file unless --no-download\)/.test(e.message) && !/pass verify: false/.test(e.message),
    );
  });
});

describe('data/download: fetchBytes and atomic writes', () => {
  it('reports HTTP errors and timeouts with the URL', async () => {
    const notFound = async () => ({ ok: false, status: 404, statusText: 'Not Found', arrayBuffer: async () => new ArrayBuffer(0) });
    await assert.rejects(fetchBytes('http://h.test/a', { fetchFn: notFound }), /^Error: http:\/\/h\.test\/a: HTTP 404 Not Found$/);
    let aborted = false;
    const hang = (_url: string, init: { signal: AbortSignal }) =>
      new Promise<never>(() => {
        init.signal.addEventListener('abort', () => {
          aborted = true;
        });
      });
    await assert.rejects(fetchBytes('http://h.test/slow', { fetchFn: hang, connectTimeoutMs: 20 }), /http:\/\/h\.test\/slow: connection timed out after 20 ms/);
    assert.ok(aborted, 'the request is aborted');
  });

  it('writeFileAtomic leaves only the final file', async () => {
    const dir = tempDir();
    try {
      await writeFileAtomic(path.join(dir, 'sub', 'f.bin'), Buffer.from([1, 2, 3]));
      assert.deepEqual(listFiles(dir), ['sub/f.bin']);
    } finally {
      removeDir(dir);
    }
  });
});

describe('data/dataset: loadDataset', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => removeDir(dir));

  it('dispatches by name, in both call forms', async () => {
    const a = await loadDataset('regression', { limitTrain: 10, regression: { seed: 5, nTest: 20 } });
    const b = await loadDataset({ name: 'regression', limitTrain: 10, regression: { seed: 5, nTest: 20 } });
    assert.equal(a.nTrain, 10);
    assert.equal(a.nTest, 20);
    assert.deepEqual(a.xTrain, b.xTrain);
    assert.equal(a.provenance.generator?.seed, 5);

    writeFiles(path.join(dir, 'mnist'), mnistFixture().files);
    const m = await loadDataset('mnist', { dataDir: dir, verify: false, limitTest: 2, split: 'standard' });
    assert.equal(m.name, 'mnist');
    assert.deepEqual(m.inputShape, [12]);
    assert.equal(m.nTest, 2);

    writeFiles(path.join(dir, 'cifar-10', 'cifar-10-batches-bin'), cifarFiles(3));
    const c = await loadDataset({ name: 'cifar10', dataDir: dir, verify: false, allowPartialBatches: true, split: 'train1-4/test5' });
    assert.deepEqual(c.inputShape, [32, 32, 3]);
    assert.equal(c.provenance.split, 'train1-4/test5');
  });

  it('rejects unknown names and options that do not apply', async () => {
    await assert.rejects(loadDataset('imagenet' as never), /unknown dataset 'imagenet'; expected one of regression, mnist, cifar10/);
    await assert.rejects(loadDataset('mnist', { split: 'train1-4/test5' }), /split 'train1-4\/test5' applies only to cifar10/);
    await assert.rejects(loadDataset('regression', { layout: 'image' }), /layout 'image' does not apply/);
    await assert.rejects(loadDataset('regression', { limitTrain: 5, regression: { limitTrain: 6 } }), /limitTrain given twice/);
  });
});
