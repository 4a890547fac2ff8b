"""Reference values for test/statistics/statistics.test.ts.

Run with Debian's Python: /usr/bin/python3 test/statistics/reference.py
(scipy 1.10.1, numpy 1.24.2). Prints the numbers committed in the tests.
"""
import numpy as np
import scipy
import scipy.stats as st
from scipy.optimize import brentq
from scipy.stats._resampling import _bca_interval

import warnings
warnings.simplefilter("ignore")
print("scipy", scipy.__version__, "numpy", np.__version__)

A = [0.9673, 0.9693, 0.9651, 0.9702, 0.9688, 0.9660, 0.9715, 0.9670, 0.9681, 0.9699]
B = [0.9641, 0.9680, 0.9655, 0.9679, 0.9662, 0.9648, 0.9701, 0.9652, 0.9668, 0.9683]
d = np.array(A) - np.array(B)
print("d", list(d), "abs unique", len(set(np.abs(d))) == len(d))

def show(name, value):
    print(name, repr(value))

# descriptive
show("mean A", np.mean(A)); show("sd A", np.std(A, ddof=1)); show("sem A", st.sem(A))
show("median A", np.median(A)); show("trim_mean A .25", st.trim_mean(A, 0.25))
for n in (3, 5, 7, 9, 11):
    x = [float(v) for v in [3, 1, 10, 2, 50, 4, 7, 100, 0, 6, 5][:n]]
    show(f"trim_mean first{n}", st.trim_mean(x, 0.25))

# t intervals and tests
r = st.ttest_1samp(A, 0.0); ci = r.confidence_interval(0.95)
show("ttest_1samp A", (r.statistic, r.pvalue, ci.low, ci.high))
r = st.ttest_1samp(A, 0.0); ci = r.confidence_interval(0.90)
show("ttest_1samp A 90", (ci.low, ci.high))
r = st.ttest_rel(A, B); ci = r.confidence_interval(0.95)
show("ttest_rel A B", (r.statistic, r.pvalue, r.df, ci.low, ci.high))
# tiny p-value case
big = [10.1, 10.3, 9.9, 10.2, 10.0, 10.4, 9.8, 10.1]
r = st.ttest_1samp(big, 0.0)
show("ttest_1samp big", (r.statistic, r.pvalue))
C = [0.951, 0.972, 0.940, 0.965, 0.958, 0.981, 0.949]
r = st.ttest_ind(A, C, equal_var=False)
va, vc = np.var(A, ddof=1) / len(A), np.var(C, ddof=1) / len(C)
dfw = (va + vc) ** 2 / (va ** 2 / (len(A) - 1) + vc ** 2 / (len(C) - 1))
half = st.t.ppf(0.975, dfw) * np.sqrt(va + vc)
diff = np.mean(A) - np.mean(C)
show("welch A C", (r.statistic, r.pvalue, dfw, diff - half, diff + half))

# Wilcoxon
r = st.wilcoxon(A, B)  # n=10, no zeros/ties: exact
show("wilcoxon A B exact", (r.statistic, r.pvalue))
dz = [0.0, 1.5, -0.5, 2.0, 1.5, 0.0, 3.0, -2.0, 2.5, 1.0, 4.0, 0.5]
r = st.wilcoxon(dz)  # zeros -> normal approximation (with tie correction)
show("wilcoxon zeros ties auto", (r.statistic, r.pvalue))
dt = [1.5, -0.5, 2.0, 1.5, 3.0, -2.0, 2.5, 1.0, 4.0, 0.5]
r = st.wilcoxon(dt, method="approx")
show("wilcoxon ties approx", (r.statistic, r.pvalue))
r = st.wilcoxon(dt)
show("wilcoxon ties auto (scipy 1.10 exact with truncated rank sum)", (r.statistic, r.pvalue))
rng = np.random.default_rng(20240611)
dl = np.round(rng.normal(0.3, 1.0, 60), 2)
show("large d", [float(v) for v in dl])
r = st.wilcoxon(dl)
show("wilcoxon large auto", (r.statistic, r.pvalue))
r = st.wilcoxon(dl, correction=True)
show("wilcoxon large correction", (r.statistic, r.pvalue))

