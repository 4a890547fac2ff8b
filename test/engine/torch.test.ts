import assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { makeRegression } from '../../src/data';
import type { Dataset } from '../../src/data';
import { describeEngine, findLibtorch, loadTorch, prepareEngine, threadsFromEnv, torchAddonFile } from '../../src/engine';
import type { EngineInfo } from '../../src/engine';
import { prepareTrainingEngine } from '../../src/cli/run';
import { makeRunConfig, runKey } from '../../src/experiments/config';
import { runOne } from '../../src/experiments/record';
import { architecture, initialWeightValues } from '../../src/models';
import type { ModelName } from '../../src/models';
import { getPreset } from '../../src/quantizers';
import { Rng } from '../../src/random/rng';
import { TfjsTrainer, createTrainer, train } from '../../src/training';
import type { ModelTrainer, TrainArgs, TrainCheckpoint, TrainResult } from '../../src/training';

const MODELS: ModelName[] = ['regression-mlp', 'mnist-mlp', 'cifar10-cnn'];

/** Random inputs and labels of one of the study's models. */
function syntheticData(model: ModelName, nTrain: number, nTest: number, seed: number): Dataset {
  if (model === 'regression-mlp') return makeRegression({ nTrain, nTest, seed });
  const inputShape = model === 'mnist-mlp' ? [784] : [32, 32, 3];
  const row = inputShape.reduce((a, b) => a * b, 1);
  const rng = new Rng(seed);
  const x = (n: number): Float32Array => Float32Array.from({ length: n * row }, () => rng.next());
  const y = (n: number): Int32Array => Int32Array.from({ length: n }, () => rng.int(10));
  return {
    name: model === 'mnist-mlp' ? 'mnist' : 'cifar10',
    task: 'classification',
    inputShape,
    numClasses: 10,
    xTrain: x(nTrain),
    yTrain: y(nTrain),
    xTest: x(nTest),
    yTest: y(nTest),
    nTrain,
    nTest,
    provenance: {} as Dataset['provenance'],
  };
}

/** Largest |a − b| relative to the largest |b| (so tiny entries do not dominate). */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** The first `n` examples of the training split as a batch. */
function batchOf(data: Dataset, n: number): { x: Float32Array; y: Float32Array } {
  const row = data.inputShape.reduce((a, b) => a * b, 1);
  const width = data.task === 'classification' ? data.numClasses : 1;
  const y = new Float32Array(n * width);
  for (let i = 0; i < n; i++) {
    if (data.task === 'classification') y[i * width + data.yTrain[i]] = 1;
    else y[i] = data.yTrain[i];
  }
  return { x: data.xTrain.slice(0, n * row), y };
}

/** Seeded weights with non-zero biases, so that every parameter's gradient is exercised. */
function seededWeights(t: ModelTrainer, seed: number): Float32Array[] {
  const rng = new Rng(seed + 100);
  return initialWeightValues(t.weights, seed).map((v, i) => (t.weights[i].shape.length === 1 ? v.map(() => (rng.next() - 0.5) * 0.1) : v));
}

/** Trainer of `model` on the engine `backend` (prepared here) with the given weights. */
async function trainerOn(backend: string, model: ModelName, data: Dataset, weights: Float32Array[] | null, seed = 5): Promise<ModelTrainer> {
  await prepareEngine({ backend });
  const t = createTrainer(architecture({ name: model, inputShape: data.inputShape }), data.task);
  t.writeWeights(weights ?? initialWeightValues(t.weights, seed));
  return t;
}

/**
 * Outputs, loss, gradients (one SGD step of rate 1) and the update of one Adam step, from the
 * same weights.
 */
async function probe(backend: string, model: ModelName, data: Dataset, batch: number) {
  const { x, y } = batchOf(data, batch);
  const t = await trainerOn(backend, model, data, null);
  const w0 = seededWeights(t, 5);
  t.writeWeights(w0);
  const out = (await t.predict(x, batch)).slice();
  const evalLoss = (await t.evaluateBatch(x, y, batch)).lossSum / batch;
  t.resetOptimizer({ name: 'sgd', learningRate: 1 });
  const step = await t.step(x, y, batch);
  const grads = (await t.readWeights()).map((w1, i) => Float64Array.from(w1, (v, k) => w0[i][k] - v));
  t.writeWeights(w0);
  t.resetOptimizer({ name: 'adam', learningRate: 1e-3 });
  await t.step(x, y, batch);
  const adam = (await t.readWeights()).map((w1, i) => Float64Array.from(w1, (v, k) => v - w0[i][k]));
  t.dispose();
  return { out, evalLoss, loss: step.loss, correct: step.correct, grads, adam };
}

