/**
 * The answer to the study in numbers, for the first screen of the index and the
 * README: per experiment the absolute values of Octization, standard and float under
 * the study's reading (projected-step, 8 bits, its epochs), the other protocols'
 * verdicts, and the recorded evidence for why (encoding identities, zero-code share,
 * how often codes move). Numbers and codes only.
 */
import { identicalPairs } from '../reports/analysis';
import type { CurveRow, RunRow } from '../reports/tables';
import { armValues } from './claims';
import type { ArmValues, ClaimsByProtocol } from './claims';
import type { VerdictCode } from './verdict';

/** One experiment's headline under the study's reading. */
export interface HeadlineRow {
  /** Experiment. */
  experiment: string;
  /** The claim the numbers come from. */
  claimId: string;
  /** Protocol of the runs. */
  protocol: string;
  /** Epochs of the runs. */
  epochs: number;
  /** Metric (`testAccuracy` or `testLoss`). */
  metric: string;
  /** Octization, standard and (when run in the same setting) float. */
  octization: ArmValues | null;
  /** Standard quantization. */
  standard: ArmValues | null;
  /** Float baseline. */
  float: ArmValues | null;
  /**
   * Where {@link float} has no runs: float in the same setting and epochs on another engine, as
   * an absolute reference beside the arms (never paired with them); null otherwise.
   */
  floatElsewhere: (ArmValues & { engine: string }) | null;
  /** The study's figures for Octization and standard. */
  study: { a: number; b: number } | null;
  /** The verdict on the claim. */
  verdict: VerdictCode;
}

/** A claim's verdict under another protocol, with both arms. */
export interface ProtocolHeadline {
  /** Experiment. */
  experiment: string;
  /** Protocol. */
  protocol: string;
  /** Claim id. */
  claimId: string;
  /** Verdict. */
  verdict: VerdictCode;
  /** Mean of Octization. */
  octization: number | null;
  /** Mean of standard. */
  standard: number | null;
  /** Pairs. */
  n: number;
}

/** Bit-identical ablation pairs: an encoding that changes no number. */
export interface IdentityEvidence {
  /** Experiment. */
  experiment: string;
  /** The ablation arm (e.g. `toward-zero-int`: Octization's rounding, written as plain integers). */
  a: string;
  /** The method it reproduces. */
  b: string;
  /** Seed pairs compared. */
  pairs: number;
  /** Bit-identical pairs. */
  identical: number;
}

/** How the codes of one arm behave (means over seeds). */
export interface CodeEvidence {
  /** Experiment. */
  experiment: string;
  /** Method. */
  method: string;
  /** Epochs of the runs. */
  epochs: number;
  /** Seeds. */
  n: number;
  /** Share of weights whose code is 0 after the last epoch. */
  zeroShareLast: number;
  /** Mean share of codes that change per optimizer step in epoch 1. */
  stepChangeFirst: number;
}

/** Everything the bottom line says, as numbers. */
export interface BottomLine {
  /** Headline per experiment (study's reading). */
  headlines: HeadlineRow[];
  /** Verdicts of the same claims under the other protocols (with runs). */
  protocols: ProtocolHeadline[];
  /** Encoding identities. */
  identities: IdentityEvidence[];
  /** Code behaviour of standard and Octization. */
  codes: CodeEvidence[];
}

/** The claims whose numbers make the headline, in the order they are told. */
export const HEADLINE_CLAIMS: readonly string[] = ['cifar10-accuracy-20', 'cifar10-accuracy-5', 'mnist-accuracy', 'regression-final-loss'];

const ABLATIONS: readonly [string, string][] = [
  ['toward-zero-int', 'octization'],
  ['half-even-octal', 'standard'],
];

/** Runs of another engine that can stand as a float reference where the claims' engine has none. */
export interface ReferenceRows {
  /** The engine of the rows (e.g. `torch`). */
  engine: string;
  /** Its first runs under the study's init (rows of other engines, repeats or inits must not be here). */
  rows: readonly RunRow[];
}

