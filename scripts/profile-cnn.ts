/**
 * Times training steps of the study's CIFAR-10 CNN and prints where the time goes.
 *
 * Model: conv3×3(32, same)→ReLU→maxpool2→conv3×3(64, same)→ReLU→maxpool2→flatten→
 * dense(64)→ReLU→dense(10, softmax), 32×32×3 inputs, Adam 1e-3, categorical
 * cross-entropy (282,250 parameters). Inputs are seeded random data: speed does not
 * depend on the values.
 *
 * Usage: node dist/scripts/profile-cnn.js [--backend wasm|cpu|tensorflow|auto]
 *        [--kernels fast|baseline] [--batch 64] [--warmup 3] [--steps 10]
 *        [--profile-steps 3] [--json]
 *        node dist/scripts/profile-cnn.js --compare-kernels [--reps 9]
 *
 * `--kernels baseline` (wasm only) measures the state before this project's fast kernels:
 * stock wasm Conv2DBackpropInput and MaxPoolGrad, and the simple transposed-convolution
 * filter gradient. `--compare-kernels` times each of this project's wasm kernels against
 * the stock wasm kernel (or the simpler alternative) on the CNN's own shapes.
 */
import * as os from 'os';
import * as tf from '@tensorflow/tfjs';
import {
  batchMatMulWasm,
  conv2DBackpropFilterViaConvWasm,
  conv2DBackpropFilterIm2ColWasm,
  conv2DBackpropInputWasm,
  maxPoolGradWasm,
  sumWasm,
  installWasmKernel,
  prepareEngine,
  registerWasmKernels,
  unregisterWasmKernels,
} from '../src/engine';
import type { EngineInfo } from '../src/engine';

/** Command-line options of this script. */
export interface ProfileCnnArgs {
  /** Backend mode passed to prepareEngine. */
  backend: string;
  /** Which gradient kernels to use on wasm. */
  kernels: 'fast' | 'baseline';
  /** Samples per training step. */
  batch: number;
  /** Untimed steps first. */
  warmup: number;
  /** Timed steps (the median is reported). */
  steps: number;
  /** Steps run under tf.profile for the per-kernel table. */
  profileSteps: number;
  /** Print one JSON object instead of tables. */
  json: boolean;
  /** Time single kernels (ours vs stock) instead of training steps. */
  compareKernels: boolean;
  /** Repetitions per kernel in the comparison (the median is reported). */
  reps: number;
}

/** One row of the per-kernel table. */
export interface KernelTime {
  /** Kernel name. */
  kernel: string;
  /** Calls per training step. */
  callsPerStep: number;
  /** Milliseconds per training step. */
  msPerStep: number;
}

/** Parses `argv` (without node and script path). */
export function parseProfileArgs(argv: readonly string[]): ProfileCnnArgs {
  const out: ProfileCnnArgs = { backend: 'wasm', kernels: 'fast', batch: 64, warmup: 3, steps: 10, profileSteps: 3, json: false, compareKernels: false, reps: 9 };
  const int = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v == null || !Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}, got ${String(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = (): string | undefined => argv[++i];
    switch (flag) {
      case '--backend': {
        const v = next();
        if (v == null) throw new Error('--backend needs a value');
        out.backend = v;
        break;
      }
      case '--kernels': {
        const v = next();
        if (v !== 'fast' && v !== 'baseline') throw new Error(`--kernels must be 'fast' or 'baseline', got ${String(v)}`);
        out.kernels = v;
        break;
      }
      case '--batch':
        out.batch = int(flag, next(), 1);
        break;
      case '--warmup':
        out.warmup = int(flag, next(), 0);
        break;
      case '--steps':
        out.steps = int(flag, next(), 1);
        break;
      case '--profile-steps':
        out.profileSteps = int(flag, next(), 0);
        break;
      case '--json':
        out.json = true;
        break;
      case '--compare-kernels':
        out.compareKernels = true;
        break;
      case '--reps':
        out.reps = int(flag, next(), 1);
        break;
      default:
        throw new Error(`unknown argument '${flag}'`);
    }
  }
  return out;
}

/** The study's CIFAR-10 CNN, compiled with Adam 1e-3 and categorical cross-entropy. */
export function buildCifarCnn(seed: number): tf.Sequential {
  const init = (k: number): ReturnType<typeof tf.initializers.glorotUniform> => tf.initializers.glorotUniform({ seed: seed + k });
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init(3) }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(4) }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

