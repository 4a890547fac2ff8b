/**
 * Quantizers: the study's seed functions reproduced exactly (`quantizeWeights`,
 * `quantizeToOctal`, ...), and a general, validated quantizer family (schemes,
 * presets, projection for training, encodings, storage sizes). See docs/quantizers.md.
 */
export { intToOctal, octalToInt } from './octal';
export { floatToQuantized, quantizeWeights, floatToOctal, quantizeToOctal } from './seed';
export type { NestedWeights, NestedCodes, NestedOctal } from './seed';
export { roundHalfEven, roundHalfAway, roundTowardZero, roundFloor, roundStochastic } from './rounding';
export {
  MIN_BITS,
  MAX_BITS,
  SCALE_KINDS,
  ROUNDING_MODES,
  CODE_ENCODINGS,
  checkBits,
  validateScheme,
  makeScheme,
  withBits,
  codeBounds,
  describeScheme,
} from './scheme';
export type { QuantScheme, QuantSchemeArgs, ScaleKind, RoundingMode, CodeEncoding, Granularity } from './scheme';
export { quantize, dequantize, projectValues } from './quantize';
export type { QuantizeOptions, QuantParams, QuantizedValues, Projection } from './quantize';
export { encodeCodes, decodeCodes, packIntCodes, codesToOctal, smallestIntArrayType, codeRange } from './encoding';
export type { IntCodeArray, IntCodeArrayName, EncodedCodes } from './encoding';
export { storageSize, packBits, unpackBits, packedWidth } from './storage';
export type { StorageSize, StorageOptions } from './storage';
export { PRESETS, PRESET_NAMES, PRESET_DESCRIPTIONS, getPreset } from './presets';
export type { PresetName } from './presets';
export { projectTensor, projectModelWeights } from './tensor';
export type { ProjectedWeight } from './tensor';
