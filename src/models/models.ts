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

/** Activation of a dense or convolution layer. */
export type Activation = 'relu' | 'softmax' | 'linear';

/**
 * One layer of an architecture, engine-neutral. Kernels use TensorFlow.js layouts (dense
 * `[inputs, units]`, conv `[k, k, inputs, filters]`, inputs NHWC); `inputs` is the size of the
 * layer's input (features, or channels for a convolution).
 */
export type LayerSpec =
  | { type: 'dense'; name: string; inputs: number; units: number; activation: Activation }
  | { type: 'conv2d'; name: string; inputs: number; filters: number; kernelSize: number; activation: Activation }
  | { type: 'maxpool'; name: string; poolSize: number }
  | { type: 'flatten'; name: string };

/** An architecture: what every engine builds a model from. */
export interface Architecture {
  /** Which architecture. */
  name: ModelName;
  /** Per-example input shape. */
  inputShape: number[];
  /** Layers in order. */
  layers: LayerSpec[];
}

/** Name and shape of one trainable weight (e.g. `dense1/kernel`, `[784, 128]`). */
export interface WeightSpec {
  /** Weight name, `<layer>/kernel` or `<layer>/bias`. */
  name: string;
  /** Shape in TensorFlow.js layout. */
  shape: number[];
}

/**
 * The layers of an architecture, with every size resolved (convolutions use 'same'
 * padding and stride 1, pools are 'valid' with stride = pool size).
 */
export function architecture(args: ModelArgs): Architecture {
  const dense = (name: string, inputs: number, units: number, activation: Activation): LayerSpec => ({ type: 'dense', name, inputs, units, activation });
  switch (args.name) {
    case 'regression-mlp': {
      const inputShape = args.inputShape ?? [10];
      const hidden = args.hidden ?? 32;
      const n = inputShape.reduce((a, b) => a * b, 1);
      return { name: args.name, inputShape, layers: [dense('dense1', n, hidden, 'relu'), dense('dense2', hidden, 1, 'linear')] };
    }
    case 'mnist-mlp': {
      const inputShape = args.inputShape ?? [784];
      const n = inputShape.reduce((a, b) => a * b, 1);
      const flatten: LayerSpec[] = inputShape.length !== 1 ? [{ type: 'flatten', name: 'flatten' }] : [];
      return { name: args.name, inputShape, layers: [...flatten, dense('dense1', n, 128, 'relu'), dense('dense2', 128, 10, 'softmax')] };
    }
    case 'cifar10-cnn': {
      const inputShape = args.inputShape ?? [32, 32, 3];
      if (inputShape.length !== 3) throw new Error(`cifar10-cnn needs an input shape [h, w, c], got [${inputShape.join(', ')}]`);
      const [h, w, c] = inputShape;
      const pooled = Math.floor(Math.floor(h / 2) / 2) * Math.floor(Math.floor(w / 2) / 2);
      return {
        name: args.name,
        inputShape,
        layers: [
          { type: 'conv2d', name: 'conv1', inputs: c, filters: 32, kernelSize: 3, activation: 'relu' },
          { type: 'maxpool', name: 'pool1', poolSize: 2 },
          { type: 'conv2d', name: 'conv2', inputs: 32, filters: 64, kernelSize: 3, activation: 'relu' },
          { type: 'maxpool', name: 'pool2', poolSize: 2 },
          { type: 'flatten', name: 'flatten' },
          dense('dense1', pooled * 64, 64, 'relu'),
          dense('dense2', 64, 10, 'softmax'),
        ],
      };
    }
    default: {
      const never: never = args.name;
      throw new Error(`unknown model name '${String(never)}' (valid: ${Object.keys(MODEL_DESCRIPTIONS).join(', ')})`);
    }
  }
}

