/**
 * Chooses and prepares the TensorFlow.js backend every other module computes on, and
 * describes what it got in a JSON-serialisable {@link EngineInfo} that each result of the
 * study carries.
 *
 * Automatic order: native TensorFlow (`@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node`, each only when installed and loadable), then `torch` (libtorch
 * through octolab's addon, when it is built and loads), then `webgpu` (only with a hardware
 * GPU adapter), then the `wasm` backend (SIMD where available, with this project's gradient
 * kernels), then `cpu`. Under `torch` the models train in libtorch (see
 * training/torch-trainer.ts) and tfjs keeps a backend (`wasm`, else `cpu`) for anything else.
 * `OCTOLAB_BACKEND` or {@link EngineArgs.backend} forces one mode and fails loudly if it
 * cannot be had.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { describeTorch, loadTorch, threadsFromEnv } from './torch';
import type { TorchEngineInfo } from './torch';
import { activeWasmKernels, registerWasmKernels } from './wasm-kernels';
import { describeAdapter, exposeWebGpu, gpuDeviceNodes, loadDawn } from './webgpu';
import type { GpuAdapterInfo } from './webgpu';
import { portableDir } from '../io/paths';

/** What a caller can ask for: one backend, or `auto` for the best available. */
export type BackendMode = 'auto' | 'tensorflow' | 'torch' | 'webgpu' | 'wasm' | 'cpu';

/** Every valid {@link BackendMode}, in the order error messages list them. */
export const BACKEND_MODES: readonly BackendMode[] = ['auto', 'tensorflow', 'torch', 'webgpu', 'wasm', 'cpu'];

/** Environment variable that forces a backend mode (overridden by {@link EngineArgs.backend}). */
export const BACKEND_ENV_VAR = 'OCTOLAB_BACKEND';

/** Options of {@link prepareEngine}. */
export interface EngineArgs {
  /**
   * Backend mode to force (one of {@link BACKEND_MODES}); wins over the environment
   * variable. Default: the value of `OCTOLAB_BACKEND`, else `'auto'`.
   */
  backend?: string;
  /** Environment to read `OCTOLAB_BACKEND` from. Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Module loader used for the optional backend packages and their package.json files.
   * Default: Node's `require`. Replaceable so that hosts with custom resolution (or
   * tests) can supply the packages.
   */
  requireModule?: (id: string) => unknown;
  /** Threads of the torch engine (default: `OCTOLAB_THREADS`, else 1). */
  threads?: number;
}

/** One backend the engine tried to get, and how that went. */
export interface EngineAttempt {
  /** What was tried: an npm package name, or a backend name for built-in backends. */
  candidate: string;
  /** The tfjs backend name it provides (`tensorflow`, `webgpu`, `wasm`, `cpu`). */
  backend: string;
  /** Whether it became the active, verified backend. */
  ok: boolean;
  /** Why it failed (absent when ok). */
  error?: string;
}

/** Package versions, read from each package's package.json; null when not resolvable. */
export interface EngineVersions {
  /** `@tensorflow/tfjs`. */
  tfjs: string | null;
  /** `@tensorflow/tfjs-core`. */
  tfjsCore: string | null;
  /** `@tensorflow/tfjs-backend-wasm`. */
  tfjsBackendWasm: string | null;
  /** The native package in use (`@tensorflow/tfjs-node` or `-node-gpu`), else null. */
  tfjsNode: string | null;
  /** `@tensorflow/tfjs-backend-webgpu`, when the webgpu backend is active, else null. */
  tfjsBackendWebgpu: string | null;
  /** `webgpu` (Dawn's Node binding), when the webgpu backend is active, else null. */
  dawn: string | null;
}

/** WebAssembly facts; all null unless the `wasm` backend was loaded. */
export interface EngineWasmInfo {
  /** Whether the runtime supports wasm SIMD (then the SIMD binary is used). */
  simd: boolean | null;
  /** Whether the runtime supports wasm threads (never in Node for tfjs 4.22). */
  threads: boolean | null;
  /** Number of threads the wasm backend uses, when it is active. */
  threadsCount: number | null;
  /** Folder the .wasm binaries are loaded from, relative to the package root (`portableDir`). */
  binaryDir: string | null;
  /** This project's kernels registered for wasm (see wasm-kernels.ts). */
  customKernels: string[];
}

