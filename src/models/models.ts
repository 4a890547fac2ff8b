/**
 * The three networks of the study, built with tfjs-layers and initialised from
 * octolab's own seeded generator so that, for a given seed, every method starts
 * from bit-identical weights on every backend (the paired design).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';

/** Names of the architectures the study uses. */
export type ModelName = 'regression-mlp' | 'mnist-mlp' | 'cifar10-cnn';

/** Options for {@link buildModel}. */
export interface ModelArgs {
  /** Which architecture. */
  name: ModelName;
  /** Per-example input shape; defaults to the architecture's natural one. */
  inputShape?: number[];
  /** Hidden width of the regression MLP (default 32). */
  hidden?: number;
}

/** What each architecture is, in one line, for reports. */
export const MODEL_DESCRIPTIONS: Readonly<Record<ModelName, string>> = {
  'regression-mlp': 'Dense(hidden=32, ReLU) → Dense(1, linear) on the regression features; MSE loss.',
  'mnist-mlp': 'Flatten 784 → Dense(128, ReLU) → Dense(10, softmax): 101,770 parameters.',
  'cifar10-cnn':
    'Conv3×3(32, same, ReLU) → MaxPool2 → Conv3×3(64, same, ReLU) → MaxPool2 → Flatten → Dense(64, ReLU) → Dense(10, softmax): 282,250 parameters.',
};

/**
 * Parameter count of the study's MNIST MLP. The seed prints 101,870; no plain
 * 784→128→10 MLP has that many (784·128+128 + 128·10+10 = 101,770), so the
 * seed's figure is most likely a typo.
 */
export const MNIST_MLP_PARAMS = 101_770;

/** Parameter count of the study's CIFAR-10 CNN, which the seed reports as 282,250. */
export const CIFAR10_CNN_PARAMS = 282_250;

/**
 * Builds an uninitialised-by-seed model (weights come from {@link initializeWeights}).
 * Layer names are fixed so that per-layer statistics and seeded streams are stable.
 */
export function buildModel(args: ModelArgs): tf.Sequential {
  const model = tf.sequential({ name: args.name });
  const zeros = 'zeros';
  switch (args.name) {
    case 'regression-mlp': {
      const inputShape = args.inputShape ?? [10];
      const hidden = args.hidden ?? 32;
      model.add(tf.layers.dense({ name: 'dense1', units: hidden, activation: 'relu', inputShape, biasInitializer: zeros }));
      model.add(tf.layers.dense({ name: 'dense2', units: 1, activation: 'linear', biasInitializer: zeros }));
      break;
    }
    case 'mnist-mlp': {
      const inputShape = args.inputShape ?? [784];
      if (inputShape.length !== 1) model.add(tf.layers.flatten({ name: 'flatten', inputShape }));
      model.add(
        tf.layers.dense({
          name: 'dense1',
          units: 128,
          activation: 'relu',
          biasInitializer: zeros,
          ...(inputShape.length === 1 ? { inputShape } : {}),
        }),
      );
      model.add(tf.layers.dense({ name: 'dense2', units: 10, activation: 'softmax', biasInitializer: zeros }));
      break;
    }
    case 'cifar10-cnn': {
      const inputShape = args.inputShape ?? [32, 32, 3];
      model.add(tf.layers.conv2d({ name: 'conv1', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', inputShape, biasInitializer: zeros }));
      model.add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }));
      model.add(tf.layers.conv2d({ name: 'conv2', filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', biasInitializer: zeros }));
      model.add(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }));
      model.add(tf.layers.flatten({ name: 'flatten' }));
      model.add(tf.layers.dense({ name: 'dense1', units: 64, activation: 'relu', biasInitializer: zeros }));
      model.add(tf.layers.dense({ name: 'dense2', units: 10, activation: 'softmax', biasInitializer: zeros }));
      break;
    }
    default: {
      const never: never = args.name;
      throw new Error(`unknown model name '${String(never)}' (valid: ${Object.keys(MODEL_DESCRIPTIONS).join(', ')})`);
    }
  }
  return model;
}

/** Number of elements of a fully known shape; throws on an unknown (null) dimension. */
export function sizeOf(shape: readonly (number | null)[]): number {
  let n = 1;
  for (const d of shape) {
    if (d === null) throw new Error(`sizeOf: shape [${shape.join(', ')}] has an unknown dimension`);
    n *= d;
  }
  return n;
}

/** Fan-in and fan-out of a kernel shape, as Keras computes them for Glorot initialisation. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  if (shape.length === 4) {
    const receptive = shape[0] * shape[1];
    return { fanIn: receptive * shape[2], fanOut: receptive * shape[3] };
  }
  throw new Error(`fans: unsupported kernel rank ${shape.length} (shape [${shape.join(', ')}])`);
}

/**
 * Initial values for every trainable weight of `model` from `seed`: Glorot-uniform
 * kernels (limit √(6/(fanIn+fanOut)), as Keras' default) drawn from a stream named
 * after the weight, and zero biases. Pure in its inputs: no tfjs random ops, so
 * the values are identical on every backend.
 */
export function initialWeightValues(model: tf.LayersModel, seed: number): Float32Array[] {
  return model.trainableWeights.map((w) => {
    const size = sizeOf(w.shape);
    const values = new Float32Array(size);
    if (w.shape.length === 1) return values; // biases start at zero
    const { fanIn, fanOut } = fans(w.shape as number[]);
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const rng = Rng.stream(seed, `init/${w.originalName}`);
    for (let i = 0; i < size; i++) values[i] = (2 * rng.next() - 1) * limit;
    return values;
  });
}

/** Sets every trainable weight of `model` to {@link initialWeightValues}(model, seed). */
export function initializeWeights(model: tf.LayersModel, seed: number): void {
  const values = initialWeightValues(model, seed);
  model.trainableWeights.forEach((w, i) => {
    const t = tf.tensor(values[i], w.shape as number[], 'float32');
    w.write(t);
    t.dispose();
  });
}

/** Total number of trainable parameters (what the seed calls "model size"). */
export function countParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + sizeOf(w.shape), 0);
}
