/**
 * The methods note of every report: what Octization is numerically. The prose
 * is fixed; every number in it is computed here with the quantizers' own
 * reproductions of the seed's functions.
 */
import { floatToQuantized, octalToInt, quantizeToOctal, quantizeWeights, roundHalfEven, roundTowardZero, intToOctal } from '../quantizers';
import { formatNumber } from './format';
import { escapeHtml, htmlTable } from './html';

/** The weights the seed prints (first five of its example array). */
export const SEED_EXAMPLE_WEIGHTS: readonly number[] = Object.freeze([0.03279644, 0.37225065, 0.03883055, 0.32002673, 0.37683514]);

/** What the seed prints for those weights under its two methods. */
export const SEED_PRINTED = Object.freeze({
  standard: [8, 95, 10, 82, 97] as readonly number[],
  octization: ['0o10', '0o136', '0o11', '0o121', '0o140'] as readonly string[],
  /** "Quantized representation of 0.75 with 8 bits". */
  standardOf075: 191,
  /** "Octal representation of 0.75 with 8 bits". */
  octalOf075: '0o277',
});

/** One weight of the worked example. */
export interface ExampleRow {
  /** The weight. */
  w: number;
  /** w · (2^b − 1). */
  scaled: number;
  /** `np.round` (half to even), as the seed's `quantize_weights`. */
  standard: number;
  /** What the seed prints for standard. */
  seedStandard: number | null;
  /** `oct(int(...))`, as the seed's `quantize_to_octal`. */
  octal: string;
  /** What the seed prints for Octization. */
  seedOctal: string | null;
  /** The octal string decoded back to an integer. */
  decoded: number;
}

/** Error statistics of a rounding rule over a grid of weights (in units of one quantization step). */
export interface RoundingStats {
  /** Mean |code − w·(2^b − 1)|. */
  meanAbsError: number;
  /** Mean signed error over the positive weights of the grid. */
  meanErrorPositive: number;
  /** Mean signed error over the negative weights of the grid. */
  meanErrorNegative: number;
}

/** The computed content of the methods note. */
export interface MethodsNoteNumbers {
  /** Bit width of the examples. */
  bits: number;
  /** 2^b − 1. */
  maxCode: number;
  /** 0.75 under the seed's `float_to_quantized` (int()). */
  intOf075: number;
  /** 0.75 under `np.round`. */
  roundOf075: number;
  /** 0.75 under the seed's `float_to_octal`. */
  octalOf075: string;
  /** Worked example on the seed's weights. */
  example: ExampleRow[];
  /** Integer codes checked for the lossless round trip int → oct() → int. */
  roundTripChecked: number;
  /** How many of them came back unchanged. */
  roundTripExact: number;
  /** Points of the uniform grid over [−1, 1]. */
  gridPoints: number;
  /** Fraction of grid weights whose codes differ between the two methods. */
  codesDiffer: number;
  /** Error of round half to even. */
  halfEven: RoundingStats;
  /** Error of truncation toward zero. */
  towardZero: RoundingStats;
  /** Learning rates found in the runs, with the step size in quantization steps. */
  learningRates: { lr: number; steps: number }[];
}

function statsOf(grid: readonly number[], m: number, round: (x: number) => number): RoundingStats {
  let abs = 0;
  let pos = 0;
  let nPos = 0;
  let neg = 0;
  let nNeg = 0;
  for (const w of grid) {
    const s = w * m;
    const e = round(s) - s;
    abs += Math.abs(e);
    if (w > 0) {
      pos += e;
      nPos++;
    } else if (w < 0) {
      neg += e;
      nNeg++;
    }
  }
  return { meanAbsError: abs / grid.length, meanErrorPositive: pos / nPos, meanErrorNegative: neg / nNeg };
}

/**
 * Computes every number of the methods note at `bits` (default 8), with a
 * uniform grid of `gridPoints` weights over [−1, 1] (default 200,001) and the
 * learning rates of the runs being reported.
 */
export function methodsNoteNumbers(learningRates: readonly number[] = [], bits = 8, gridPoints = 200001): MethodsNoteNumbers {
  if (!Number.isInteger(gridPoints) || gridPoints < 3) throw new Error(`gridPoints must be an integer >= 3, got ${gridPoints}`);
  const m = 2 ** bits - 1;
  const standard = quantizeWeights([...SEED_EXAMPLE_WEIGHTS], bits);
  const octal = quantizeToOctal([...SEED_EXAMPLE_WEIGHTS], bits);
  const example: ExampleRow[] = SEED_EXAMPLE_WEIGHTS.map((w, i) => ({
    w,
    scaled: w * m,
    standard: standard[i],
    seedStandard: bits === 8 ? SEED_PRINTED.standard[i] : null,
    octal: octal[i],
    seedOctal: bits === 8 ? SEED_PRINTED.octization[i] : null,
    decoded: octalToInt(octal[i]),
  }));
  let exact = 0;
  for (let k = -m; k <= m; k++) if (octalToInt(intToOctal(k)) === k) exact++;
  const grid: number[] = [];
  for (let i = 0; i < gridPoints; i++) grid.push(-1 + (2 * i) / (gridPoints - 1));
  let differ = 0;
  for (const w of grid) if (roundHalfEven(w * m) !== roundTowardZero(w * m)) differ++;
  const lrs = [...new Set(learningRates)].filter((x) => Number.isFinite(x) && x > 0).sort((a, b) => a - b);
  return {
    bits,
    maxCode: m,
    intOf075: floatToQuantized(0.75, bits),
    roundOf075: quantizeWeights(0.75, bits),
    octalOf075: quantizeToOctal(0.75, bits),
    example,
    roundTripChecked: 2 * m + 1,
    roundTripExact: exact,
    gridPoints,
    codesDiffer: differ / gridPoints,
    halfEven: statsOf(grid, m, roundHalfEven),
    towardZero: statsOf(grid, m, roundTowardZero),
    learningRates: lrs.map((lr) => ({ lr, steps: lr * m })),
  };
}