/** The host the computation runs on. */
export interface EngineHostInfo {
  /** `process.version`, e.g. `v20.20.2`. */
  node: string;
  /** `process.platform`. */
  platform: string;
  /** `process.arch`. */
  arch: string;
  /** Model string of the first CPU, or `unknown`. */
  cpuModel: string;
  /** Number of logical CPUs. */
  cpuCount: number;
  /** Total system memory in bytes. */
  totalMemoryBytes: number;
  /**
   * The CPU's vendor, family, model and stepping and its vector extensions, from
   * /proc/cpuinfo (absent elsewhere): two machines with the same model string can differ here,
   * and the BLAS and oneDNN kernels (so the last bits of a result) follow it.
   */
  cpuSignature?: string;
}

/** What {@link prepareEngine} set up: plain, JSON-serialisable data. */
export interface EngineInfo {
  /** The engine computing the training: `torch`, or the active tfjs backend as `tf.getBackend()` reports it. */
  backend: string;
  /**
   * The active tfjs backend (`tf.getBackend()`); equal to `backend` except under `torch`.
   * Absent in records written before the torch engine existed.
   */
  tfjsBackend?: string;
  /** libtorch facts when `backend` is `torch` (version, threads, build flags), else null or absent. */
  torch?: TorchEngineInfo | null;
  /** The mode that was asked for. */
  requested: BackendMode;
  /** Where the request came from. */
  requestedBy: 'args' | 'env' | 'default';
  /** The native TensorFlow package in use, or null. */
  nativePackage: string | null;
  /** Whether the native backend reports a GPU device; null when unknown or not native. */
  nativeGpu: boolean | null;
  /**
   * The WebGPU adapter the `webgpu` backend computes on (null for other backends). Check
   * `software`: a software adapter (Mesa's lavapipe) is a CPU, whatever its API.
   */
  gpuAdapter: GpuAdapterInfo | null;
  /** Package versions. */
  versions: EngineVersions;
  /** WebAssembly details. */
  wasm: EngineWasmInfo;
  /** Host details. */
  host: EngineHostInfo;
  /** Every backend tried, in order, with its outcome. */
  attempts: EngineAttempt[];
  /** Non-fatal observations (e.g. the backend was changed after preparation). */
  warnings: string[];
}

/** A parsed backend request. */
export interface BackendRequest {
  /** The mode asked for. */
  mode: BackendMode;
  /** Where it came from. */
  source: 'args' | 'env' | 'default';
}

/**
 * Parses the backend request from `args.backend`, else `env.OCTOLAB_BACKEND`, else
 * `'auto'`. Values are trimmed and case-insensitive; an empty value counts as unset.
 *
 * @throws Error naming the bad value, where it came from, and the valid values
 */
export function resolveBackendRequest(args: EngineArgs = {}): BackendRequest {
  const env = args.env ?? process.env;
  const fromArgs = args.backend;
  const fromEnv = env[BACKEND_ENV_VAR];
  let raw: string | undefined;
  let source: BackendRequest['source'] = 'default';
  if (fromArgs != null && fromArgs.trim() !== '') {
    raw = fromArgs;
    source = 'args';
  } else if (fromEnv != null && fromEnv.trim() !== '') {
    raw = fromEnv;
    source = 'env';
  }
  if (raw == null) return { mode: 'auto', source };
  const value = raw.trim().toLowerCase();
  if (!(BACKEND_MODES as readonly string[]).includes(value)) {
    const where = source === 'args' ? 'EngineArgs.backend' : BACKEND_ENV_VAR;
    throw new Error(`invalid backend '${raw}' in ${where}; valid values: ${BACKEND_MODES.join(', ')}`);
  }
  return { mode: value as BackendMode, source };
}

// ---------------------------------------------------------------------------------------
// Candidates.
// ---------------------------------------------------------------------------------------

/** Mutable facts gathered while activating a candidate. */
interface ActivationContext {
  load: (id: string) => unknown;
  threads: number;
  torch: TorchEngineInfo | null;
  nativePackage: string | null;
  nativeGpu: boolean | null;
  gpuAdapter: GpuAdapterInfo | null;
  wasm: EngineWasmInfo;
}

