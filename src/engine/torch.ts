/**
 * The `torch` engine: PyTorch's C++ core (libtorch) through octolab's own Node-API addon
 * (native/torch/octotorch.cc, built by `npm run build` when libtorch is installed).
 *
 * Threads are pinned before the addon loads: `OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS` and
 * `MKL_NUM_THREADS` are set to the thread count (unless already set), and libtorch's
 * intra-op pool is set with `at::set_num_threads`, so a worker uses exactly its threads.
 */
import * as path from 'path';
import { TORCH_ADDON_PATH } from './torch-build';

/** The addon's functions (see native/torch/octotorch.cc). */
export interface TorchAddon {
  /** Builds a network of the spec, weights zero. */
  createNet(spec: TorchNetSpec): TorchNet;
  /** Starts a fresh optimizer (zero state); `momentum` > 0 only with `sgd`. */
  resetOptimizer(net: TorchNet, name: string, learningRate: number, momentum: number): void;
  /** Live Float32Array views of the parameters. */
  params(net: TorchNet): Float32Array[];
  /** Live views of the optimizer's slots (Adam: first moments, then second moments; SGD with momentum: its accumulators). */
  slots(net: TorchNet): Float32Array[];
  /** [iterations, accBeta1, accBeta2]. */
  optimizerScalars(net: TorchNet): [number, number, number];
  /** Sets iterations and the Adam powers. */
  setOptimizerScalars(net: TorchNet, iterations: number, accBeta1: number, accBeta2: number): void;
  /** One optimizer step on a batch; returns [mean loss, correct]. */
  step(net: TorchNet, x: Float32Array, y: Float32Array, count: number, applyTo: readonly Float32Array[] | null): [number, number];
  /** L2 norm of the mean-loss gradient of each parameter at the current weights (no update). */
  gradNorms(net: TorchNet, x: Float32Array, y: Float32Array, count: number): Float64Array;
  /** Summed loss and correct predictions of a batch: [lossSum, correct]. */
  evaluate(net: TorchNet, x: Float32Array, y: Float32Array, count: number): [number, number];
  /** Outputs of a batch (a copy). */
  predict(net: TorchNet, x: Float32Array, count: number): Float32Array;
  /** libtorch's intra-op threads. */
  setThreads(n: number): void;
  /** Milliseconds in the phases of step() since the last call (then reset): forward with loss, backward, optimizer, whole step in libtorch. */
  timers(net: TorchNet): TorchStepTimers;
  /** Version, threads, parallel settings and build configuration of libtorch. */
  info(): { version: string; threads: number; parallel: string; config: string };
}

/** Where libtorch's steps spent their time (see {@link TorchAddon.timers}). */
export interface TorchStepTimers {
  /** Steps timed. */
  steps: number;
  /** Forward pass and loss, ms summed over the steps. */
  forwardMs: number;
  /** Backward pass, ms. */
  backwardMs: number;
  /** Optimizer update, ms. */
  optimizerMs: number;
  /** Whole step inside libtorch (the three above plus reading the loss and the accuracy), ms. */
  stepMs: number;
}

/** An opaque network handle of the addon. */
export type TorchNet = { readonly __torchNet: unique symbol };

/** What the addon builds a network from (octolab's architecture layers plus the task). */
export interface TorchNetSpec {
  /** Per-example input shape. */
  inputShape: readonly number[];
  /** `classification` (softmax output, cross-entropy) or `regression` (MSE). */
  task: 'classification' | 'regression';
  /** Layers as in models.ts' LayerSpec. */
  layers: readonly object[];
}

/** Facts about the torch engine recorded with every result. */
export interface TorchEngineInfo {
  /** libtorch version the addon was compiled against (TORCH_VERSION). */
  version: string;
  /** Intra-op threads libtorch uses. */
  threads: number;
  /** The thread environment the process set before loading libtorch. */
  threadEnv: { OMP_NUM_THREADS: string | null; OPENBLAS_NUM_THREADS: string | null; MKL_NUM_THREADS: string | null };
  /** `at::get_parallel_info()` first lines (ATen/OpenMP/MKL-DNN parallel settings). */
  parallel: string[];
  /** Build flags of libtorch (`at::show_config()`): BLAS, CPU capability, oneDNN, OpenMP. */
  build: string[];
  /** The addon file, relative to the package root. */
  addon: string;
}

