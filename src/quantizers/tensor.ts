/**
 * Quantizer projection for TensorFlow.js tensors and models.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng';
import { projectValues } from './quantize';
import type { QuantScheme } from './scheme';

/** What {@link projectModelWeights} did to one weight. */
export interface ProjectedWeight {
  /** The weight's variable name (e.g. `dense_Dense1/kernel`). */
  name: string;
  /** The weight's shape. */
  shape: number[];
  /** Number of values. */
  size: number;
  /** The int32 code of every value, row-major. */
  codes: Int32Array;
  /** Step(s) used: one per tensor or per channel (see `QuantParams.scales`). */
  scales: Float64Array;
  /** Zero point(s), nonzero only for the minmax scale. */
  zeroPoints: Int32Array;
}

function checkFloat32(t: tf.Tensor, fn: string, what: string): void {
  if (t.dtype !== 'float32') throw new Error(`${fn}: ${what} must be float32, got dtype ${t.dtype}`);
}

/**
 * Returns a new float32 tensor holding the projection of `t` (quantize, then dequantize) under
 * `scheme`; per-channel parameters follow `t.shape`. `t` is not changed or disposed.
 * @param rng required for stochastic rounding.
 * @throws Error for a non-float32 tensor or as `projectValues`.
 */
export async function projectTensor(t: tf.Tensor, scheme: QuantScheme, rng?: Rng): Promise<tf.Tensor> {
  checkFloat32(t, 'projectTensor', 'the tensor');
  const p = projectValues((await t.data()) as Float32Array, scheme, { shape: t.shape, rng });
  return tf.tensor(p.values, t.shape, 'float32');
}

/**
 * Replaces every trainable weight of `model` (kernels and biases) by its projection under
 * `scheme`, in place, with `Variable.assign`. The raw variable is assigned directly (not
 * `LayerVariable.write`, which would apply a layer's weight constraint after the projection and
 * leave the values off the grid). Weights are visited in `model.trainableWeights` order and, for
 * stochastic rounding, draw from `rng` in that order.
 * @returns one entry per weight with its codes and parameters.
 * @throws Error for a non-float32 weight or as `projectValues`.
 */
export async function projectModelWeights(model: tf.LayersModel, scheme: QuantScheme, rng?: Rng): Promise<ProjectedWeight[]> {
  const fn = 'projectModelWeights';
  const info: ProjectedWeight[] = [];
  for (const w of model.trainableWeights) {
    const variable = (w as unknown as { val: unknown }).val;
    if (!(variable instanceof tf.Variable)) throw new Error(`${fn}: weight ${w.name} has no underlying tf.Variable`);
    checkFloat32(variable, fn, `weight ${w.name}`);
    const shape = variable.shape.slice();
    const p = projectValues((await variable.data()) as Float32Array, scheme, { shape, rng });
    const projected = tf.tensor(p.values, shape, 'float32');
    variable.assign(projected);
    projected.dispose();
    info.push({ name: w.name, shape, size: p.codes.length, codes: p.codes, scales: p.scales, zeroPoints: p.zeroPoints });
  }
  return info;
}