/**
 * One way to obtain a backend. To add a backend, add a candidate here and its mode to {@link BackendMode}, {@link BACKEND_MODES} and {@link MODE_CANDIDATES}.
 */
interface BackendCandidate {
  /** Label recorded in the attempts list. */
  candidate: string;
  /** tfjs backend name it provides. */
  backend: string;
  /** Makes it the active, verified backend, or throws saying why not. */
  activate(ctx: ActivationContext): Promise<void>;
}

/** First line of an error's message, without Node's "Require stack" tail. */
function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].trim();
}

/** Whether `err` says that module `id` itself (not one of its dependencies) is missing. */
function isMissingModule(err: unknown, id: string): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e != null && e.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${id}'`);
}

/**
 * `await tf.setBackend(name)` + `await tf.ready()`, then checks that `tf.getBackend()`
 * really is `name` (wasm's setBackend can resolve false and leave the old backend active).
 * Warnings tfjs prints meanwhile are kept to explain a failure.
 */
async function setBackendVerified(name: string): Promise<void> {
  const previous = tf.getBackend();
  const captured: string[] = [];
  const original = console.warn;
  console.warn = (...parts: unknown[]) => {
    captured.push(parts.map((p) => (p instanceof Error ? p.message : String(p))).join(' '));
    original.apply(console, parts);
  };
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    // Only after success: on a failed init, tf.ready() would re-create the best backend.
    if (ok) await tf.ready();
  } finally {
    console.warn = original;
  }
  const active = tf.getBackend();
  if (!ok || active !== name) {
    // A failed setBackend leaves the engine naming a backend it does not have: go back.
    if (previous != null && previous !== name && tf.engine().registry[previous] != null) await tf.setBackend(previous);
    const detail = captured.length > 0 ? `: ${captured.map((c) => c.split('\n')[0]).join(' | ')}` : '';
    throw new Error(`tf.setBackend('${name}') returned ${ok} and tf.getBackend() is '${active}'${detail}`);
  }
}

/** A candidate for one of the native TensorFlow packages. */
function nativeCandidate(pkg: string): BackendCandidate {
  return {
    candidate: pkg,
    backend: 'tensorflow',
    async activate(ctx) {
      let manifest: { name?: unknown; version?: unknown } | null = null;
      try {
        manifest = ctx.load(`${pkg}/package.json`) as { name?: unknown; version?: unknown };
      } catch (err) {
        if (isMissingModule(err, `${pkg}/package.json`)) throw new Error(`not installed (cannot resolve ${pkg})`);
        // An unreadable manifest is not decisive; loading the package below decides.
      }
      if (manifest != null && typeof manifest.name === 'string' && manifest.name !== pkg) {
        throw new Error(
          `not the native binding: '${pkg}' resolves to ${manifest.name}@${String(manifest.version)} ` +
            `(an npm alias or override), so it was not loaded`,
        );
      }
      try {
        ctx.load(pkg);
      } catch (err) {
        if (isMissingModule(err, pkg)) throw new Error(`not installed (${errorText(err)})`);
        throw new Error(`installed but failed to load: ${errorText(err)}`);
      }
      if (tf.findBackendFactory('tensorflow') == null) {
        throw new Error(
          `loaded, but it registered no 'tensorflow' backend with this @tensorflow/tfjs instance ` +
            `(a separate copy of @tensorflow/tfjs-core?)`,
        );
      }
      await setBackendVerified('tensorflow');
      ctx.nativePackage = pkg;
      const backend = tf.backend() as { isUsingGpuDevice?: unknown };
      ctx.nativeGpu = typeof backend.isUsingGpuDevice === 'boolean' ? backend.isUsingGpuDevice : null;
    },
  };
}

/** Shape of the parts of `@tensorflow/tfjs-backend-wasm` used here. */
interface WasmModule {
  setWasmPaths(prefix: string): void;
  getThreadsCount?(): number;
}

/** Folder holding the .wasm binaries of the installed `@tensorflow/tfjs-backend-wasm`. */
export function wasmBinaryDir(): string {
  const pkgJson = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkgJson), 'dist');
}

