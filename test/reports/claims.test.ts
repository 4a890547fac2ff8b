import assert from 'node:assert/strict';
import { DEFAULT_RULE, describeRule, evaluateClaims, formatRatio, judgeClaim, seedClaims, SEED_FIGURES, chooseSetting } from '../../src/reports/claims';
import type { ClaimResult, ClaimSpec, ClaimTest } from '../../src/reports/claims';
import type { RunRow } from '../../src/reports/tables';
import { noise, pairedRows, row, seedsUpTo } from './inputs';

const up: ClaimTest = { sign: 1, claimedSize: 0.1, sizeKind: 'at-least', rope: null };
const ev = (lower: number, upper: number, n = 10, pHolm: number | null = 0.001) => ({ estimate: (lower + upper) / 2, ci: { lower, upper }, n, pHolm });

function byId(results: ClaimResult[], id: string): ClaimResult {
  const r = results.find((c) => c.id === id);
  assert.ok(r !== undefined, `claim ${id} missing`);
  return r;
}

describe('reports: claim verdict rule (hand cases)', () => {
  it('supported: interval above 0, reaches half the claimed size, Holm p < 0.05', () => {
    assert.equal(judgeClaim(up, ev(0.04, 0.12)).verdict, 'supported');
  });

  it('not supported: interval entirely on the opposite side', () => {
    const j = judgeClaim(up, ev(-0.05, -0.01));
    assert.equal(j.verdict, 'not supported');
    assert.match(j.reason, /opposite/);
  });

  it('not supported: interval entirely below half the claimed size, even when it excludes 0', () => {
    const j = judgeClaim(up, ev(0.01, 0.049));
    assert.equal(j.verdict, 'not supported');
    assert.match(j.reason, /0\.5 × the claimed size/);
    // Just reaching half the size is no longer "well below".
    assert.equal(judgeClaim(up, ev(0.01, 0.05)).verdict, 'supported');
  });

  it('not supported for an "about" claim whose interval lies beyond twice the size; an at-least claim stays supported', () => {
    assert.equal(judgeClaim({ ...up, sizeKind: 'about' }, ev(0.25, 0.3)).verdict, 'not supported');
    assert.equal(judgeClaim(up, ev(0.25, 0.3)).verdict, 'supported');
  });

  it("a supported claim says when the study's own size lies outside the interval (direction reproduced, size not)", () => {
    const note = /the study's own size lies outside the interval: the direction is reproduced, the size is not/;
    assert.doesNotMatch(judgeClaim(up, ev(0.04, 0.12)).reason, note);
    const above = judgeClaim(up, ev(0.25, 0.3));
    assert.equal(above.verdict, 'supported');
    assert.match(above.reason, note);
    assert.match(judgeClaim(up, ev(0.05, 0.09)).reason, note);
    const down: ClaimTest = { sign: -1, claimedSize: -0.1, sizeKind: 'at-least', rope: null };
    assert.doesNotMatch(judgeClaim(down, ev(-0.12, -0.06)).reason, note);
    assert.match(judgeClaim(down, ev(-0.3, -0.2)).reason, note);
  });

  it('not supported inside a region of practical equivalence', () => {
    const t: ClaimTest = { sign: -1, claimedSize: null, sizeKind: 'at-least', rope: 0.02 };
    assert.equal(judgeClaim(t, ev(-0.01, 0.015)).verdict, 'not supported');
    assert.equal(judgeClaim(t, ev(-0.03, 0.015)).verdict, 'inconclusive');
  });

  it('inconclusive: interval includes 0, or excludes it but Holm p >= 0.05', () => {
    assert.equal(judgeClaim(up, ev(-0.01, 0.2)).verdict, 'inconclusive');
    const j = judgeClaim(up, ev(0.02, 0.2, 10, 0.08));
    assert.equal(j.verdict, 'inconclusive');
    assert.match(j.reason, /Holm/);
  });

  it('inconclusive whenever n < 10, even for a clear effect in either direction', () => {
    const j = judgeClaim(up, ev(0.1, 0.2, 9));
    assert.equal(j.verdict, 'inconclusive');
    assert.match(j.reason, /n = 9 is below 10/);
    assert.equal(judgeClaim(up, ev(-0.2, -0.1, 3)).verdict, 'inconclusive');
  });

  it('no results yet without evidence, with the given reason', () => {
    assert.deepEqual(judgeClaim(up, null, DEFAULT_RULE, 'no results yet: missing x'), { verdict: 'no results yet', reason: 'no results yet: missing x' });
  });

  it('a negative claim is judged with the interval mirrored', () => {
    const down: ClaimTest = { sign: -1, claimedSize: -0.1, sizeKind: 'at-least', rope: null };
    assert.equal(judgeClaim(down, ev(-0.12, -0.06)).verdict, 'supported');
    assert.equal(judgeClaim(down, ev(0.01, 0.05)).verdict, 'not supported');
    assert.equal(judgeClaim(down, ev(-0.04, -0.01)).verdict, 'not supported');
  });

  it('rejects malformed tests and evidence with a named error', () => {
    assert.throws(() => judgeClaim({ ...up, claimedSize: -0.1 }, ev(0, 1)), /claimedSize/);
    assert.throws(() => judgeClaim(up, { estimate: NaN, ci: { lower: 0, upper: 1 }, n: 10, pHolm: 0.01 }), /finite estimate/);
    assert.throws(() => judgeClaim(up, ev(0.2, 0.1)), /lower <= upper/);
  });

  it('states the rule with its numbers', () => {
    const text = describeRule({ alpha: 0.01, minN: 20, sizeFraction: 0.25, aboutFactor: 3 });
    assert.match(text, /at least 20 runs/);
    assert.match(text, /below 0\.01/);
    assert.match(text, /0\.25 × that size/);
    assert.match(text, /3 × it/);
  });
});

