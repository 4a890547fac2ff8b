import assert from 'node:assert/strict';
import { makeRunConfig, runKey } from '../../src/experiments/config';
import type { RunConfig } from '../../src/experiments/config';
import type { RunRecord } from '../../src/experiments/record';
import {
  STUDY_PLAN,
  describeMissing,
  secondsPerEpoch,
  seedRanges,
  stepConfigs,
  studyProgress,
  studySteps,
} from '../../src/experiments/study';
import type { StudyStep } from '../../src/experiments/study';

/** A stored record of a config that took `seconds` in all. */
function stored(config: RunConfig, seconds: number): RunRecord {
  return { schema: 1, key: runKey(config), config, metrics: { testLoss: 1 }, timing: { totalSeconds: seconds } } as unknown as RunRecord;
}

const TINY: StudyStep[] = [
  { name: 'reg', purpose: 'regression pair', grids: [{ experiment: 'regression', seeds: [0, 1], methods: ['standard', 'octization'] }] },
  {
    name: 'mn',
    purpose: 'mnist, two grids that overlap',
    grids: [
      { experiment: 'mnist', seeds: [0], epochs: 5, methods: ['float', 'standard'] },
      { experiment: 'mnist', seeds: [0, 1], epochs: 5, methods: ['standard'] },
    ],
  },
];

describe('experiments: study plan', () => {
  it('plans the documented number of runs per step', () => {
    const sizes = Object.fromEntries(STUDY_PLAN.map((s) => [s.name, stepConfigs(s).length]));
    assert.deepEqual(sizes, {
      regression: 20 * 7 + 20 * 2 * 3 + 10 * 2 * 4, // methods; protocols; bit sweep
      mnist: 10 * 3,
      'mnist-protocols': 5 * 2 * 4,
      'mnist-ablations': 10 * 4,
      'mnist-bits': 5 * 2 * 4,
      'cifar10-5': 10 * 3,
      'cifar10-protocols': 5 * 2 * 3,
      'cifar10-20': 10 * 2,
    });
  });

  it('picks steps by name in the order given and names the valid ones on a typo', () => {
    assert.deepEqual(studySteps(['cifar10-20', 'mnist']).map((s) => s.name), ['cifar10-20', 'mnist']);
    assert.equal(studySteps().length, STUDY_PLAN.length);
    assert.throws(() => studySteps(['cifar']), /unknown study step 'cifar' \(valid: regression, mnist,/);
    assert.throws(() => studySteps([]), /no study steps named/);
  });

  it('deduplicates runs that two grids of a step share', () => {
    const configs = stepConfigs(TINY[1]);
    assert.deepEqual(configs.map((c) => `${c.method}/${c.seed}`), ['float/0', 'standard/0', 'standard/1']);
  });

  it('counts stored and missing runs, the compute spent, and estimates what is left per epoch', () => {
    const reg = stepConfigs(TINY[0]);
    const mn = stepConfigs(TINY[1]);
    // regression: 50 epochs; 100 s and 200 s -> 2 and 4 s per epoch, median 3 s.
    // A reduced-data record of another experiment does not inform any estimate.
    const reduced = makeRunConfig({ experiment: 'mnist', method: 'float', seed: 7, limitTrain: 10 });
    const records = [stored(reg[0], 100), stored(reg[1], 200), stored(reduced, 5)];
    const [r, m] = studyProgress(TINY, records);
    assert.equal(r.planned, 4);
    assert.equal(r.stored, 2);
    assert.deepEqual(r.missing.map(runKey), [reg[2], reg[3]].map(runKey));
    assert.equal(r.spentSeconds, 300);
    assert.equal(r.remainingSeconds, 2 * 50 * 3);
    assert.deepEqual(r.experiments, ['regression']);
    assert.equal(m.stored, 0);
    assert.equal(m.missing.length, mn.length);
    assert.equal(m.remainingSeconds, null, 'no full-size mnist run to estimate from');
  });

  it('counts only the epochs a part-way run still has to train', () => {
    const reg = stepConfigs(TINY[0]);
    const records = [stored(reg[0], 100), stored(reg[1], 200)];
    const [r] = studyProgress(TINY, records, new Map([[runKey(reg[2]), 20]]));
    assert.equal(r.remainingSeconds, (30 + 50) * 3);
  });

  it('takes the median seconds per epoch by experiment and skips records without timing', () => {
    const c = (seed: number, epochs: number) => makeRunConfig({ experiment: 'mnist', method: 'float', seed, epochs });
    const noTiming = { ...stored(c(9, 1), 0), timing: undefined } as unknown as RunRecord;
    const m = secondsPerEpoch([stored(c(0, 2), 10), stored(c(1, 4), 40), stored(c(2, 1), 8), stored(c(3, 1), 6), noTiming]);
    assert.deepEqual([...m.entries()], [['mnist', 7]]); // per epoch 5, 10, 8, 6 -> median 7
  });

  it('names missing runs by arm with compact seed ranges', () => {
    assert.equal(seedRanges([4, 0, 1, 2, 9, 7, 8, 1]), '0-2,4,7-9');
    assert.equal(seedRanges([]), '');
    const missing = stepConfigs({ name: 'x', purpose: '', grids: [{ experiment: 'cifar10', seeds: [3, 4, 5, 8], epochs: 5, methods: ['float', 'octization'] }] });
    assert.equal(describeMissing(missing), 'float e5: seeds 3-5,8; octization projected-step 8b e5: seeds 3-5,8');
  });
});
