import assert from 'node:assert/strict';
import { Rng, deriveSeed, hashString } from '../../src/random/rng';

describe('random: seeded generator', () => {
  it('is reproducible from its seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xa = Array.from({ length: 5 }, () => a.nextUint32());
    const xb = Array.from({ length: 5 }, () => b.nextUint32());
    const xc = Array.from({ length: 5 }, () => c.nextUint32());
    assert.deepEqual(xa, xb);
    assert.notDeepEqual(xa, xc);
  });

  it('names streams independently of the order they are created in', () => {
    assert.equal(deriveSeed(7, 'init'), deriveSeed(7, 'init'));
    assert.notEqual(deriveSeed(7, 'init'), deriveSeed(7, 'data-order'));
    assert.notEqual(deriveSeed(7, 'init'), deriveSeed(8, 'init'));
    assert.equal(Rng.stream(7, 'x').next(), Rng.stream(7, 'x').next());
  });

  it('hashes strings with FNV-1a (reference values)', () => {
    assert.equal(hashString(''), 0x811c9dc5);
    assert.equal(hashString('a'), 0xe40c292c);
  });

  it('draws uniform floats in [0,1) with mean ~1/2 and integers without bias', () => {
    const r = new Rng(1);
    let sum = 0;
    const counts = new Array(6).fill(0);
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      assert.ok(u >= 0 && u < 1);
      sum += u;
      counts[r.int(6)]++;
    }
    assert.ok(Math.abs(sum / n - 0.5) < 0.01);
    for (const c of counts) assert.ok(Math.abs(c / n - 1 / 6) < 0.01, `bucket frequency ${c / n}`);
  });

  it('produces permutations', () => {
    const p = new Rng(3).permutation(100);
    assert.deepEqual(Array.from(p).sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
    assert.notDeepEqual(Array.from(p), Array.from({ length: 100 }, (_, i) => i));
  });

  it('saves and restores its state: the restored generator continues the same sequence', () => {
    const a = new Rng(42);
    a.permutation(1000);
    const state = a.state();
    const b = Rng.fromState(state);
    assert.deepEqual(Array.from({ length: 50 }, () => b.nextUint32()), Array.from({ length: 50 }, () => a.nextUint32()));
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
    assert.throws(() => Rng.fromState([1, 2, 3] as never), /four 32-bit integers, got \[1,2,3\]/);
    assert.throws(() => Rng.fromState([1, 2, 3, 2 ** 32]), /four 32-bit integers/);
  });

  it('rejects non-integer seeds', () => {
    assert.throws(() => new Rng(1.5), /seed must be an integer/);
    assert.throws(() => new Rng(0).int(0), /int\(n\)/);
  });
});
