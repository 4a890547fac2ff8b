import assert from 'node:assert/strict';
import { armKey, expandGrid, makeRunConfig, parseSeeds, parseShard, runKey, shardOf, stableStringify } from '../../src/experiments';

describe('experiments: configs and grids', () => {
  it('parses seed lists', () => {
    assert.deepEqual(parseSeeds('0-3'), [0, 1, 2, 3]);
    assert.deepEqual(parseSeeds('5,1,7-8'), [5, 1, 7, 8]);
    assert.throws(() => parseSeeds('a'), /bad seed list 'a'/);
    assert.throws(() => parseSeeds('3-1'), /end before start/);
    assert.throws(() => parseSeeds('1,1'), /repeats a seed/);
  });

  it('builds complete configs with the experiment defaults and validates them', () => {
    const c = makeRunConfig({ experiment: 'mnist', method: 'octization', seed: 3 });
    assert.equal(c.epochs, 20);
    assert.equal(c.batchSize, 64);
    assert.deepEqual(c.optimizer, { name: 'adam', learningRate: 1e-3 });
    assert.equal(c.protocol, 'projected-step');
    assert.equal(c.scheme?.rounding, 'toward-zero');
    assert.equal(c.scheme?.bits, 8);
    const f = makeRunConfig({ experiment: 'mnist', method: 'float', seed: 3, protocol: 'qat' });
    assert.equal(f.protocol, 'float');
    assert.equal(f.scheme, null);
    assert.throws(() => makeRunConfig({ experiment: 'imagenet', method: 'float', seed: 0 }), /unknown experiment 'imagenet'/);
    assert.throws(() => makeRunConfig({ experiment: 'mnist', method: 'nope', seed: 0 }), /nope/);
    assert.throws(() => makeRunConfig({ experiment: 'mnist', method: 'standard', seed: 0, protocol: 'float' }), /cannot be 'float'/);
    assert.throws(() => makeRunConfig({ experiment: 'mnist', method: 'standard', seed: -1 }), /seed must be/);
    assert.throws(() => makeRunConfig({ experiment: 'mnist', method: 'standard', seed: 0, epochs: 0 }), /epochs must be/);
  });

  it('keys runs by their whole config, independent of key order', () => {
    assert.equal(stableStringify({ b: 1, a: [1, { d: 2, c: 3 }] }), '{"a":[1,{"c":3,"d":2}],"b":1}');
    const a = makeRunConfig({ experiment: 'mnist', method: 'standard', seed: 0 });
    const b = makeRunConfig({ experiment: 'mnist', method: 'standard', seed: 1 });
    assert.notEqual(runKey(a), runKey(b));
    assert.equal(armKey(a), armKey(b));
    assert.equal(runKey(a), runKey(JSON.parse(JSON.stringify(a))));
  });

  it('expands grids seed-major, with float once per seed', () => {
    const g = expandGrid({ experiment: 'mnist', methods: ['float', 'standard'], seeds: [0, 1], protocols: ['ptq', 'qat'], bits: [4, 8] });
    assert.equal(g.length, 2 * (1 + 4));
    assert.deepEqual(g.slice(0, 5).map((c) => c.seed), [0, 0, 0, 0, 0]);
    assert.equal(g.filter((c) => c.method === 'float').length, 2);
  });

  it('shards a grid into disjoint parts that cover it', () => {
    const g = expandGrid({ experiment: 'regression', methods: ['float', 'standard', 'octization'], seeds: [0, 1, 2, 3] });
    const parts = [0, 1, 2].map((i) => shardOf(g, parseShard(`${i}/3`)));
    const keys = parts.flat().map(runKey).sort();
    assert.deepEqual(keys, g.map(runKey).sort());
    assert.throws(() => parseShard('3/3'), /need 0 <= i < n/);
    assert.throws(() => parseShard('1-3'), /expected i\/n/);
  });
});
