import assert from 'assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { loadCifar10 } from '../../src/data/cifar10';
import { DATA_DIR_ENV } from '../../src/data/files';
import { loadMnist } from '../../src/data/mnist';

/** `$OCTOLAB_DATA_DIR`, else `../shared/data` next to the repository root, when it exists. */
function realDataDir(): string | null {
  const fromEnv = process.env[DATA_DIR_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fs.existsSync(fromEnv) ? path.resolve(fromEnv) : null;
  // Compiled to dist/test/data/: the repository root is three levels up.
  const shared = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'data');
  return fs.existsSync(shared) ? shared : null;
}

const u = (b: number): number => Math.fround(b / 255);

describe('data: the real MNIST and CIFAR-10 files (known facts from the data README)', function () {
  this.timeout(60_000);
  const dir = realDataDir();
  const skipIfAbsent = (ctx: Mocha.Context, sub: string): string => {
    if (dir === null || !fs.existsSync(path.join(dir, sub))) {
      console.log(`      (skipped: no real data at ${dir === null ? `$${DATA_DIR_ENV} or ../shared/data` : path.join(dir, sub)})`);
      ctx.skip();
    }
    return dir as string;
  };

  it('MNIST: 60,000/10,000 examples, first labels, train pixel mean 0.1307, canonical hashes', async function () {
    const dataDir = skipIfAbsent(this, 'mnist');
    const t0 = performance.now();
    const d = await loadMnist({ dataDir });
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(d.nTrain, 60000);
    assert.equal(d.nTest, 10000);
    assert.deepEqual(d.inputShape, [784]);
    assert.deepEqual([...d.yTrain.subarray(0, 10)], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    assert.deepEqual([...d.yTest.subarray(0, 10)], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    let sum = 0;
    for (let i = 0; i < d.xTrain.length; i++) sum += d.xTrain[i];
    const mean = sum / d.xTrain.length;
    assert.ok(Math.abs(mean - 33.3184 / 255) < 1e-5, `train pixel mean ${mean} (README: 33.3184 / 255 ≈ 0.1307)`);
    const counts = new Array(10).fill(0);
    for (const y of d.yTest) counts[y]++;
    assert.deepEqual(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    assert.equal(d.provenance.checksums, 'verified');
    assert.equal(d.provenance.files[0].sha256, '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609');
    console.log(`      (MNIST loaded and verified in ${seconds.toFixed(2)} s)`);
  });

  it('CIFAR-10: test labels, the HWC layout of test image 0, training image 0, test channel means', async function () {
    const dataDir = skipIfAbsent(this, path.join('cifar-10', 'cifar-10-batches-bin'));
    const t0 = performance.now();
    const d = await loadCifar10({ dataDir, limitTrain: 10 });
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(d.nTest, 10000);
    assert.deepEqual(d.inputShape, [32, 32, 3]);
    assert.deepEqual([...d.yTest.subarray(0, 10)], [3, 8, 8, 0, 6, 6, 1, 6, 3, 1]);
    assert.deepEqual([...d.yTrain], [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]);
    // First red row of test image 0 (HWC: channel 0 at stride 3) and of training image 0.
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((col) => d.xTest[col * 3]), [158, 159, 165, 166, 160, 156].map(u));
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((col) => d.xTrain[col * 3]), [59, 43, 50, 68, 98, 119, 139, 145].map(u));
    const sums = [0, 0, 0];
    for (let i = 0; i < d.xTest.length; i++) sums[i % 3] += d.xTest[i];
    const means = sums.map((s) => s / (d.nTest * 1024));
    [0.49421428, 0.48513139, 0.45040909].forEach((m, c) => assert.ok(Math.abs(means[c] - m) < 1e-5, `channel ${c} mean ${means[c]}`));
    assert.deepEqual(d.provenance.files.map((f) => path.basename(f.path)), ['data_batch_1.bin', 'test_batch.bin']);
    assert.equal(d.provenance.checksums, 'verified');
    console.log(`      (CIFAR-10 batch 1 + test batch loaded and verified in ${seconds.toFixed(2)} s)`);
  });
});