describe('reports: seed claims', () => {
  it('derives the seed numbers from the printed figures', () => {
    const specs = seedClaims();
    const get = (id: string): ClaimSpec => specs.find((s) => s.id === id) as ClaimSpec;
    const c5 = get('cifar10-accuracy-5');
    const c20 = get('cifar10-accuracy-20');
    assert.ok(c5.kind === 'paired' && c20.kind === 'paired');
    assert.ok(Math.abs((c5.test.claimedSize as number) - 0.1126) < 1e-12);
    assert.ok(Math.abs((c20.test.claimedSize as number) - 0.1857) < 1e-12);
    assert.match(c5.seedText, /\+11\.26 pp/);
    assert.match(c20.seedText, /\+18\.57 pp/);
    const widen = get('cifar10-gap-widens');
    assert.ok(widen.kind === 'gap-change' && Math.abs((widen.test.claimedSize as number) - 0.0731) < 1e-12);
    const mnist = get('mnist-accuracy');
    assert.ok(mnist.kind === 'paired' && Math.abs((mnist.test.claimedSize as number) - 0.002) < 1e-12);
    const inf = get('cifar10-inference-time');
    assert.ok(inf.kind === 'paired' && inf.scale === 'log-ratio' && inf.test.sizeKind === 'about');
    assert.ok(Math.abs(Math.exp(inf.test.claimedSize as number) - 217.92 / 214.58) < 1e-12);
    const reg = get('regression-final-loss');
    assert.ok(reg.kind === 'paired' && reg.test.sign === -1 && reg.epochs === SEED_FIGURES.regression.epochs);
    assert.equal(new Set(specs.map((s) => s.id)).size, specs.length);
  });

  it('formats ratios as signed percent changes', () => {
    assert.equal(formatRatio(1.0156), '+1.56%');
    assert.equal(formatRatio(0.5), '−50%');
    assert.equal(formatRatio(42.9256 / 156.692), '−72.6%');
  });
});

