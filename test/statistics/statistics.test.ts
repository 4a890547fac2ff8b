/**
 * Tests of src/statistics. Reference numbers come from scipy 1.10.1 / numpy
 * 1.24.2 (Debian's /usr/bin/python3); test/statistics/reference.py prints
 * every one of them.
 */
import assert from 'assert/strict';
import { Rng } from '../../src/random/rng';
import {
  averageRanks,
  bcaFromReplicates,
  bcaInterval,
  bcaIntervalTwoSample,
  bootstrapReplicates,
  ciExcludesZero,
  cohensDz,
  compareMethods,
  holmAdjust,
  iqm,
  jackknifeAcceleration,
  mean,
  median,
  normalQuantile,
  noncentralityForPower,
  oneSampleTTest,
  pairedDifferences,
  pairedMde,
  pairedTTest,
  pairedTTestPower,
  pairedWinRate,
  percentileLinear,
  probabilityOfImprovement,
  SamplesStatistic,
  sd,
  SeedValue,
  signFlipTest,
  standardError,
  summarize,
  tCdf,
  tInterval,
  tQuantile,
  trimMean,
  tTestPower,
  welchMde,
  welchPower,
  welchTTest,
  wilcoxonNullDistribution,
  wilcoxonSignedRank,
} from '../../src/statistics';

