/**
 * The WebGPU engine: TensorFlow.js's `webgpu` backend driven in Node by the `webgpu` npm
 * package (Dawn's Node binding, which ships its native module in the tarball, so nothing
 * is downloaded at install). On Linux, Dawn reaches the GPU through Vulkan: a GPU driver's
 * Vulkan ICD on a GPU machine, or Mesa's software rasteriser (lavapipe) on a CPU-only one.
 *
 * A software adapter computes correctly but slowly; it is good for testing the engine
 * without a GPU, never for timing. {@link isSoftwareAdapter} tells the two apart, and the
 * adapter's description travels with every result, so that nobody mistakes one for a GPU.
 */
import * as fs from 'fs';

/** What a WebGPU adapter says about itself (`GPUAdapter.info`), plus whether it is software. */
export interface GpuAdapterInfo {
  /** Vendor, e.g. `nvidia`, `mesa`. */
  vendor: string;
  /** Architecture, e.g. `hopper`, `software`. */
  architecture: string;
  /** Device name as the driver gives it. */
  device: string;
  /** Free-form description (driver and version). */
  description: string;
  /** Whether the adapter says it is a fallback (software) adapter. */
  isFallbackAdapter: boolean;
  /** Whether octolab judges it a software adapter (see {@link isSoftwareAdapter}). */
  software: boolean;
}

/** The parts of a `GPUAdapter` read here. */
interface AdapterLike {
  info?: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', unknown>> & { isFallbackAdapter?: unknown };
  isFallbackAdapter?: unknown;
}

/** The parts of the `webgpu` package used here. */
export interface DawnModule {
  /** Creates a `GPU` object (the `navigator.gpu` of a browser) from Dawn toggles. */
  create(flags: string[]): { requestAdapter(options?: Record<string, unknown>): Promise<AdapterLike | null> };
  /** WebGPU's global constants and classes (`GPUBufferUsage`, `GPUMapMode`, ...). */
  globals: Record<string, unknown>;
}

/** Names in a device or driver description that mark a CPU implementation. */
const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|software|warp/i;

/**
 * Whether an adapter is a CPU implementation: a fallback adapter, the `software`
 * architecture, or a known software rasteriser named in its device or description.
 */
export function isSoftwareAdapter(info: Omit<GpuAdapterInfo, 'software'>): boolean {
  return info.isFallbackAdapter || info.architecture === 'software' || SOFTWARE_NAMES.test(`${info.device} ${info.description}`);
}

/** Reads the adapter's info into plain data. */
export function adapterInfoOf(adapter: AdapterLike): GpuAdapterInfo {
  const raw = adapter.info ?? {};
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const fallback = raw.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
  const base = {
    vendor: text(raw.vendor),
    architecture: text(raw.architecture),
    device: text(raw.device),
    description: text(raw.description),
    isFallbackAdapter: fallback,
  };
  return { ...base, software: isSoftwareAdapter(base) };
}

/** One line naming an adapter, e.g. `nvidia hopper (NVIDIA H100 ...)` or `mesa software (llvmpipe ...)`. */
export function describeAdapter(info: GpuAdapterInfo): string {
  const name = [info.vendor, info.architecture].filter((s) => s !== '').join(' ') || 'unknown adapter';
  const detail = info.description !== '' ? info.description : info.device;
  return `${name}${detail !== '' ? ` (${detail})` : ''}${info.software ? ', software' : ''}`;
}

/**
 * Device nodes through which a Linux process reaches a GPU (`/dev/nvidia0`…,
 * `/dev/dri/renderD128`…). Empty on a machine without a GPU; used to skip loading Dawn
 * at all in automatic mode there.
 */
export function gpuDeviceNodes(dev = '/dev'): string[] {
  const list = (dir: string, re: RegExp): string[] => {
    try {
      return fs
        .readdirSync(dir)
        .filter((f) => re.test(f))
        .map((f) => `${dir}/${f}`);
    } catch {
      return [];
    }
  };
  return [...list(dev, /^nvidia\d+$/), ...list(`${dev}/dri`, /^renderD\d+$/)];
}

