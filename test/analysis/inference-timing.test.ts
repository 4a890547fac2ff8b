import assert from 'node:assert/strict';
import { analyzeInferenceTiming, timingClaimTest, timingSets } from '../../src/analysis/inference-timing';
import { tostP } from '../../src/analysis/verdict';
import { evaluateClaims, timingRecordsFor } from '../../src/analysis/claims';
import { seedClaims } from '../../src/seed-study/claims';
import { EQUIVALENCE_MARGINS } from '../../src/seed-study/claims';
import { invalidTimingRecordReason, makeTimingArgs, timingKey } from '../../src/timing/interleaved';
import type { InferenceTimingRecord, TimingArgsInput } from '../../src/timing/interleaved';

/** A timing record of one seed whose arms ran the given passes (seconds per arm, in order). */
function record(seed: number, passes: Record<string, number[]>, over: Partial<TimingArgsInput> = {}): InferenceTimingRecord {
  const repeats = Object.values(passes)[0].length;
  const args = makeTimingArgs({ experiment: 'cifar10', seed, repeats, ...over });
  const r = {
    schema: 1,
    kind: 'interleaved-inference',
    key: timingKey(args),
    args,
    arms: args.methods.map((method) => ({ method, scheme: null, runKey: 'x', weights: { kind: 'initial', reason: 'test' }, weightsSha256: method })),
    warmup: args.methods.map((method) => ({ method, seconds: 1000 })), // never analysed
    passes: args.methods.flatMap((m) => passes[m].map((seconds) => ({ method: m, seconds }))),
    nTest: 10000,
    data: {},
    environment: { engine: { backend: 'wasm' }, loadavg: { start: [1.5, 1, 1], end: [2.5, 1, 1] } },
  } as unknown as InferenceTimingRecord;
  assert.equal(invalidTimingRecordReason(r), null);
  return r;
}

/** Standard at 2 s per pass, octization at 2·ratio s, float at 1.9 s; each the median of [x − 0.1, x + 0.1]. */
const around = (x: number): number[] => [x - 0.1, x + 0.1];
const seedAt = (seed: number, ratio: number): InferenceTimingRecord =>
  record(seed, { float: around(1.9), standard: around(2), octization: around(2 * ratio) });

