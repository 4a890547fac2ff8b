import assert from 'node:assert/strict';
import { caveatText, chooseSetting, claimReason, evaluateClaims, judgeClaim, judgeDifference, seedClaims, SEED_FIGURES, tostP, verdictTally } from '../../src/reports/claims';
import type { ClaimResult, ClaimSpec, ClaimTest, DifferenceEvidence } from '../../src/reports/claims';
import type { RunRow } from '../../src/reports/tables';
import { noise, pairedRows, row, seedsUpTo } from './inputs';

/** Evidence with a 95% interval [lower, upper] from a t with 9 df (n = 10) and the given p. */
function ev(lower: number, upper: number, n = 10, p = 0.001): DifferenceEvidence {
  const t = 2.2621571627409915; // t(0.975, 9)
  return { estimate: (lower + upper) / 2, ci: { lower, upper }, se: (upper - lower) / (2 * t), df: n - 1, n, p };
}

const up: ClaimTest = { sign: 1, claimedSize: 0.1, margin: 0.01 };
const down: ClaimTest = { sign: -1, claimedSize: -0.1, margin: 0.01 };

function byId(results: { claims: ClaimResult[] }, id: string): ClaimResult {
  const r = results.claims.find((c) => c.id === id);
  assert.ok(r !== undefined, `claim ${id} missing`);
  return r;
}

describe('analysis: the one verdict rule (hand cases)', () => {
  it('supported: interval on the claimed side holding the study size, p < 0.05', () => {
    const j = judgeClaim(up, ev(0.04, 0.12));
    assert.equal(j.code, 'supported');
    assert.equal(j.direction, 'claimed');
  });

  it('contradicted: the interval lies entirely on the opposite side (a reversal, not a smaller effect)', () => {
    const j = judgeClaim(up, ev(-0.05, -0.02));
    assert.equal(j.code, 'contradicted');
    assert.equal(j.direction, 'opposite');
    assert.equal(judgeClaim(down, ev(0.02, 0.05)).code, 'contradicted');
  });

  it('not reproduced, smaller: same direction, the study size above the interval', () => {
    const j = judgeClaim(up, ev(0.02, 0.06));
    assert.deepEqual([j.code, j.size, j.direction], ['not-reproduced', 'smaller', 'claimed']);
  });

  it('not reproduced, larger: same direction, the study size below the interval (e.g. a broken baseline)', () => {
    const j = judgeClaim({ sign: 1, claimedSize: 0.002, margin: 0.01 }, ev(0.69, 0.73));
    assert.deepEqual([j.code, j.size], ['not-reproduced', 'larger']);
  });

  it('not reproduced, smaller, direction not shown: the interval holds 0 but excludes the study size', () => {
    const j = judgeClaim(up, ev(-0.02, 0.05));
    assert.deepEqual([j.code, j.size, j.direction], ['not-reproduced', 'smaller', 'not-shown']);
  });

  it('equivalent: the 90% interval inside ±margin (TOST), with the margin kept', () => {
    const j = judgeClaim(up, ev(-0.0035, 0.0036, 5));
    assert.equal(j.code, 'equivalent');
    assert.equal(j.difference.margin, 0.01);
    assert.ok((j.difference.pEquivalence as number) < 0.05);
  });

  it('inconclusive: interval holding both 0 and the study size; and below the n floor', () => {
    assert.equal(judgeClaim(up, ev(-0.05, 0.2)).code, 'inconclusive');
    const few = judgeClaim(up, ev(0.08, 0.12, 4));
    assert.equal(few.code, 'inconclusive');
    assert.equal(few.difference.code, 'too-few-runs');
  });

  it('the direction needs the adjusted p too: an interval excluding 0 with Holm p >= 0.05 shows no direction', () => {
    const j = judgeClaim(up, ev(0.01, 0.2, 10, 0.08));
    assert.equal(j.code, 'inconclusive');
    assert.equal(j.direction, 'not-shown');
  });

  it('a direction-only claim is supported or contradicted by the sign alone', () => {
    const t: ClaimTest = { sign: -1, claimedSize: null, margin: 0.02 };
    assert.equal(judgeClaim(t, ev(-0.3, -0.1)).code, 'supported');
    assert.equal(judgeClaim(t, ev(0.38, 0.68)).code, 'contradicted');
  });

  it('TOST p by hand: estimate 0, se 0.002, margin 0.01, df 4', () => {
    // t = 0.01 / 0.002 = 5 on 4 df: one-sided p = 0.0037452 (R: pt(5, 4, lower.tail = FALSE)).
    assert.ok(Math.abs(tostP(0, 0.002, 4, 0.01) - 0.0037452) < 1e-6);
    assert.equal(tostP(0, 0, 4, 0.01), 0);
    assert.equal(tostP(0.02, 0, 4, 0.01), 1);
  });

  it('judgeDifference codes a difference before any claim', () => {
    assert.equal(judgeDifference(ev(0.02, 0.06), 0.01).code, 'a-higher');
    assert.equal(judgeDifference(ev(-0.06, -0.02), 0.01).code, 'b-higher');
    assert.equal(judgeDifference(ev(-0.06, 0.02), 0.01).code, 'inconclusive');
  });

  it('rejects malformed tests and evidence with a named error', () => {
    assert.throws(() => judgeClaim({ ...up, claimedSize: -0.1 }, ev(0, 1)), /claimedSize/);
    assert.throws(() => judgeClaim(up, { ...ev(0, 1), estimate: NaN }), /finite estimate/);
    assert.throws(() => judgeClaim(up, ev(0.2, 0.1)), /lower <= upper/);
  });
});

