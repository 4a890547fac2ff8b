import assert from 'assert/strict';

import { makeRegression, REGRESSION_DEFAULTS } from '../../src/data/regression';

describe('data/regression: makeRegression', () => {
  it('has the documented defaults, shapes and types', () => {
    const d = makeRegression();
    assert.equal(d.name, 'regression');
    assert.equal(d.task, 'regression');
    assert.deepEqual(d.inputShape, [10]);
    assert.equal(d.numClasses, 1);
    assert.equal(d.nTrain, 1000);
    assert.equal(d.nTest, 200);
    assert.ok(d.xTrain instanceof Float32Array && d.xTrain.length === 10000);
    assert.ok(d.yTrain instanceof Float32Array && d.yTrain.length === 1000);
    assert.ok(d.xTest instanceof Float32Array && d.xTest.length === 2000);
    assert.ok(d.yTest instanceof Float32Array && d.yTest.length === 200);
    const g = d.provenance.generator;
    assert.ok(g !== null);
    assert.equal(g.seed, 0);
    assert.equal(g.weightNorm, REGRESSION_DEFAULTS.weightNorm);
    assert.ok(Math.abs(Math.hypot(...g.trueWeights) - 19) < 1e-9);
    assert.equal(g.trueWeights.length, 10);
    assert.equal(d.provenance.files.length, 0);
    assert.equal(d.provenance.checksums, 'not-applicable');
  });

  it('is deterministic in the data seed and changes with it', () => {
    const a = makeRegression({ seed: 3 });
    const b = makeRegression({ seed: 3 });
    const c = makeRegression({ seed: 4 });
    assert.deepEqual(a.xTrain, b.xTrain);
    assert.deepEqual(a.yTest, b.yTest);
    assert.deepEqual(a.provenance, b.provenance);
    assert.notDeepEqual(a.xTrain, c.xTrain);
    assert.notDeepEqual(a.provenance.generator?.trueWeights, c.provenance.generator?.trueWeights);
  });

  it('without noise, every target is exactly w·x + b of its row', () => {
    const d = makeRegression({ seed: 1, nFeatures: 3, nTrain: 4, nTest: 2, noiseStd: 0 });
    const g = d.provenance.generator!;
    for (let i = 0; i < 4; i++) {
      let t = g.trueBias;
      for (let j = 0; j < 3; j++) t += g.trueWeights[j] * d.xTrain[i * 3 + j];
      assert.equal(d.yTrain[i], Math.fround(t));
    }
  });

  it('residuals from the true weights have the noise scale (seeded property, 5 seeds)', () => {
    for (let seed = 0; seed < 5; seed++) {
      const d = makeRegression({ seed, nTrain: 2000 });
      const g = d.provenance.generator!;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < d.nTrain; i++) {
        let pred = g.trueBias;
        for (let j = 0; j < 10; j++) pred += g.trueWeights[j] * d.xTrain[i * 10 + j];
        const r = d.yTrain[i] - pred;
        s += r;
        s2 += r * r;
      }
      const mean = s / d.nTrain;
      const std = Math.sqrt(s2 / d.nTrain - mean * mean);
      assert.ok(Math.abs(mean) < 0.35, `seed ${seed}: residual mean ${mean}`);
      assert.ok(Math.abs(std - 4) < 0.3, `seed ${seed}: residual std ${std}`);
    }
  });

  it('targets are at the study scale for every data seed: zero-predictor MSE 300–480, std 17–22 (seeds 0..9)', () => {
    for (let seed = 0; seed < 10; seed++) {
      const g = makeRegression({ seed }).provenance.generator!;
      assert.ok(g.trainZeroPredictorMse > 300 && g.trainZeroPredictorMse < 480, `seed ${seed}: ${g.trainZeroPredictorMse}`);
      assert.ok(g.trainTargetStd > 17 && g.trainTargetStd < 22, `seed ${seed}: ${g.trainTargetStd}`);
      assert.equal(g.irreducibleMse, 16);
    }
  });

  it('features are standard normal (mean ≈ 0, variance ≈ 1 over 10,000 values)', () => {
    const x = makeRegression().xTrain;
    let s = 0;
    let s2 = 0;
    for (const v of x) {
      s += v;
      s2 += v * v;
    }
    const mean = s / x.length;
    assert.ok(Math.abs(mean) < 0.04, `mean ${mean}`);
    assert.ok(Math.abs(s2 / x.length - mean * mean - 1) < 0.05);
  });

  it('a limit keeps the first rows; nTrain changes neither the weights nor the test set', () => {
    const full = makeRegression({ seed: 2 });
    const lim = makeRegression({ seed: 2, limitTrain: 7, limitTest: 5 });
    assert.equal(lim.nTrain, 7);
    assert.equal(lim.nTest, 5);
    assert.deepEqual(lim.xTrain, full.xTrain.slice(0, 70));
    assert.deepEqual(lim.yTrain, full.yTrain.slice(0, 7));
    assert.deepEqual(lim.yTest, full.yTest.slice(0, 5));
    assert.equal(lim.provenance.limitTrain, 7);
    assert.equal(lim.provenance.nTrainAvailable, 1000);
    const bigger = makeRegression({ seed: 2, nTrain: 1500 });
    assert.deepEqual(bigger.yTest, full.yTest);
    assert.deepEqual(bigger.provenance.generator!.trueWeights, full.provenance.generator!.trueWeights);
    assert.deepEqual(bigger.yTrain.slice(0, 1000), full.yTrain);
  });

  it('provenance is plain JSON', () => {
    const p = makeRegression({ nTrain: 10, nTest: 5 }).provenance;
    assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
  });

  it('rejects bad parameters with a message naming the field', () => {
    assert.throws(() => makeRegression({ nFeatures: 0 }), /nFeatures must be a positive integer, got 0/);
    assert.throws(() => makeRegression({ nTrain: 2.5 }), /nTrain/);
    assert.throws(() => makeRegression({ noiseStd: -1 }), /noiseStd must be a finite number >= 0, got -1/);
    assert.throws(() => makeRegression({ weightNorm: Number.NaN }), /weightNorm/);
    assert.throws(() => makeRegression({ seed: 0.5 }), /seed must be an integer/);
    assert.throws(() => makeRegression({ limitTrain: 1001 }), /limitTrain 1001 exceeds the 1000 examples/);
    assert.throws(() => makeRegression({ limitTest: 0 }), /limitTest must be a positive integer/);
  });
});
