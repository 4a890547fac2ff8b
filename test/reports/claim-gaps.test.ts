import assert from 'node:assert/strict';
import { makeRunConfig, runKey } from '../../src/experiments/config';
import type { RunConfig } from '../../src/experiments/config';
import type { RunRecord } from '../../src/experiments/record';
import { stepConfigs, studyProgress } from '../../src/experiments/study';
import type { StudyStep } from '../../src/experiments/study';
import { awaitsRuns, claimEpochs, explainMissingRuns, missingRuns, runServesClaim } from '../../src/reports/claim-gaps';
import { DEFAULT_RULE, seedClaims } from '../../src/reports/claims';
import type { ClaimResult, ClaimSpec, VerdictCode } from '../../src/reports/claims';

const missingRunsText = (...a: Parameters<typeof missingRuns>): string => missingRuns(...a).detail;

const SPECS = seedClaims();
const spec = (id: string): ClaimSpec => SPECS.find((s) => s.id === id) as ClaimSpec;

/** A claim result with just what the explanation reads. */
function result(id: string, verdict: VerdictCode, n: number, protocol = 'projected-step'): ClaimResult {
  return {
    id, experiment: spec(id).experiment, statement: '', quote: '', metric: 'testAccuracy', scale: 'difference', seed: null, claimedSize: null, a: 'octization', b: 'standard',
    protocol, bits: 8, setting: null, arms: [], estimate: null, medianDiff: null, ci: null, bca: null, n, design: null, p: null, pPermutation: null, pHolm: null,
    family: `claims/${protocol}`, mde: null, judgement: null, verdict, caveats: [],
    missing: verdict === 'awaiting-runs' ? { kind: 'awaiting-runs', runs: 0, detail: 'no runs' } : null, notes: [],
  };
}

function stored(config: RunConfig, seconds: number): RunRecord {
  return { schema: 1, key: runKey(config), config, metrics: { testLoss: 1 }, timing: { totalSeconds: seconds } } as unknown as RunRecord;
}

const PLAN: StudyStep[] = [
  { name: 'c5', purpose: 'cifar10 at 5 epochs', grids: [{ experiment: 'cifar10', seeds: [0, 1, 2, 3], epochs: 5, methods: ['float', 'standard', 'octization'] }] },
  { name: 'c5p', purpose: 'cifar10 protocols', grids: [{ experiment: 'cifar10', seeds: [0, 1], epochs: 5, methods: ['standard', 'octization'], protocols: ['qat'] }] },
  { name: 'c20', purpose: 'cifar10 at 20 epochs', grids: [{ experiment: 'cifar10', seeds: [0, 1], epochs: 20, methods: ['standard', 'octization'] }] },
];