describe('seed study: the claims as data', () => {
  it('derives the study sizes from the printed figures', () => {
    const specs = seedClaims();
    const get = (id: string): ClaimSpec => specs.find((s) => s.id === id) as ClaimSpec;
    const c5 = get('cifar10-accuracy-5');
    const c20 = get('cifar10-accuracy-20');
    assert.ok(c5.kind === 'paired' && c20.kind === 'paired');
    assert.ok(Math.abs((c5.test.claimedSize as number) - 0.1126) < 1e-12);
    assert.ok(Math.abs((c20.test.claimedSize as number) - 0.1857) < 1e-12);
    const widen = get('cifar10-gap-widens');
    assert.ok(widen.kind === 'gap-change' && Math.abs((widen.test.claimedSize as number) - 0.0731) < 1e-12);
    const inf = get('cifar10-inference-time');
    assert.ok(inf.kind === 'paired' && inf.scale === 'log-ratio');
    assert.ok(Math.abs(Math.exp(inf.test.claimedSize as number) - 217.92 / 214.58) < 1e-12);
    const reg = get('regression-final-loss');
    assert.ok(reg.kind === 'paired' && reg.test.sign === -1 && reg.epochs === SEED_FIGURES.regression.epochs);
    assert.equal(new Set(specs.map((s) => s.id)).size, specs.length);
  });

  it('the regression claim reads the quantized model under every protocol (test MSE, not the per-epoch training loss)', () => {
    const reg = seedClaims().find((s) => s.id === 'regression-final-loss');
    assert.ok(reg !== undefined && reg.kind === 'paired');
    assert.equal(reg.metric, 'testLoss');
  });
});

