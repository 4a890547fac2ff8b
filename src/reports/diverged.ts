/**
 * Diverged runs in the reports: runs whose training stopped at a NaN or infinite loss
 * are a stored, final outcome of their config. They are not in the statistics (they
 * have no final metrics) and are listed on their own, with the epoch they diverged in.
 */
import type { DivergedRunRecord } from '../results/schema';
import { escapeHtml, htmlTable } from './html';
import { tableOf } from './tables';
import type { Table } from './tables';

/** One row per diverged run. */
export function divergedTable(records: readonly DivergedRunRecord[]): Table {
  const rows = records.map((r) => ({
    key: r.key,
    experiment: r.config.experiment,
    method: r.config.method,
    protocol: r.config.protocol,
    bits: r.config.scheme?.bits ?? null,
    epochs: r.config.epochs,
    learningRate: r.config.optimizer.learningRate,
    seed: r.config.seed,
    divergedEpoch: r.metrics.diverged.epoch,
    divergedStep: r.metrics.diverged.step,
    reason: r.metrics.diverged.reason,
  }));
  return tableOf(rows, ['key', 'experiment', 'method', 'protocol', 'bits', 'epochs', 'learningRate', 'seed', 'divergedEpoch', 'divergedStep', 'reason']);
}

/** The HTML section listing diverged runs (empty string when there are none). */
export function divergedSection(records: readonly DivergedRunRecord[], csvHref: string): string {
  if (records.length === 0) return '';
  const t = divergedTable(records);
  const cols = ['experiment', 'method', 'protocol', 'bits', 'epochs', 'learningRate', 'seed', 'divergedEpoch', 'reason'];
  const idx = cols.map((c) => t.columns.indexOf(c));
  const rows = t.rows.map((r) => idx.map((i) => (r[i] === null ? '-' : String(r[i]))));
  return [
    '<section id="diverged-runs">',
    `<h2>Diverged runs (${records.length})</h2>`,
    `<p>These runs diverged (their loss or weights stopped being finite numbers). They are recorded as such and not retrained; they have no final metrics and are not part of the statistics above. CSV: <a href="${escapeHtml(csvHref)}">${escapeHtml(csvHref)}</a>.</p>`,
    htmlTable(
      cols.map((c) => ({ label: c })),
      rows,
    ),
    '</section>',
  ].join('\n');
}

/** Adds a section at the end of a report page's main content. */
export function withSection(page: string, section: string): string {
  if (section === '') return page;
  const at = page.lastIndexOf('</main>');
  return at === -1 ? `${page}${section}\n` : `${page.slice(0, at)}${section}\n${page.slice(at)}`;
}
