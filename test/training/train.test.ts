import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../src/data/types';
import { buildModel, initializeWeights } from '../../src/models';
import { getPreset } from '../../src/quantizers';
import { Rng } from '../../src/random/rng';
import {
  PROTOCOL_NAMES,
  decodeCheckpoint,
  divergedWeights,
  encodeCheckpoint,
  evaluate,
  measureInference,
  parseProtocol,
  protocolName,
  train,
} from '../../src/training';
import type { TrainArgs, TrainCheckpoint } from '../../src/training';

/** A tiny two-class problem: the class is the sign of the sum of 4 features. */
function toyClassification(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const make = (m: number): { x: Float32Array; y: Int32Array } => {
    const x = new Float32Array(m * 4);
    const y = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < 4; j++) {
        x[i * 4 + j] = rng.normal();
        s += x[i * 4 + j];
      }
      y[i] = s > 0 ? 1 : 0;
    }
    return { x, y };
  };
  const tr = make(n);
  const te = make(100);
  return {
    name: 'mnist',
    task: 'classification',
    inputShape: [4],
    numClasses: 10,
    xTrain: tr.x,
    yTrain: tr.y,
    xTest: te.x,
    yTest: te.y,
    nTrain: n,
    nTest: 100,
    provenance: {} as Dataset['provenance'],
  };
}

async function fit(data: Dataset, overrides: Partial<TrainArgs>) {
  const model = buildModel({ name: 'mnist-mlp', inputShape: [4] });
  initializeWeights(model, 11);
  const result = await train(model, data, {
    epochs: 2,
    batchSize: 32,
    optimizer: { name: 'adam', learningRate: 1e-2 },
    protocol: { kind: 'float' },
    scheme: null,
    seed: 11,
    ...overrides,
  });
  const weights = model.getWeights().map((t) => Float32Array.from(t.dataSync()));
  model.dispose();
  return { result, weights };
}

