import assert from 'node:assert/strict';
import { analyzeExperiment, bandOf, pairOnCommonSeeds, plannedPairs, primaryMetricOf, schemeDifferences } from '../../src/reports/analysis';
import type { CurveRow } from '../../src/reports/tables';
import { formatInterval, formatNumber, formatP, formatPercent, formatPp, formatSeconds, formatSeedList } from '../../src/reports/format';
import { holmAdjust } from '../../src/statistics';
import { noise, pairedRows, row, seedsUpTo } from './inputs';

const scheme = (rounding: string, encoding: string, scale = 'unit') => ({ bits: 8, scale, granularity: 'per-tensor', rounding, encoding });

describe('reports: analysis', () => {
  it('plans octization vs standard, every method vs float, and one-field ablations (base preset as B)', () => {
    const arms = [
      { method: 'float', scheme: null },
      { method: 'standard', scheme: scheme('half-even', 'int') },
      { method: 'octization', scheme: scheme('toward-zero', 'octal') },
      { method: 'toward-zero-int', scheme: scheme('toward-zero', 'int') },
      { method: 'half-even-octal', scheme: scheme('half-even', 'octal') },
      { method: 'absmax', scheme: scheme('half-even', 'int', 'absmax') },
    ];
    const pairs = plannedPairs(arms).map((p) => `${p.kind}:${p.a}-${p.b}`);
    assert.equal(pairs[0], 'primary:octization-standard');
    for (const m of ['standard', 'octization', 'toward-zero-int', 'half-even-octal', 'absmax']) assert.ok(pairs.includes(`vs-float:${m}-float`), m);
    for (const p of ['ablation:toward-zero-int-standard', 'ablation:half-even-octal-standard', 'ablation:toward-zero-int-octization', 'ablation:half-even-octal-octization', 'ablation:absmax-standard']) {
      assert.ok(pairs.includes(p), `${p} in ${pairs.join(', ')}`);
    }
    // Two changes at once (octization vs standard) is only the primary pair; two-field pairs are not ablations.
    assert.equal(pairs.filter((p) => p.includes('octization-standard')).length, 1);
    assert.ok(!pairs.includes('ablation:half-even-octal-toward-zero-int') && !pairs.includes('ablation:toward-zero-int-half-even-octal'));
    assert.deepEqual(schemeDifferences(scheme('half-even', 'int'), scheme('toward-zero', 'octal')), ['encoding', 'rounding']);
    assert.deepEqual(plannedPairs([{ method: 'standard', scheme: scheme('half-even', 'int') }]), []);
  });

  it('pairs on common seeds when at least two are common and names the rest', () => {
    const a = [0, 1, 2, 3].map((seed) => ({ seed, value: seed }));
    const b = [1, 2, 3, 4, 5].map((seed) => ({ seed, value: seed }));
    const r = pairOnCommonSeeds(a, b);
    assert.deepEqual(r.a.map((x) => x.seed), [1, 2, 3]);
    assert.deepEqual(r.b.map((x) => x.seed), [1, 2, 3]);
    assert.match(r.note as string, /3 common seeds; left out \(A only: 0; B only: 4, 5\)/);
    assert.equal(pairOnCommonSeeds(a, a).note, null);
    assert.equal(pairOnCommonSeeds([{ seed: 0, value: 1 }, { seed: 1, value: 1 }], [{ seed: 1, value: 1 }, { seed: 2, value: 1 }]).note, null);
  });

  it('computes per-epoch bands (mean and t interval), none for a metric no epoch has', () => {
    const base = { key: 'k', experiment: 'x', setting: 's', method: 'm', protocol: 'p', bits: 8, epochs: 2, trainAccuracy: null, testAccuracy: null, testLoss: 1, stepChangeFraction: null, epochChangeFraction: null, zeroCodeFraction: null, meanAbsWeight: null, zeroWeightFraction: null, trainSeconds: null } as const;
    const rows: CurveRow[] = [
      { ...base, seed: 0, epoch: 1, trainLoss: 1 },
      { ...base, seed: 1, epoch: 1, trainLoss: 3 },
      { ...base, seed: 0, epoch: 2, trainLoss: 5 },
    ];
    const band = bandOf(rows, 'trainLoss');
    assert.ok(band !== null);
    assert.equal(band.length, 2);
    assert.equal(band[0].mean, 2);
    assert.equal(band[0].n, 2);
    // mean 2, sd √2, se 1, t(0.975, 1) = 12.7062...
    assert.ok(Math.abs((band[0].ci as { upper: number }).upper - (2 + 12.706204736)) < 1e-6);
    assert.equal(band[1].ci, null);
    assert.equal(bandOf(rows, 'stepChangeFraction'), null);
  });

  it('leaves out the epochs where a metric is undefined (training loss at epoch 0) and keeps the others', () => {
    const base = { key: 'k', experiment: 'x', setting: 's', method: 'm', protocol: 'p', bits: 8, epochs: 1, trainAccuracy: null, testAccuracy: null, stepChangeFraction: null, epochChangeFraction: null, zeroCodeFraction: null, meanAbsWeight: null, zeroWeightFraction: null, trainSeconds: null } as const;
    const rows: CurveRow[] = [
      { ...base, seed: 0, epoch: 0, trainLoss: null, testLoss: 4 },
      { ...base, seed: 1, epoch: 0, trainLoss: null, testLoss: 6 },
      { ...base, seed: 0, epoch: 1, trainLoss: 2, testLoss: 1 },
      { ...base, seed: 1, epoch: 1, trainLoss: 4, testLoss: 3 },
    ];
    assert.deepEqual((bandOf(rows, 'trainLoss') ?? []).map((p) => [p.epoch, p.n, p.mean]), [[1, 2, 3]]);
    assert.deepEqual((bandOf(rows, 'testLoss') ?? []).map((p) => [p.epoch, p.n, p.mean]), [[0, 2, 5], [1, 2, 2]]);
  });

  it('groups runs into panels with the float baseline and applies Holm across the primary comparisons', () => {
    const seeds = seedsUpTo(6);
    const rows = [
      ...pairedRows({ experiment: 'cifar10', epochs: 5, seeds, metric: 'testAccuracy', base: (s) => 0.3 + noise(s, 0.01), diff: (s) => 0.05 + noise(s, 0.01, 'd') }),
      ...pairedRows({ experiment: 'cifar10', epochs: 20, seeds, metric: 'testAccuracy', base: (s) => 0.4 + noise(s, 0.01), diff: (s) => noise(s, 0.01, 'd') }),
      ...seeds.map((seed) => row({ experiment: 'cifar10', method: 'float', seed, epochs: 5, testAccuracy: 0.45 + noise(seed, 0.01) })),
      row({ experiment: 'mnist', method: 'float', seed: 0 }),
    ];
    const an = analyzeExperiment('cifar10', rows, [], { resamples: 500 });
    assert.equal(an.primaryMetric, 'testAccuracy');
    assert.equal(an.runs.length, rows.length - 1);
    assert.deepEqual(an.panels.map((p) => [p.epochs, p.protocol, p.bits, p.arms.map((a) => a.method).join(',')]), [
      [5, 'projected-step', 8, 'float,standard,octization'],
      [20, 'projected-step', 8, 'standard,octization'],
    ]);
    const family = an.panels.flatMap((p) => p.comparisons).filter((c) => c.inFamily);
    assert.equal(an.familySize, 4); // e5: oct-std, std-float, oct-float; e20: oct-std
    const holm = holmAdjust(family.map((c) => c.result!.pT));
    assert.deepEqual(family.map((c) => c.pHolm), holm);
    const secondary = an.panels[0].comparisons.filter((c) => !c.inFamily);
    assert.deepEqual(secondary.map((c) => c.metric), ['testLoss', 'trainLossFirst', 'trainLossMean', 'inferenceSeconds']);
    assert.ok(secondary.every((c) => c.pHolm === null && c.a === 'octization'));
    const primary = an.panels[0].comparisons[0];
    assert.equal(primary.result?.design, 'paired');
    assert.ok(primary.result!.meanDiff > 0.03 && primary.result!.meanDiff < 0.07);
    const arm = an.panels[0].arms.find((a) => a.method === 'octization')!;
    assert.equal(arm.summaries.testAccuracy?.n, 6);
    assert.deepEqual(arm.seeds, seeds);
  });

  it('uses test loss as the primary metric when a run has no accuracy, and explains comparisons it cannot make', () => {
    const rows = [row({ experiment: 'regression', method: 'standard', seed: 0, testAccuracy: null }), row({ experiment: 'regression', method: 'octization', seed: 0, testAccuracy: null })];
    assert.equal(primaryMetricOf(rows), 'testLoss');
    const an = analyzeExperiment('regression', rows, [], { resamples: 500 });
    const c = an.panels[0].comparisons[0];
    assert.equal(c.result, null);
    assert.match(c.note as string, /at least 2 runs per method/);
    assert.equal(an.familySize, 0);
  });

  it('refuses two runs of one method and seed in one panel', () => {
    const rows = [row({ experiment: 'cifar10', method: 'standard', seed: 0 }), row({ experiment: 'cifar10', method: 'standard', seed: 0, key: 'other' })];
    assert.throws(() => analyzeExperiment('cifar10', rows, [], { resamples: 500 }), /seed 0 more than once/);
  });
});

describe('reports: number formatting', () => {
  it('formats accuracies, differences, intervals, p-values, durations and seed lists', () => {
    assert.equal(formatPercent(0.404), '40.40%');
    assert.equal(formatPp(0.1126), '+11.26 pp');
    assert.equal(formatPp(-0.0003), '−0.03 pp');
    assert.equal(formatPp(0.00001), '0.00 pp');
    assert.equal(formatInterval({ lower: 0.1, upper: 0.25 }, (x) => formatPercent(x, 1)), '[10.0%, 25.0%]');
    assert.equal(formatP(0.00001), '< 0.0001');
    assert.equal(formatP(0.0312345), '0.0312');
    assert.equal(formatP(null), '–');
    assert.equal(formatNumber(282250), '282,250');
    assert.equal(formatNumber(-0.0123456, 3), '−0.0123');
    assert.equal(formatNumber(NaN), '–');
    assert.equal(formatSeconds(214.58), '3 min 35 s');
    assert.equal(formatSeconds(0.1234), '0.123 s');
    assert.equal(formatSeedList([9, 0, 1, 2, 3, 7, 10]), '0–3, 7, 9–10');
    assert.throws(() => formatSeedList([1.5]), /not an integer/);
  });
});
