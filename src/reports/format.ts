/**
 * Number formatting for reports: accuracies in percent, intervals as [lo, hi],
 * p-values, bytes and durations. Every function returns plain text (not HTML);
 * non-finite or missing values become an en dash.
 */

/** The text shown for a missing or non-finite value. */
export const MISSING = '–';

/** Whether `x` is a finite number. */
export function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/**
 * A number with `digits` significant digits, without exponent notation for
 * magnitudes in [1e-4, 1e7): 0.000123456 → "0.0001235", 1234.5 → "1235" (4 digits),
 * and thousands separators for large integers ("282,250").
 */
export function formatNumber(x: number | null | undefined, digits = 4): string {
  if (typeof x !== 'number' || Number.isNaN(x)) return MISSING;
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (x === 0) return '0';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return withSign(x.toLocaleString('en-US'));
  const a = Math.abs(x);
  if (a >= 1e7 || a < 1e-4) return withSign(x.toExponential(Math.max(0, digits - 1)));
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
  const text = x.toFixed(Math.min(decimals, 20));
  return withSign(a >= 1000 ? Number(text).toLocaleString('en-US', { maximumFractionDigits: decimals }) : text);
}

/** Replaces a leading hyphen by a true minus sign. */
function withSign(text: string): string {
  return text.startsWith('-') ? `−${text.slice(1)}` : text;
}

/** A number with a fixed count of decimals ("2.50"), minus sign typeset. */
export function formatFixed(x: number | null | undefined, decimals: number): string {
  if (!isFiniteNumber(x)) return MISSING;
  const text = x.toFixed(decimals);
  // "-0.00" reads as a sign error; show it as "0.00".
  return Number(text) === 0 ? text.replace('-', '') : withSign(text);
}

/** An accuracy given as a fraction, in percent with two decimals: 0.4040 → "40.40%". */
export function formatPercent(fraction: number | null | undefined, decimals = 2): string {
  return isFiniteNumber(fraction) ? `${formatFixed(fraction * 100, decimals)}%` : MISSING;
}

/** A difference of fractions in percentage points: 0.1126 → "+11.26 pp". */
export function formatPp(fractionDiff: number | null | undefined, decimals = 2): string {
  if (!isFiniteNumber(fractionDiff)) return MISSING;
  const v = fractionDiff * 100;
  const text = formatFixed(v, decimals);
  return `${v > 0 && Number(v.toFixed(decimals)) !== 0 ? '+' : ''}${text} pp`;
}

/** An interval "[lo, hi]" formatted by `f`. */
export function formatInterval(
  ci: { lower: number; upper: number } | null | undefined,
  f: (x: number) => string = (x) => formatNumber(x),
): string {
  if (ci === null || ci === undefined) return MISSING;
  return `[${f(ci.lower)}, ${f(ci.upper)}]`;
}

/** A p-value: "< 0.0001" below 1e-4, else 3 significant digits ("0.0312", "0.500"). */
export function formatP(p: number | null | undefined): string {
  if (!isFiniteNumber(p)) return MISSING;
  if (p < 1e-4) return '< 0.0001';
  if (p >= 0.9995) return '1.000';
  return p.toPrecision(3);
}

/** A byte count: "1,234 B (1.2 KiB)" style, short form "1.21 KiB" for >= 1024. */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isFiniteNumber(bytes)) return MISSING;
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${formatNumber(bytes)} B` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[u]}`;
}

/** Seconds as "0.123 s", "12.3 s", "4 min 05 s" or "1 h 02 min". */
export function formatSeconds(seconds: number | null | undefined): string {
  if (!isFiniteNumber(seconds)) return MISSING;
  const s = Math.abs(seconds);
  const sign = seconds < 0 ? '−' : '';
  if (s < 60) return `${sign}${formatNumber(s, 3)} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    return `${sign}${m} min ${String(Math.round(s - m * 60)).padStart(2, '0')} s`;
  }
  const h = Math.floor(s / 3600);
  return `${sign}${h} h ${String(Math.round((s - h * 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * A sorted list of integers in compact range form: [0,1,2,3,7,9,10] → "0–3, 7, 9–10".
 * Throws if an element is not an integer.
 */
export function formatSeedList(seeds: readonly number[]): string {
  seeds.forEach((s, i) => {
    if (!Number.isInteger(s)) throw new Error(`formatSeedList: seeds[${i}] is not an integer (${String(s)})`);
  });
  const sorted = [...new Set(seeds)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return parts.length === 0 ? MISSING : parts.join(', ');
}