/** CPU time (user + system) of this process since `start`, ms: less disturbed by other load than wall time. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/** Median of a non-empty list. */
function median(values: readonly number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Sums `tf.profile` kernel entries by name, per step, slowest first. */
export function aggregateKernels(kernels: readonly { name: string; kernelTimeMs: unknown }[], steps: number): KernelTime[] {
  const byName = new Map<string, { calls: number; ms: number }>();
  for (const k of kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const row = byName.get(k.name) ?? { calls: 0, ms: 0 };
    row.calls += 1;
    row.ms += ms;
    byName.set(k.name, row);
  }
  return [...byName.entries()]
    .map(([kernel, r]) => ({ kernel, callsPerStep: r.calls / steps, msPerStep: r.ms / steps }))
    .sort((a, b) => b.msPerStep - a.msPerStep);
}

/** Result of one profiling run. */
export interface ProfileCnnResult {
  /** The engine used. */
  engine: EngineInfo;
  /** Options used. */
  args: ProfileCnnArgs;
  /** Trainable parameters of the model. */
  params: number;
  /** Median wall time of one training step, ms. */
  medianStepMs: number;
  /** Fastest timed step, ms (least disturbed by other load on the machine). */
  minStepMs: number;
  /** Every timed step, ms. */
  stepMs: number[];
  /** Median CPU time (user + system) of this process per step, ms. */
  medianStepCpuMs: number;
  /** batch / median step time. */
  samplesPerSecond: number;
  /** Per-kernel wall time per step, from tf.profile. */
  kernels: KernelTime[];
  /**
   * Per-kernel CPU time per step of this process (kernels called inside another kernel
   * count for the outer one): steadier than wall time when the machine is shared.
   */
  kernelsCpu: KernelTime[];
}

/**
 * Runs `body` with every kernel registered for `backendName` wrapped to record its CPU
 * time (outermost calls only), then restores the kernels; returns raw entries.
 */
async function withKernelCpuTimes(backendName: string, body: () => Promise<void>): Promise<{ name: string; kernelTimeMs: number }[]> {
  const entries: { name: string; kernelTimeMs: number }[] = [];
  const originals = tf.getKernelsForBackend(backendName);
  let depth = 0;
  for (const config of originals) {
    const inner = config.kernelFunc;
    const wrapped: tf.KernelFunc = (params) => {
      if (depth > 0) return inner(params);
      depth++;
      const c0 = process.cpuUsage();
      try {
        return inner(params);
      } finally {
        depth--;
        entries.push({ name: config.kernelName, kernelTimeMs: cpuMsSince(c0) });
      }
    };
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({ ...config, kernelFunc: wrapped });
  }
  try {
    await body();
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  }
  return entries;
}

/** Builds the model, times training steps and profiles kernels. */
export async function profileCnn(args: ProfileCnnArgs): Promise<ProfileCnnResult> {
  const engine = await prepareEngine({ backend: args.backend });
  if (engine.backend === 'wasm') {
    if (args.kernels === 'baseline') {
      unregisterWasmKernels();
      installWasmKernel('Conv2DBackpropFilter', conv2DBackpropFilterViaConvWasm);
    } else {
      registerWasmKernels();
    }
  }
  const model = buildCifarCnn(7);
  const params = model.countParams();
  const x = tf.randomUniform([args.batch, 32, 32, 3], 0, 1, 'float32', 11);
  const labels = tf.randomUniform([args.batch], 0, 10, 'int32', 12);
  const y = tf.oneHot(labels as tf.Tensor1D, 10).toFloat();
  for (let i = 0; i < args.warmup; i++) await model.trainOnBatch(x, y);
  const stepMs: number[] = [];
  const stepCpuMs: number[] = [];
  for (let i = 0; i < args.steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await model.trainOnBatch(x, y);
    stepCpuMs.push(cpuMsSince(c0));
    stepMs.push(performance.now() - t0);
  }
  let kernels: KernelTime[] = [];
  let kernelsCpu: KernelTime[] = [];
  if (args.profileSteps > 0) {
    const info = await tf.profile(async () => {
      for (let i = 0; i < args.profileSteps; i++) await model.trainOnBatch(x, y);
      return tf.scalar(0);
    });
    kernels = aggregateKernels(info.kernels, args.profileSteps);
    const cpu = await withKernelCpuTimes(tf.getBackend(), async () => {
      for (let i = 0; i < args.profileSteps; i++) await model.trainOnBatch(x, y);
    });
    kernelsCpu = aggregateKernels(cpu, args.profileSteps);
  }
  const medianStepMs = median(stepMs);
  tf.dispose([x, labels, y]);
  model.dispose();
  const minStepMs = Math.min(...stepMs);
  return { engine, args, params, medianStepMs, minStepMs, stepMs, medianStepCpuMs: median(stepCpuMs), kernelsCpu, samplesPerSecond: (args.batch * 1000) / medianStepMs, kernels };
}

/** Human-readable report. */
export function formatProfile(r: ProfileCnnResult): string {
  const lines = [
    `backend ${r.engine.backend} (kernels: ${r.engine.backend === 'wasm' ? r.args.kernels : 'n/a'}), ` +
      `simd=${String(r.engine.wasm.simd)}, ${r.engine.host.cpuModel} x${r.engine.host.cpuCount}, node ${r.engine.host.node}`,
    `params ${r.params}, batch ${r.args.batch}: median step ${r.medianStepMs.toFixed(1)} ms, fastest ${r.minStepMs.toFixed(1)} ms ` +
      `(${r.stepMs.map((t) => t.toFixed(0)).join(' ')}) → ${r.samplesPerSecond.toFixed(0)} samples/s`,
    `median CPU time per step ${r.medianStepCpuMs.toFixed(1)} ms (→ ${((r.args.batch * 1000) / r.medianStepCpuMs).toFixed(0)} samples per CPU-second); ` +
      `load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`,
  ];
  const table = (title: string, rows: readonly KernelTime[]): void => {
    if (rows.length === 0) return;
    const total = rows.reduce((sum, k) => sum + k.msPerStep, 0);
    lines.push(`${title} (${r.args.profileSteps} steps; sum ${total.toFixed(1)} ms/step):`);
    lines.push(`  ${'kernel'.padEnd(28)} ${'ms/step'.padStart(8)} ${'calls'.padStart(6)} ${'share'.padStart(6)}`);
    for (const k of rows) {
      if (k.msPerStep < 0.05) continue;
      lines.push(
        `  ${k.kernel.padEnd(28)} ${k.msPerStep.toFixed(2).padStart(8)} ${k.callsPerStep.toFixed(0).padStart(6)} ` +
          `${((100 * k.msPerStep) / total).toFixed(1).padStart(5)}%`,
      );
    }
  };
  table('per-kernel CPU time per step', r.kernelsCpu);
  table('per-kernel wall time per step (tf.profile)', r.kernels);
  return lines.join('\n');
}

/** Median milliseconds of ours vs the reference implementation for one kernel call. */
export interface KernelComparison {
  /** What was timed (kernel and layer). */
  label: string;
  /** This project's kernel: median CPU time of this process, ms. */
  oursMs: number;
  /** Stock wasm kernel (or the simpler alternative): median CPU time, ms. */
  referenceMs: number;
  /** What the reference is. */
  reference: string;
}

/** Times this project's wasm kernels against the stock ones on the study CNN's shapes (batch 64). */
export async function compareKernels(reps: number): Promise<KernelComparison[]> {
  await prepareEngine({ backend: 'wasm' });
  unregisterWasmKernels();
  const stock = (name: string): tf.KernelFunc => {
    const k = tf.getKernel(name, 'wasm');
    if (k == null) throw new Error(`no stock wasm kernel '${name}'`);
    return k.kernelFunc;
  };
  const refs = { input: stock('Conv2DBackpropInput'), pool: stock('MaxPoolGrad'), mm: stock('BatchMatMul'), sum: stock('Sum') };
  registerWasmKernels();
  const backend = tf.backend();
  const r = (shape: number[]): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', 5);
  const [x1, dy1, x2, dy2, f2] = [r([64, 32, 32, 3]), r([64, 32, 32, 32]), r([64, 16, 16, 32]), r([64, 16, 16, 64]), r([3, 3, 32, 64])];
  const [a1, p1, a2, p2] = [r([64, 32, 32, 32]), r([64, 16, 16, 32]), r([64, 16, 16, 64]), r([64, 8, 8, 64])];
  const [h, dd, w] = [r([64, 4096]), r([64, 64]), r([4096, 64])];
  const conv = { dataFormat: 'NHWC', pad: 'same', strides: 1 };
  type Fn = (args: { inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap }) => unknown;
  const cases: [string, Fn, Fn, string, tf.NamedTensorInfoMap, tf.NamedAttrMap][] = [
    ['Conv2DBackpropFilter conv1', conv2DBackpropFilterIm2ColWasm, conv2DBackpropFilterViaConvWasm, 'ours = im2col (used); ref = transposed conv', { x: x1, dy: dy1 }, { ...conv, filterShape: [3, 3, 3, 32] }],
    ['Conv2DBackpropFilter conv2', conv2DBackpropFilterIm2ColWasm, conv2DBackpropFilterViaConvWasm, 'ours = im2col; ref = transposed conv (used)', { x: x2, dy: dy2 }, { ...conv, filterShape: [3, 3, 32, 64] }],
    ['Conv2DBackpropInput conv2', conv2DBackpropInputWasm, refs.input, 'stock', { dy: dy2, filter: f2 }, { ...conv, inputShape: [64, 16, 16, 32] }],
    ['MaxPoolGrad pool1', maxPoolGradWasm, refs.pool, 'stock', { dy: p1, input: a1, output: p1 }, { filterSize: 2, strides: 2, pad: 'valid' }],
    ['MaxPoolGrad pool2', maxPoolGradWasm, refs.pool, 'stock', { dy: p2, input: a2, output: p2 }, { filterSize: 2, strides: 2, pad: 'valid' }],
    ['BatchMatMul dense1 dW (Aᵀ·B)', batchMatMulWasm, refs.mm, 'stock', { a: h, b: dd }, { transposeA: true, transposeB: false }],
    ['BatchMatMul dense1 dx (A·Bᵀ)', batchMatMulWasm, refs.mm, 'stock', { a: dd, b: w }, { transposeA: false, transposeB: true }],
    ['Sum conv1 bias grad', sumWasm, refs.sum, 'stock', { x: dy1 }, { axis: [0, 1, 2], keepDims: false }],
  ];
  const out: KernelComparison[] = [];
  for (const [label, ours, ref, refName, inputs, attrs] of cases) {
    const times: [number[], number[]] = [[], []];
    for (let i = 0; i < reps + 1; i++) {
      [ours, ref].forEach((fn, j) => {
        // Fresh copies, as in training: XNNPACK caches packed weights per input buffer.
        const fresh: tf.NamedTensorMap = {};
        for (const [k, t] of Object.entries(inputs)) fresh[k] = tf.mul(t as tf.Tensor, 1);
        const t0 = process.cpuUsage();
        const res = fn({ inputs: fresh, backend, attrs }) as tf.TensorInfo;
        if (i > 0) times[j].push(cpuMsSince(t0));
        backend.disposeData(res.dataId);
        tf.dispose(Object.values(fresh));
      });
    }
    out.push({ label, oursMs: median(times[0]), referenceMs: median(times[1]), reference: refName });
  }
  tf.dispose([x1, dy1, x2, dy2, f2, a1, p1, a2, p2, h, dd, w]);
  return out;
}

/** Human-readable kernel comparison. */
export function formatComparison(rows: readonly KernelComparison[]): string {
  const lines = [`${'kernel (batch 64), CPU ms'.padEnd(32)} ${'ours'.padStart(8)} ${'ref'.padStart(8)} ${'speed-up'.padStart(8)}  reference`];
  for (const r of rows) {
    lines.push(
      `${r.label.padEnd(32)} ${r.oursMs.toFixed(1).padStart(8)} ${r.referenceMs.toFixed(1).padStart(8)} ` +
        `${(r.referenceMs / r.oursMs).toFixed(1).padStart(7)}x  ${r.reference}`,
    );
  }
  lines.push(`load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
  return lines.join('\n');
}

/** Runs the script on `argv` and returns the text to print. */
export async function main(argv: readonly string[]): Promise<string> {
  const args = parseProfileArgs(argv);
  if (args.compareKernels) {
    const rows = await compareKernels(args.reps);
    return args.json ? JSON.stringify(rows, null, 2) : formatComparison(rows);
  }
  const r = await profileCnn(args);
  return args.json ? JSON.stringify(r, null, 2) : formatProfile(r);
}

if (require.main === module) {
  main(process.argv.slice(2))
    .then((text) => console.log(text))
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