/** |actual − expected| ≤ tol·max(1, |expected|) */
function close(actual: number, expected: number, tol: number, what = ''): void {
  const err = Math.abs(actual - expected);
  assert.ok(err <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected} (error ${err})`);
}
/** |actual − expected| ≤ rel·|expected| */
function rel(actual: number, expected: number, tol: number, what = ''): void {
  const err = Math.abs(actual - expected);
  assert.ok(err <= tol * Math.abs(expected), `${what}: ${actual} vs ${expected} (relative error ${err / Math.abs(expected)})`);
}

// Per-seed test accuracies of two methods over seeds 0..9 (made-up, realistic).
const A = [0.9673, 0.9693, 0.9651, 0.9702, 0.9688, 0.966, 0.9715, 0.967, 0.9681, 0.9699];
const B = [0.9641, 0.968, 0.9655, 0.9679, 0.9662, 0.9648, 0.9701, 0.9652, 0.9668, 0.9683];
const C = [0.951, 0.972, 0.94, 0.965, 0.958, 0.981, 0.949];
const meanOf: SamplesStatistic = (s) => mean(s[0]);

describe('statistics: descriptive', () => {
  it('mean, sd, se, median, IQM match numpy/scipy (np.mean, np.std ddof=1, st.sem, np.median, st.trim_mean)', () => {
    close(mean(A), 0.96832, 1e-15, 'mean');
    close(sd(A), 0.0019976653039652857, 1e-15, 'sd');
    close(standardError(A), 0.0006317172363222897, 1e-15, 'se');
    assert.equal(median(A), 0.96845);
    close(iqm(A), 0.9684, 1e-15, 'iqm');
  });

  it('trimMean follows scipy.stats.trim_mean(x, 0.25) for n not divisible by 4', () => {
    const base = [3, 1, 10, 2, 50, 4, 7, 100, 0, 6, 5];
    // st.trim_mean(base[:n], 0.25) for n = 3, 5, 7, 9, 11 (cuts floor(n/4) from each end)
    const expected: Record<number, number> = { 3: 4.666666666666667, 5: 5.0, 7: 5.2, 9: 5.2, 11: 5.285714285714286 };
    for (const n of [3, 5, 7, 9, 11]) close(trimMean(base.slice(0, n), 0.25), expected[n], 1e-15, `n=${n}`);
    assert.equal(iqm([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 5.5); // middle 6 of 10
    assert.equal(iqm([1, 2, 3, 100]), 2.5);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('rejects empty input and NaN with a message naming the problem', () => {
    assert.throws(() => mean([]), /x is empty/);
    assert.throws(() => mean([1, NaN]), /x\[1\] must be a finite number, got NaN/);
    assert.throws(() => sd([1]), /at least 2/);
    assert.throws(() => trimMean([1, 2], 0.5), /proportion/);
    assert.throws(() => pairedDifferences([1, 2], [1]), /same length.*2 and 1/);
  });
});

describe('statistics: t intervals and tests', () => {
  // scipy 1.10's t.ppf (cdflib) is accurate only to ~1e-11 relative
  // (t.ppf(0.975, 9) = 2.2621571627409915, true 2.2621571627982053; t.ppf(0.975, 1) =
  // 12.706204736432095, true tan(0.475π) = 12.706204736174696). Interval ends are
  // therefore checked against scipy's own intervals to 1e-9 of the half-width and
  // against "accurate" references (reference.py: t.ppf replaced by brentq on
  // scipy's t.cdf) to 1e-12. p-values use the t CDF and agree to ~1e-14 relative.
  it('tQuantile is accurate (df = 1 closed form; inverts tCdf)', () => {
    close(tQuantile(0.975, 1), Math.tan(0.475 * Math.PI), 1e-14, 'df=1');
    for (const [p, df] of [[0.975, 9], [0.95, 4], [0.005, 29], [0.6, 2.5]] as const) {
      close(tCdf(tQuantile(p, df), df), p, 1e-14, `p=${p} df=${df}`);
    }
    close(tQuantile(0.975, 9), 2.2621571627982053, 1e-15, 'accurate');
    close(tQuantile(0.975, 9), 2.2621571627409915, 1e-10, 'vs scipy 1.10 t.ppf');
  });

  it('one-sample t-test and interval match scipy.stats.ttest_1samp', () => {
    const r = oneSampleTTest(A);
    rel(r.t, 1532.8377070053255, 1e-13, 't');
    rel(r.pValue, 1.0899296029441318e-25, 1e-12, 'p');
    const half = (r.ci.upper - r.ci.lower) / 2;
    close(r.ci.lower, 0.9668909563290266, 1e-9 * half, 'lower vs scipy');
    close(r.ci.upper, 0.9697490436709734, 1e-9 * half, 'upper vs scipy');
    close(r.ci.lower, 0.9668909563289904, 1e-14, 'lower accurate');
    close(r.ci.upper, 0.9697490436710096, 1e-14, 'upper accurate');
    const ci90 = tInterval(A, 0.9);
    close(ci90.lower, 0.9671619909643173, 1e-9 * half, 'lower 90 vs scipy');
    close(ci90.lower, 0.9671619909643158, 1e-14, 'lower 90 accurate');
    close(ci90.upper, 0.9694780090356842, 1e-14, 'upper 90 accurate');
    const big = oneSampleTTest([10.1, 10.3, 9.9, 10.2, 10.0, 10.4, 9.8, 10.1]);
    rel(big.t, 142.83556979968264, 1e-13, 't big');
    rel(big.pValue, 2.1749891632892127e-13, 1e-12, 'p big');
  });

  it('paired t-test matches scipy.stats.ttest_rel', () => {
    const r = pairedTTest(A, B);
    rel(r.t, 5.316159610839114, 1e-12, 't');
    rel(r.pValue, 0.0004834278271682276, 1e-12, 'p');
    assert.equal(r.df, 9);
    const half = (r.ci.upper - r.ci.lower) / 2;
    close(r.ci.lower, 0.0009363947576461547, 1e-9 * half, 'lower vs scipy');
    close(r.ci.upper, 0.002323605242353864, 1e-9 * half, 'upper vs scipy');
    rel(r.ci.lower, 0.0009363947576286123, 1e-12, 'lower accurate');
    rel(r.ci.upper, 0.0023236052423714062, 1e-12, 'upper accurate');
  });

  it("Welch's test matches scipy.stats.ttest_ind(equal_var=False); interval from t.ppf at Welch df", () => {
    const r = welchTTest(A, C);
    rel(r.t, 1.6427057481812999, 1e-13, 't');
    rel(r.pValue, 0.15021672502567585, 1e-12, 'p');
    rel(r.df, 6.1660744155671585, 1e-13, 'df');
    const half = (r.ci.upper - r.ci.lower) / 2;
    close(r.ci.lower, -0.004266913927117595, 1e-9 * half, 'lower vs scipy');
    close(r.ci.upper, 0.022049771069974917, 1e-9 * half, 'upper vs scipy');
    rel(r.ci.lower, -0.004266913937081469, 1e-12, 'lower accurate');
    rel(r.ci.upper, 0.02204977107993879, 1e-12, 'upper accurate');
  });

  it('degenerate samples collapse instead of producing NaN', () => {
    const same = oneSampleTTest([0.5, 0.5, 0.5], 0.5);
    assert.deepEqual([same.t, same.pValue, same.ci.lower, same.ci.upper], [0, 1, 0.5, 0.5]);
    const shift = pairedTTest([2, 3, 4], [1, 2, 3]);
    assert.deepEqual([shift.t, shift.pValue, shift.ci.lower, shift.ci.upper], [Infinity, 0, 1, 1]);
    assert.throws(() => pairedTTest([1], [2]), /at least 2/);
  });
});

describe('statistics: Wilcoxon signed-rank', () => {
  it('exact distribution for n = 10 without ties or zeros (scipy.stats.wilcoxon(A, B))', () => {
    const r = wilcoxonSignedRank(pairedDifferences(A, B));
    assert.equal(r.method, 'exact');
    assert.equal(r.statistic, 1);
    // only one negative difference, with rank 1: p = 2·P(R− ≤ 1) = 2·2/1024 (also scipy's value)
    assert.equal(r.pValue, 0.00390625);
  });

  it('null distribution by hand for n = 3 and centre rule', () => {
    assert.deepEqual(Array.from(wilcoxonNullDistribution(3)).map((p) => p * 8), [1, 1, 1, 2, 1, 1, 1]);
    assert.equal(wilcoxonSignedRank([1, -2, 3, -4]).pValue, 0.875); // R+ = 4: 2·P(R+ ≤ 4) = 2·7/16
    assert.equal(wilcoxonSignedRank([1, -2, -3, 4]).pValue, 1); // R+ = 5 = floor(10/2): the centre
    assert.equal(wilcoxonSignedRank([-1, 2, 3]).pValue, 0.5); // R+ = 5: 2·P(R+ ≥ 5) = 2·2/8
  });

  it('zeros and ties use the normal approximation with tie correction (scipy auto)', () => {
    const d = [0.0, 1.5, -0.5, 2.0, 1.5, 0.0, 3.0, -2.0, 2.5, 1.0, 4.0, 0.5];
    const r = wilcoxonSignedRank(d);
    assert.equal(r.method, 'approx');
    assert.equal(r.zeros, 2);
    assert.equal(r.statistic, 8);
    rel(r.pValue, 0.046425133303521854, 1e-12, 'p');
    // ties without zeros: approximation here; scipy.stats.wilcoxon(d, method='approx') gives the same.
    // (scipy 1.10's 'auto' would use the exact table with the rank sum truncated: 0.048828125.)
    const t = wilcoxonSignedRank(d.filter((v) => v !== 0));
    assert.equal(t.method, 'approx');
    assert.ok(t.ties);
    rel(t.pValue, 0.046425133303521854, 1e-12, 'p ties');
  });

  it('large n (60) uses the normal approximation; continuity correction optional', () => {
    // numpy default_rng(20240611).normal(0.3, 1, 60) rounded to 2 decimals (ties present)
    const d = [0.09, -0.22, 0.45, -1.49, 0.58, -0.02, -0.43, 0.4, -1.65, 0.14, -0.43, 0.71, 0.74, -0.63, -0.63, -1.17, -0.49, 0.62, 1.16, 0.53, 0.33, -0.57, 0.5, -0.52, 0.54, 0.1, 1.16, 0.5, 1.67, -0.11, 1.06, 0.53, 2.0, -1.66, 1.17, -0.72, -0.57, 0.28, -1.21, -0.89, -0.21, -0.02, -1.6, -0.57, 0.15, 0.17, -0.36, 0.3, -0.21, 1.47, -0.51, 0.36, -0.19, 1.15, -0.67, 1.18, -0.9, -1.07, -0.25, 0.39];
    const r = wilcoxonSignedRank(d);
    assert.equal(r.method, 'approx');
    assert.equal(r.statistic, 911);
    rel(r.pValue, 0.9765075232645231, 1e-12, 'p');
    rel(wilcoxonSignedRank(d, { correction: true }).pValue, 0.979443386610104, 1e-12, 'p corrected');
  });

  it('all-zero differences give p = 1 (scipy raises); average ranks as rankdata', () => {
    const r = wilcoxonSignedRank([0, 0, 0]);
    assert.deepEqual([r.pValue, r.method, r.zeros], [1, 'all-zero', 3]);
    assert.deepEqual(averageRanks([10, 20, 10, 5]), [2.5, 4, 2.5, 1]);
    assert.throws(() => wilcoxonSignedRank([1, NaN]), /d\[1\]/);
  });
});

describe('statistics: sign-flip permutation test', () => {
  it('exact p by hand', () => {
    // sums ±1±2±3: 6, 4, 2, 0, 0, −2, −4, −6 → two of eight reach |6|
    assert.equal(signFlipTest([1, 2, 3]).pValue, 0.25);
    assert.equal(signFlipTest([2, 1]).pValue, 0.5);
    assert.equal(signFlipTest([1, -1]).pValue, 1);
    assert.equal(signFlipTest([0.1, 0.2, 0.3]).pValue, 0.25); // 0.1 + 0.2 − 0.3 ≠ 0 in floats: ties kept
  });

  it('Monte Carlo uses (count + 1)/(N + 1), is seeded, and agrees with the exact p', () => {
    const allPositive = Array.from({ length: 20 }, (_, i) => 1 + i / 10);
    const mc = signFlipTest(allPositive, { permutations: 999 });
    assert.equal(mc.method, 'monte-carlo');
    assert.equal(mc.pValue, (mc.count + 1) / 1000);
    assert.equal(mc.count, 0);
    const rng = new Rng(5);
    const d = Array.from({ length: 14 }, () => rng.normal() + 0.4);
    const exact = signFlipTest(d);
    const mc1 = signFlipTest(d, { exactMaxN: 10, permutations: 20000, seed: 1 });
    const mc1b = signFlipTest(d, { exactMaxN: 10, permutations: 20000, seed: 1 });
    assert.equal(exact.method, 'exact');
    assert.equal(mc1.pValue, mc1b.pValue);
    const se = Math.sqrt((exact.pValue * (1 - exact.pValue)) / 20000);
    assert.ok(Math.abs(mc1.pValue - exact.pValue) < 4 * se + 1e-4, `${mc1.pValue} vs ${exact.pValue}`);
  });
});

describe('statistics: effect sizes and Holm', () => {
  it('paired win rate and all-pairs probability of improvement by hand', () => {
    assert.equal(pairedWinRate([1, 2, 3], [1, 1, 4]), (0.5 + 1 + 0) / 3);
    assert.equal(pairedWinRate([1, 2, 3], [1, 1, 4], 'lower-is-better'), (0.5 + 0 + 1) / 3);
    assert.equal(probabilityOfImprovement([1, 2, 3], [1, 1, 4]), 5 / 9);
    assert.equal(probabilityOfImprovement([1, 2, 3], [1, 1, 4], 'lower-is-better'), 4 / 9);
    assert.throws(() => pairedWinRate([1, 2], [1]), /same length/);
  });

  it("Cohen's d_z", () => {
    assert.equal(cohensDz([1, 2, 3]), 2);
    assert.equal(cohensDz([-1, -1]), -Infinity);
  });

  it('Holm adjustment in the original order, monotone and capped', () => {
    const h = holmAdjust([0.01, 0.04, 0.03]);
    [0.03, 0.06, 0.06].forEach((e, i) => close(h[i], e, 1e-15, `h[${i}]`));
    assert.deepEqual(holmAdjust([0.5, 0.4, 0.01]), [0.8, 0.8, 0.03]);
    assert.deepEqual(holmAdjust([0.6, 0.7]), [1, 1]);
    assert.throws(() => holmAdjust([0.1, NaN]), /pValues\[1\]/);
  });
});

describe('statistics: power and minimum detectable effect', () => {
  it('noncentral t power matches scipy.stats.nct (sf + cdf at ±t_{0.975, df})', () => {
    // [ncp, df, power with scipy's t.ppf, power with the accurate quantile]; the ~2e-11
    // differences in the first column come from scipy 1.10's t.ppf (see above)
    const cases: [number, number, number, number][] = [
      [3.0, 9, 0.7611566204426634, 0.7611566204263243],
      [1.0, 1, 0.07298889446820225, 0.07298889446967001],
      [8.0, 1, 0.4697816702935785, 0.4697816703018584],
      [2.5, 29, 0.676026306869352, 0.676026306869351],
      [0.5, 4, 0.0678555901001521, 0.06785559010015244],
    ];
    for (const [ncp, df, p, pAccurate] of cases) {
      close(tTestPower(ncp, df), p, 1e-9, `ncp=${ncp} df=${df}`);
      close(tTestPower(ncp, df), pAccurate, 1e-13, `ncp=${ncp} df=${df} accurate`);
    }
    close(tTestPower(0, 7), 0.05, 1e-12, 'size');
  });

  it('paired MDE matches brentq on the scipy power; power at the MDE is 0.8', () => {
    // [n, MDE with scipy's t.ppf, MDE with the accurate quantile] for sd = 1
    const cases: [number, number, number][] = [
      [2, 11.549888436114847, 11.54988843588235],
      [5, 1.6819969659555574, 1.6819969659555547],
      [10, 0.9960013714362282, 0.9960013714554438],
      [30, 0.5292356151129528, 0.5292356151129531],
    ];
    for (const [n, mde, mdeAccurate] of cases) {
      rel(pairedMde(1, n), mde, 1e-9, `n=${n}`);
      rel(pairedMde(1, n), mdeAccurate, 1e-12, `n=${n} accurate`);
    }
    rel(pairedMde(0.004, 10), 0.004 * 0.9960013714554438, 1e-11, 'scales with sd');
    close(pairedTTestPower(pairedMde(2, 6), 2, 6), 0.8, 1e-10, 'power at mde');
    // the normal approximation (z.975 + z.8)/√n understates it at small n
    assert.ok(pairedMde(1, 5) > (normalQuantile(0.975) + normalQuantile(0.8)) / Math.sqrt(5));
    assert.ok(noncentralityForPower(1e6) < 2.81);
  });

  it('Welch power and MDE reduce to the paired machinery with the Welch scale', () => {
    const m = welchMde(1, 10, 2, 8);
    close(welchPower(m, 1, 10, 2, 8), 0.8, 1e-10, 'power at mde');
    assert.throws(() => pairedMde(1, 1), /n must be an integer >= 2/);
  });
});

describe('statistics: BCa bootstrap', () => {
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 20];
  it('interval from fixed replicates matches scipy 1.10 _bca_interval + np.percentile', () => {
    // bootstrap means of x (numpy default_rng resamples, rounded to 3 decimals)
    const reps = [5.1, 6.6, 8.1, 7.3, 5.1, 4.1, 5.6, 4.6, 4.6, 4.7, 5.2, 5.2, 5.4, 3.4, 5.6, 6.1, 10.7, 5.4, 6.6, 7.1, 5.7, 5.0, 5.7, 5.1, 5.7, 6.7, 5.5, 4.4, 6.7, 6.5, 4.9, 6.1, 7.0, 6.3, 4.1, 7.1, 5.7, 6.3, 5.2, 7.8];
    const r = bcaFromReplicates([x], meanOf, reps, 0.95);
    close(r.levels.lower, 0.24497857387587607, 1e-13, 'alpha1');
    close(r.levels.upper, 0.9999167492614267, 1e-13, 'alpha2');
    close(r.acceleration, 0.08464640912206184, 1e-14, 'a');
    close(r.lower, 5.1, 1e-13, 'lower');
    close(r.upper, 10.691558375108663, 1e-12, 'upper');
  });

  it('two-sample interval from fixed replicates matches scipy (90%)', () => {
    const y = [2.0, 4.0, 3.5, 7.0, 1.0];
    const reps = [-0.1, 1.7, 5.8, 5.4, 4.2, -0.2, 0.7, 0.4, 4.8, 4.7, 4.6, 3.5, 1.7, 0.5, 3.1, 2.7, 4.2, 5.8, 2.4, 3.9, 2.7, 0.4, 3.1, 4.9, 1.0, 3.7, 7.2, 2.2, 2.7, 2.4];
    const r = bcaFromReplicates([x, y], (s) => mean(s[0]) - mean(s[1]), reps, 0.9);
    close(r.levels.lower, 0.0645213112687943, 1e-13, 'alpha1');
    close(r.levels.upper, 0.9636730252779108, 1e-13, 'alpha2');
    close(r.acceleration, 0.05085328180862429, 1e-14, 'a');
    close(r.lower, 0.3355590133975175, 1e-12, 'lower');
    close(r.upper, 5.8, 1e-13, 'upper');
    assert.equal(jackknifeAcceleration([[1, 2, 3, 4]], meanOf), 0); // symmetric data
  });

  it('percentileLinear as np.percentile', () => {
    assert.equal(percentileLinear([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(percentileLinear([1, 2, 3, 4], 1), 4);
    close(percentileLinear([0, 10], 0.3), 3, 1e-15);
  });

  it('full seeded bootstrap: reproducible, close to scipy.stats.bootstrap(method="BCa", 200k resamples)', () => {
    const d = pairedDifferences(A, B);
    const r1 = bcaInterval(d, { resamples: 20000, seed: 3 });
    assert.deepEqual(bcaInterval(d, { resamples: 20000, seed: 3 }), r1);
    assert.notDeepEqual(bcaInterval(d, { resamples: 20000, seed: 4 }), r1);
    close(r1.lower, 0.0009953134242123522, 3e-5, 'd lower');
    close(r1.upper, 0.002140000000000042, 3e-5, 'd upper');
    const rx = bcaInterval(x, { resamples: 20000, seed: 3 });
    close(rx.lower, 4.2, 0.2 / 4.2, 'x lower'); // the plain percentile interval is [3.8, 10.0]
    close(rx.upper, 11.3, 0.2 / 11.3, 'x upper');
    const two = bcaIntervalTwoSample(x, [2, 4, 3.5, 7, 1], { resamples: 2000 });
    assert.ok(two.lower < two.estimate && two.estimate < two.upper);
  });

  it('all-equal values give a zero-width interval, not NaN', () => {
    const r = bcaInterval([0.7, 0.7, 0.7, 0.7, 0.7], { resamples: 500 });
    close(r.lower, 0.7, 1e-15);
    close(r.upper, 0.7, 1e-15);
    assert.equal(ciExcludesZero(r), true);
    assert.equal(ciExcludesZero({ lower: -1, upper: 2 }), false);
  });

  it('coverage of the 95% BCa interval for normal samples of 10 is near nominal', () => {
    const rng = new Rng(11);
    let covered = 0;
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const s = Array.from({ length: 10 }, () => rng.normal());
      const ci = bcaInterval(s, { resamples: 1000, seed: t });
      if (ci.lower <= 0 && 0 <= ci.upper) covered++;
    }
    // BCa under-covers a little at n = 10 (about 0.92); 300 trials: sd ≈ 0.016
    assert.ok(covered / trials > 0.86 && covered / trials < 0.99, `coverage ${covered / trials}`);
  });

  it('bootstrapReplicates validates its inputs', () => {
    assert.throws(() => bootstrapReplicates([[1, 2]], meanOf, 0), /resamples must be an integer >= 1/);
    assert.throws(() => bcaFromReplicates([[1, 2]], meanOf, [1, NaN]), /replicates\[1\]/);
  });
});

describe('statistics: summarize and compareMethods', () => {
  const runs = (xs: readonly number[], seeds?: number[]): SeedValue[] => xs.map((value, i) => ({ seed: seeds ? seeds[i] : i, value }));

  it('summarize reports every field; n = 1 gives nulls', () => {
    const s = summarize(A, { resamples: 2000 });
    close(s.mean, 0.96832, 1e-15);
    close(s.sd as number, 0.0019976653039652857, 1e-15);
    close(s.iqm, 0.9684, 1e-15);
    assert.equal(s.min, 0.9651);
    assert.equal(s.max, 0.9715);
    close(s.tCI!.lower, 0.9668909563289904, 1e-14);
    assert.ok(s.bcaCI!.lower < s.mean && s.mean < s.bcaCI!.upper);
    const one = summarize([0.5]);
    assert.deepEqual([one.n, one.sd, one.tCI, one.bcaCI], [1, null, null, null]);
  });

  it('paired design: same numbers as the individual functions, order of runs irrelevant, JSON-safe', () => {
    const c = compareMethods(runs(A), runs(B), { resamples: 2000, seed: 1 });
    assert.equal(c.design, 'paired');
    assert.equal(c.warning, null);
    assert.equal(c.n, 10);
    rel(c.pT, 0.0004834278271682276, 1e-12, 'pT');
    assert.equal(c.pWilcoxon, 0.00390625);
    assert.equal(c.pPermutation, signFlipTest(pairedDifferences(A, B)).pValue);
    assert.equal(c.permutationMethod, 'exact');
    close(c.dz as number, cohensDz(pairedDifferences(A, B)), 1e-15);
    assert.equal(c.winRate, 0.9);
    assert.equal(c.probImprovementAllPairs, probabilityOfImprovement(A, B));
    rel(c.mde, 0.9960013714554438 * (c.sdDiff as number), 1e-11, 'mde');
    assert.equal(c.favours, 'a');
    assert.ok(c.bcaCI.lower > 0);
    const shuffled = compareMethods(runs(A).reverse(), runs(B), { resamples: 2000, seed: 1 });
    assert.deepEqual(shuffled, c);
    assert.deepEqual(JSON.parse(JSON.stringify(c)), c);
  });

  it('identical methods give no evidence and no NaN', () => {
    const c = compareMethods(runs(A), runs(A), { resamples: 200 });
    assert.deepEqual(
      [c.meanDiff, c.tCI, c.bcaCI, c.pT, c.pWilcoxon, c.wilcoxonMethod, c.pPermutation, c.dz, c.winRate, c.mde, c.favours],
      [0, { lower: 0, upper: 0 }, { lower: 0, upper: 0 }, 1, 1, 'all-zero', 1, 0, 0.5, 0, 'neither'],
    );
  });

  it('lower-is-better flips win rates and the favoured method, not the differences', () => {
    const c = compareMethods(runs(A), runs(B), { resamples: 200, direction: 'lower-is-better' });
    assert.equal(c.winRate, 0.1);
    assert.equal(c.favours, 'b');
    assert.ok(c.meanDiff > 0);
  });

  it('unmatched seeds fall back to Welch and name the seeds', () => {
    const c = compareMethods(runs(A), runs(C, [0, 1, 2, 3, 4, 5, 42]), { resamples: 500 });
    assert.equal(c.design, 'unpaired-welch');
    assert.match(c.warning as string, /only in A: \[6, 7, 8, 9\]; only in B: \[42\]/);
    rel(c.pT, 0.15021672502567585, 1e-12, 'Welch p');
    rel(c.df, 6.1660744155671585, 1e-13, 'Welch df');
    assert.deepEqual([c.pWilcoxon, c.pPermutation, c.dz, c.winRate, c.sdDiff], [null, null, null, null, null]);
    assert.ok(c.mde > 0);
  });

  it('rejects duplicate seeds, non-integer seeds, NaN values and too few runs', () => {
    assert.throws(() => compareMethods([{ seed: 1, value: 1 }, { seed: 1, value: 2 }], runs(B)), /a has seed 1 more than once/);
    assert.throws(() => compareMethods(runs(A), [{ seed: 0.5, value: 1 }, { seed: 2, value: 1 }]), /b\[0\]\.seed must be an integer/);
    assert.throws(() => compareMethods(runs(A), runs([1, NaN])), /b\[1\]\.value must be a finite number, got NaN \(seed 1\)/);
    assert.throws(() => compareMethods(runs([1]), runs([1])), /a needs at least 2 runs/);
  });
});