describe('reports: what a claim still waits for', () => {
  it('knows the epochs and runs that serve a claim', () => {
    assert.deepEqual(claimEpochs(spec('cifar10-accuracy-5')), [5]);
    assert.deepEqual(claimEpochs(spec('cifar10-gap-widens')), [5, 20]);
    assert.equal(claimEpochs(spec('cifar10-same-size')), null);
    const c = (method: string, epochs: number, protocol = 'projected-step', bits = 8): RunConfig =>
      makeRunConfig({ experiment: 'cifar10', method, epochs, protocol, bits, seed: 0 });
    assert.equal(runServesClaim(spec('cifar10-accuracy-5'), 'projected-step', 8, c('standard', 5)), true);
    assert.equal(runServesClaim(spec('cifar10-accuracy-5'), 'projected-step', 8, c('standard', 20)), false);
    assert.equal(runServesClaim(spec('cifar10-accuracy-5'), 'projected-step', 8, c('float', 5)), false);
    assert.equal(runServesClaim(spec('cifar10-accuracy-5'), 'qat', 8, c('standard', 5)), false);
    assert.equal(runServesClaim(spec('cifar10-accuracy-5'), 'projected-step', 8, c('standard', 5, 'projected-step', 4)), false);
    assert.equal(runServesClaim(spec('cifar10-gap-widens'), 'projected-step', 8, c('octization', 20)), true);
  });

  it('waits only without results or with fewer pairs than the rule asks', () => {
    assert.equal(awaitsRuns(result('cifar10-accuracy-5', 'awaiting-runs', 0), DEFAULT_RULE), true);
    assert.equal(awaitsRuns(result('cifar10-accuracy-5', 'inconclusive', 4), DEFAULT_RULE), true);
    assert.equal(awaitsRuns(result('cifar10-accuracy-5', 'inconclusive', 5), DEFAULT_RULE), false);
    assert.equal(awaitsRuns(result('cifar10-accuracy-5', 'supported', 10), DEFAULT_RULE), false);
  });

  it('names the missing arms and seeds, the step that runs them, and their estimated compute', () => {
    // c5: seeds 0-1 of every arm stored at 600 s per run = 120 s per epoch.
    const records = stepConfigs(PLAN[0]).filter((c) => c.seed < 2).map((c) => stored(c, 600));
    const progress = studyProgress(PLAN, records);
    const args = { plan: PLAN, progress, perEpoch: new Map([['cifar10', 120]]), rule: DEFAULT_RULE };
    const five = missingRunsText(spec('cifar10-accuracy-5'), 'projected-step', 8, args);
    // 4 runs × 5 epochs × 120 s = 2400 s = 0.67 h; float runs do not serve the claim.
    assert.match(five, /^still missing: standard projected-step 8b e5: seeds 2-3; octization projected-step 8b e5: seeds 2-3 \(4 runs\)\. /);
    assert.match(five, /about 0\.7 core-hours of CPU training \(estimate\)/);
    assert.match(five, /`octolab study --steps c5` runs them$/);
    const widens = missingRunsText(spec('cifar10-gap-widens'), 'projected-step', 8, args);
    assert.match(widens, /\(8 runs\)/);
    assert.match(widens, /--steps c5,c20`/);
    // 4 × 5 × 120 + 4 × 20 × 120 = 12000 s = 3.3 h
    assert.match(widens, /about 3\.3 core-hours/);
  });

  it('says the estimate is unknown when no stored run of the experiment times it', () => {
    const progress = studyProgress(PLAN, []);
    const text = missingRunsText(spec('cifar10-accuracy-20'), 'projected-step', 8, { plan: PLAN, progress, perEpoch: new Map(), rule: DEFAULT_RULE });
    assert.match(text, /seeds 0-1 \(4 runs\)/);
    assert.match(text, /an unknown number of core-hours/);
  });

  it('says when the plan itself gives a setting fewer seeds than a verdict needs', () => {
    const records = stepConfigs(PLAN[1]).map((c) => stored(c, 600));
    const args = { plan: PLAN, progress: studyProgress(PLAN, records), perEpoch: new Map([['cifar10', 120]]), rule: DEFAULT_RULE };
    assert.equal(
      missingRunsText(spec('cifar10-accuracy-5'), 'qat', 8, args),
      'every planned run is stored: the study plan gives this setting 2 seeds, fewer than the 5 a verdict needs (c5p (cifar10 protocols))',
    );
  });

  it('says when the plan has no runs for a claim, or none at one of its epoch settings', () => {
    const args = { plan: PLAN, progress: studyProgress(PLAN, []), perEpoch: new Map([['cifar10', 120]]), rule: DEFAULT_RULE };
    assert.equal(
      missingRunsText(spec('cifar10-accuracy-5'), 'ptq', 8, args),
      'not in the study plan: it has no cifar10 ptq 8-bit runs at 5 epochs, so this claim gets no verdict under ptq',
    );
    assert.equal(
      missingRunsText(spec('cifar10-gap-widens'), 'qat', 8, args),
      'not in the study plan: it has no cifar10 qat 8-bit runs at 20 epochs, so this claim gets no verdict under qat',
    );
    assert.match(missingRunsText(spec('mnist-accuracy'), 'projected-step', 8, args), /^not in the study plan: it has no mnist projected-step 8-bit runs at 20 epochs/);
  });

  it('extends the reason of waiting claims only, and names a claim without specification', () => {
    const args = { specs: SPECS, plan: PLAN, progress: studyProgress(PLAN, []), perEpoch: new Map([['cifar10', 120]]), rule: DEFAULT_RULE };
    const waiting = result('cifar10-accuracy-20', 'awaiting-runs', 0);
    const done = result('cifar10-accuracy-5', 'supported', 10);
    const [w, d] = explainMissingRuns([waiting, done], args);
    assert.equal(w.verdict, 'awaiting-runs');
    assert.equal(w.missing?.runs, 4);
    assert.match(w.missing?.detail ?? '', /^still missing: standard projected-step 8b e20: seeds 0-1; octization projected-step 8b e20: seeds 0-1 \(4 runs\)\. Why: /);
    assert.equal(d, done);
    assert.throws(() => explainMissingRuns([{ ...waiting, id: 'nope' }], args), /claim 'nope' has no specification/);
  });
});
