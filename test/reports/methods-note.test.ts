import assert from 'node:assert/strict';
import { methodsNoteHtml, methodsNoteNumbers, SEED_EXAMPLE_WEIGHTS } from '../../src/reports/methods-note';

describe('reports: methods note', () => {
  const n = methodsNoteNumbers([0.001], 8, 20001);

  it('computes the seed’s 0.75 example and the worked example on its weights', () => {
    assert.equal(n.maxCode, 255);
    assert.equal(n.intOf075, 191);
    assert.equal(n.roundOf075, 191);
    assert.equal(n.octalOf075, '0o277');
    assert.deepEqual(n.example.map((r) => r.standard), [8, 95, 10, 82, 96]);
    assert.deepEqual(n.example.map((r) => r.octal), ['0o10', '0o136', '0o11', '0o121', '0o140']);
    assert.deepEqual(n.example.map((r) => r.decoded), [8, 94, 9, 81, 96]);
    // The seed prints 97 for 0.37683514 · 255 = 96.09…, which np.round makes 96.
    assert.equal(n.example[4].seedStandard, 97);
    assert.equal(n.example.length, SEED_EXAMPLE_WEIGHTS.length);
  });

  it('computes the round trip, the disagreement rate and the rounding errors', () => {
    assert.equal(n.roundTripChecked, 511);
    assert.equal(n.roundTripExact, 511);
    assert.ok(Math.abs(n.codesDiffer - 0.5) < 0.01, `${n.codesDiffer}`);
    assert.ok(Math.abs(n.halfEven.meanAbsError - 0.25) < 0.01);
    assert.ok(Math.abs(n.towardZero.meanAbsError - 0.5) < 0.01);
    assert.ok(Math.abs(n.towardZero.meanErrorPositive + 0.5) < 0.01);
    assert.ok(Math.abs(n.towardZero.meanErrorNegative - 0.5) < 0.01);
    assert.ok(Math.abs(n.halfEven.meanErrorPositive) < 0.01);
    assert.deepEqual(n.learningRates, [{ lr: 0.001, steps: 0.255 }]);
    assert.throws(() => methodsNoteNumbers([], 8, 2), /gridPoints/);
  });

  it('renders the numbers it computed, and flags where the seed’s printout differs', () => {
    const html = methodsNoteHtml(n);
    assert.match(html, /rounding mode/);
    assert.match(html, /<code>0o277<\/code>/);
    assert.match(html, /97 \(differs\)/);
    assert.match(html, /1 of 5 standard codes differ/);
    assert.match(html, /Every octal string matches/);
    assert.match(html, /0\.001 = 0\.255 steps/);
    const at4 = methodsNoteNumbers([], 4, 1001);
    assert.equal(at4.maxCode, 15);
    assert.doesNotMatch(methodsNoteHtml(at4), /differs/);
  });
});
