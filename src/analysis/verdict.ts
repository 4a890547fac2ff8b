/**
 * The verdict vocabulary: one rule that turns an estimate with its interval into a
 * code, used by every table that draws a conclusion (claims, bit sweep, protocols).
 * Pure functions: numbers in, codes and numbers out; the words live in the views.
 *
 * The rule, for a difference A − B with a 95% t interval, n pairs and an equivalence
 * margin δ (the smallest difference that matters):
 * 1. n below `minN`: `inconclusive` (`too-few-runs`).
 * 2. The 90% interval inside ±δ (two one-sided tests, TOST, at level α): `equivalent`.
 * 3. The 95% interval excludes 0 and the (Holm-adjusted) p < α: the direction is shown.
 * 4. Otherwise the direction is not shown: `inconclusive`, with the MDE.
 * A claim adds its own direction and, where the study states one, its size:
 * shown against the claim → `contradicted`; shown with the claim and the study's size
 * inside the interval → `supported`, outside → `not-reproduced` (`smaller` or `larger`);
 * not shown, but the study's size lies beyond the interval → `not-reproduced` (`smaller`,
 * direction not shown).
 */
import { tCdf } from '../statistics';
import type { Interval } from '../statistics';

/** Parameters of the one verdict rule. */
export interface VerdictRule {
  /** Level of the tests (two-sided), of Holm's correction and of each TOST side. Default 0.05. */
  alpha: number;
  /** Fewest pairs (or runs per arm) for any verdict but `inconclusive`. Default 5. */
  minN: number;
}

/** The default rule: α = 0.05, n ≥ 5, everywhere. */
export const DEFAULT_RULE: Readonly<VerdictRule> = Object.freeze({ alpha: 0.05, minN: 5 });

/** What a difference A − B shows, before any claim is read into it. */
export type DifferenceCode = 'a-higher' | 'b-higher' | 'equivalent' | 'inconclusive' | 'too-few-runs';

/** The estimate of a difference and what the rule needs of it. */
export interface DifferenceEvidence {
  /** Point estimate of A − B (on the scale of the test: a difference or a mean log-ratio). */
  estimate: number;
  /** 95% t interval of the estimate. */
  ci: Interval;
  /** Standard error of the estimate. */
  se: number;
  /** Degrees of freedom of the t interval. */
  df: number;
  /** Pairs (or runs per arm when unpaired: the smaller). */
  n: number;
  /** p-value that decides the direction: Holm-adjusted within its family, or raw when alone. */
  p: number;
}

/** The rule applied to one difference. */
export interface DifferenceVerdict {
  /** What the difference shows. */
  code: DifferenceCode;
  /** p of the two one-sided tests against ±margin (the larger of the two), or null when se is not finite. */
  pEquivalence: number | null;
  /** The equivalence margin used (on the estimate's scale). */
  margin: number;
}

function checkEvidence(e: DifferenceEvidence): void {
  if (![e.estimate, e.ci.lower, e.ci.upper].every(Number.isFinite) || e.ci.lower > e.ci.upper) {
    throw new Error(`verdict evidence must have a finite estimate and an interval with lower <= upper, got ${e.estimate} [${e.ci.lower}, ${e.ci.upper}]`);
  }
  if (!(e.se >= 0) || !(e.df > 0) || !Number.isInteger(e.n) || e.n < 0) {
    throw new Error(`verdict evidence needs se >= 0, df > 0 and an integer n >= 0, got se ${e.se}, df ${e.df}, n ${e.n}`);
  }
}

/**
 * p of the two one-sided t tests (TOST) of |A − B| < margin: the larger of
 * P(T ≥ (est + margin)/se) and P(T ≤ (est − margin)/se). With se = 0 the estimate is
 * exact: 0 inside the margin, 1 outside.
 */
export function tostP(estimate: number, se: number, df: number, margin: number): number {
  if (!(margin > 0)) throw new Error(`equivalence margin must be > 0, got ${margin}`);
  if (se === 0) return Math.abs(estimate) < margin ? 0 : 1;
  const pLower = 1 - tCdf((estimate + margin) / se, df);
  const pUpper = tCdf((estimate - margin) / se, df);
  return Math.max(pLower, pUpper);
}