/** The trainable weights of an architecture, in the order every engine stores them (kernel, bias per layer). */
export function weightSpecs(arch: Architecture): WeightSpec[] {
  const out: WeightSpec[] = [];
  for (const l of arch.layers) {
    if (l.type === 'dense') out.push({ name: `${l.name}/kernel`, shape: [l.inputs, l.units] }, { name: `${l.name}/bias`, shape: [l.units] });
    if (l.type === 'conv2d') {
      out.push({ name: `${l.name}/kernel`, shape: [l.kernelSize, l.kernelSize, l.inputs, l.filters] }, { name: `${l.name}/bias`, shape: [l.filters] });
    }
  }
  return out;
}

/**
 * Builds an uninitialised-by-seed tfjs model of {@link architecture}(args) (weights come
 * from {@link initializeWeights}). Layer names are fixed so that per-layer statistics and
 * seeded streams are stable.
 */
export function buildModel(args: ModelArgs): tf.Sequential {
  const arch = architecture(args);
  const model = tf.sequential({ name: args.name });
  const zeros = 'zeros';
  arch.layers.forEach((l, i) => {
    const first = i === 0 ? { inputShape: arch.inputShape } : {};
    switch (l.type) {
      case 'dense':
        model.add(tf.layers.dense({ name: l.name, units: l.units, activation: l.activation, biasInitializer: zeros, ...first }));
        break;
      case 'conv2d':
        model.add(tf.layers.conv2d({ name: l.name, filters: l.filters, kernelSize: l.kernelSize, padding: 'same', activation: l.activation, biasInitializer: zeros, ...first }));
        break;
      case 'maxpool':
        model.add(tf.layers.maxPooling2d({ name: l.name, poolSize: l.poolSize, ...first }));
        break;
      case 'flatten':
        model.add(tf.layers.flatten({ name: l.name, ...first }));
        break;
    }
  });
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
 * How initial weights are drawn:
 * - `glorot-uniform`: Keras' default (the study's): kernels U(±√(6/(fanIn+fanOut))), biases 0;
 * - `torch-default`: PyTorch's nn.Linear / nn.Conv2d default: kernels kaiming-uniform with
 *   a = √5, i.e. U(±1/√fanIn), and biases U(±1/√fanIn) (fanIn of the layer's kernel);
 * - `glorot-half`: Glorot uniform × 0.5, biases 0.
 */
export type InitScheme = 'glorot-uniform' | 'torch-default' | 'glorot-half';

/** Every {@link InitScheme}. */
export const INIT_SCHEMES: readonly InitScheme[] = ['glorot-uniform', 'torch-default', 'glorot-half'];

/**
 * Initial values for every trainable weight of `model` from `seed` under `init` (default
 * Glorot uniform, see {@link InitScheme}), each weight drawn from a stream named after it.
 * Takes a tfjs model or the {@link weightSpecs} of an architecture (the same names and
 * shapes give the same values). Pure in its inputs: no tfjs random ops, so the values are
 * identical on every backend. A bias takes its fan-in from the kernel stored before it.
 */
export function initialWeightValues(model: tf.LayersModel | readonly WeightSpec[], seed: number, init: InitScheme = 'glorot-uniform'): Float32Array[] {
  const specs: readonly WeightSpec[] = Array.isArray(model)
    ? model
    : (model as tf.LayersModel).trainableWeights.map((w) => ({ name: w.originalName, shape: w.shape as number[] }));
  if (!INIT_SCHEMES.includes(init)) throw new Error(`unknown init '${String(init)}' (valid: ${INIT_SCHEMES.join(', ')})`);
  return specs.map((w, index) => {
    const size = sizeOf(w.shape);
    const values = new Float32Array(size);
    let limit: number;
    if (w.shape.length === 1) {
      if (init !== 'torch-default') return values; // biases start at zero
      const kernel = specs[index - 1];
      if (kernel === undefined || kernel.shape.length === 1) throw new Error(`init torch-default: bias ${w.name} has no kernel before it`);
      limit = 1 / Math.sqrt(fans(kernel.shape).fanIn);
    } else {
      const { fanIn, fanOut } = fans(w.shape);
      limit = init === 'torch-default' ? 1 / Math.sqrt(fanIn) : Math.sqrt(6 / (fanIn + fanOut)) * (init === 'glorot-half' ? 0.5 : 1);
    }
    const rng = Rng.stream(seed, `init/${w.name}`);
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
