/**
 * A progress bar for notebook cells that updates one output in place (tslab's
 * `newDisplay()` sends `update_display_data`), throttled so that a fast loop does not
 * flood the notebook. In an export run leave the timings out, so the exported bar is
 * the same on every rebuild.
 */
import { escapeHtml } from '../reports/html';

/** What a progress bar shows. */
export interface ProgressState {
  /** What is being done, e.g. `mnist octization seed 0`. */
  label: string;
  /** Units done. */
  done: number;
  /** Units in all (> 0). */
  total: number;
  /** Seconds since the start, or null to leave timings out. */
  elapsedSeconds: number | null;
}

/** One output that can be replaced, such as tslab's `newDisplay()`. */
export interface UpdatableDisplay {
  /** Shows (first call) or replaces (later calls) the output with this HTML. */
  html(html: string): void;
}

/** `12 s`, `3 min 05 s`. */
function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * The bar's text: `label: 120/940 steps (13%)`, with elapsed time and an estimate of the
 * time left when timings are given.
 * @throws Error when total is not positive or done is outside 0..total.
 */
export function progressText(s: ProgressState, unit = 'steps'): string {
  if (!(s.total > 0) || !(s.done >= 0 && s.done <= s.total)) throw new Error(`progress: done must be within 0..total and total > 0, got ${s.done}/${s.total}`);
  const pct = Math.floor((100 * s.done) / s.total);
  let text = `${s.label}: ${s.done}/${s.total} ${unit} (${pct}%)`;
  if (s.elapsedSeconds !== null) {
    text += `, ${formatDuration(s.elapsedSeconds)}`;
    if (s.done > 0 && s.done < s.total) text += `, about ${formatDuration((s.elapsedSeconds * (s.total - s.done)) / s.done)} left`;
  }
  return text;
}

/** The bar as HTML: a `<progress>` element and {@link progressText}. */
export function progressHtml(s: ProgressState, unit = 'steps'): string {
  const text = progressText(s, unit);
  return `<div class="octolab-progress" style="font-family:monospace;font-size:12px;"><progress value="${s.done}" max="${s.total}" style="width:240px;vertical-align:middle;"></progress> ${escapeHtml(text)}</div>`;
}

/** Options of {@link ProgressBar}. */
export interface ProgressBarArgs {
  /** Show elapsed time and time left. Default true. */
  timings?: boolean;
  /** Least time between two updates of the output, in ms (the last update is always shown). Default 250. */
  minIntervalMs?: number;
  /** Unit name. Default `steps`. */
  unit?: string;
  /** Clock in ms (for tests). Default `performance.now`. */
  now?: () => number;
}

/** A bar drawn into one {@link UpdatableDisplay}; with a null display it draws nothing. */
export class ProgressBar {
  private readonly display: UpdatableDisplay | null;
  private readonly timings: boolean;
  private readonly minInterval: number;
  private readonly unit: string;
  private readonly now: () => number;
  private readonly start: number;
  private lastDraw = -Infinity;
  /** Number of times the output was drawn. */
  draws = 0;

  constructor(display: UpdatableDisplay | null, args: ProgressBarArgs = {}) {
    this.display = display;
    this.timings = args.timings ?? true;
    this.minInterval = args.minIntervalMs ?? 250;
    this.unit = args.unit ?? 'steps';
    this.now = args.now ?? (() => performance.now());
    this.start = this.now();
  }

  /** Updates the bar; drawn when `minIntervalMs` passed since the last draw, or when `done === total`, or with `force`. */
  update(label: string, done: number, total: number, force = false): void {
    const t = this.now();
    if (this.display === null || (!force && done < total && t - this.lastDraw < this.minInterval)) return;
    this.lastDraw = t;
    this.draws++;
    this.display.html(progressHtml({ label, done, total, elapsedSeconds: this.timings ? (t - this.start) / 1000 : null }, this.unit));
  }
}