describe('training', () => {
  const data = toyClassification(300, 1);
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('parses and names every protocol, and rejects unknown ones', async () => {
    for (const name of PROTOCOL_NAMES) assert.equal(protocolName(parseProtocol(name)), name);
    assert.throws(() => parseProtocol('sometimes'), /unknown protocol 'sometimes'/);
  });

  it('float training learns the toy problem and records every epoch', async () => {
    const { result } = await fit(data, { epochs: 3 });
    assert.equal(result.epochs.length, 3);
    assert.equal(result.steps, 3 * Math.ceil(300 / 32));
    assert.ok(result.testAccuracy !== null && result.testAccuracy > 0.85, `accuracy ${result.testAccuracy}`);
    assert.ok(result.epochs[2].trainLoss < result.epochs[0].trainLoss);
    assert.equal(result.epochs[0].quant, null);
    assert.equal(result.codes, null);
  });

  it('is deterministic: same seed → identical metrics and weights', async () => {
    const a = await fit(data, { protocol: { kind: 'projected', every: 'step' }, scheme: getPreset('octization') });
    const b = await fit(data, { protocol: { kind: 'projected', every: 'step' }, scheme: getPreset('octization') });
    const strip = (r: typeof a.result) => r.epochs.map(({ trainSeconds: _a, evalSeconds: _b, ...rest }) => rest);
    assert.deepEqual(strip(a.result), strip(b.result));
    assert.deepEqual(a.weights, b.weights);
  });

  it('projected training leaves every weight on the grid and records code dynamics', async () => {
    const scheme = getPreset('standard');
    const { result, weights } = await fit(data, { protocol: { kind: 'projected', every: 'step' }, scheme });
    for (const w of weights) {
      for (const v of w) {
        const code = Math.fround(v) * 255;
        assert.ok(Math.abs(code - Math.round(code)) < 1e-3, `weight ${v} is off the 1/255 grid`);
      }
    }
    const q = result.epochs[0].quant;
    assert.ok(q !== null);
    assert.ok(q.stepChangeFraction !== null && q.stepChangeFraction >= 0 && q.stepChangeFraction <= 1);
    assert.ok(q.epochChangeFraction > 0 && q.epochChangeFraction <= 1);
    assert.ok(q.zeroCodeFraction > 0 && q.zeroCodeFraction < 1);
    assert.ok(result.codes !== null && result.codes.length === 4);
  });

  it('projected-epoch does not track per-step changes; ptq and qat report float metrics before quantizing', async () => {
    const scheme = getPreset('octization');
    const epochOnly = await fit(data, { protocol: { kind: 'projected', every: 'epoch' }, scheme });
    assert.equal(epochOnly.result.epochs[0].quant?.stepChangeFraction, null);
    const ptq = await fit(data, { protocol: { kind: 'ptq' }, scheme });
    assert.ok(ptq.result.floatTest !== null);
    assert.equal(ptq.result.epochs[0].quant, null);
    const qat = await fit(data, { protocol: { kind: 'qat' }, scheme });
    assert.ok(qat.result.floatTest !== null);
    assert.ok(qat.result.epochs[0].quant !== null);
    assert.ok(qat.result.testAccuracy !== null && qat.result.testAccuracy > 0.8);
  });

  it('paired design: two methods with one seed see the same first batch and start from the same weights', async () => {
    // With a learning rate of 0 nothing moves: float and ptq must then agree exactly on the loss curve.
    const frozen = { optimizer: { name: 'sgd' as const, learningRate: 1e-12 } };
    const a = await fit(data, { ...frozen });
    const b = await fit(data, { ...frozen, protocol: { kind: 'ptq' }, scheme: getPreset('standard') });
    assert.equal(a.result.epochs[0].trainLoss, b.result.epochs[0].trainLoss);
  });

  it('#7 stops a diverging run and says in which epoch (float and projected), instead of failing or training on NaN', async () => {
    const data = toyClassification(128, 3);
    const f = await fit(data, { epochs: 3, optimizer: { name: 'adam', learningRate: 1e30 } });
    assert.ok(f.result.diverged !== null);
    assert.equal(f.result.diverged.epoch, 1);
    assert.match(f.result.diverged.reason, /loss|weight/);
    assert.equal(f.result.epochs.length, 0);
    assert.ok(Number.isNaN(f.result.testLoss));
    const q = await fit(data, { epochs: 3, optimizer: { name: 'sgd', learningRate: 1e30 }, protocol: parseProtocol('projected-step'), scheme: getPreset('standard') });
    assert.ok(q.result.diverged !== null);
    assert.ok(q.result.diverged.epoch >= 1 && q.result.diverged.epoch <= 3);
    const ok = await fit(data, {});
    assert.equal(ok.result.diverged, null);
    assert.equal(divergedWeights([new Float32Array([1, NaN])], null), 'weight NaN');
    assert.match(divergedWeights([new Float32Array([1e8])], { scale: 'unit', bits: 8 }) ?? '', /beyond the range of 8-bit codes/);
    assert.equal(divergedWeights([new Float32Array([1e8])], { scale: 'absmax', bits: 8 }), null);
  });

  it('rejects a quantized protocol without a scheme and bad epochs', async () => {
    await assert.rejects(fit(data, { protocol: { kind: 'qat' }, scheme: null }), /needs a quantization scheme/);
    await assert.rejects(fit(data, { epochs: 0 }), /epochs must be an integer >= 1/);
  });

  describe('epoch checkpoints', () => {
    const strip = (r: Awaited<ReturnType<typeof fit>>['result']) => ({
      ...r,
      trainSeconds: 0,
      evalSeconds: 0,
      epochs: r.epochs.map(({ trainSeconds: _a, evalSeconds: _b, ...rest }) => rest),
    });
    const cases: { name: string; overrides: Partial<TrainArgs> }[] = [
      { name: 'float, adam', overrides: {} },
      { name: 'projected-step, stochastic rounding', overrides: { protocol: { kind: 'projected', every: 'step' }, scheme: getPreset('stochastic') } },
      { name: 'projected-epoch, octization', overrides: { protocol: { kind: 'projected', every: 'epoch' }, scheme: getPreset('octization') } },
      { name: 'ptq, standard', overrides: { protocol: { kind: 'ptq' }, scheme: getPreset('standard') } },
      { name: 'qat, stochastic, sgd', overrides: { protocol: { kind: 'qat' }, scheme: getPreset('stochastic'), optimizer: { name: 'sgd', learningRate: 0.05 } } },
      {
        name: 'projected-step, standard, sgd with momentum',
        overrides: { protocol: { kind: 'projected', every: 'step' }, scheme: getPreset('standard'), optimizer: { name: 'sgd', learningRate: 0.05, momentum: 0.9 } },
      },
    ];
    for (const { name, overrides } of cases) {
      it(`a run resumed after epoch 1 equals one that never stopped (${name})`, async () => {
        // 15 steps per epoch: after 15 steps Adam's step-by-step beta powers differ from pow(beta, 16) in float32.
        const run = { ...overrides, epochs: 3, batchSize: 20 };
        const saved: TrainCheckpoint[] = [];
        const whole = await fit(data, { ...run, onCheckpoint: (c) => void saved.push(c) });
        assert.deepEqual(saved.map((c) => c.epoch), [1, 2, 3]);
        // Through the file layout, as a killed process would leave it.
        const decoded = decodeCheckpoint(encodeCheckpoint(saved[0], { note: 'x' }), 'memory');
        assert.deepEqual(decoded.meta, { note: 'x' });
        const resumed = await fit(data, { ...run, resumeFrom: decoded.checkpoint });
        assert.deepEqual(strip(resumed.result), strip(whole.result));
        assert.deepEqual(resumed.weights, whole.weights);
        // Resuming after the last epoch only does the final quantization and evaluation.
        const last = await fit(data, { ...run, resumeFrom: decodeCheckpoint(encodeCheckpoint(saved[2], {}), 'm').checkpoint });
        assert.deepEqual(strip(last.result), strip(whole.result));
      });
    }

    it('rejects a checkpoint that does not fit the run, naming the field', async () => {
      const saved: TrainCheckpoint[] = [];
      await fit(data, { epochs: 2, onCheckpoint: (c) => void saved.push(c) });
      const ckpt = saved[0];
      await assert.rejects(fit(data, { epochs: 2, resumeFrom: { ...ckpt, epoch: 5 } }), /checkpoint epoch 5 is outside 1\.\.2/);
      await assert.rejects(fit(data, { epochs: 2, resumeFrom: { ...ckpt, weights: ckpt.weights.slice(1) } }), /3 weight tensors, the model has 4/);
      await assert.rejects(
        fit(data, { epochs: 2, protocol: { kind: 'qat' }, scheme: getPreset('standard'), resumeFrom: ckpt }),
        /has no projector state, protocol 'qat' needs/,
      );
      await assert.rejects(
        fit(data, { epochs: 2, optimizer: { name: 'sgd', learningRate: 0.1 }, resumeFrom: ckpt }),
        /has Adam powers, the optimizer is not Adam/,
      );
    });

    it('decoding names the file and what is wrong with it', () => {
      const buf = encodeCheckpoint(
        { epoch: 1, steps: 1, trainSeconds: 0, evalSeconds: 0, records: [], weights: [new Float32Array([1, 2])], optimizer: { iterations: 1, accBeta: null, slots: [], slotShapes: [] }, dataOrderRng: [1, 2, 3, 4], projector: null },
        {},
      );
      assert.deepEqual(Array.from(decodeCheckpoint(buf, 'f').checkpoint.weights[0]), [1, 2]);
      assert.throws(() => decodeCheckpoint(buf.subarray(0, buf.length - 2), 'run.ckpt'), /checkpoint run\.ckpt: SHA-256 checksum mismatch/);
      assert.throws(() => decodeCheckpoint(Buffer.from('hello world, not a checkpoint'), 'x.ckpt'), /checkpoint x\.ckpt: not an octolab checkpoint/);
      assert.throws(() => decodeCheckpoint(Buffer.concat([buf, Buffer.from([0])]), 'y'), /checkpoint y: SHA-256 checksum mismatch/);
      // One flipped bit anywhere (here in the weights) is found.
      const flipped = Buffer.from(buf);
      flipped[flipped.length - 40] ^= 1;
      assert.throws(() => decodeCheckpoint(flipped, 'z'), /checkpoint z: SHA-256 checksum mismatch/);
    });
  });

  it('evaluates and times inference separately', async () => {
    const model = buildModel({ name: 'mnist-mlp', inputShape: [4] });
    initializeWeights(model, 3);
    const ev = await evaluate(model, data, 64);
    assert.ok(ev.loss > 0 && ev.accuracy !== null);
    const t = await measureInference(model, data, 3, 50);
    assert.equal(t.seconds.length, 3);
    assert.ok(t.medianSeconds > 0 && t.samplesPerSecond > 0);
    await assert.rejects(measureInference(model, data, 0), /repeats/);
    model.dispose();
  });
});

