import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { RunRecord } from '../../src/experiments/record';
import { readRecords } from '../../src/experiments/store';
import { checkEpochPrefixes, epochPrefixPairs, reproducibilityHtml } from '../../src/reports/reproducibility';
import { FIXTURE_RESULTS } from './inputs';

describe('reports: reproducibility across runs that differ only in epochs', () => {
  const base = readRecords(path.join(FIXTURE_RESULTS, 'regression.jsonl')).records.find(
    (r) => r.config.method === 'standard' && r.config.seed === 0,
  )!;
  const copy = (r: RunRecord): RunRecord => JSON.parse(JSON.stringify(r)) as RunRecord;

  /** The same run trained for `epochs` epochs: the base's epoch 1, then made-up later epochs. */
  function longer(epochs: number, key: string): RunRecord {
    const r = copy(base);
    r.key = key;
    r.config.epochs = epochs;
    const first = r.metrics.epochs[0];
    r.metrics.epochs = Array.from({ length: epochs }, (_, i) => (i === 0 ? first : { ...first, epoch: i + 1, trainLoss: first.trainLoss / (i + 1) }));
    return r;
  }

  it('pairs a run with the next longer run of the same config and finds them in agreement', () => {
    const check = checkEpochPrefixes([base, longer(3, 'aa')]);
    assert.deepEqual({ pairs: check.pairs, agreeing: check.agreeing, mismatches: check.mismatches.length }, { pairs: 1, agreeing: 1, mismatches: 0 });
    const pairs = epochPrefixPairs([longer(5, 'bb'), base, longer(3, 'aa')]);
    assert.deepEqual(
      pairs.map((p) => [p.short.config.epochs, p.long.config.epochs]),
      [
        [1, 3],
        [3, 5],
      ],
    );
  });

  it('names the first epoch and the fields that differ', () => {
    const long = longer(3, 'aa');
    long.metrics.epochs[0] = { ...long.metrics.epochs[0], trainLoss: long.metrics.epochs[0].trainLoss + 1e-7 };
    const check = checkEpochPrefixes([base, long]);
    assert.equal(check.agreeing, 0);
    assert.equal(check.mismatches.length, 1);
    assert.equal(check.mismatches[0].epoch, 1);
    assert.deepEqual(check.mismatches[0].fields, ['trainLoss']);
    const html = reproducibilityHtml(check);
    assert.match(html, /0 of 1 pair agree/);
    assert.match(html, /class="warn"/);
    assert.match(html, /first differ at epoch 1 in trainLoss/);
  });

  it('reports a missing epoch record as a difference', () => {
    const long = longer(3, 'aa');
    long.metrics.epochs = [];
    const m = checkEpochPrefixes([base, long]).mismatches;
    assert.equal(m.length, 1);
    assert.deepEqual(m[0].fields, ['(epoch record missing)']);
  });

  it('does not pair runs of another seed, another backend or the same epoch count', () => {
    const otherSeed = longer(3, 'aa');
    otherSeed.config.seed = 7;
    const otherBackend = longer(3, 'bb');
    otherBackend.environment.engine.backend = 'cpu';
    const sameEpochs = copy(base);
    sameEpochs.key = 'cc';
    assert.equal(epochPrefixPairs([base, otherSeed, otherBackend, sameEpochs]).length, 0);
    assert.match(reproducibilityHtml(checkEpochPrefixes([base])), /No such pair/);
  });
});