function trainArgs(protocol: TrainArgs['protocol'], batchSize: number, epochs = 2): TrainArgs {
  return {
    epochs,
    batchSize,
    optimizer: { name: 'adam', learningRate: 1e-3 },
    protocol,
    scheme: protocol.kind === 'float' ? null : getPreset('octization'),
    seed: 9,
  };
}

async function fit(backend: string, model: ModelName, data: Dataset, args: TrainArgs): Promise<TrainResult> {
  const t = await trainerOn(backend, model, data, null, 9);
  try {
    return await train(t, data, args);
  } finally {
    t.dispose();
  }
}

/** A result without its wall-clock fields. */
function metricsOf(r: TrainResult): unknown {
  return { ...r, trainSeconds: 0, evalSeconds: 0, epochs: r.epochs.map((e) => ({ ...e, trainSeconds: 0, evalSeconds: 0 })) };
}

const PLAN: Record<ModelName, { n: number; batch: number }> = {
  'regression-mlp': { n: 256, batch: 32 },
  'mnist-mlp': { n: 256, batch: 32 },
  'cifar10-cnn': { n: 64, batch: 16 },
};

describe('engine: torch (libtorch addon) against cpu and wasm', function () {
  this.timeout(600_000);
  let info: EngineInfo | null = null;

  this.beforeAll(async function () {
    try {
      info = await prepareEngine({ backend: 'torch' });
    } catch (err) {
      console.log(`      torch tests skipped: ${err instanceof Error ? err.message : String(err)}`);
      this.skip();
    }
  });

  this.afterAll(async () => {
    await prepareEngine({ backend: 'cpu' });
  });

  it('records libtorch version, threads (pinned to 1) and build flags', () => {
    assert.ok(info !== null && info.torch != null);
    assert.equal(info.backend, 'torch');
    assert.ok(info.tfjsBackend === 'wasm' || info.tfjsBackend === 'cpu');
    assert.match(info.torch.version, /^\d+\.\d+\.\d+/);
    assert.equal(info.torch.threads, 1);
    assert.equal(process.env.OMP_NUM_THREADS, '1');
    assert.ok(info.torch.build.some((l) => l.startsWith('BLAS_INFO=')), info.torch.build.join(' | '));
    assert.ok(fs.existsSync(torchAddonFile()));
    assert.deepEqual(describeEngine().torch, info.torch);
  });

  it('matches cpu on forward, loss, every gradient and Adam for the three models (relative error < 1e-4)', async () => {
    for (const model of MODELS) {
      const n = model === 'cifar10-cnn' ? 4 : 16; // the cpu backend is slow on convolutions
      const data = syntheticData(model, n, 8, 3);
      const ref = await probe('cpu', model, data, n);
      const got = await probe('torch', model, data, n);
      assert.ok(relativeError(got.out, ref.out) < 1e-4, `${model}: outputs differ by ${relativeError(got.out, ref.out)}`);
      assert.ok(Math.abs(got.loss - ref.loss) <= 1e-4 * Math.max(1, Math.abs(ref.loss)), `${model}: loss ${got.loss} vs cpu ${ref.loss}`);
      assert.ok(Math.abs(got.evalLoss - ref.loss) <= 1e-4 * Math.max(1, Math.abs(ref.loss)), `${model}: evaluated loss ${got.evalLoss} vs ${ref.loss}`);
      assert.equal(got.correct, ref.correct, `${model}: correct predictions`);
      got.grads.forEach((g, i) => {
        const err = relativeError(g, ref.grads[i]);
        assert.ok(err < 1e-4, `${model}: gradient of weight ${i} differs from cpu by ${err.toExponential(2)}`);
      });
      // Adam's first step is -lr·g/(|g| + eps): check each engine's step against its own gradient,
      // where |g| is at least 1e-3 of the largest (elsewhere it is sign(g) of a g that is ~0, and
      // the gradient measured as w0 - w1 in float32 cannot tell its sign).
      for (const [name, r] of [['torch', got], ['cpu', ref]] as const) {
        r.adam.forEach((d, i) => {
          const g = r.grads[i];
          const big = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0) * 1e-3;
          const keep = [...g.keys()].filter((k) => Math.abs(g[k]) >= big);
          assert.ok(keep.length >= g.length / 10, `${model}: only ${keep.length} of ${g.length} gradients are well above zero`);
          const expected = keep.map((k) => (-1e-3 * g[k]) / (Math.abs(g[k]) + 1e-7));
          const err = relativeError(keep.map((k) => d[k]), expected);
          assert.ok(err < 1e-4, `${model} on ${name}: Adam step of weight ${i} differs from -lr·g/(|g|+eps) by ${err.toExponential(2)}`);
        });
      }
    }
  });

  it('trains each model like wasm: float loss trajectory within float tolerance; projected-step and qat codes agree', async () => {
    for (const model of MODELS) {
      const { n, batch } = PLAN[model];
      const data = syntheticData(model, n, 32, 4);
      const ref = await fit('wasm', model, data, trainArgs({ kind: 'float' }, batch));
      const got = await fit('torch', model, data, trainArgs({ kind: 'float' }, batch));
      got.epochs.forEach((e, i) => {
        const r = ref.epochs[i];
        assert.ok(Math.abs(e.trainLoss - r.trainLoss) <= 1e-4 * Math.max(1, Math.abs(r.trainLoss)), `${model} epoch ${e.epoch}: train loss ${e.trainLoss} vs wasm ${r.trainLoss}`);
        assert.ok(Math.abs(e.testLoss - r.testLoss) <= 1e-4 * Math.max(1, Math.abs(r.testLoss)), `${model} epoch ${e.epoch}: test loss ${e.testLoss} vs wasm ${r.testLoss}`);
      });
      for (const protocol of [{ kind: 'projected', every: 'step' }, { kind: 'qat' }] as TrainArgs['protocol'][]) {
        const a = await fit('wasm', model, data, trainArgs(protocol, batch, 1));
        const b = await fit('torch', model, data, trainArgs(protocol, batch, 1));
        assert.ok(a.codes !== null && b.codes !== null);
        let same = 0;
        let total = 0;
        b.codes.forEach((c, i) => {
          total += c.length;
          for (let k = 0; k < c.length; k++) if (c[k] === a.codes![i][k]) same++;
        });
        assert.ok(same / total >= 0.999, `${model} ${protocol.kind}: ${total - same} of ${total} codes differ from wasm`);
        assert.ok(Math.abs(b.testLoss - a.testLoss) <= 1e-3 * Math.max(1, Math.abs(a.testLoss)), `${model} ${protocol.kind}: test loss ${b.testLoss} vs wasm ${a.testLoss}`);
      }
    }
  });

  it('is deterministic: same seed, engine and threads give identical metrics and codes', async () => {
    const data = syntheticData('mnist-mlp', 128, 32, 6);
    for (const protocol of [{ kind: 'float' }, { kind: 'projected', every: 'step' }, { kind: 'qat' }, { kind: 'ptq' }] as TrainArgs['protocol'][]) {
      const a = await fit('torch', 'mnist-mlp', data, trainArgs(protocol, 32));
      const b = await fit('torch', 'mnist-mlp', data, trainArgs(protocol, 32));
      assert.deepEqual(metricsOf(a), metricsOf(b), `protocol ${protocol.kind}`);
    }
  });

  it('resumes from an epoch checkpoint to the same result as an unbroken run (qat, Adam)', async () => {
    const data = syntheticData('mnist-mlp', 96, 32, 8);
    const args = trainArgs({ kind: 'qat' }, 32, 3);
    const whole = await fit('torch', 'mnist-mlp', data, args);
    let ckpt: TrainCheckpoint | null = null;
    await fit('torch', 'mnist-mlp', data, { ...args, onCheckpoint: (c) => void (c.epoch === 1 ? (ckpt = c) : null) });
    assert.ok(ckpt !== null);
    const resumed = await fit('torch', 'mnist-mlp', data, { ...args, resumeFrom: ckpt });
    assert.deepEqual(metricsOf(resumed), metricsOf(whole));
  });

  it('gradient norms match cpu, SGD with momentum trains like wasm, and a momentum run resumes exactly', async () => {
    for (const model of MODELS) {
      const n = model === 'cifar10-cnn' ? 4 : 16;
      const data = syntheticData(model, n, 8, 3);
      const { x, y } = batchOf(data, n);
      const norms: number[][] = [];
      for (const backend of ['cpu', 'torch']) {
        const t = await trainerOn(backend, model, data, null);
        t.writeWeights(seededWeights(t, 5));
        norms.push(await t.gradientNorms(x, y, n));
        t.dispose();
      }
      assert.ok(relativeError(norms[1], norms[0]) < 1e-4, `${model}: gradient norms ${norms[1]} vs cpu ${norms[0]}`);
      assert.ok(norms[0].every((v) => v > 0), `${model}: every gradient is nonzero`);
    }
    const { n, batch } = PLAN['mnist-mlp'];
    const data = syntheticData('mnist-mlp', n, 32, 4);
    const momentum: TrainArgs = { ...trainArgs({ kind: 'float' }, batch), optimizer: { name: 'sgd', learningRate: 0.05, momentum: 0.9 } };
    const ref = await fit('wasm', 'mnist-mlp', data, momentum);
    const got = await fit('torch', 'mnist-mlp', data, momentum);
    got.epochs.forEach((e, i) => {
      assert.ok(Math.abs(e.trainLoss - ref.epochs[i].trainLoss) <= 1e-4 * Math.max(1, ref.epochs[i].trainLoss), `epoch ${e.epoch}: ${e.trainLoss} vs wasm ${ref.epochs[i].trainLoss}`);
    });
    const projected: TrainArgs = { ...momentum, epochs: 3, protocol: { kind: 'projected', every: 'step' }, scheme: getPreset('standard') };
    const whole = await fit('torch', 'mnist-mlp', data, projected);
    let ckpt: TrainCheckpoint | null = null;
    await fit('torch', 'mnist-mlp', data, { ...projected, onCheckpoint: (c) => void (c.epoch === 1 ? (ckpt = c) : null) });
    assert.ok(ckpt !== null);
    assert.equal((ckpt as TrainCheckpoint).optimizer.slots.length, 4); // one momentum accumulator per weight
    const resumed = await fit('torch', 'mnist-mlp', data, { ...projected, resumeFrom: ckpt });
    assert.deepEqual(metricsOf(resumed), metricsOf(whole));
    assert.ok(whole.epochs[2].quant?.updates !== undefined);
  });

  it('weights are zero-copy views: written values are what the network computes with', async () => {
    const data = syntheticData('mnist-mlp', 8, 8, 2);
    const t = await trainerOn('torch', 'mnist-mlp', data, null);
    const { x } = batchOf(data, 8);
    const before = (await t.predict(x, 8)).slice();
    const w = await t.readWeights();
    w[3][0] += 5; // bias of class 0
    t.writeWeights(w);
    const after = await t.predict(x, 8);
    assert.ok(after[0] > before[0], 'raising the class-0 bias raises its probability');
    assert.deepEqual((await t.readWeights())[3], w[3]);
    assert.throws(() => t.writeWeights(w.slice(1)), /writeWeights has 3 weight tensors, the model has 4/);
    t.dispose();
  });

  it('keys torch runs apart from tfjs runs and refuses to run a config on the other engine', async () => {
    await prepareEngine({ backend: 'torch' });
    const base = { experiment: 'regression', method: 'octization', seed: 1, epochs: 1, limitTrain: 64, limitTest: 32, inferenceRepeats: 1 };
    const torchConfig = makeRunConfig(base);
    const tfjsConfig = makeRunConfig({ ...base, engine: 'tfjs' });
    assert.equal(torchConfig.engine, 'torch');
    assert.equal(tfjsConfig.engine, undefined);
    assert.notEqual(runKey(torchConfig), runKey(tfjsConfig));
    const record = await runOne(torchConfig, { dataDir: 'unused-for-regression' });
    assert.equal(record.environment.engine.backend, 'torch');
    assert.equal(record.key, runKey(torchConfig));
    await assert.rejects(runOne(tfjsConfig, { dataDir: 'unused' }), /asks for the tfjs engine but the prepared engine is 'torch'/);
    await prepareEngine({ backend: 'wasm' });
    await assert.rejects(runOne(torchConfig, { dataDir: 'unused' }), /asks for the torch engine but the prepared engine is 'wasm'/);
    // The same weights and data give the same initial-weights hash on both engines (paired seeding).
    const wasmRecord = await runOne(tfjsConfig, { dataDir: 'unused-for-regression' });
    assert.equal(wasmRecord.metrics.initialWeightsSha256, record.metrics.initialWeightsSha256);
  });

  it('stores torch runs in <out>/torch and never oversubscribes the cores', async () => {
    const saved = { backend: process.env.OCTOLAB_BACKEND, threads: process.env.OCTOLAB_THREADS };
    try {
      process.env.OCTOLAB_BACKEND = 'torch';
      const t = await prepareTrainingEngine({ out: 'res' }, 4);
      assert.deepEqual(t, { family: 'torch', out: path.join('res', 'torch'), workers: 4, threads: 1 });
      const two = await prepareTrainingEngine({ out: 'res', threads: '2' }, 4);
      assert.deepEqual([two.workers, two.threads], [2, 2]);
      await assert.rejects(prepareTrainingEngine({ threads: '2', workers: '3' }, 4), /--workers 3 x --threads 2 = 6 threads would oversubscribe the 4 cores/);
      process.env.OCTOLAB_BACKEND = 'wasm';
      delete process.env.OCTOLAB_THREADS;
      const w = await prepareTrainingEngine({ out: 'res' }, 4);
      assert.deepEqual([w.family, w.out], ['tfjs', 'res']);
    } finally {
      if (saved.backend === undefined) delete process.env.OCTOLAB_BACKEND;
      else process.env.OCTOLAB_BACKEND = saved.backend;
      if (saved.threads === undefined) delete process.env.OCTOLAB_THREADS;
      else process.env.OCTOLAB_THREADS = saved.threads;
      await prepareEngine({ backend: 'torch' });
    }
  });

  it('a tfjs trainer built from an architecture trains like the model it wraps', async () => {
    await prepareEngine({ backend: 'cpu' });
    const data = syntheticData('regression-mlp', 64, 16, 1);
    const t = TfjsTrainer.build(architecture({ name: 'regression-mlp', inputShape: data.inputShape }), data.task);
    t.writeWeights(initialWeightValues(t.weights, 9));
    const a = await train(t, data, trainArgs({ kind: 'float' }, 16));
    const b = await fit('cpu', 'regression-mlp', data, trainArgs({ kind: 'float' }, 16));
    assert.deepEqual(metricsOf(a), metricsOf(b));
    t.dispose();
  });
});

