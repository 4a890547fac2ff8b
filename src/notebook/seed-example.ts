/**
 * The study's printed worked example, recomputed: every output it prints for
 * 0.75 and for the first five weights of its vector, next to what the reproduced
 * seed functions return. The printed values themselves live in `src/reports`
 * (`SEED_EXAMPLE_WEIGHTS`, `SEED_PRINTED`).
 */
import { floatToOctal, floatToQuantized, quantizeToOctal, quantizeWeights } from '../quantizers';
import { SEED_EXAMPLE_WEIGHTS, SEED_PRINTED } from '../reports/methods-note';

/** The printed example: the value 0.75, the weights, and what the study printed for them at 8 bits. */
export interface SeedExample {
  /** The single value both quantizers are shown on. */
  value: number;
  /** Bit width of every example. */
  bits: number;
  /** Printed `float_to_quantized(value, bits)`. */
  printedCode: number;
  /** Printed `float_to_octal(value, bits)`. */
  printedOctal: string;
  /** The weights as printed. */
  weights: readonly number[];
  /** The standard codes as printed. */
  printedCodes: readonly number[];
  /** The Octization codes as printed. */
  printedOctalCodes: readonly string[];
}

/** The study's example as it prints it (0.75 and five weights at 8 bits). */
export const SEED_EXAMPLE: Readonly<SeedExample> = Object.freeze({
  value: 0.75,
  bits: 8,
  printedCode: SEED_PRINTED.standardOf075,
  printedOctal: SEED_PRINTED.octalOf075,
  weights: SEED_EXAMPLE_WEIGHTS,
  printedCodes: SEED_PRINTED.standard,
  printedOctalCodes: SEED_PRINTED.octization,
});

/** One printed output of the example next to what the seed's own functions compute. */
export interface SeedExampleRow {
  /** The call, in the study's Python spelling. */
  call: string;
  /** The float64 product value · (2^bits − 1) behind the code. */
  product: number;
  /** What the study printed. */
  printed: string;
  /** What octolab's reproduction of the study's function returns. */
  computed: string;
  /** Whether the two agree. */
  agrees: boolean;
}

/**
 * Recomputes every printed output of the example with the reproduced seed
 * functions: `float_to_quantized` and `float_to_octal` of the value, then each
 * standard code and each octal code of the weight vector.
 * @throws Error when the example's lists have different lengths.
 */
export function checkSeedExample(example: Readonly<SeedExample> = SEED_EXAMPLE): SeedExampleRow[] {
  const { value, bits, weights } = example;
  if (weights.length !== example.printedCodes.length || weights.length !== example.printedOctalCodes.length) {
    throw new Error(`checkSeedExample: ${weights.length} weights but ${example.printedCodes.length} codes and ${example.printedOctalCodes.length} octal codes`);
  }
  const m = 2 ** bits - 1;
  const rows: SeedExampleRow[] = [];
  const add = (call: string, product: number, printed: string | number, computed: string | number): void => {
    rows.push({ call, product, printed: String(printed), computed: String(computed), agrees: String(printed) === String(computed) });
  };
  add(`float_to_quantized(${value}, ${bits})`, value * m, example.printedCode, floatToQuantized(value, bits));
  add(`float_to_octal(${value}, ${bits})`, value * m, example.printedOctal, floatToOctal(value, bits));
  const codes = quantizeWeights([...weights], bits);
  const octal = quantizeToOctal([...weights], bits);
  weights.forEach((w, i) => add(`quantize_weights(w, ${bits})[${i}]  (w = ${w})`, w * m, example.printedCodes[i], codes[i]));
  weights.forEach((w, i) => add(`quantize_to_octal(w, ${bits})[${i}]  (w = ${w})`, w * m, example.printedOctalCodes[i], octal[i]));
  return rows;
}