/**
 * Computes the {@link BottomLine} from the claims (default protocol first) and the run and
 * curve rows; `reference` fills {@link HeadlineRow.floatElsewhere}.
 */
export function bottomLine(groups: readonly ClaimsByProtocol[], rows: readonly RunRow[], curves: readonly CurveRow[], reference?: ReferenceRows): BottomLine {
  const main = groups[0];
  const headlines: HeadlineRow[] = [];
  for (const id of HEADLINE_CLAIMS) {
    const c = main?.claims.find((x) => x.id === id);
    if (c === undefined || c.arms.length === 0) continue;
    const arm = (m: string): ArmValues | null => c.arms.find((a) => a.method === m) ?? null;
    const float = arm('float');
    const epochs = c.arms[0].epochs;
    const elsewhere = float !== null || reference === undefined ? [] : reference.rows.filter((r) => r.experiment === c.experiment && r.method === 'float' && r.setting === c.setting && r.epochs === epochs);
    headlines.push({
      experiment: c.experiment,
      claimId: c.id,
      protocol: c.protocol,
      epochs: c.arms[0].epochs,
      metric: c.metric,
      octization: arm(c.a),
      standard: arm(c.b),
      float,
      floatElsewhere: elsewhere.length === 0 || reference === undefined ? null : { ...armValues(elsewhere, c.metric, c.experiment), engine: reference.engine },
      study: c.seed !== null && 'a' in c.seed ? c.seed : null,
      verdict: c.verdict,
    });
  }
  const protocols: ProtocolHeadline[] = [];
  for (const g of groups.slice(1)) {
    for (const c of g.claims) {
      if (!HEADLINE_CLAIMS.includes(c.id) || c.arms.length === 0) continue;
      protocols.push({ experiment: c.experiment, protocol: g.protocol, claimId: c.id, verdict: c.verdict, octization: c.arms[0]?.mean ?? null, standard: c.arms[1]?.mean ?? null, n: c.n });
    }
  }
  const identities: IdentityEvidence[] = [];
  const codes: CodeEvidence[] = [];
  for (const experiment of [...new Set(rows.map((r) => r.experiment))].sort()) {
    const mine = rows.filter((r) => r.experiment === experiment && r.protocol === 'projected-step' && r.bits === 8 && r.limitTrain === null);
    const longest = Math.max(...mine.map((r) => r.epochs));
    const at = mine.filter((r) => r.epochs === longest);
    for (const [a, b] of ABLATIONS) {
      const ra = at.filter((r) => r.method === a);
      const rb = at.filter((r) => r.method === b);
      if (ra.length === 0 || rb.length === 0) continue;
      identities.push({ experiment, a, b, ...identicalPairs({ runs: ra }, { runs: rb }, curves) });
    }
    for (const method of ['standard', 'octization']) {
      const keys = new Set(at.filter((r) => r.method === method).map((r) => r.key));
      if (keys.size === 0) continue;
      const byKey = new Map<string, CurveRow[]>();
      for (const c of curves) if (keys.has(c.key)) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
      const last: number[] = [];
      const first: number[] = [];
      for (const cs of byKey.values()) {
        const sorted = [...cs].sort((p, q) => p.epoch - q.epoch);
        const z = sorted[sorted.length - 1].zeroCodeFraction;
        const s = sorted.find((c) => c.epoch === 1)?.stepChangeFraction ?? null;
        if (z !== null) last.push(z);
        if (s !== null) first.push(s);
      }
      if (last.length === 0 || first.length === 0) continue;
      const mean = (x: number[]): number => x.reduce((p, q) => p + q, 0) / x.length;
      codes.push({ experiment, method, epochs: longest, n: last.length, zeroShareLast: mean(last), stepChangeFirst: mean(first) });
    }
  }
  return { headlines, protocols, identities, codes };
}