describe('engine: torch set-up (no libtorch needed)', () => {
  it('finds libtorch under LIBTORCH_DIR or the standard prefixes, and says none when headers or libraries are missing', () => {
    const files = new Set(['/opt/lt/include/torch/csrc/api/include/torch/torch.h', '/opt/lt/lib/libtorch_cpu.so', '/usr/include/torch/csrc/api/include/torch/torch.h']);
    const exists = (p: string): boolean => files.has(p);
    assert.deepEqual(findLibtorch({ LIBTORCH_DIR: '/opt/lt' }, exists), {
      prefix: '/opt/lt',
      includeDirs: ['/opt/lt/include/torch/csrc/api/include', '/opt/lt/include'],
      libDir: '/opt/lt/lib',
    });
    assert.equal(findLibtorch({}, exists), null, 'headers in /usr but no libtorch_cpu.so');
    files.add('/usr/lib/x86_64-linux-gnu/libtorch_cpu.so');
    assert.equal(findLibtorch({}, exists)?.libDir, '/usr/lib/x86_64-linux-gnu');
  });

  it('reads the thread count from OCTOLAB_THREADS and rejects a bad one, naming it', () => {
    assert.equal(threadsFromEnv({}), 1);
    assert.equal(threadsFromEnv({ OCTOLAB_THREADS: ' 2 ' }), 2);
    assert.throws(() => threadsFromEnv({ OCTOLAB_THREADS: '0' }), /OCTOLAB_THREADS must be an integer >= 1, got '0'/);
    assert.throws(() => threadsFromEnv({ OCTOLAB_THREADS: 'two' }), /OCTOLAB_THREADS must be an integer >= 1, got 'two'/);
  });

  it('says the addon is not built when it cannot be found', () => {
    const missing = (id: string): unknown => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };
    assert.throws(() => loadTorch(1, missing), /addon not built \(native\/torch\/build\/octotorch\.node missing: install libtorch-dev, then npm run build\)/);
    assert.throws(() => loadTorch(1, () => ({})), /is not the octolab torch addon/);
  });
});
