/**
 * The engines: TensorFlow.js backend selection (and the libtorch engine `torch`) and description ({@link prepareEngine},
 * {@link describeEngine}), the WebGPU engine through Dawn, and the gradient kernels that
 * make CNN training on the `wasm` backend possible and fast.
 */
export {
  prepareEngine,
  describeEngine,
  isEnginePrepared,
  resolveBackendRequest,
  wasmBinaryDir,
  missingKernels,
  BACKEND_MODES,
  BACKEND_ENV_VAR,
  cpuSignatureOf,
} from './engine';
export type {
  EngineArgs,
  EngineInfo,
  EngineAttempt,
  EngineVersions,
  EngineWasmInfo,
  EngineHostInfo,
  BackendMode,
  BackendRequest,
} from './engine';
export { loadTorch, torchAddon, describeTorch, threadsFromEnv, torchAddonFile, THREADS_ENV_VAR } from './torch';
export type { TorchAddon, TorchNet, TorchNetSpec, TorchEngineInfo, TorchStepTimers } from './torch';
export { findLibtorch, TORCH_ADDON_PATH } from './torch-build';
export type { LibtorchInstall } from './torch-build';
export { isSoftwareAdapter, adapterInfoOf, describeAdapter, gpuDeviceNodes, loadDawn, exposeWebGpu, isWebGpuExposed } from './webgpu';
export type { GpuAdapterInfo, DawnModule } from './webgpu';
export {
  registerWasmKernels,
  unregisterWasmKernels,
  activeWasmKernels,
  installWasmKernel,
  conv2DBackpropFilterWasm,
  conv2DBackpropFilterIm2ColWasm,
  conv2DBackpropFilterViaConvWasm,
  conv2DBackpropInputWasm,
  maxPoolGradWasm,
  batchMatMulWasm,
  sumWasm,
  transposeMatrices,
  sumLeadingAxes,
  fillPatchMatrix,
  flipFilter,
  spreadOutputGradient,
  maxPoolBackprop,
  wasmKernelTuning,
  WASM_KERNEL_NAMES,
} from './wasm-kernels';
export type { WasmKernelArgs, WasmKernelName, RegisterWasmKernelsArgs, WasmKernelTuning, ConvGeometry } from './wasm-kernels';
