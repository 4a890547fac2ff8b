/**
 * A reproducibility check that costs no extra training: two stored runs whose configs
 * differ only in the number of epochs (same seed, method, protocol, data, backend)
 * were trained separately, often by different processes, commits or machines, yet must
 * agree exactly on every epoch they share, because the seed fixes the initial weights,
 * the data order and the rounding streams, and nothing before the last epoch depends
 * on the epoch count.
 */
import { isDeepStrictEqual } from 'node:util';
import { runKey } from '../experiments/config';
import type { RunRecord } from '../results/schema';
import { escapeHtml } from './html';

/** Two stored runs of one config that differ only in their epoch count. */
export interface EpochPrefixPair {
  /** The run with fewer epochs. */
  short: RunRecord;
  /** The run with more epochs (the next longer one of the same config). */
  long: RunRecord;
}

/** Where a pair first disagrees. */
export interface PrefixMismatch {
  /** The pair. */
  pair: EpochPrefixPair;
  /** First epoch (1-based) whose records differ. */
  epoch: number;
  /** Fields of that epoch's record that differ (top level: `trainLoss`, `weights`, …). */
  fields: string[];
}

/** Result of {@link checkEpochPrefixes}. */
export interface PrefixCheck {
  /** Pairs compared. */
  pairs: number;
  /** Pairs whose shared epochs are identical. */
  agreeing: number;
  /** The pairs that are not, with where they first differ. */
  mismatches: PrefixMismatch[];
}

/** Identity of a run without its epoch count, on its backend. */
function prefixGroup(r: RunRecord): string {
  return `${runKey({ ...r.config, epochs: 0 })}|${r.environment.engine.backend}`;
}

/**
 * Pairs of runs that differ only in their epoch count and ran on the same backend:
 * within each such group, sorted by epochs, every run with the next longer one.
 */
export function epochPrefixPairs(records: readonly RunRecord[]): EpochPrefixPair[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const k = prefixGroup(r);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [r]);
    else g.push(r);
  }
  const pairs: EpochPrefixPair[] = [];
  for (const g of groups.values()) {
    const byEpochs = [...g].sort((a, b) => a.config.epochs - b.config.epochs);
    for (let i = 0; i + 1 < byEpochs.length; i++) {
      const [short, long] = [byEpochs[i], byEpochs[i + 1]];
      if (short.config.epochs < long.config.epochs) pairs.push({ short, long });
    }
  }
  return pairs;
}

/** The first shared epoch at which a pair differs and the fields that differ, or null when none does. */
export function firstDifference(pair: EpochPrefixPair): { epoch: number; fields: string[] } | null {
  const a = pair.short.metrics.epochs;
  const b = pair.long.metrics.epochs;
  const shared = pair.short.config.epochs;
  if (a.length < shared || b.length < shared) {
    return { epoch: Math.min(a.length, b.length) + 1, fields: ['(epoch record missing)'] };
  }
  for (let i = 0; i < shared; i++) {
    if (isDeepStrictEqual(a[i], b[i])) continue;
    const x = a[i] as unknown as Record<string, unknown>;
    const y = b[i] as unknown as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
    return { epoch: i + 1, fields: keys.filter((k) => !isDeepStrictEqual(x[k], y[k])) };
  }
  return null;
}

/** Compares every pair of {@link epochPrefixPairs} on the epochs it shares. */
export function checkEpochPrefixes(records: readonly RunRecord[]): PrefixCheck {
  const pairs = epochPrefixPairs(records);
  const mismatches: PrefixMismatch[] = [];
  for (const pair of pairs) {
    const d = firstDifference(pair);
    if (d !== null) mismatches.push({ pair, ...d });
  }
  return { pairs: pairs.length, agreeing: pairs.length - mismatches.length, mismatches };
}

/** One line naming a run: method, protocol, bits, seed. */
function runLabel(r: RunRecord): string {
  const c = r.config;
  return `${c.method}${c.scheme === null ? '' : ` ${c.scheme.bits}-bit`} ${c.protocol}, seed ${c.seed}`;
}

/** The check as an HTML fragment for a report's data-quality section. */
export function reproducibilityHtml(check: PrefixCheck): string {
  const intro =
    'Runs whose configs differ only in their number of epochs were trained separately but must agree exactly on every epoch they share ' +
    '(losses, accuracies, weight statistics and code dynamics), since the seed fixes the initial weights, the data order and the rounding streams.';
  if (check.pairs === 0) {
    return `<p class="note">${intro} No such pair of stored runs exists here yet.</p>`;
  }
  const summary = `${check.agreeing} of ${check.pairs} pair${check.pairs === 1 ? '' : 's'} agree exactly on their shared epochs.`;
  if (check.mismatches.length === 0) return `<p class="note">${intro} <strong>${summary}</strong></p>`;
  const items = check.mismatches.map((m) => {
    const { short, long } = m.pair;
    return `<li>${escapeHtml(runLabel(short))}: ${short.config.epochs} vs ${long.config.epochs} epochs (runs <code>${escapeHtml(short.key)}</code>, <code>${escapeHtml(long.key)}</code>) first differ at epoch ${m.epoch} in ${escapeHtml(m.fields.join(', '))}</li>`;
  });
  return `<div class="warn"><p>${intro} <strong>${summary}</strong> These do not, so at least one of each pair is not reproducible as recorded:</p><ul>${items.join('')}</ul></div>`;
}