/**
 * A true dynamic `import()`. TypeScript compiles `import()` to `require()` in CommonJS
 * output; this keeps it an ES-module import for runtimes where `require` cannot load
 * ES modules (Node 20 before 20.19).
 */
const importModule = new Function('id', 'return import(id)') as (id: string) => Promise<unknown>;

/**
 * Loads the `webgpu` package (an ES module): through `load` (Node's `require`, which loads
 * ES modules on Node ≥ 20.19), else through `import()`.
 *
 * @throws Error saying the package is not installed, or why it failed to load
 */
export async function loadDawn(load: (id: string) => unknown): Promise<DawnModule> {
  let mod: unknown;
  try {
    mod = load('webgpu');
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    if (e.code === 'MODULE_NOT_FOUND') throw new Error(`the 'webgpu' package (Dawn's Node binding) is not installed`);
    if (e.code !== 'ERR_REQUIRE_ESM') throw new Error(`the 'webgpu' package failed to load: ${String(e.message).split('\n')[0]}`);
    mod = await importModule('webgpu');
  }
  const m = mod as Partial<DawnModule> & { default?: Partial<DawnModule> };
  const dawn = typeof m.create === 'function' ? m : m.default;
  if (dawn == null || typeof dawn.create !== 'function' || dawn.globals == null) {
    throw new Error(`the 'webgpu' package does not export create() and globals (an unexpected version?)`);
  }
  return dawn as DawnModule;
}

/**
 * The exposed GPU object and its adapter. Kept for the life of the process: the tfjs
 * backend holds a device of this Dawn instance, and letting the instance be collected
 * (e.g. by creating a second one) crashes the process.
 */
let exposed: { gpu: unknown; info: GpuAdapterInfo } | null = null;

/**
 * Creates Dawn's `GPU`, asks it for a high-performance adapter, and on success exposes the
 * `GPU` as `navigator.gpu` and WebGPU's globals (`GPUBufferUsage`, ...) on `globalThis`,
 * where `@tensorflow/tfjs-backend-webgpu` looks for them. Existing globals are kept.
 *
 * Idempotent: once a GPU is exposed, later calls return its adapter's info (or refuse it,
 * as the first call would) without creating another Dawn instance.
 *
 * @param requireHardware refuse a software adapter (automatic mode)
 * @returns the adapter's info
 * @throws Error when there is no adapter, or only a software one and `requireHardware`
 */
export async function exposeWebGpu(dawn: DawnModule, requireHardware: boolean): Promise<GpuAdapterInfo> {
  if (exposed !== null) {
    if (requireHardware && exposed.info.software) throw softwareRefusal(exposed.info);
    return { ...exposed.info };
  }
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter == null) {
    throw new Error(
      'no WebGPU adapter: Dawn found no usable Vulkan device. A GPU needs its driver with Vulkan support; ' +
        "a CPU-only Linux machine can use Mesa's lavapipe from a recent Mesa (25.0 works, Debian 12's 22.3 " +
        'does not; scripts/setup-system.sh installs mesa-vulkan-drivers from bookworm-backports)',
    );
  }
  const info = adapterInfoOf(adapter);
  if (requireHardware && info.software) throw softwareRefusal(info);
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(dawn.globals)) if (!(name in g)) g[name] = value;
  if (g.navigator == null) g.navigator = {};
  const nav = g.navigator as Record<string, unknown>;
  if (nav.gpu !== gpu) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, enumerable: true, writable: true });
  exposed = { gpu, info };
  return { ...info };
}

/** The error refusing a software adapter in automatic mode. */
function softwareRefusal(info: GpuAdapterInfo): Error {
  return new Error(`only a software adapter, ${describeAdapter(info)}: not chosen automatically; OCTOLAB_BACKEND=webgpu forces it`);
}

/** Whether {@link exposeWebGpu} has exposed a GPU in this process. */
export function isWebGpuExposed(): boolean {
  return exposed !== null;
}
