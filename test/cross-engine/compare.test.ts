import assert from 'assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareEngines } from '../../src/cross-engine';
import { engineOf, runKey } from '../../src/experiments/config';
import type { RunRecord } from '../../src/experiments/record';
import { readResultsPath } from '../../src/experiments/store';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** A real record of the runner (smoke profile), the template of the hand-made ones. */
const TEMPLATE = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'results', 'mnist.jsonl'), 'utf8').split('\n')[1]) as RunRecord;

/** A hand-made mnist record: `method` with `seed` on `engine`, final accuracy `acc`. */
function rec(engine: 'torch' | 'wasm', method: 'float' | 'standard' | 'octization', seed: number, acc: number, epochs = 20): RunRecord {
  const r = structuredClone(TEMPLATE);
  r.config = { ...r.config, method, seed, epochs, protocol: method === 'float' ? 'float' : 'projected-step', scheme: method === 'float' ? null : { ...TEMPLATE.config.scheme!, rounding: method === 'octization' ? 'toward-zero' : 'half-even' } };
  if (engine === 'torch') r.config.engine = 'torch';
  r.key = runKey(r.config);
  r.metrics = { ...r.metrics, testAccuracy: acc };
  r.environment = { ...r.environment, engine: { ...r.environment.engine, backend: engine } };
  return r;
}

const SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
/** A small deterministic per-seed wobble in [-0.005, 0.005]. */
const wobble = (s: number): number => ((s * 37) % 11) / 1000 - 0.005;

describe('cross-engine comparison', () => {
  it('gives torch − wasm per arm with a paired 95% interval', () => {
    const records = [
      ...SEEDS.map((s) => rec('wasm', 'float', s, 0.97 + wobble(s))),
      ...SEEDS.map((s) => rec('torch', 'float', s, 0.98 + wobble(s) + (s % 2 === 0 ? 0.001 : -0.001))),
      ...SEEDS.map((s) => rec('wasm', 'standard', s, 0.1 + wobble(s))),
      ...SEEDS.map((s) => rec('torch', 'standard', s, 0.1 + wobble(9 - s))),
    ];
    const out = compareEngines(records);
    assert.deepEqual(out.arms.map((a) => [a.method, a.nTorch, a.nWasm, a.design, a.metric]), [
      ['float', 10, 10, 'paired', 'testAccuracy'],
      ['standard', 10, 10, 'paired', 'testAccuracy'],
    ]);
    const float = out.arms[0];
    assert.ok(Math.abs((float.diff as number) - 0.01) < 1e-12, `diff ${float.diff}`);
    assert.ok(float.ci !== null && float.ci[0] > 0.009 && float.ci[1] < 0.011 && float.ci[0] < 0.01 && float.ci[1] > 0.01);
    assert.equal(float.ciHoldsZero, false);
    assert.deepEqual(float.seeds, SEEDS);
    const standard = out.arms[1];
    assert.ok(Math.abs(standard.diff as number) < 1e-12);
    assert.equal(standard.ciHoldsZero, true);
  });

  it('co-reports medians, the permutation p, chance counts and bit-identical seeds per arm', () => {
    const records = [
      ...[0, 1, 2, 3].map((s) => rec('wasm', 'standard', s, [0.098, 0.098, 0.4, 0.098][s])),
      ...[0, 1, 2, 3].map((s) => rec('torch', 'standard', s, [0.098, 0.2, 0.5, 0.098][s])),
    ];
    const [a] = compareEngines(records).arms;
    // per-seed differences 0, 0.102, 0.1, 0: mean 0.0505, median 0.05
    assert.ok(Math.abs((a.diff as number) - 0.0505) < 1e-12);
    assert.ok(Math.abs((a.medianDiff as number) - 0.05) < 1e-12);
    assert.equal(a.medianWasm, 0.098);
    assert.ok(Math.abs(a.medianTorch - 0.149) < 1e-12);
    // of the 2^4 sign flips, |mean| reaches the observed 0.0505 when 0.102 and 0.1 keep one sign (both + or both −): 8 of 16
    assert.equal(a.pPermutation, 0.5);
    // chance 0.1 + margin 0.05 = 0.15: wasm 3 of 4, torch 2 of 4
    assert.deepEqual([a.atChanceWasm, a.atChanceTorch], [3, 2]);
    assert.equal(a.identicalSeeds, 2);
    assert.deepEqual(a.pairs.map((p) => p.seed), [0, 1, 2, 3]);
  });

  it('judges each claim on both engines and says whether the verdicts agree', () => {
    const both = (torchGap: number) => [
      ...SEEDS.map((s) => rec('wasm', 'standard', s, 0.1 + wobble(s))),
      ...SEEDS.map((s) => rec('wasm', 'octization', s, 0.5 + wobble(s))),
      ...SEEDS.map((s) => rec('torch', 'standard', s, 0.1 + wobble(s))),
      ...SEEDS.map((s) => rec('torch', 'octization', s, 0.1 + torchGap + wobble(9 - s))),
    ];
    const agree = compareEngines(both(0.4), { claims: { resamples: 200 } }).claims.find((c) => c.id === 'mnist-accuracy');
    assert.ok(agree !== undefined);
    assert.deepEqual([agree.torch, agree.wasm, agree.agreement], ['not-reproduced', 'not-reproduced', 'same']); // the same direction, far larger than the study's gap
    assert.ok(Math.abs((agree.estimateWasm as number) - 0.4) < 1e-9);
    const differ = compareEngines(both(-0.05), { claims: { resamples: 200 } }).claims.find((c) => c.id === 'mnist-accuracy');
    assert.ok(differ !== undefined);
    assert.equal(differ.wasm, 'not-reproduced');
    assert.equal(differ.torch, 'contradicted');
    assert.equal(differ.agreement, 'different');
    const cifar = compareEngines(both(0.4), { claims: { resamples: 200 } }).claims.find((c) => c.id === 'cifar10-accuracy-5');
    assert.equal(cifar?.agreement, 'not-comparable');
  });

  it('lists torch arms without tfjs runs, pairs only common seeds, and refuses a mislabelled record', () => {
    const out = compareEngines([
      ...[0, 1, 2].map((s) => rec('torch', 'float', s, 0.9, 5)),
      ...[0, 1, 2, 3].map((s) => rec('wasm', 'float', s, 0.8)),
      ...[1, 2, 3].map((s) => rec('torch', 'float', s, 0.85)),
    ]);
    assert.deepEqual(out.torchOnly, ['mnist float float e5']);
    assert.deepEqual(out.arms.map((a) => [a.nTorch, a.nWasm, a.seeds.join(',')]), [[3, 4, '1,2,3']]);
    const bad = rec('torch', 'float', 0, 0.9);
    bad.environment.engine.backend = 'wasm';
    assert.throws(() => compareEngines([bad]), /config engine 'torch' but recorded on backend 'wasm'/);
  });

  it('keeps the committed wasm records valid: every key is still the key of its config, on the tfjs engine', () => {
    const read = readResultsPath(path.join(ROOT, 'reports', 'results'));
    assert.deepEqual(read.problems, []);
    assert.ok(read.records.length >= 570, `${read.records.length} records`);
    for (const r of read.records) {
      assert.equal(runKey(r.config), r.key, `record ${r.key}`);
      assert.equal(engineOf(r.config), 'tfjs');
      assert.notEqual(r.environment.engine.backend, 'torch');
    }
  });
});