/** Environment variable with the number of threads per process (default 1). */
export const THREADS_ENV_VAR = 'OCTOLAB_THREADS';

/** Absolute path of the addon in this package. */
export function torchAddonFile(): string {
  return path.resolve(__dirname, '..', '..', '..', TORCH_ADDON_PATH);
}

/**
 * Threads per process: `OCTOLAB_THREADS` when set (an integer >= 1), else 1.
 *
 * @throws Error naming the variable and the bad value
 */
export function threadsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env[THREADS_ENV_VAR];
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 1) throw new Error(`${THREADS_ENV_VAR} must be an integer >= 1, got '${raw}'`);
  return n;
}

let loaded: TorchAddon | null = null;

/** The lines of libtorch's build description that say how it computes. */
function buildFacts(config: string): string[] {
  const lines = config.split('\n').map((l) => l.trim().replace(/^- /, ''));
  const facts = lines.filter((l) => /MKL-DNN|OpenMP|CPU capability|LAPACK/.test(l));
  const settings = /Build settings: (.*)/.exec(config)?.[1] ?? '';
  for (const key of ['BLAS_INFO', 'LAPACK_INFO', 'USE_MKLDNN', 'USE_OPENMP', 'TORCH_VERSION']) {
    const m = new RegExp(`${key}=([^,]*)`).exec(settings);
    if (m !== null) facts.push(`${key}=${m[1]}`);
  }
  return facts;
}

/**
 * Loads the addon once per process with `threads` threads (env pinned first), through
 * `load` (Node's require by default).
 *
 * @throws Error saying why it is unavailable (not built, libtorch missing, failed to load)
 */
export function loadTorch(threads: number, load: (id: string) => unknown = (id) => require(id) as unknown): TorchAddon {
  if (loaded === null) {
    // Before libtorch (hence OpenMP and OpenBLAS) is loaded: they read these once, at load.
    for (const v of ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS']) {
      if (process.env[v] === undefined) process.env[v] = String(threads);
    }
  }
  const file = torchAddonFile();
  let mod: TorchAddon;
  try {
    mod = load(file) as TorchAddon; // Node caches the addon: loading it again is free
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'MODULE_NOT_FOUND') {
      throw new Error(`addon not built (${TORCH_ADDON_PATH} missing: install libtorch-dev, then npm run build)`);
    }
    throw new Error(`addon failed to load: ${String(e.message ?? err).split('\n')[0]}`);
  }
  if (typeof mod?.createNet !== 'function') throw new Error(`${TORCH_ADDON_PATH} is not the octolab torch addon`);
  loaded = mod;
  loaded.setThreads(threads);
  return loaded;
}

/** The loaded addon, or throws if {@link loadTorch} has not run in this process. */
export function torchAddon(): TorchAddon {
  if (loaded === null) throw new Error('the torch engine is not loaded; prepare it with OCTOLAB_BACKEND=torch (or prepareEngine({ backend: "torch" }))');
  return loaded;
}

/** What the loaded addon reports. */
export function describeTorch(addon: TorchAddon): TorchEngineInfo {
  const info = addon.info();
  const env = (v: string): string | null => process.env[v] ?? null;
  return {
    version: info.version,
    threads: info.threads,
    threadEnv: { OMP_NUM_THREADS: env('OMP_NUM_THREADS'), OPENBLAS_NUM_THREADS: env('OPENBLAS_NUM_THREADS'), MKL_NUM_THREADS: env('MKL_NUM_THREADS') },
    parallel: info.parallel.split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(0, 8),
    build: buildFacts(info.config),
    addon: TORCH_ADDON_PATH,
  };
}