# noncentral t power and MDE
def power(ncp, df, alpha=0.05):
    c = st.t.ppf(1 - alpha / 2, df)
    return st.nct.sf(c, df, ncp) + st.nct.cdf(-c, df, ncp)
for ncp, df in ((3.0, 9), (1.0, 1), (8.0, 1), (2.5, 29), (0.5, 4)):
    show(f"power ncp={ncp} df={df}", power(ncp, df))
for n in (2, 5, 10, 30):
    ncp = brentq(lambda l: power(l, n - 1) - 0.8, 0.0, 100.0, xtol=1e-14, rtol=1e-14)
    show(f"mde n={n} sd=1", ncp / np.sqrt(n))

# BCa from fixed replicates (scipy's own _bca_interval + np.percentile)
x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 20.0])
reps = np.round(np.mean(rng.choice(x, size=(40, x.size)), axis=1), 3)
show("bca reps", [float(v) for v in reps])
a1, a2, ahat = _bca_interval((x,), lambda s, axis: np.mean(s, axis=axis), -1, 0.025, reps, None)
show("bca fixed", (float(a1), float(a2), float(ahat), np.percentile(reps, a1 * 100), np.percentile(reps, a2 * 100)))
y = np.array([2.0, 4.0, 3.5, 7.0, 1.0])
reps2 = np.round(np.mean(rng.choice(x, size=(30, x.size)), axis=1) - np.mean(rng.choice(y, size=(30, y.size)), axis=1), 3)
show("bca2 reps", [float(v) for v in reps2])
a1, a2, ahat = _bca_interval((x, y), lambda s, t, axis: np.mean(s, axis=axis) - np.mean(t, axis=axis), -1, 0.05, reps2, None)
show("bca2 fixed 90%", (float(a1), float(a2), float(ahat), np.percentile(reps2, a1 * 100), np.percentile(reps2, a2 * 100)))
r = st.bootstrap((x,), np.mean, n_resamples=200000, method="BCa", random_state=1)
show("bootstrap BCa x (200k resamples)", (r.confidence_interval.low, r.confidence_interval.high))
r = st.bootstrap((d,), np.mean, n_resamples=200000, method="BCa", random_state=1)
show("bootstrap BCa d (200k resamples)", (r.confidence_interval.low, r.confidence_interval.high))

# scipy 1.10's t.ppf (cdflib) is accurate only to ~1e-11 relative; the same
# quantities with the quantile found by root-finding on t.cdf (cephes stdtr):
def ppf(p, df):
    return brentq(lambda x: st.t.cdf(x, df) - p, -1e3, 1e3, xtol=1e-15, rtol=8.9e-16)
print("accurate t quantiles", repr(ppf(0.975, 9)), repr(ppf(0.975, 1)), repr(ppf(0.975, dfw)))
def tci(x, conf):
    x = np.asarray(x); m = x.mean(); se = x.std(ddof=1) / np.sqrt(x.size)
    h = ppf(1 - (1 - conf) / 2, x.size - 1) * se
    return (m - h, m + h)
show("accurate ci A 95", tci(A, 0.95)); show("accurate ci A 90", tci(A, 0.90)); show("accurate ci d 95", tci(d, 0.95))
show("accurate welch ci", (diff - ppf(0.975, dfw) * np.sqrt(va + vc), diff + ppf(0.975, dfw) * np.sqrt(va + vc)))
def power2(ncp, df, alpha=0.05):
    c = ppf(1 - alpha / 2, df)
    return st.nct.sf(c, df, ncp) + st.nct.cdf(-c, df, ncp)
for ncp, df_ in ((3.0, 9), (1.0, 1), (8.0, 1), (2.5, 29), (0.5, 4)):
    show(f"accurate power ncp={ncp} df={df_}", power2(ncp, df_))
for n in (2, 5, 10, 30):
    ncp = brentq(lambda l: power2(l, n - 1) - 0.8, 0.0, 100.0, xtol=1e-14, rtol=1e-14)
    show(f"accurate mde n={n} sd=1", ncp / np.sqrt(n))