describe('reports: evaluateClaims on hand-made runs', () => {
  const seeds = seedsUpTo(10);
  const acc = (experiment: string, epochs: number, diff: (s: number) => number, over: Partial<{ seeds: number[]; seedsA: number[] }> = {}): RunRow[] =>
    pairedRows({ experiment, epochs, seeds: over.seeds ?? seeds, seedsA: over.seedsA, metric: 'testAccuracy', base: (s) => 0.3 + noise(s, 0.02, 'base'), diff });

  it('supported: a paired gap near the claimed 11.26 pp with 10 seeds', () => {
    const rows = acc('cifar10', 5, (s) => 0.11 + noise(s, 0.01));
    const r = byId(evaluateClaims(rows, { resamples: 500 }), 'cifar10-accuracy-5');
    assert.equal(r.verdict, 'supported');
    assert.equal(r.design, 'paired');
    assert.equal(r.n, 10);
    assert.ok((r.ci as { lower: number }).lower > 0);
    assert.match(r.estimateText, /^\+1[01]\.\d\d pp$/);
    assert.equal(r.protocol, 'projected-step');
    assert.equal(r.setting, rows[0].setting);
  });

  it('not supported: Octization lower, and a gap far below the claim', () => {
    const lower = byId(evaluateClaims(acc('cifar10', 5, (s) => -0.03 + noise(s, 0.005)), { resamples: 500 }), 'cifar10-accuracy-5');
    assert.equal(lower.verdict, 'not supported');
    assert.match(lower.reason, /opposite/);
    const small = byId(evaluateClaims(acc('cifar10', 20, (s) => 0.01 + noise(s, 0.002)), { resamples: 500 }), 'cifar10-accuracy-20');
    assert.equal(small.verdict, 'not supported');
    assert.match(small.reason, /claimed size/);
  });

  it('inconclusive: a noisy difference around 0; and with fewer than 10 seeds', () => {
    const noisy = byId(evaluateClaims(acc('mnist', 20, (s) => noise(s, 0.05)), { resamples: 500 }), 'mnist-accuracy');
    assert.equal(noisy.verdict, 'inconclusive');
    const few = byId(evaluateClaims(acc('cifar10', 5, (s) => 0.11 + noise(s, 0.01), { seeds: seedsUpTo(5) }), { resamples: 500 }), 'cifar10-accuracy-5');
    assert.equal(few.verdict, 'inconclusive');
    assert.equal(few.n, 5);
    assert.match(few.reason, /n = 5 is below 10/);
  });

  it('no results yet names the missing runs and gives no estimate', () => {
    const rows = [...acc('cifar10', 5, () => 0.1)].filter((r) => r.method === 'standard');
    const out = evaluateClaims(rows, { resamples: 500 });
    const r5 = byId(out, 'cifar10-accuracy-5');
    assert.equal(r5.verdict, 'no results yet');
    assert.match(r5.reason, /missing cifar10 runs \(projected-step, 8 bits\) of octization at 5 epochs/);
    assert.equal(r5.estimate, null);
    const r20 = byId(out, 'cifar10-accuracy-20');
    assert.match(r20.reason, /octization and standard at 20 epochs/);
    const reg = byId(out, 'regression-final-loss');
    assert.equal(reg.verdict, 'no results yet');
  });

  it('uses only the protocol asked for', () => {
    const rows = acc('cifar10', 5, (s) => 0.11 + noise(s, 0.01)).map((r) => ({ ...r, protocol: 'qat' }));
    assert.equal(byId(evaluateClaims(rows, { resamples: 500 }), 'cifar10-accuracy-5').verdict, 'no results yet');
    const q = byId(evaluateClaims(rows, { resamples: 500, protocol: 'qat' }), 'cifar10-accuracy-5');
    assert.equal(q.verdict, 'supported');
    assert.equal(q.protocol, 'qat');
  });

  it('pairs on the common seeds and says which were left out', () => {
    const rows = acc('cifar10', 5, (s) => 0.11 + noise(s, 0.01), { seeds: seedsUpTo(12), seedsA: seedsUpTo(10) });
    const r = byId(evaluateClaims(rows, { resamples: 500 }), 'cifar10-accuracy-5');
    assert.equal(r.design, 'paired');
    assert.equal(r.n, 10);
    assert.ok(r.notes.some((n) => /B only: 10, 11/.test(n)), r.notes.join('; '));
  });

  it('gap change: paired across epoch settings when the seeds match, Welch otherwise', () => {
    const rows = [...acc('cifar10', 5, (s) => 0.1 + noise(s, 0.01)), ...acc('cifar10', 20, (s) => 0.18 + noise(s, 0.01, 'b'))];
    const r = byId(evaluateClaims(rows, { resamples: 500 }), 'cifar10-gap-widens');
    assert.equal(r.design, 'paired');
    assert.equal(r.verdict, 'supported');
    assert.ok(Math.abs((r.estimate as number) - 0.08) < 0.02);
    assert.ok(r.notes.some((n) => /paired across epoch settings/.test(n)));
    const other = [...acc('cifar10', 5, (s) => 0.1 + noise(s, 0.01)), ...acc('cifar10', 20, (s) => 0.18 + noise(s, 0.01, 'b'), { seeds: seedsUpTo(20).slice(10) })];
    const u = byId(evaluateClaims(other, { resamples: 500 }), 'cifar10-gap-widens');
    assert.equal(u.design, 'unpaired-welch');
    assert.ok(u.notes.some((n) => /unpaired across epoch settings/.test(n)));
  });

  it('applies Holm across the statistical claims (adjusted p >= raw p)', () => {
    const rows = [...acc('cifar10', 5, (s) => 0.11 + noise(s, 0.01)), ...acc('cifar10', 20, (s) => 0.02 + noise(s, 0.03, 'c'))];
    const out = evaluateClaims(rows, { resamples: 500 }).filter((c) => c.p !== null);
    assert.ok(out.length >= 2);
    for (const c of out) assert.ok((c.pHolm as number) >= (c.p as number) - 1e-15, `${c.id}: Holm ${c.pHolm} < raw ${c.p}`);
    const min = out.reduce((a, b) => ((a.p as number) < (b.p as number) ? a : b));
    assert.ok(Math.abs((min.pHolm as number) - Math.min(1, (min.p as number) * out.length)) < 1e-12);
  });

  it('inference time: geometric mean ratio with an "about 1.5%" test', () => {
    const rows = pairedRows({ experiment: 'cifar10', epochs: 20, seeds, metric: 'inferenceSeconds', base: (s) => 200 + noise(s, 5), diff: (s) => (200 + noise(s, 5)) * (0.015 + noise(s, 0.002, 'r')) });
    const r = byId(evaluateClaims(rows, { resamples: 500 }), 'cifar10-inference-time');
    assert.match(r.estimateText, /^\+1\.\d+%$/);
    assert.equal(r.verdict, 'supported');
    const slower = pairedRows({ experiment: 'cifar10', epochs: 20, seeds, metric: 'inferenceSeconds', base: () => 200, diff: (s) => 200 * (0.2 + noise(s, 0.01)) });
    assert.equal(byId(evaluateClaims(slower, { resamples: 500 }), 'cifar10-inference-time').verdict, 'not supported');
  });

  it('same model size: equality of parameter counts, with the seed number and storage noted', () => {
    const rows = acc('cifar10', 5, () => 0.1).map((r) => ({ ...r, storage: { float32Bytes: 1129000, packedBytes: 282250, octalTextBytes: 1500000 } }));
    const r = byId(evaluateClaims(rows, { resamples: 500 }), 'cifar10-same-size');
    assert.equal(r.verdict, 'supported');
    assert.equal(r.design, 'deterministic');
    assert.equal(r.estimate, 282250);
    assert.equal(r.n, 20);
    assert.ok(r.notes.some((n) => /octal strings 1\.43 MiB/.test(n)), r.notes.join('; '));
    const mnist = rows.map((x) => ({ ...x, experiment: 'mnist', params: 101770 }));
    const m = byId(evaluateClaims(mnist, { resamples: 500 }), 'mnist-same-size');
    assert.equal(m.verdict, 'supported');
    assert.ok(m.notes.some((n) => /seed reports 101,870 parameters; the model octolab builds has 101,770 \(difference −100\)/.test(n)), m.notes.join('; '));
    const differs = rows.map((x, i) => (i === 0 ? { ...x, params: 1 } : x));
    assert.equal(byId(evaluateClaims(differs, { resamples: 500 }), 'cifar10-same-size').verdict, 'not supported');
  });

  it('prefers runs on all data over reduced-data runs with more seeds', () => {
    const full = acc('cifar10', 5, () => 0.1, { seeds: seedsUpTo(3) });
    const reduced = acc('cifar10', 5, () => 0.1).map((r) => ({ ...r, setting: 'reduced', limitTrain: 256 }));
    const sel = chooseSetting([...reduced, ...full], ['octization', 'standard']);
    assert.equal(sel?.setting, full[0].setting);
    assert.equal(sel?.reduced, false);
  });

  it('rejects duplicate claim ids and non-finite metrics', () => {
    const spec = seedClaims()[0];
    assert.throws(() => evaluateClaims([], { specs: [spec, spec] }), /appears more than once/);
    const bad = acc('cifar10', 5, () => 0.1);
    bad[0] = { ...bad[0], testAccuracy: null };
    assert.throws(() => evaluateClaims(bad, { resamples: 500 }), /test accuracy \(testAccuracy\) is null/);
  });

  it('is deterministic', () => {
    const rows = acc('cifar10', 5, (s) => 0.11 + noise(s, 0.01));
    assert.deepEqual(evaluateClaims(rows, { resamples: 500 }), evaluateClaims(rows, { resamples: 500 }));
  });

  it('keeps float runs out of the claims', () => {
    const rows = [...acc('cifar10', 5, (s) => 0.11 + noise(s, 0.01)), ...seeds.map((seed) => row({ experiment: 'cifar10', method: 'float', seed }))];
    assert.equal(byId(evaluateClaims(rows, { resamples: 500 }), 'cifar10-same-size').n, 20);
  });
});