describe('training: mechanism evidence recorded per epoch', () => {
  const data = toyClassification(200, 5);

  it('projected-step records every proposal; no code moves without the step the rounding mode needs', async () => {
    for (const [preset, lr] of [['standard', 0.05], ['octization', 0.01]] as const) {
      const { result } = await fit(data, { protocol: { kind: 'projected', every: 'step' }, scheme: getPreset(preset), optimizer: { name: 'adam', learningRate: lr } });
      const sizes = result.epochs[0].weights.reduce((n, w) => n + w.size, 0);
      for (const e of result.epochs) {
        const u = e.quant?.updates;
        assert.ok(u !== undefined, `${preset} epoch ${e.epoch} has update statistics`);
        assert.equal(u.steps, 7); // 200 examples in batches of 32
        assert.equal(u.all.proposals, sizes * u.steps);
        assert.equal(u.layers.reduce((n, l) => n + l.codeChanges, 0), u.all.codeChanges);
        // Round to nearest moves a code only for |Δ| >= 0.5 step; truncation grows |code| only for |Δ| >= 1 step.
        if (preset === 'standard') assert.ok(u.all.codeChanges <= u.all.atLeastHalfStep, JSON.stringify(u.all));
        else assert.ok(u.all.grew <= u.all.atLeastOneStep, JSON.stringify(u.all));
        assert.ok(u.all.codeChanges > 0, `${preset}: some codes move at lr ${lr}`);
      }
    }
  });

  it('records a gradient norm per weight at every epoch and at epoch 0; the other protocols have no update statistics', async () => {
    const { result } = await fit(data, { protocol: { kind: 'ptq' }, scheme: getPreset('standard') });
    for (const w of [...result.epochs.flatMap((e) => e.weights), ...(result.initial?.weights ?? [])]) {
      assert.ok(typeof w.gradNorm === 'number' && w.gradNorm >= 0 && Number.isFinite(w.gradNorm), `${w.name}: ${w.gradNorm}`);
    }
    assert.equal(result.initial?.weights.length, 4);
    assert.equal(result.epochs[0].quant, null);
    const epochWise = await fit(data, { protocol: { kind: 'projected', every: 'epoch' }, scheme: getPreset('standard') });
    assert.equal(epochWise.result.epochs[0].quant?.updates, undefined);
  });

  it('SGD with momentum: rejects a momentum outside [0, 1) or with Adam, naming it', async () => {
    await assert.rejects(fit(data, { optimizer: { name: 'sgd', learningRate: 0.1, momentum: 1 } }), /optimizer\.momentum must be in \[0, 1\), got 1/);
    await assert.rejects(fit(data, { optimizer: { name: 'adam', learningRate: 0.1, momentum: 0.9 } }), /momentum applies to sgd only/);
  });
});
