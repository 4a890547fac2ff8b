/**
 * Python's `oct()` and its exact inverse.
 *
 * `oct(n)` writes an integer in base 8 with the prefix `0o` and a leading `-`
 * for negatives: `oct(191) == '0o277'`, `oct(-127) == '-0o177'`, `oct(0) == '0o0'`.
 * It never writes leading zeros, upper-case prefixes, `+` signs or `-0o0`.
 * The re-encoding is lossless: {@link octalToInt} accepts exactly the strings
 * {@link intToOctal} produces and nothing else.
 */

/** The strings Python's `oct()` can produce: optional `-`, `0o`, canonical octal digits. */
const OCT_PATTERN = /^(-?)0o(0|[1-7][0-7]*)$/;

/**
 * Python `oct(n)` for a safe integer `n`.
 * @throws Error if `n` is not an integer or beyond ±(2^53 − 1).
 */
export function intToOctal(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`intToOctal: expected a safe integer, got ${String(n)}`);
  // `n === 0` also catches -0, which Python has no spelling for.
  if (n === 0) return '0o0';
  return n < 0 ? `-0o${(-n).toString(8)}` : `0o${n.toString(8)}`;
}

/**
 * Exact inverse of Python's `oct()`: `'0o277'` → 191, `'-0o177'` → −127, `'0o0'` → 0.
 *
 * Only strings `oct()` can produce are accepted. Rejected (with an Error naming
 * the string): empty text, a missing or upper-case `0o` prefix (`'277'`, `'0O277'`),
 * no digits (`'0o'`), digits 8 or 9 (`'0o8'`), a sign after the prefix (`'0o-1'`),
 * a `+` sign, whitespace, leading zeros (`'0o0277'`), `'-0o0'` (Python writes
 * zero as `'0o0'`), and magnitudes beyond 2^53 − 1.
 */
export function octalToInt(text: string): number {
  if (typeof text !== 'string') throw new Error(`octalToInt: expected a string, got ${typeof text}`);
  const m = OCT_PATTERN.exec(text);
  if (m === null) {
    throw new Error(`octalToInt: malformed octal string ${JSON.stringify(text)} (expected Python oct() output such as '0o277' or '-0o177')`);
  }
  const [, sign, digits] = m;
  if (sign === '-' && digits === '0') {
    throw new Error(`octalToInt: malformed octal string "-0o0" (Python oct() writes zero as '0o0')`);
  }
  const magnitude = parseInt(digits, 8);
  if (!Number.isSafeInteger(magnitude)) {
    throw new Error(`octalToInt: octal string ${JSON.stringify(text)} exceeds the safe integer range`);
  }
  return sign === '-' ? -magnitude : magnitude;
}
