import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { CIFAR10_CNN_PARAMS, MNIST_MLP_PARAMS, buildModel, countParams, fans, initialWeightValues, initializeWeights } from '../../src/models';

describe('models', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('MNIST MLP 784→128→10 has 101,770 parameters (the seed prints 101,870)', () => {
    const m = buildModel({ name: 'mnist-mlp' });
    assert.equal(countParams(m), 101_770);
    assert.equal(MNIST_MLP_PARAMS, 784 * 128 + 128 + 128 * 10 + 10);
    m.dispose();
  });

  it('CIFAR-10 CNN has exactly the seed\'s 282,250 parameters', () => {
    const m = buildModel({ name: 'cifar10-cnn' });
    assert.equal(countParams(m), 282_250);
    assert.equal(CIFAR10_CNN_PARAMS, 282_250);
    assert.deepEqual(m.outputs[0].shape, [null, 10]);
    m.dispose();
  });

  it('regression MLP maps features to one output', () => {
    const m = buildModel({ name: 'regression-mlp', inputShape: [10] });
    assert.equal(countParams(m), 10 * 32 + 32 + 32 + 1);
    assert.deepEqual(m.outputs[0].shape, [null, 1]);
    m.dispose();
  });

  it('computes Keras fans for dense and conv kernels', () => {
    assert.deepEqual(fans([784, 128]), { fanIn: 784, fanOut: 128 });
    assert.deepEqual(fans([3, 3, 32, 64]), { fanIn: 288, fanOut: 576 });
    assert.throws(() => fans([3]), /unsupported kernel rank/);
  });

  it('initialises from the seed: same seed → identical weights, other seed → different; Glorot limits; zero biases', () => {
    const a = buildModel({ name: 'mnist-mlp' });
    const b = buildModel({ name: 'mnist-mlp' });
    initializeWeights(a, 5);
    initializeWeights(b, 5);
    const wa = a.getWeights().map((t) => Array.from(t.dataSync()));
    const wb = b.getWeights().map((t) => Array.from(t.dataSync()));
    assert.deepEqual(wa, wb);
    const other = initialWeightValues(a, 6);
    assert.notDeepEqual(Array.from(other[0].subarray(0, 10)), wa[0].slice(0, 10));
    const limit = Math.sqrt(6 / (784 + 128));
    assert.ok(wa[0].every((v) => Math.abs(v) <= limit));
    assert.ok(Math.max(...wa[0].map(Math.abs)) > 0.99 * limit);
    assert.ok(wa[1].every((v) => v === 0));
    a.dispose();
    b.dispose();
  });
});

describe('models: initialisation schemes', () => {
  const specs = [
    { name: 'dense1/kernel', shape: [784, 128] },
    { name: 'dense1/bias', shape: [128] },
    { name: 'dense2/kernel', shape: [128, 10] },
    { name: 'dense2/bias', shape: [10] },
  ];
  const maxAbs = (a: Float32Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

  it("glorot-uniform is the default; glorot-half is exactly half of it; torch-default draws kernels and biases in ±1/√fanIn", () => {
    const glorot = initialWeightValues(specs, 4);
    assert.deepEqual(initialWeightValues(specs, 4, 'glorot-uniform'), glorot);
    const half = initialWeightValues(specs, 4, 'glorot-half');
    half.forEach((h, i) => h.forEach((v, k) => assert.equal(v, Math.fround(glorot[i][k] * 0.5))));
    const torch = initialWeightValues(specs, 4, 'torch-default');
    const bounds = [1 / Math.sqrt(784), 1 / Math.sqrt(784), 1 / Math.sqrt(128), 1 / Math.sqrt(128)];
    torch.forEach((t, i) => {
      assert.ok(maxAbs(t) <= bounds[i] && maxAbs(t) > (t.length > 100 ? 0.95 : 0.5) * bounds[i], `${specs[i].name}: max ${maxAbs(t)}, bound ${bounds[i]}`);
    });
    // Kernels come from the same stream as Glorot's, rescaled: the draws are the same, the limit differs.
    const glorotLimit = Math.sqrt(6 / (784 + 128));
    close(torch[0][0] / glorot[0][0], bounds[0] / glorotLimit);
    assert.throws(() => initialWeightValues(specs, 4, 'he' as never), /unknown init 'he'/);
  });
});

function close(a: number, b: number): void {
  assert.ok(Math.abs(a - b) <= 1e-5 * Math.abs(b), `${a} vs ${b}`);
}
