import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../src/data/types';
import { makeRegression } from '../../src/data/regression';
import {
  adapterInfoOf,
  describeAdapter,
  exposeWebGpu,
  gpuDeviceNodes,
  isSoftwareAdapter,
  loadDawn,
  missingKernels,
  prepareEngine,
  resolveBackendRequest,
} from '../../src/engine';
import type { DawnModule, EngineInfo } from '../../src/engine';
import { buildModel, initializeWeights } from '../../src/models';
import type { ModelName } from '../../src/models';
import { getPreset } from '../../src/quantizers';
import { Rng } from '../../src/random/rng';
import { train } from '../../src/training';

describe('engine: webgpu helpers (no GPU needed)', () => {
  it('accepts webgpu as a backend mode', () => {
    assert.deepEqual(resolveBackendRequest({ backend: ' WebGPU ' }), { mode: 'webgpu', source: 'args' });
    assert.deepEqual(resolveBackendRequest({ env: { OCTOLAB_BACKEND: 'webgpu' } }), { mode: 'webgpu', source: 'env' });
  });

  it('tells software adapters from hardware ones', () => {
    const lavapipe = adapterInfoOf({
      info: { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15', description: 'llvmpipe: Mesa 25.0.7', isFallbackAdapter: true },
    });
    assert.equal(lavapipe.software, true);
    assert.equal(describeAdapter(lavapipe), 'mesa software (llvmpipe: Mesa 25.0.7), software');
    const h100 = adapterInfoOf({ info: { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H100 80GB HBM3', description: 'NVIDIA: 550.54' } });
    assert.equal(h100.software, false);
    assert.equal(h100.isFallbackAdapter, false);
    assert.equal(describeAdapter(h100), 'nvidia hopper (NVIDIA: 550.54)');
    // A device name alone is enough to recognise a software rasteriser.
    assert.equal(isSoftwareAdapter({ vendor: 'google', architecture: '', device: 'SwiftShader Device', description: '', isFallbackAdapter: false }), true);
    // Missing fields read as empty, never as undefined.
    assert.deepEqual(adapterInfoOf({}), { vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: false, software: false });
  });

  it('finds GPU device nodes, and none in an empty /dev', () => {
    const dev = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-dev-'));
    try {
      assert.deepEqual(gpuDeviceNodes(dev), []);
      fs.mkdirSync(path.join(dev, 'dri'));
      for (const f of ['nvidia0', 'nvidiactl', 'dri/renderD128', 'dri/card0']) fs.writeFileSync(path.join(dev, f), '');
      assert.deepEqual(gpuDeviceNodes(dev), [`${dev}/nvidia0`, `${dev}/dri/renderD128`]);
    } finally {
      fs.rmSync(dev, { recursive: true, force: true });
    }
  });

  it('says clearly when the webgpu package is missing or has no adapter', async () => {
    const missing = (id: string): unknown => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };
    await assert.rejects(loadDawn(missing), /'webgpu' package \(Dawn's Node binding\) is not installed/);
    await assert.rejects(loadDawn(() => ({ nothing: true })), /does not export create\(\) and globals/);
    const noAdapter: DawnModule = { create: () => ({ requestAdapter: async () => null }), globals: {} };
    await assert.rejects(exposeWebGpu(noAdapter, false), /no WebGPU adapter: Dawn found no usable Vulkan device/);
    const software: DawnModule = {
      create: () => ({ requestAdapter: async () => ({ info: { vendor: 'mesa', architecture: 'software', device: 'llvmpipe' } }) }),
      globals: {},
    };
    await assert.rejects(exposeWebGpu(software, true), /only a software adapter, mesa software \(llvmpipe\), software: not chosen automatically/);
  });

  it('lists the kernels a backend lacks', () => {
    assert.deepEqual(missingKernels('cpu', ['MatMul', 'BatchMatMul', 'NoSuchKernel', 'NoSuchKernel']), ['MatMul', 'NoSuchKernel']);
  });
});

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

/**
 * Loss and the gradient of every trainable weight of `model` on one batch, on the active
 * backend; with `profile`, also the kernels the step ran (tf.profile, used on cpu only:
 * its timers wait on GPU queries).
 */
async function lossAndGrads(
  model: ModelName,
  data: Dataset,
  batch: number,
  profile = false,
): Promise<{ loss: number; grads: Float32Array[]; kernels: string[] }> {
  const m = buildModel({ name: model, inputShape: data.inputShape });
  initializeWeights(m, 5);
  const row = data.inputShape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(data.xTrain.slice(0, batch * row), [batch, ...data.inputShape]);
  const y =
    data.task === 'regression'
      ? tf.tensor2d(data.yTrain.slice(0, batch) as Float32Array, [batch, 1])
      : tf.oneHot(tf.tensor1d(data.yTrain.slice(0, batch) as Int32Array, 'int32'), 10).toFloat();
  const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    let out: { value: tf.Scalar; grads: tf.NamedTensorMap } | null = null;
    const step = (): tf.TensorContainer => {
      out = tf.variableGrads(() => {
        const pred = m.apply(x, { training: true }) as tf.Tensor;
        return (data.task === 'regression' ? tf.losses.meanSquaredError(y, pred) : tf.mean(tf.metrics.categoricalCrossentropy(y, pred))) as tf.Scalar;
      }, vars);
      return [];
    };
    const kernels = profile ? (await tf.profile(step)).kernels.map((k) => k.name) : (step(), []);
    const { value, grads } = out as unknown as { value: tf.Scalar; grads: tf.NamedTensorMap };
    const result = {
      loss: (await value.data())[0],
      grads: await Promise.all(vars.map(async (v) => (await grads[v.name].data()) as Float32Array)),
      // tf.profile also lists custom-gradient scopes (e.g. fusedMatMul__op); keep real kernels.
      kernels: [...new Set(kernels)].filter((k) => tf.getKernel(k, tf.getBackend()) != null),
    };
    tf.dispose([value, grads]);
    return result;
  } finally {
    tf.dispose([x, y]);
    m.dispose();
  }
}

/** Largest |a − b| relative to the largest |b| (so tiny entries do not dominate). */
function relativeError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

const MODELS: ModelName[] = ['regression-mlp', 'mnist-mlp', 'cifar10-cnn'];

describe('engine: webgpu backend against cpu and wasm (needs a WebGPU adapter; a software one will do)', function () {
  this.timeout(600_000);
  let info: EngineInfo | null = null;

  this.beforeAll(async function () {
    try {
      info = await prepareEngine({ backend: 'webgpu' });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      console.log(`      webgpu tests skipped: ${why}`);
      this.skip();
    }
  });

  this.afterAll(async () => {
    await prepareEngine({ backend: 'cpu' });
  });

  it('runs on webgpu and records the adapter', async () => {
    assert.ok(info !== null);
    assert.equal(info.backend, 'webgpu');
    assert.ok(info.gpuAdapter !== null, 'gpuAdapter recorded');
    assert.equal(typeof info.gpuAdapter.software, 'boolean');
    assert.equal(info.versions.tfjsBackendWebgpu, '4.22.0');
    console.log(`      adapter: ${describeAdapter(info.gpuAdapter)}`);
  });

  it('has every kernel the three models use in training, and matches cpu on forward and gradients', async () => {
    for (const model of MODELS) {
      const data = syntheticData(model, 16, 8, 3);
      await prepareEngine({ backend: 'cpu' });
      const ref = await lossAndGrads(model, data, 16, true);
      assert.ok(ref.kernels.length >= 5, `${model}: only ${ref.kernels.length} kernels profiled`);
      const missing = missingKernels('webgpu', ref.kernels);
      assert.deepEqual(missing, [], `${model}: kernels the webgpu backend lacks: ${missing.join(', ')}`);
      await prepareEngine({ backend: 'webgpu' });
      const got = await lossAndGrads(model, data, 16);
      assert.ok(Math.abs(got.loss - ref.loss) <= 1e-4 * Math.max(1, Math.abs(ref.loss)), `${model}: loss ${got.loss} vs cpu ${ref.loss}`);
      got.grads.forEach((g, i) => {
        const err = relativeError(g, ref.grads[i]);
        assert.ok(err < 1e-3, `${model}: gradient of weight ${i} differs from cpu by ${err.toExponential(2)} (relative)`);
      });
    }
  });

  it('trains each model like wasm: same loss within float tolerance, same quantization codes', async () => {
    const plan: Record<ModelName, { n: number; batch: number }> = {
      'regression-mlp': { n: 256, batch: 32 },
      'mnist-mlp': { n: 128, batch: 32 },
      'cifar10-cnn': { n: 32, batch: 16 },
    };
    for (const model of MODELS) {
      const { n, batch } = plan[model];
      const data = syntheticData(model, n, 32, 4);
      const fit = async (backend: string) => {
        await prepareEngine({ backend });
        const m = buildModel({ name: model, inputShape: data.inputShape });
        initializeWeights(m, 9);
        try {
          return await train(m, data, {
            epochs: 1,
            batchSize: batch,
            optimizer: { name: 'adam', learningRate: 1e-3 },
            protocol: { kind: 'projected', every: 'step' },
            scheme: getPreset('octization'),
            seed: 9,
          });
        } finally {
          m.dispose();
        }
      };
      const ref = await fit('wasm');
      const got = await fit('webgpu');
      assert.ok(Math.abs(got.testLoss - ref.testLoss) <= 1e-3 * Math.max(1, Math.abs(ref.testLoss)), `${model}: test loss ${got.testLoss} vs wasm ${ref.testLoss}`);
      assert.equal(got.testAccuracy, ref.testAccuracy, `${model}: test accuracy`);
      assert.ok(got.codes !== null && ref.codes !== null);
      let same = 0;
      let total = 0;
      got.codes.forEach((c, i) => {
        total += c.length;
        for (let k = 0; k < c.length; k++) if (c[k] === ref.codes![i][k]) same++;
      });
      assert.ok(same / total >= 0.999, `${model}: ${total - same} of ${total} codes differ from wasm`);
    }
  });
});