describe('analysis: evaluateClaims on hand-made runs', () => {
  const seeds = seedsUpTo(10);
  const acc = (experiment: string, epochs: number, diff: (s: number) => number, over: Partial<{ seeds: number[]; seedsA: number[]; base: (s: number) => number }> = {}): RunRow[] =>
    pairedRows({ experiment, epochs, seeds: over.seeds ?? seeds, seedsA: over.seedsA, metric: 'testAccuracy', base: over.base ?? ((s) => 0.3 + noise(s, 0.02, 'base')), diff });

  it('supported: a paired gap near the claimed 11.26 pp, with both arms and the medians shown', () => {
    const rows = acc('cifar10', 5, (s) => 0.11 + noise(s, 0.01));
    const r = byId(evaluateClaims(rows, { resamples: 500 }), 'cifar10-accuracy-5');
    assert.equal(r.verdict, 'supported');
    assert.equal(r.design, 'paired');
    assert.equal(r.n, 10);
    assert.deepEqual(r.arms.map((a) => a.method), ['octization', 'standard']);
    assert.ok(Math.abs(r.arms[0].mean - r.arms[1].mean - (r.estimate as number)) < 1e-12);
    assert.ok(r.medianDiff !== null && r.pPermutation !== null);
    assert.equal(r.family, 'claims/projected-step');
  });

  it('contradicted when Octization is lower; not reproduced (smaller) for a small gap in the claimed direction', () => {
    const lower = byId(evaluateClaims(acc('cifar10', 5, (s) => -0.03 + noise(s, 0.005)), { resamples: 500 }), 'cifar10-accuracy-5');
    assert.equal(lower.verdict, 'contradicted');
    const small = byId(evaluateClaims(acc('cifar10', 20, (s) => 0.03 + noise(s, 0.002)), { resamples: 500 }), 'cifar10-accuracy-20');
    assert.deepEqual([small.verdict, small.judgement?.size], ['not-reproduced', 'smaller']);
  });

  it('a baseline at chance: not reproduced (larger), with the caveat that standard is at chance in k of n seeds and both arms below float', () => {
    const base = (): number => 0.098;
    const rows = [
      ...acc('mnist', 20, (s) => 0.7 + noise(s, 0.01), { base }),
      ...seeds.map((seed) => row({ experiment: 'mnist', method: 'float', protocol: 'float', bits: null, seed, epochs: 20, testAccuracy: 0.978 })),
    ];
    const r = byId(evaluateClaims(rows, { resamples: 500 }), 'mnist-accuracy');
    assert.deepEqual([r.verdict, r.judgement?.size], ['not-reproduced', 'larger']);
    const chance = r.caveats.find((c) => c.code === 'arm-at-chance');
    assert.deepEqual([chance?.method, chance?.values.k, chance?.values.n], ['standard', 10, 10]);
    assert.deepEqual(r.caveats.filter((c) => c.code === 'below-float').map((c) => c.method), ['octization', 'standard']);
    assert.equal(r.arms.find((a) => a.method === 'float')?.mean, 0.978);
  });

  it('equivalent with n = 5: no difference within 1 pp (the same n floor as every table)', () => {
    const r = byId(evaluateClaims(acc('cifar10', 5, (s) => noise(s, 0.002), { seeds: seedsUpTo(5) }), { resamples: 500 }), 'cifar10-accuracy-5');
    assert.equal(r.n, 5);
    assert.equal(r.verdict, 'equivalent');
  });

  it('below the n floor: inconclusive, reason cites n', () => {
    const r = byId(evaluateClaims(acc('cifar10', 5, (s) => 0.11 + noise(s, 0.01), { seeds: seedsUpTo(4) }), { resamples: 500 }), 'cifar10-accuracy-5');
    assert.equal(r.verdict, 'inconclusive');
    assert.match(claimReason(r), /n = 4 is below 5/);
  });

  it('awaiting runs without evidence, no estimate', () => {
    const rows = acc('cifar10', 5, () => 0.1).filter((r) => r.method === 'standard');
    const r5 = byId(evaluateClaims(rows, { resamples: 500 }), 'cifar10-accuracy-5');
    assert.equal(r5.verdict, 'awaiting-runs');
    assert.equal(r5.estimate, null);
    assert.equal(r5.missing?.kind, 'awaiting-runs');
  });

  it('uses only the protocol asked for and names the Holm family by it', () => {
    const rows = acc('cifar10', 5, (s) => 0.11 + noise(s, 0.01)).map((r) => ({ ...r, protocol: 'qat' }));
    assert.equal(byId(evaluateClaims(rows, { resamples: 500 }), 'cifar10-accuracy-5').verdict, 'awaiting-runs');
    const q = byId(evaluateClaims(rows, { resamples: 500, protocol: 'qat' }), 'cifar10-accuracy-5');
    assert.equal(q.verdict, 'supported');
    assert.equal(q.family, 'claims/qat');
  });

  it('pairs on the common seeds and says which were left out', () => {
    const rows = acc('cifar10', 5, (s) => 0.11 + noise(s, 0.01), { seeds: seedsUpTo(12), seedsA: seedsUpTo(10) });
    const r = byId(evaluateClaims(rows, { resamples: 500 }), 'cifar10-accuracy-5');
    assert.equal(r.n, 10);
    assert.ok(r.notes.some((n) => /B only: 10, 11/.test(n)), r.notes.join('; '));
  });

  it('gap change: paired across epoch settings', () => {
    const rows = [...acc('cifar10', 5, (s) => 0.1 + noise(s, 0.01)), ...acc('cifar10', 20, (s) => 0.17 + noise(s, 0.01, 'b'))];
    const r = byId(evaluateClaims(rows, { resamples: 500 }), 'cifar10-gap-widens');
    assert.equal(r.design, 'paired');
    assert.equal(r.verdict, 'supported');
    assert.ok(Math.abs((r.estimate as number) - 0.07) < 0.02);
  });

  it('applies Holm across the statistical claims (adjusted p >= raw p)', () => {
    const rows = [...acc('cifar10', 5, (s) => 0.11 + noise(s, 0.01)), ...acc('cifar10', 20, (s) => 0.02 + noise(s, 0.03, 'c'))];
    const out = evaluateClaims(rows, { resamples: 500 }).claims.filter((c) => c.p !== null);
    assert.ok(out.length >= 2);
    for (const c of out) assert.ok((c.pHolm as number) >= (c.p as number) - 1e-15);
    const min = out.reduce((a, b) => ((a.p as number) < (b.p as number) ? a : b));
    assert.ok(Math.abs((min.pHolm as number) - Math.min(1, (min.p as number) * out.length)) < 1e-12);
  });

  it('inference time carries the caveats a reviewer needs: the study times training, the graphs are the same, the environment dominates', () => {
    const five = pairedRows({ experiment: 'cifar10', epochs: 5, seeds, metric: 'inferenceSeconds', base: () => 11.9, diff: () => 0 });
    const twenty = pairedRows({ experiment: 'cifar10', epochs: 20, seeds, metric: 'inferenceSeconds', base: (s) => 5.96 + noise(s, 0.3), diff: (s) => noise(s, 0.3, 'd') });
    const r = byId(evaluateClaims([...five, ...twenty], { resamples: 500 }), 'cifar10-inference-time');
    const codes = r.caveats.map((c) => c.code);
    assert.deepEqual(codes, ['study-times-training', 'same-float-graph', 'environment-dominates']);
    const t = r.caveats[0].values;
    assert.ok(Math.abs(t.standard - 214.58 / 53.67) < 1e-12 && Math.abs(t.octization - 217.92 / 54.19) < 1e-12);
    assert.equal(r.caveats[2].values.medianShort, 11.9);
  });

  it('parameter counts are checked facts, not claims; a wrong study count is a caveat', () => {
    const rows = acc('mnist', 20, () => 0.1).map((x) => ({ ...x, params: 101770 }));
    const out = evaluateClaims(rows, { resamples: 500 });
    assert.equal(out.claims.some((c) => c.id === 'mnist-same-size'), false);
    const f = out.facts.find((x) => x.id === 'mnist-same-size');
    assert.deepEqual([f?.holds, f?.n, f?.measured], [true, 20, [101770]]);
    assert.deepEqual(f?.caveats[0], { code: 'study-count-mismatch', values: { study: 101870, measured: 101770, difference: 100 } });
    assert.match(caveatText(f!.caveats[0]), /off by 100/);
    const differs = rows.map((x, i) => (i === 0 ? { ...x, params: 1 } : x));
    assert.equal(evaluateClaims(differs, { resamples: 500 }).facts.find((x) => x.id === 'mnist-same-size')?.holds, false);
  });

  it('the tally counts verdicts only (no facts)', () => {
    assert.equal(verdictTally([{ verdict: 'contradicted' }, { verdict: 'not-reproduced' }, { verdict: 'contradicted' }]), '1 not reproduced, 2 contradicted');
  });

  it('prefers runs on all data over reduced-data runs with more seeds', () => {
    const full = acc('cifar10', 5, () => 0.1, { seeds: seedsUpTo(3) });
    const reduced = acc('cifar10', 5, () => 0.1).map((r) => ({ ...r, setting: 'reduced', limitTrain: 256 }));
    const sel = chooseSetting([...reduced, ...full], ['octization', 'standard']);
    assert.equal(sel?.setting, full[0].setting);
  });

  it('rejects duplicate claim ids and non-finite metrics', () => {
    const spec = seedClaims()[0];
    assert.throws(() => evaluateClaims([], { specs: [spec, spec] }), /appears more than once/);
    const bad = acc('cifar10', 5, () => 0.1);
    bad[0] = { ...bad[0], testAccuracy: null };
    assert.throws(() => evaluateClaims(bad, { resamples: 500 }), /testAccuracy is null/);
  });

  it('is deterministic', () => {
    const rows = acc('cifar10', 5, (s) => 0.11 + noise(s, 0.01));
    assert.deepEqual(evaluateClaims(rows, { resamples: 500 }), evaluateClaims(rows, { resamples: 500 }));
  });
});