/** Applies the rule's steps 1–4 to a difference A − B. */
export function judgeDifference(e: DifferenceEvidence, margin: number, rule: VerdictRule = DEFAULT_RULE): DifferenceVerdict {
  checkEvidence(e);
  const pEquivalence = tostP(e.estimate, e.se, e.df, margin);
  if (e.n < rule.minN) return { code: 'too-few-runs', pEquivalence, margin };
  if (pEquivalence < rule.alpha) return { code: 'equivalent', pEquivalence, margin };
  if (e.p < rule.alpha && e.ci.lower > 0) return { code: 'a-higher', pEquivalence, margin };
  if (e.p < rule.alpha && e.ci.upper < 0) return { code: 'b-higher', pEquivalence, margin };
  return { code: 'inconclusive', pEquivalence, margin };
}

/** The verdict on a claim of the study. */
export type VerdictCode = 'supported' | 'not-reproduced' | 'contradicted' | 'equivalent' | 'inconclusive' | 'awaiting-runs' | 'not-in-plan';

/** Every verdict code, in the order the tables tally them. */
export const VERDICT_CODES: readonly VerdictCode[] = ['supported', 'not-reproduced', 'contradicted', 'equivalent', 'inconclusive', 'awaiting-runs', 'not-in-plan'];

/** What a claim asserts about A − B. */
export interface ClaimTest {
  /** Sign of the claimed effect on the estimate's scale: +1 or −1. */
  sign: 1 | -1;
  /** The study's own size of the effect, with its sign, or null when it states only a direction. */
  claimedSize: number | null;
  /** Equivalence margin δ > 0 on the estimate's scale. */
  margin: number;
}

/** The verdict on one claim, as codes and numbers. */
export interface ClaimVerdict {
  /** The verdict. */
  code: VerdictCode;
  /** For `not-reproduced`: whether the measured effect is smaller or larger than the study's. */
  size: 'smaller' | 'larger' | null;
  /** Whether the data show the claimed direction, the opposite one, or neither. */
  direction: 'claimed' | 'opposite' | 'not-shown';
  /** What the difference shows on its own ({@link judgeDifference}). */
  difference: DifferenceVerdict;
}

/** Applies the rule to a claim: the difference's verdict read against the claimed direction and size. */
export function judgeClaim(test: ClaimTest, e: DifferenceEvidence, rule: VerdictRule = DEFAULT_RULE): ClaimVerdict {
  if (test.sign !== 1 && test.sign !== -1) throw new Error(`claim test sign must be +1 or -1, got ${String(test.sign)}`);
  if (test.claimedSize !== null && (!Number.isFinite(test.claimedSize) || Math.sign(test.claimedSize) !== test.sign)) {
    throw new Error(`claim test claimedSize must be finite with the claim's sign (${test.sign}), got ${String(test.claimedSize)}`);
  }
  const difference = judgeDifference(e, test.margin, rule);
  const out = (code: VerdictCode, direction: ClaimVerdict['direction'], size: ClaimVerdict['size'] = null): ClaimVerdict => ({ code, size, direction, difference });
  if (difference.code === 'too-few-runs') return out('inconclusive', 'not-shown');
  if (difference.code === 'equivalent') return out('equivalent', 'not-shown');
  // Orient so that the claimed direction is positive.
  const near = test.sign === 1 ? e.ci.lower : -e.ci.upper;
  const far = test.sign === 1 ? e.ci.upper : -e.ci.lower;
  const size = test.claimedSize === null ? null : Math.abs(test.claimedSize);
  const shown = difference.code === 'a-higher' || difference.code === 'b-higher';
  if (shown && far < 0) return out('contradicted', 'opposite');
  if (shown && near > 0) {
    if (size !== null && far < size) return out('not-reproduced', 'claimed', 'smaller');
    if (size !== null && near > size) return out('not-reproduced', 'claimed', 'larger');
    return out('supported', 'claimed');
  }
  if (size !== null && far < size) return out('not-reproduced', 'not-shown', 'smaller');
  return out('inconclusive', 'not-shown');
}