describe('analysis: interleaved inference timing', () => {
  it('three seeds at ratios 1.01, 1.02, 1.03: median 1.02, t interval by hand, exact sign-flip p = 2/8, too few runs', () => {
    const res = analyzeInferenceTiming([seedAt(2, 1.03), seedAt(0, 1.01), seedAt(1, 1.02)]);
    assert.deepEqual(res.seeds.map((s) => s.seed), [0, 1, 2]);
    assert.ok(Math.abs(res.seeds[0].medianSeconds.standard - 2) < 1e-12);
    assert.ok(Math.abs(res.seeds[0].medianSeconds.float - 1.9) < 1e-12);
    res.seeds.forEach((s, i) => assert.ok(Math.abs(s.ratio - [1.01, 1.02, 1.03][i]) < 1e-12));
    const logs = [1.01, 1.02, 1.03].map(Math.log);
    const mean = (logs[0] + logs[1] + logs[2]) / 3;
    const sd = Math.sqrt(logs.reduce((s, x) => s + (x - mean) ** 2, 0) / 2);
    const half = 4.302652729749462 * (sd / Math.sqrt(3)); // t(0.975, df 2)
    assert.equal(res.n, 3);
    assert.ok(Math.abs(res.logRatio.mean - mean) < 1e-12);
    assert.ok(Math.abs(res.logRatio.ci.lower - (mean - half)) < 1e-9);
    assert.ok(Math.abs(res.logRatio.ci.upper - (mean + half)) < 1e-9);
    assert.ok(Math.abs(res.ratio.median - 1.02) < 1e-12);
    assert.ok(Math.abs(res.ratio.ci.lower - Math.exp(mean - half)) < 1e-9);
    assert.equal(res.logRatio.pPermutation, 0.25);
    assert.equal(res.logRatio.permutationMethod, 'exact');
    assert.equal(res.verdict.code, 'too-few-runs');
    assert.equal(res.verdict.margin, Math.log(1.05));
    assert.ok(Math.abs((res.verdict.pEquivalence as number) - tostP(mean, sd / Math.sqrt(3), 2, Math.log(1.05))) < 1e-12);
    assert.deepEqual(res.seeds[0].load, { start: 1.5, end: 2.5 });
    assert.deepEqual(res.weightSources, { checkpoint: 0, initial: 9 });
    assert.deepEqual(res.backends, ['wasm']);
  });

  it('five seeds within ±0.2 % of each other are equivalent within ±5 %; sign-flip p = 1 for a zero mean', () => {
    const d = [0.001, -0.001, 0.002, -0.002, 0];
    const res = analyzeInferenceTiming(d.map((x, i) => seedAt(i, Math.exp(x))));
    assert.ok(Math.abs(res.logRatio.mean) < 1e-12);
    assert.ok(Math.abs(res.logRatio.median) < 1e-12);
    assert.equal(res.logRatio.pPermutation, 1);
    assert.equal(res.verdict.code, 'equivalent');
    assert.ok((res.verdict.pEquivalence as number) < 1e-6);
  });

  it('octization 9-11 % slower in all five seeds: a-higher, sign-flip p = 2/32, and the study\'s +1.5 % is not reproduced (larger)', () => {
    const res = analyzeInferenceTiming([1.09, 1.1, 1.11, 1.1, 1.1].map((r, i) => seedAt(i, r)), { claim: timingClaimTest('cifar10')?.test });
    assert.equal(res.logRatio.pPermutation, 2 / 32);
    assert.ok(Math.abs(res.ratio.median - 1.1) < 1e-12);
    assert.equal(res.verdict.code, 'a-higher');
    assert.equal(res.claim?.code, 'not-reproduced');
    assert.equal(res.claim?.size, 'larger');
  });

  it('uses the median of the timed passes: warm-up passes and one slow pass do not move it', () => {
    const recs = [0, 1].map((seed) => record(seed, { float: [1, 1, 1, 1], standard: [2, 2, 2, 100], octization: [2, 2, 3, 3] }));
    const res = analyzeInferenceTiming(recs);
    assert.equal(res.seeds[0].medianSeconds.standard, 2);
    assert.equal(res.seeds[0].medianSeconds.octization, 2.5);
    assert.equal(res.seeds[1].ratio, 1.25);
    assert.equal(res.repeats, 4);
  });

  it('the study\'s claim test on cifar10 is log(217.92 / 214.58) with the ±5 % margin; none on mnist', () => {
    const c = timingClaimTest('cifar10');
    assert.equal(c?.a, 'octization');
    assert.equal(c?.b, 'standard');
    assert.ok(Math.abs((c?.test.claimedSize as number) - Math.log(217.92 / 214.58)) < 1e-12);
    assert.equal(c?.test.margin, EQUIVALENCE_MARGINS.logRatio);
    assert.equal(timingClaimTest('mnist'), null);
  });

  it('groups records by set (args but the seed) in order of first appearance', () => {
    const four = (seed: number) => record(seed, { float: [1, 1], standard: [1, 1], octization: [1, 1] }, { bits: 4 });
    const sets = timingSets([seedAt(0, 1), four(0), seedAt(1, 1), four(1), four(2)]);
    assert.deepEqual([...sets.values()].map((rs) => rs.map((r) => `${r.args.bits}/${r.args.seed}`)), [['8/0', '8/1'], ['4/0', '4/1', '4/2']]);
    assert.equal(analyzeInferenceTiming([...sets.values()][1]).n, 3);
  });

  it('refuses mixed sets, a repeated seed, one seed, and an arm that was not timed', () => {
    assert.throws(() => analyzeInferenceTiming([seedAt(0, 1), record(1, { float: [1, 1], standard: [1, 1], octization: [1, 1] }, { bits: 4 })]), /different args are mixed/);
    assert.throws(() => analyzeInferenceTiming([seedAt(0, 1), seedAt(0, 1)]), /seed 0 appears in more than one/);
    assert.throws(() => analyzeInferenceTiming([seedAt(0, 1)]), /at least 2 seeds, got 1/);
    assert.throws(() => analyzeInferenceTiming([seedAt(0, 1), seedAt(1, 1)], { a: 'absmax' }), /arm 'absmax' was not timed/);
  });

  it('the inference-time claim is judged on the interleaved timings, with the same numbers as their analysis', () => {
    const timing = [0, 1, 2, 3, 4].map((seed) => seedAt(seed, [1.01, 0.99, 1.02, 1.0, 0.98][seed]));
    const specs = seedClaims().filter((c) => c.id === 'cifar10-inference-time');
    assert.equal(specs.length, 1);
    const [claim] = evaluateClaims([], { specs, inferenceTiming: timing, resamples: 500 }).claims;
    const res = analyzeInferenceTiming(timing, { resamples: 500 });
    assert.equal(claim.n, 5);
    assert.ok(Math.abs((claim.estimate as number) - res.logRatio.mean) < 1e-12);
    assert.ok(Math.abs((claim.medianDiff as number) - res.logRatio.median) < 1e-12);
    assert.deepEqual(claim.ci, res.logRatio.ci);
    assert.equal(claim.pPermutation, res.logRatio.pPermutation);
    assert.deepEqual(claim.arms.map((a) => a.method), ['octization', 'standard', 'float']);
    assert.ok(Math.abs(claim.arms[1].mean - 2) < 1e-12);
    assert.match(claim.setting ?? '', /^interleaved timing: 5 seeds/);
    assert.deepEqual(claim.caveats.map((c) => c.code).slice(0, 3), ['timed-interleaved', 'study-times-training', 'same-float-graph']);
    assert.deepEqual(claim.caveats[0].values, { n: 5, repeats: 2, warmup: 1, initial: 1, loadMin: 1.5, loadMax: 2.5 });
    const judged = analyzeInferenceTiming(timing, { resamples: 500, claim: timingClaimTest('cifar10')?.test });
    assert.equal(claim.verdict, judged.claim?.code); // one claim: its Holm family of one leaves p as it is
    const none = evaluateClaims([], { specs, resamples: 500 }).claims[0];
    assert.equal(none.verdict, 'awaiting-runs');
  });

  it('never mixes engines: the claim uses the larger group of one backend', () => {
    const wasm = [0, 1, 2].map((seed) => seedAt(seed, 1.0));
    const other = [0, 1].map((seed) => {
      const r = seedAt(seed, 1.5);
      return { ...r, environment: { ...r.environment, engine: { ...r.environment.engine, backend: 'torch' } } } as InferenceTimingRecord;
    });
    const picked = timingRecordsFor([...other, ...wasm], 'cifar10', 'octization', 'standard');
    assert.deepEqual(picked?.map((r) => [r.environment.engine.backend, r.args.seed]), [['wasm', 0], ['wasm', 1], ['wasm', 2]]);
    assert.equal(timingRecordsFor(wasm, 'mnist', 'octization', 'standard'), null);
  });
});
