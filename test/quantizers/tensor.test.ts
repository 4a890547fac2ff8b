import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { PRESETS, projectModelWeights, projectTensor, projectValues, quantizeToOctal, octalToInt } from '../../src/quantizers';
import { Rng } from '../../src/random/rng';

function tinyModel(seed: number): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu', kernelConstraint: tf.constraints.maxNorm({ maxValue: 0.01 }) }));
  model.add(tf.layers.dense({ units: 2 }));
  const rng = new Rng(seed);
  for (const w of model.trainableWeights) {
    const shape = w.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    // Assign the raw variable: LayerVariable.write would apply the kernel constraint, and the test
    // below needs a kernel outside the constraint's ball.
    (w as unknown as { val: tf.Variable }).val.assign(tf.tensor(Float32Array.from({ length: size }, () => rng.normal() * 0.5), shape));
  }
  return model;
}

describe('quantizers: tensors and models', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('projectTensor equals projectValues and keeps the input', async () => {
    const data = Float32Array.from([0.75, -0.5, 0.1, 0.3, -0.9, 0.01]);
    const t = tf.tensor(data, [2, 3]);
    const p = await projectTensor(t, PRESETS.octization);
    assert.deepEqual(p.shape, [2, 3]);
    assert.deepEqual(p.dataSync(), projectValues(data, PRESETS.octization).values);
    assert.deepEqual(Array.from(projectValues(data, PRESETS.octization).codes.slice(0, 2)), [191, -127]);
    assert.deepEqual(t.dataSync(), data);
    const pc = await projectTensor(t, PRESETS.absmax); // per output channel (axis −1)
    assert.deepEqual(pc.dataSync(), projectValues(data, PRESETS.absmax, { shape: [2, 3] }).values);
    await assert.rejects(projectTensor(tf.tensor([1, 2], [2], 'int32'), PRESETS.standard), /must be float32, got dtype int32/);
    tf.dispose([t, p, pc]);
  });

  it('projectModelWeights replaces every trainable weight in place and reports codes', async () => {
    const model = tinyModel(1);
    const before = model.trainableWeights.map((w) => w.read().dataSync().slice() as Float32Array);
    const info = await projectModelWeights(model, PRESETS.octization);
    assert.deepEqual(info.map((i) => i.shape), [[3, 4], [4], [4, 2], [2]]);
    assert.deepEqual(info.map((i) => i.size), [12, 4, 8, 2]);
    model.trainableWeights.forEach((w, k) => {
      const now = w.read().dataSync() as Float32Array;
      const want = projectValues(before[k], PRESETS.octization);
      assert.deepEqual(now, want.values, `${w.name}: the kernel constraint is not applied after the projection`);
      assert.deepEqual(info[k].codes, want.codes);
      assert.equal(info[k].name, w.name);
      // The codes are the seed's Octization of the float64 value (no grid value among random weights).
      assert.deepEqual(info[k].codes, Int32Array.from(quantizeToOctal(before[k], 8), octalToInt));
    });
    // Idempotent: a second projection changes nothing.
    const again = await projectModelWeights(model, PRESETS.octization);
    again.forEach((i, k) => assert.deepEqual(i.codes, info[k].codes));
    model.dispose();
  });

  it('stochastic projection of a model is reproducible from its seed', async () => {
    const a = tinyModel(2);
    const b = tinyModel(2);
    const ia = await projectModelWeights(a, PRESETS.stochastic, Rng.stream(5, 'stochastic-rounding'));
    const ib = await projectModelWeights(b, PRESETS.stochastic, Rng.stream(5, 'stochastic-rounding'));
    ia.forEach((i, k) => assert.deepEqual(i.codes, ib[k].codes));
    await assert.rejects(projectModelWeights(a, PRESETS.stochastic), /needs options.rng/);
    const pa = await projectModelWeights(a, PRESETS.absmax);
    assert.equal(pa[0].scales.length, 4); // kernel [3, 4]: one scale per output unit
    assert.equal(pa[1].scales.length, 1); // bias: one scale
    a.dispose();
    b.dispose();
  });
});
