import assert from 'node:assert/strict';
import { intToOctal, octalToInt } from '../../src/quantizers/octal';
import { roundFloor, roundHalfAway, roundHalfEven, roundStochastic, roundTowardZero } from '../../src/quantizers/rounding';
import { Rng } from '../../src/random/rng';

describe('quantizers: Python oct() and its inverse', () => {
  it('writes what Python oct() writes', () => {
    // Python: oct(191), oct(-127), oct(0), oct(8), oct(-1), oct(2**31 - 1)
    assert.equal(intToOctal(191), '0o277');
    assert.equal(intToOctal(-127), '-0o177');
    assert.equal(intToOctal(0), '0o0');
    assert.equal(intToOctal(-0), '0o0');
    assert.equal(intToOctal(8), '0o10');
    assert.equal(intToOctal(-1), '-0o1');
    assert.equal(intToOctal(2147483647), '0o17777777777');
  });

  it('parses exactly the strings oct() produces', () => {
    assert.equal(octalToInt('0o277'), 191);
    assert.equal(octalToInt('-0o177'), -127);
    assert.equal(octalToInt('0o0'), 0);
    assert.ok(Object.is(octalToInt('0o0'), 0));
    assert.equal(octalToInt('0o17777777777'), 2147483647);
  });

  it('rejects malformed strings, naming them', () => {
    for (const bad of ['0o8', '0o9', '277', '', '0o', '0o-1', '-0o0', '0o0277', '0o00', '0O277', '+0o277', ' 0o277', '0o277 ', '0x1f', '--0o1', '0o2 77', '0b11']) {
      assert.throws(() => octalToInt(bad), (e: Error) => e.message.includes(JSON.stringify(bad)), `should reject ${JSON.stringify(bad)}`);
    }
    assert.throws(() => octalToInt('0o' + '7'.repeat(20)), /exceeds the safe integer range/);
    assert.throws(() => octalToInt(12 as unknown as string), /expected a string/);
    assert.throws(() => intToOctal(1.5), /safe integer, got 1.5/);
    assert.throws(() => intToOctal(NaN), /got NaN/);
  });

  it('round-trips every int32-range code exactly (seeded sample plus all small codes)', () => {
    for (let k = -70000; k <= 70000; k++) assert.equal(octalToInt(intToOctal(k)), k);
    const rng = new Rng(11);
    for (let i = 0; i < 20000; i++) {
      const k = (rng.nextUint32() | 0) >> rng.int(32);
      const s = intToOctal(k);
      assert.match(s, /^-?0o(0|[1-7][0-7]*)$/);
      assert.equal(octalToInt(s), k);
    }
  });
});

describe('quantizers: rounding modes', () => {
  it('half-even ties to even, like numpy np.round', () => {
    const cases: [number, number][] = [[0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, 0], [-1.5, -2], [-2.5, -2], [0.49999999999999994, 0], [2.5000000000000004, 3], [191.25, 191], [-96.09, -96], [4503599627370495.5, 4503599627370496]];
    for (const [x, want] of cases) assert.equal(roundHalfEven(x) + 0, want, `roundHalfEven(${x})`); // + 0: −0 counts as 0
  });

  it('half-away, toward-zero and floor', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, -2.5, 0.49999999999999994, 1.2].map(roundHalfAway), [1, 2, 3, -1, -3, 0, 1]);
    assert.deepEqual([1.9, -1.9, 191.25, -127.5, 0].map(roundTowardZero), [1, -1, 191, -127, 0]);
    assert.deepEqual([1.9, -1.1, -2, 2].map(roundFloor), [1, -2, -2, 2]);
  });

  it('stochastic rounding goes up with probability equal to the fraction', () => {
    assert.equal(roundStochastic(2.25, 0.2), 3);
    assert.equal(roundStochastic(2.25, 0.25), 2);
    assert.equal(roundStochastic(-2.25, 0.7), -2);
    assert.equal(roundStochastic(-2.25, 0.8), -3);
    assert.equal(roundStochastic(5, 0), 5);
    assert.equal(roundStochastic(5, 0.999999), 5);
  });
});
