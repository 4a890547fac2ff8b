/**
 * The claims of the study as the reports use them: the study's figures and claim
 * list (`src/seed-study`), their evaluation (`src/analysis/claims`), the one verdict
 * rule (`src/analysis/verdict`) and their words (`src/views/claims`), gathered here.
 */
export { SEED_FIGURES } from '../seed-study/figures';
export { seedClaims, EQUIVALENCE_MARGINS } from '../seed-study/claims';
export type { ClaimSpec, PairedClaimSpec, GapChangeClaimSpec, EqualParamsClaimSpec, ClaimMetric } from '../seed-study/claims';
export { evaluateClaims, chooseSetting, checkEqualParams, armValues } from '../analysis/claims';
export type { ClaimResult, CheckedFact, ClaimsByProtocol, ArmValues, MissingRuns, EvaluateClaimsArgs } from '../analysis/claims';
export { DEFAULT_RULE, judgeClaim, judgeDifference, tostP, VERDICT_CODES } from '../analysis/verdict';
export type { VerdictRule, VerdictCode, ClaimTest, ClaimVerdict, DifferenceVerdict, DifferenceEvidence } from '../analysis/verdict';
export { describeRule, claimReason, caveatText, verdictTally } from '../views/claims';
