import assert from 'node:assert/strict';
import { armKey, expandGrid, makeRunConfig, parseSeeds, parseShard, runKey, shardFileName, shardOf, stableStringify } from '../../src/experiments';

describe('experiments: configs and grids', () => {
  it('parses seed lists', () => {
    assert.deepEqual(parseSeeds('0-3'), [0, 1, 2, 3]);
    assert.deepEqual(parseSeeds('5,1,7-8'), [5, 1, 7, 8]);
    assert.throws(() => parseSeeds('a'), /bad seed list 'a'/);
    assert.throws(() => parseSeeds('3-1'), /end before start/);
    assert.throws(() => parseSeeds('1,1'), /repeats a seed/);
  });

  it('#5 #12 bounds seeds to the generator range and seed lists to 10,000, before building them', () => {
    assert.deepEqual(parseSeeds('4294967295'), [4294967295]);
    assert.throws(() => parseSeeds('0,4294967296'), /seed 4294967296 in '0,4294967296' is out of range/);
    assert.throws(() => parseSeeds('100000000000000000000'), /out of range/);
    assert.throws(() => parseSeeds('0-99999999999'), /seed 99999999999 .* out of range/);
    assert.throws(() => parseSeeds('0-10000'), /more than 10000 seeds/);
    assert.equal(parseSeeds('0-9999').length, 10000);
    assert.throws(() => makeRunConfig({ experiment: 'regression', method: 'float', seed: 2 ** 32 }), /seed must be an integer from 0 to 4294967295/);
  });

  it('#10 #13 rejects a non-finite learning rate and a split of another dataset', () => {
    assert.throws(() => makeRunConfig({ experiment: 'regression', method: 'float', seed: 0, learningRate: Infinity }), /learning rate must be a finite positive number, got Infinity/);
    assert.throws(() => makeRunConfig({ experiment: 'regression', method: 'float', seed: 0, split: 'train1-4/test5' }), /split 'train1-4\/test5' exists only for cifar10/);
    assert.equal(makeRunConfig({ experiment: 'cifar10', method: 'float', seed: 0, split: 'train1-4/test5' }).data.split, 'train1-4/test5');
    assert.throws(() => makeRunConfig({ experiment: 'constructor', method: 'float', seed: 0 }), /unknown experiment 'constructor'/);
  });

  it('a repeat: absent for the first run (its key unchanged), part of the key otherwise, bounded', () => {
    const first = makeRunConfig({ experiment: 'mnist', method: 'octization', seed: 3 });
    assert.equal(runKey(makeRunConfig({ experiment: 'mnist', method: 'octization', seed: 3, repeat: 0 })), runKey(first));
    assert.equal('repeat' in makeRunConfig({ experiment: 'mnist', method: 'octization', seed: 3, repeat: 0 }), false);
    const again = makeRunConfig({ experiment: 'mnist', method: 'octization', seed: 3, repeat: 1 });
    assert.equal(again.repeat, 1);
    assert.notEqual(runKey(again), runKey(first));
    assert.notEqual(armKey(again), armKey(first));
    assert.deepEqual(expandGrid({ experiment: 'mnist', methods: ['float', 'standard'], seeds: [0, 1], repeat: 2 }).map((c) => c.repeat), [2, 2, 2, 2]);
    for (const bad of [-1, 1.5, 1001, Number.NaN]) {
      assert.throws(() => makeRunConfig({ experiment: 'mnist', method: 'float', seed: 0, repeat: bad }), /repeat must be an integer from 0 to 1000/);
    }
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
    // One shard, one spelling: the file name cannot differ between spellings.
    for (const bad of [' 0/2', '00/2', '0/02', '0/2 ']) assert.throws(() => parseShard(bad), /bad shard/);
    assert.equal(shardFileName('mnist', parseShard('1/4')), 'mnist.shard-1-of-4.jsonl');
  });
});
