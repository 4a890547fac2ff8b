/**
 * Named quantization schemes: the study's two methods and the ablations that
 * separate their two differences (rounding rule and code encoding).
 */
import { makeScheme } from './scheme';
import type { QuantScheme } from './scheme';

/**
 * Every named scheme, at 8 bits (change with `withBits`):
 * - `standard`: the study's standard quantization (`quantizeWeights`): unit scale, half-even, int.
 * - `octization`: the study's Octization (`quantizeToOctal`): unit scale, toward-zero, octal.
 * - `toward-zero-int`: Octization's numbers with the int encoding (identical values).
 * - `half-even-octal`: standard's numbers with the octal encoding (identical values).
 * - `half-away-int`: unit scale, nearest with ties away from zero.
 * - `floor-int`: unit scale, toward −∞.
 * - `stochastic`: unit scale, stochastic rounding (needs a seeded Rng).
 * - `absmax`: calibrated symmetric scale per output channel (last axis), half-even, int.
 * - `absmax-per-tensor`: calibrated symmetric scale, one per tensor.
 * - `minmax`: calibrated affine scale with integer zero point (tfjs-converter style), per tensor.
 */
export const PRESETS = Object.freeze({
  standard: makeScheme({ scale: 'unit', rounding: 'half-even', encoding: 'int' }),
  octization: makeScheme({ scale: 'unit', rounding: 'toward-zero', encoding: 'octal' }),
  'toward-zero-int': makeScheme({ scale: 'unit', rounding: 'toward-zero', encoding: 'int' }),
  'half-even-octal': makeScheme({ scale: 'unit', rounding: 'half-even', encoding: 'octal' }),
  'half-away-int': makeScheme({ scale: 'unit', rounding: 'half-away', encoding: 'int' }),
  'floor-int': makeScheme({ scale: 'unit', rounding: 'floor', encoding: 'int' }),
  stochastic: makeScheme({ scale: 'unit', rounding: 'stochastic', encoding: 'int' }),
  absmax: makeScheme({ scale: 'absmax', rounding: 'half-even', encoding: 'int', granularity: { axis: -1 } }),
  'absmax-per-tensor': makeScheme({ scale: 'absmax', rounding: 'half-even', encoding: 'int' }),
  minmax: makeScheme({ scale: 'minmax', rounding: 'half-even', encoding: 'int' }),
} satisfies Record<string, QuantScheme>);

/** Name of a preset in {@link PRESETS}. */
export type PresetName = keyof typeof PRESETS;

/** Every preset name, in table order. */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** One-line description of each preset, for help texts and reports. */
export const PRESET_DESCRIPTIONS: Readonly<Record<PresetName, string>> = Object.freeze({
  standard: "the study's standard quantization: round(w·(2^b−1)) half to even",
  octization: "the study's Octization: oct(int(w·(2^b−1))), i.e. truncation, written in octal",
  'toward-zero-int': 'Octization without the octal strings (same numbers)',
  'half-even-octal': 'standard quantization written as octal strings (same numbers)',
  'half-away-int': 'unit scale, nearest with ties away from zero',
  'floor-int': 'unit scale, rounding toward minus infinity',
  stochastic: 'unit scale, stochastic rounding (unbiased, seeded)',
  absmax: 'calibrated symmetric scale per output channel, half to even',
  'absmax-per-tensor': 'calibrated symmetric scale per tensor, half to even',
  minmax: 'calibrated affine scale with zero point (tfjs-converter style), half to even',
});

/**
 * The preset called `name`.
 * @throws Error naming the unknown name and listing the valid ones.
 */
export function getPreset(name: string): QuantScheme {
  if (!Object.prototype.hasOwnProperty.call(PRESETS, name)) {
    throw new Error(`unknown quantizer preset '${name}' (valid: ${PRESET_NAMES.join(', ')})`);
  }
  return PRESETS[name as PresetName];
}
