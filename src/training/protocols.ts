/**
 * Training protocols: how (and whether) quantization enters training. The seed
 * never says how it trained "with quantized weights"; these are the readings the
 * study compares.
 */

/** No quantization at all: the float baseline the seed lacks. */
export interface FloatProtocol {
  /** Tag of the float baseline protocol. */
  kind: 'float';
}

/**
 * The seed's quantized training as octolab defines it: after every optimizer step
 * (or only at the end of every epoch) every trainable tensor, kernels and biases,
 * is replaced by dequantize(quantize(w)). Evaluation uses the quantized weights.
 */
export interface ProjectedProtocol {
  /** Tag of the projected protocol (short names `projected-step`, `projected-epoch`). */
  kind: 'projected';
  /** When the projection happens. */
  every: 'step' | 'epoch';
}

/** Post-training quantization: train in float, quantize once at the end. */
export interface PtqProtocol {
  /** Tag of the post-training quantization protocol. */
  kind: 'ptq';
}

/**
 * Quantization-aware training: the forward and backward passes see the quantized
 * weights, the gradient is applied unchanged to float shadow weights (the
 * straight-through estimator). Evaluation uses the quantized weights.
 */
export interface QatProtocol {
  /** Tag of the quantization-aware training protocol. */
  kind: 'qat';
}

/** Any training protocol. */
export type Protocol = FloatProtocol | ProjectedProtocol | PtqProtocol | QatProtocol;

/** Short, stable names for protocols, as used on the command line and in reports. */
export const PROTOCOL_NAMES = ['float', 'projected-step', 'projected-epoch', 'ptq', 'qat'] as const;

/** One of {@link PROTOCOL_NAMES}. */
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

/** Plain-language definition of each protocol, for reports. */
export const PROTOCOL_DEFINITIONS: Readonly<Record<ProtocolName, string>> = {
  float: 'No quantization: float32 weights throughout (baseline).',
  'projected-step':
    'After every optimizer step, every trainable tensor (kernels and biases) is replaced by dequantize(quantize(w)); the model is evaluated with these quantized weights.',
  'projected-epoch':
    'As projected-step, but the projection happens once at the end of every epoch.',
  ptq: 'Post-training quantization: train in float32, quantize every trainable tensor once at the end, evaluate the quantized model.',
  qat: 'Quantization-aware training: forward and backward passes use quantized weights, the gradient updates float shadow weights (straight-through estimator); evaluation uses the quantized weights.',
};

/** Parses a protocol name; throws naming the bad value and the valid ones. */
export function parseProtocol(name: string): Protocol {
  switch (name) {
    case 'float':
      return { kind: 'float' };
    case 'projected-step':
      return { kind: 'projected', every: 'step' };
    case 'projected-epoch':
      return { kind: 'projected', every: 'epoch' };
    case 'ptq':
      return { kind: 'ptq' };
    case 'qat':
      return { kind: 'qat' };
    default:
      throw new Error(`unknown protocol '${name}' (valid: ${PROTOCOL_NAMES.join(', ')})`);
  }
}

/** The short name of a protocol (inverse of {@link parseProtocol}). */
export function protocolName(p: Protocol): ProtocolName {
  return p.kind === 'projected' ? (p.every === 'step' ? 'projected-step' : 'projected-epoch') : p.kind;
}