const wasmCandidate: BackendCandidate = {
  candidate: '@tensorflow/tfjs-backend-wasm',
  backend: 'wasm',
  async activate(ctx) {
    let mod: WasmModule;
    try {
      mod = ctx.load('@tensorflow/tfjs-backend-wasm') as WasmModule;
    } catch (err) {
      throw new Error(`failed to load @tensorflow/tfjs-backend-wasm: ${errorText(err)}`);
    }
    if (tf.findBackendFactory('wasm') == null) {
      throw new Error(`loaded, but no 'wasm' backend appeared in this @tensorflow/tfjs instance (duplicate @tensorflow/tfjs-core?)`);
    }
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    ctx.wasm.simd = simd;
    ctx.wasm.threads = threads;
    const dir = wasmBinaryDir();
    ctx.wasm.binaryDir = portableDir(dir);
    const binary = path.join(dir, simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm');
    if (!fs.existsSync(binary)) throw new Error(`wasm binary not found: ${binary}`);
    if (tf.engine().registry['wasm'] == null) {
      // Absolute prefix: works from any working directory (e.g. a notebook kernel in notebooks/).
      mod.setWasmPaths(dir + path.sep);
    }
    await setBackendVerified('wasm');
    ctx.wasm.threadsCount = typeof mod.getThreadsCount === 'function' ? mod.getThreadsCount() : null;
    registerWasmKernels();
  },
};

/**
 * The `webgpu` backend through Dawn. With `requireHardware` (automatic mode) it is tried
 * only where a GPU device node exists and the adapter is not a software one.
 */
function webgpuCandidate(requireHardware: boolean): BackendCandidate {
  return {
    candidate: 'webgpu',
    backend: 'webgpu',
    async activate(ctx) {
      if (requireHardware && process.platform === 'linux' && gpuDeviceNodes().length === 0) {
        throw new Error('no GPU device node (/dev/nvidia*, /dev/dri/renderD*), so no GPU adapter to look for');
      }
      const dawn = await loadDawn(ctx.load);
      const adapter = await exposeWebGpu(dawn, requireHardware);
      try {
        ctx.load('@tensorflow/tfjs-backend-webgpu');
      } catch (err) {
        throw new Error(`failed to load @tensorflow/tfjs-backend-webgpu: ${errorText(err)}`);
      }
      if (tf.findBackendFactory('webgpu') == null) {
        throw new Error(`loaded, but no 'webgpu' backend appeared in this @tensorflow/tfjs instance (duplicate @tensorflow/tfjs-core?)`);
      }
      await setBackendVerified('webgpu');
      ctx.gpuAdapter = adapter;
      // The backend requested its own adapter from the same GPU object: say so if it differs.
      const used = (tf.backend() as { adapterInfo?: { vendor?: unknown; architecture?: unknown } }).adapterInfo;
      if (used != null && (used.vendor !== adapter.vendor || used.architecture !== adapter.architecture)) {
        throw new Error(
          `the webgpu backend chose adapter ${String(used.vendor)} ${String(used.architecture)}, not the probed ${describeAdapter(adapter)}`,
        );
      }
    },
  };
}

/**
 * libtorch through octolab's addon; tfjs gets `wasm` (else `cpu`) for whatever is not
 * training. The addon's threads (and OpenMP/OpenBLAS) are pinned to `ctx.threads`.
 */
const torchCandidate: BackendCandidate = {
  candidate: 'octolab torch addon',
  backend: 'torch',
  async activate(ctx) {
    const addon = loadTorch(ctx.threads, ctx.load);
    try {
      await wasmCandidate.activate(ctx);
    } catch {
      await setBackendVerified('cpu');
    }
    ctx.torch = describeTorch(addon);
  },
};

const cpuCandidate: BackendCandidate = {
  candidate: 'cpu',
  backend: 'cpu',
  async activate() {
    await setBackendVerified('cpu');
  },
};

/** Candidates tried for each mode, in order. */
const MODE_CANDIDATES: Record<BackendMode, BackendCandidate[]> = {
  auto: [nativeCandidate('@tensorflow/tfjs-node-gpu'), nativeCandidate('@tensorflow/tfjs-node'), torchCandidate, webgpuCandidate(true), wasmCandidate, cpuCandidate],
  torch: [torchCandidate],
  tensorflow: [nativeCandidate('@tensorflow/tfjs-node-gpu'), nativeCandidate('@tensorflow/tfjs-node')],
  webgpu: [webgpuCandidate(false)],
  wasm: [wasmCandidate],
  cpu: [cpuCandidate],
};

// ---------------------------------------------------------------------------------------
// Info.
// ---------------------------------------------------------------------------------------

/** Version field of `<name>/package.json`, or null when it cannot be read. */
function packageVersion(load: (id: string) => unknown, name: string): string | null {
  try {
    const pkg = load(`${name}/package.json`) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

/** Host facts. */
function hostInfo(): EngineHostInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus.length > 0 ? cpus[0].model.trim() : 'unknown',
    cpuCount: cpus.length,
    totalMemoryBytes: os.totalmem(),
    ...cpuSignature(),
  };
}

/** The first processor's signature in /proc/cpuinfo, e.g. `AuthenticAMD family 26 model 2 stepping 0; avx2 fma avx512f`. */
export function cpuSignatureOf(cpuinfo: string): string | null {
  const block = cpuinfo.split(/\n\s*\n/)[0] ?? '';
  const field = (name: string): string | null => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(block)?.[1].trim() ?? null;
  const vendor = field('vendor_id');
  const family = field('cpu family');
  const model = field('model');
  if (vendor === null || family === null || model === null) return null;
  const flags = new Set((field('flags') ?? '').split(/\s+/));
  const vector = ['avx', 'avx2', 'fma', 'avx512f', 'avx512_bf16', 'avx512_vnni', 'amx_tile'].filter((f) => flags.has(f));
  return `${vendor} family ${family} model ${model} stepping ${field('stepping') ?? '?'}; ${vector.join(' ') || 'no avx'}`;
}

function cpuSignature(): { cpuSignature?: string } {
  try {
    const sig = cpuSignatureOf(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    return sig === null ? {} : { cpuSignature: sig };
  } catch {
    return {};
  }
}

/** Deep copy through JSON (the info is plain data by construction). */
function copyInfo(info: EngineInfo): EngineInfo {
  return JSON.parse(JSON.stringify(info)) as EngineInfo;
}

// ---------------------------------------------------------------------------------------
// Public API.
// ---------------------------------------------------------------------------------------

/** The info of the last successful preparation. */
let prepared: EngineInfo | null = null;
/** The module loader the last preparation used. */
let preparedWith: ((id: string) => unknown) | null = null;
/** The preparation in progress; later callers wait for it. */
let pending: Promise<EngineInfo> | null = null;

/** Node's `require`, the default {@link EngineArgs.requireModule}. */
function defaultLoad(id: string): unknown {
  return require(id) as unknown;
}

/** Runs the candidates of `request` in order until one works. */
async function runPreparation(request: BackendRequest, load: (id: string) => unknown, threads: number): Promise<EngineInfo> {
  const ctx: ActivationContext = {
    load,
    threads,
    torch: null,
    nativePackage: null,
    nativeGpu: null,
    gpuAdapter: null,
    wasm: { simd: null, threads: null, threadsCount: null, binaryDir: null, customKernels: [] },
  };
  const attempts: EngineAttempt[] = [];
  let success = false;
  for (const c of MODE_CANDIDATES[request.mode]) {
    try {
      await c.activate(ctx);
      attempts.push({ candidate: c.candidate, backend: c.backend, ok: true });
      success = true;
      break;
    } catch (err) {
      attempts.push({ candidate: c.candidate, backend: c.backend, ok: false, error: errorText(err) });
    }
  }
  if (!success) {
    const where = request.source === 'args' ? 'EngineArgs.backend' : request.source === 'env' ? BACKEND_ENV_VAR : 'auto mode';
    const why = attempts.map((a) => `${a.candidate}: ${a.error ?? 'failed'}`).join('; ');
    throw new Error(`backend '${request.mode}' (from ${where}) could not be had: ${why}`);
  }
  const tfjsBackend = tf.getBackend();
  const backend = ctx.torch !== null ? 'torch' : tfjsBackend;
  ctx.wasm.customKernels = tfjsBackend === 'wasm' ? activeWasmKernels() : [];
  return {
    backend,
    tfjsBackend,
    torch: ctx.torch,
    requested: request.mode,
    requestedBy: request.source,
    nativePackage: ctx.nativePackage,
    nativeGpu: ctx.nativeGpu,
    gpuAdapter: backend === 'webgpu' ? ctx.gpuAdapter : null,
    versions: {
      tfjs: packageVersion(load, '@tensorflow/tfjs'),
      tfjsCore: packageVersion(load, '@tensorflow/tfjs-core'),
      tfjsBackendWasm: packageVersion(load, '@tensorflow/tfjs-backend-wasm'),
      tfjsNode: ctx.nativePackage == null ? null : packageVersion(load, ctx.nativePackage),
      tfjsBackendWebgpu: backend === 'webgpu' ? packageVersion(load, '@tensorflow/tfjs-backend-webgpu') : null,
      dawn: backend === 'webgpu' ? packageVersion(load, 'webgpu') : null,
    },
    wasm: ctx.wasm,
    host: hostInfo(),
    attempts,
    warnings: [],
  };
}

/**
 * Prepares the shared `@tensorflow/tfjs` instance: picks a backend (see the module
 * comment), verifies it with `tf.getBackend()`, registers the wasm gradient kernels when
 * the backend is wasm, and returns what it got.
 *
 * Idempotent: a second call asking for the same mode (with the same module loader),
 * while that backend is still active, returns an equal info without touching anything.
 * A call asking for another mode switches backend (already-registered backends and
 * kernels are reused, never registered twice). Concurrent calls run one after another.
 *
 * @throws Error if the request is invalid, or a forced mode cannot be had (naming what
 *   was asked and why each attempt failed)
 */
export async function prepareEngine(args: EngineArgs = {}): Promise<EngineInfo> {
  const request = resolveBackendRequest(args);
  while (pending != null) {
    try {
      await pending;
    } catch {
      // The earlier caller gets that error; this request is judged on its own.
    }
  }
  const load = args.requireModule ?? defaultLoad;
  const threads = args.threads ?? threadsFromEnv(args.env ?? process.env);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`EngineArgs.threads must be an integer >= 1, got ${threads}`);
  if (
    prepared != null &&
    prepared.requested === request.mode &&
    preparedWith === load &&
    (prepared.tfjsBackend ?? prepared.backend) === tf.getBackend() &&
    (prepared.torch == null || prepared.torch.threads === threads)
  ) {
    return copyInfo({ ...prepared, requestedBy: request.source });
  }
  const run = runPreparation(request, load, threads);
  pending = run;
  try {
    prepared = await run;
    preparedWith = load;
    return copyInfo(prepared);
  } finally {
    pending = null;
  }
}

/** Whether {@link prepareEngine} has completed at least once in this process. */
export function isEnginePrepared(): boolean {
  return prepared != null;
}

/**
 * The info of the last {@link prepareEngine}, re-read without changing anything:
 * `backend` is the backend active now, and a warning is added if it differs from the
 * prepared one.
 *
 * @throws Error if the engine was never prepared in this process
 */
export function describeEngine(): EngineInfo {
  if (prepared == null) throw new Error('describeEngine: the engine is not prepared yet; await prepareEngine() first');
  const info = copyInfo(prepared);
  const now = tf.getBackend();
  const preparedTfjs = prepared.tfjsBackend ?? prepared.backend;
  if (now !== preparedTfjs) {
    info.warnings.push(`backend changed after prepareEngine: prepared '${preparedTfjs}', active '${now}'`);
    info.tfjsBackend = now;
    if (prepared.torch == null) info.backend = now;
  }
  if (now === 'wasm') info.wasm.customKernels = activeWasmKernels();
  return info;
}

/**
 * The kernels of `kernelNames` that `backend` has no implementation for (tfjs does not fall
 * back to another backend: calling one throws "Kernel '…' not registered"). Sorted, unique.
 */
export function missingKernels(backend: string, kernelNames: Iterable<string>): string[] {
  const missing = new Set<string>();
  for (const name of kernelNames) if (tf.getKernel(name, backend) == null) missing.add(name);
  return [...missing].sort();
}
