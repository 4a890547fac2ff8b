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