/** The methods note as HTML (a section body without the heading). */
export function methodsNoteHtml(n: MethodsNoteNumbers): string {
  const f = (x: number, d = 4): string => escapeHtml(formatNumber(x, d));
  const pct = (x: number): string => `${formatNumber(x * 100, 3)}%`;
  const rows = n.example.map((r) => [
    String(r.w),
    formatNumber(r.scaled, 6),
    String(r.standard),
    r.seedStandard === null ? '–' : `${r.seedStandard}${r.seedStandard === r.standard ? '' : ' (differs)'}`,
    r.octal,
    r.seedOctal === null ? '–' : `${r.seedOctal}${r.seedOctal === r.octal ? '' : ' (differs)'}`,
    String(r.decoded),
  ]);
  const mismatches = n.example.filter((r) => r.seedStandard !== null && r.seedStandard !== r.standard).length;
  const octMismatches = n.example.filter((r) => r.seedOctal !== null && r.seedOctal !== r.octal).length;
  const lrText =
    n.learningRates.length === 0
      ? ''
      : `<p>In projected training the weights are put back onto the code grid after every step. One quantization step is
1/${n.maxCode} = ${f(1 / n.maxCode)}. The learning rate${n.learningRates.length > 1 ? 's' : ''} of these runs
(${n.learningRates.map((l) => `${escapeHtml(String(l.lr))} = ${f(l.steps, 3)} steps`).join('; ')}) ${n.learningRates.length > 1 ? 'set' : 'sets'} the scale of Adam's
update of one weight per step: in steady state it is about the learning rate, but it is not bounded by it. Adam divides by a running
estimate of the gradient's spread, so a weight whose gradient jumps can move several learning rates in one step, and those spikes are
what moves a rounded weight at all. Rounding to nearest returns a weight that sits on a code to the same code unless it moves by more than half a step
(${f(0.5 / n.maxCode)}); truncation moves it one code toward zero as soon as it moves toward zero at all. The code-dynamics charts
(fraction of codes changed per step) show how often codes actually moved.</p>`;
  return `
<p><strong>What Octization is, numerically.</strong> The seed's Octization is <code>oct(int(w·(2<sup>b</sup>−1)))</code>:
Python's <code>int()</code> truncates toward zero, and <code>oct()</code> then spells that integer in base 8. The seed's standard
quantization is <code>np.round(w·(2<sup>b</sup>−1))</code>, which rounds to nearest with ties to even. Writing an integer in octal
changes no number: all ${n.roundTripChecked} integer codes from −${n.maxCode} to ${n.maxCode} survive int → <code>oct()</code> → int
unchanged (${n.roundTripExact} of ${n.roundTripChecked} checked). So the two methods differ numerically in the rounding mode
(truncation toward zero versus round half to even), not in the base.</p>
<p>At b = ${n.bits}: 0.75 · ${n.maxCode} = ${f(0.75 * n.maxCode, 6)}; <code>int()</code> gives ${n.intOf075},
<code>np.round</code> gives ${n.roundOf075}, and <code>oct(${n.intOf075})</code> = <code>${escapeHtml(n.octalOf075)}</code>
(the seed prints ${SEED_PRINTED.standardOf075} and <code>${SEED_PRINTED.octalOf075}</code>). On the seed's example weights:</p>
${htmlTable(
  [
    { label: 'w', align: 'right' },
    { label: `w·${n.maxCode}`, align: 'right' },
    { label: 'np.round (standard)', align: 'right' },
    { label: 'seed prints', align: 'right' },
    { label: 'oct(int()) (Octization)', align: 'right' },
    { label: 'seed prints', align: 'right' },
    { label: 'octal decoded', align: 'right' },
  ],
  rows,
)}
<p class="note">${mismatches === 0 ? 'Every standard code matches what the seed prints.' : `${mismatches} of ${n.example.length} standard codes differ from what the seed prints for the same weights.`}
${octMismatches === 0 ? 'Every octal string matches what the seed prints.' : `${octMismatches} of ${n.example.length} octal strings differ from what the seed prints.`}</p>
<p>Over a uniform grid of ${formatNumber(n.gridPoints)} weights in [−1, 1] at b = ${n.bits}, the two methods give different codes
for ${pct(n.codesDiffer)} of the weights. In units of one quantization step, round half to even has mean absolute error
${f(n.halfEven.meanAbsError, 3)} and no bias (mean signed error ${f(n.halfEven.meanErrorPositive, 3)} for w &gt; 0,
${f(n.halfEven.meanErrorNegative, 3)} for w &lt; 0); truncation has mean absolute error ${f(n.towardZero.meanAbsError, 3)} and pulls
every weight toward zero (mean signed error ${f(n.towardZero.meanErrorPositive, 3)} for w &gt; 0, ${f(n.towardZero.meanErrorNegative, 3)}
for w &lt; 0).</p>
${lrText}`;
}
