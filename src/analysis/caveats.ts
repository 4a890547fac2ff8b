/**
 * Caveats: facts about the runs behind a verdict that a reader needs beside it
 * (an arm stuck at chance, both arms far below float, the study's own count being
 * off, a measurement that cannot show what it claims to). Codes and numbers only.
 */
import type { ClaimMetric } from '../seed-study/claims';

/** What a caveat says. */
export type CaveatCode =
  | 'arm-at-chance'
  | 'below-float'
  | 'study-count-mismatch'
  | 'study-times-training'
  | 'same-float-graph'
  | 'environment-dominates'
  | 'dead-networks'
  | 'diverged'
  | 'timed-interleaved';

/** One caveat: a code, the method it concerns (if any) and its numbers. */
export interface Caveat {
  /** What it says. */
  code: CaveatCode;
  /** Method concerned, when it is about one arm. */
  method?: string;
  /** The numbers it cites (fractions for accuracies). */
  values: Record<string, number>;
}

/** Accuracy within this margin of chance counts as "at chance": 5 percentage points. */
export const CHANCE_MARGIN = 0.05;

/** An arm whose mean is this far below float's is "far below float": 5 percentage points. */
export const BELOW_FLOAT_MARGIN = 0.05;

/** Chance accuracy of an experiment's task (1 / classes), or null for regression. */
export function chanceLevel(experiment: string): number | null {
  return experiment === 'mnist' || experiment === 'cifar10' ? 0.1 : null;
}

/** The arm-level facts a verdict needs: arms at chance, arms far below float (accuracy only). */
export function armCaveats(arms: readonly { method: string; epochs: number; n: number; mean: number; atChance: number | null }[], metric: ClaimMetric): Caveat[] {
  if (metric !== 'testAccuracy') return [];
  const out: Caveat[] = [];
  const seen = new Set<string>();
  for (const a of arms) {
    if (a.method === 'float' || a.atChance === null || a.atChance === 0) continue;
    const key = `${a.method}|${a.epochs}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const epochsDiffer = new Set(arms.map((x) => x.epochs)).size > 1;
    out.push({ code: 'arm-at-chance', method: a.method, values: epochsDiffer ? { k: a.atChance, n: a.n, epochs: a.epochs } : { k: a.atChance, n: a.n } });
  }
  const float = arms.find((a) => a.method === 'float');
  if (float !== undefined) {
    for (const a of arms) {
      if (a.method === 'float' || !(float.mean - a.mean > BELOW_FLOAT_MARGIN)) continue;
      out.push({ code: 'below-float', method: a.method, values: { mean: a.mean, float: float.mean } });
    }
  }
  return out;
}

/**
 * Whether a run diverged: its training loss at the last epoch is above the first
 * epoch's (it trained away from the data).
 */
export function lossRose(trainLossFirst: number, trainLossLast: number): boolean {
  return trainLossLast > trainLossFirst;
}
