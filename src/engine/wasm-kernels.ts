/**
 * Training kernels for the TensorFlow.js `wasm` backend: convolution, pooling, matMul and sum gradients.
 *
 * Why they exist (timings: 2-core AMD EPYC, Node 20, SIMD, shapes of the study CNN):
 * - `Conv2DBackpropFilter` is missing from `@tensorflow/tfjs-backend-wasm` 4.22.0, so any
 *   CNN training on wasm fails with "Kernel 'Conv2DBackpropFilter' not registered".
 * - The stock wasm `Conv2DBackpropInput` is a scalar loop, ~10x slower than the
 *   XNNPACK convolution this module turns it into (≈ 400 ms vs ≈ 40 ms for the CNN's
 *   second layer, batch 64).
 * - The stock wasm `MaxPoolGrad` is ~3x slower than one JavaScript pass over the heap.
 * - The stock wasm `BatchMatMul` is fast (XNNPACK) only without transposes; with
 *   `transposeA` or `transposeB`, which every dense-layer gradient uses, it is 4-10x
 *   slower than transposing the operand first.
 * - The stock wasm `Sum` over leading axes (every bias gradient: NHWC → C) transposes the
 *   whole tensor before reducing, ~2.5x slower than one contiguous pass.
 *
 * How they work: every kernel here runs at the backend level. It reads and writes the
 * wasm heap directly for cheap data rearrangements (im2col, filter flips, zero insertion,
 * arg-max routing) and hands the arithmetic to kernels the wasm backend already has and
 * runs fast (XNNPACK `Conv2D`, `BatchMatMul` without transposes, `Transpose`). Calling
 * those kernels through the kernel registry, instead of through `tf` ops, keeps the
 * engine out of the inner work: no nested tensors to track, no extra entries in
 * `tf.profile`, and every intermediate buffer is released with `backend.disposeData`
 * before the kernel returns, so each call adds exactly one data buffer (its output).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Names of the kernels this module can register for the `wasm` backend. */
export const WASM_KERNEL_NAMES = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul', 'Sum'] as const;

/** One of {@link WASM_KERNEL_NAMES}. */
export type WasmKernelName = (typeof WASM_KERNEL_NAMES)[number];

/** Options of {@link registerWasmKernels}. */
export interface RegisterWasmKernelsArgs {
  /**
   * Which kernels to install. Default: all of {@link WASM_KERNEL_NAMES}. Kernels not
   * named keep (or get back) the stock wasm implementation, when the backend has one.
   */
  kernels?: readonly WasmKernelName[];
}

/**
 * Tunables of the kernels, shared by all calls. Exposed so tests can force the
 * rarely taken paths on tiny inputs.
 */
export interface WasmKernelTuning {
  /**
   * Largest im2col matrix (in float32 elements) that `Conv2DBackpropFilter` builds at
   * once; larger batches are processed in batch chunks whose filter gradients are summed.
   * Default 2^24 (64 MiB).
   */
  maxPatchElements: number;
}

/** The live tuning values (see {@link WasmKernelTuning}); mutate to change them. */
export const wasmKernelTuning: WasmKernelTuning = { maxPatchElements: 1 << 24 };

// ---------------------------------------------------------------------------------------
// Pure array helpers (plain typed arrays in, plain typed arrays out; testable anywhere).
// ---------------------------------------------------------------------------------------

/**
 * Geometry of a 2-D convolution in NHWC layout, with dilation 1. Field names follow
 * tfjs-core's `Conv2DInfo`; `padTop`/`padLeft` are the zero rows/columns added before
 * the input.
 */
export interface ConvGeometry {
  /** Batch size B. */
  batch: number;
  /** Input height H. */
  inHeight: number;
  /** Input width W. */
  inWidth: number;
  /** Input channels CI. */
  inChannels: number;
  /** Output height OH. */
  outHeight: number;
  /** Output width OW. */
  outWidth: number;
  /** Output channels CO (pooling: equal to CI). */
  outChannels: number;
  /** Filter (window) height KH. */
  filterHeight: number;
  /** Filter (window) width KW. */
  filterWidth: number;
  /** Vertical stride. */
  strideHeight: number;
  /** Horizontal stride. */
  strideWidth: number;
  /** Zero rows added above the input. */
  padTop: number;
  /** Zero columns added left of the input. */
  padLeft: number;
}

/** First index i in [0, n) with i*stride + offset >= bound, or n if none. */
function firstAtLeast(bound: number, offset: number, stride: number, n: number): number {
  const i = Math.ceil((bound - offset) / stride);
  return i < 0 ? 0 : i > n ? n : i;
}

/**
 * Builds the transposed im2col ("patch") matrix of a convolution input.
 *
 * Math: with xT the input transposed to [CI, B, H, W], row r = (kh·KW + kw)·CI + ci and
 * column n = (b·OH + oh)·OW + ow of the [KH·KW·CI, B·OH·OW] output hold
 * `xT[ci, b, oh·sh + kh − padTop, ow·sw + kw − padLeft]`, or 0 where that falls in the
 * padding. Then the filter gradient is one plain matrix product
 * `dW[KH·KW·CI, CO] = P · dy[B·OH·OW, CO]`, since
 * `dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sh+kh−pt, ow·sw+kw−pl, ci] · dy[b,oh,ow,co]`.
 * Rows are written contiguously, which is why the input is transposed first.
 *
 * @param xT input in [CI, B, H, W] layout
 * @param g convolution geometry (outChannels unused)
 * @param out destination of length KH·KW·CI·B·OH·OW
 */
export function fillPatchMatrix(xT: Float32Array, g: ConvGeometry, out: Float32Array): void {
  const { batch: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, padTop: pt, padLeft: pl } = g;
  const needed = KH * KW * CI * B * OH * OW;
  if (out.length !== needed) throw new Error(`fillPatchMatrix: out has ${out.length} elements, needs ${needed}`);
  if (xT.length !== CI * B * H * W) throw new Error(`fillPatchMatrix: xT has ${xT.length} elements, needs ${CI * B * H * W}`);
  let o = 0;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const colOffset = kw - pl;
      const owLo = firstAtLeast(0, colOffset, sw, OW);
      const owHi = firstAtLeast(W, colOffset, sw, OW);
      for (let ci = 0; ci < CI; ci++) {
        for (let b = 0; b < B; b++) {
          const planeBase = (ci * B + b) * H;
          for (let oh = 0; oh < OH; oh++) {
            const h = oh * sh + kh - pt;
            if (h < 0 || h >= H) {
              out.fill(0, o, o + OW);
              o += OW;
              continue;
            }
            const rowBase = (planeBase + h) * W + colOffset;
            let ow = 0;
            for (; ow < owLo; ow++) out[o++] = 0;
            if (sw === 1) {
              for (; ow < owHi; ow++) out[o++] = xT[rowBase + ow];
            } else {
              for (; ow < owHi; ow++) out[o++] = xT[rowBase + ow * sw];
            }
            for (; ow < OW; ow++) out[o++] = 0;
          }
        }
      }
    }
  }
}

/**
 * Rotates a filter by 180° in space and swaps its channel axes:
 * `out[kh, kw, co, ci] = w[KH−1−kh, KW−1−kw, ci, co]`.
 *
 * Math: the input gradient of a stride-1 convolution is itself a convolution of the
 * (suitably padded) output gradient with this flipped filter:
 * `dx[b,h,w,ci] = Σ_{kh,kw,co} dyPad[b, h+kh, w+kw, co] · out[kh, kw, co, ci]`.
 *
 * @param w filter in [KH, KW, CI, CO] layout
 * @param shape [KH, KW, CI, CO]
 * @param out destination in [KH, KW, CO, CI] layout
 */
export function flipFilter(w: Float32Array, shape: readonly [number, number, number, number], out: Float32Array): void {
  const [KH, KW, CI, CO] = shape;
  const n = KH * KW * CI * CO;
  if (w.length !== n || out.length !== n) {
    throw new Error(`flipFilter: filter has ${w.length} and out ${out.length} elements, shape [${shape.join(', ')}] needs ${n}`);
  }
  let o = 0;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const srcBase = ((KH - 1 - kh) * KW + (KW - 1 - kw)) * CI * CO;
      for (let co = 0; co < CO; co++) {
        for (let ci = 0; ci < CI; ci++) out[o++] = w[srcBase + ci * CO + co];
      }
    }
  }
}

/**
 * Spreads an output gradient onto the zero grid a transposed convolution reads:
 * `out` has shape [B, H+KH−1, W+KW−1, CO], is zero except
 * `out[b, (KH−1−padTop) + oh·sh, (KW−1−padLeft) + ow·sw, :] = dy[b, oh, ow, :]`.
 *
 * Math: a 'valid' stride-1 convolution of `out` with {@link flipFilter}'s filter is the
 * input gradient of the strided, padded convolution described by `g`, for any stride and
 * padding (entries that land outside the grid touch only padding and are dropped).
 *
 * @param dy output gradient in [B, OH, OW, CO] layout
 * @param g convolution geometry
 * @param out destination of length B·(H+KH−1)·(W+KW−1)·CO
 */
export function spreadOutputGradient(dy: Float32Array, g: ConvGeometry, out: Float32Array): void {
  const { batch: B, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, outChannels: CO } = g;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, padTop: pt, padLeft: pl } = g;
  const HP = H + KH - 1;
  const WP = W + KW - 1;
  if (out.length !== B * HP * WP * CO) throw new Error(`spreadOutputGradient: out has ${out.length} elements, needs ${B * HP * WP * CO}`);
  if (dy.length !== B * OH * OW * CO) throw new Error(`spreadOutputGradient: dy has ${dy.length} elements, needs ${B * OH * OW * CO}`);
  out.fill(0);
  const top = KH - 1 - pt;
  const left = KW - 1 - pl;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const r = top + oh * sh;
      if (r < 0 || r >= HP) continue;
      for (let ow = 0; ow < OW; ow++) {
        const c = left + ow * sw;
        if (c < 0 || c >= WP) continue;
        const src = ((b * OH + oh) * OW + ow) * CO;
        const dst = ((b * HP + r) * WP + c) * CO;
        for (let k = 0; k < CO; k++) out[dst + k] = dy[src + k];
      }
    }
  }
}

/**
 * Max-pooling input gradient: each output gradient goes, per channel, to the first
 * position (row-major within the window, padding excluded) holding the window's
 * maximum; windows whose values are all NaN or −∞ pass no gradient. This is exactly the
 * routing of the `cpu` backend's `MaxPoolGrad`, ties included.
 *
 * @param x pooled input in [B, H, W, C] layout
 * @param dy output gradient in [B, OH, OW, C] layout
 * @param g pooling geometry (inChannels = outChannels = C, filter = window)
 * @param dx destination, same layout and length as `x`; overwritten
 */
export function maxPoolBackprop(x: Float32Array, dy: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const { batch: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, padTop: pt, padLeft: pl } = g;
  if (x.length !== B * H * W * C || dx.length !== x.length) {
    throw new Error(`maxPoolBackprop: x has ${x.length} and dx ${dx.length} elements, needs ${B * H * W * C}`);
  }
  if (dy.length !== B * OH * OW * C) throw new Error(`maxPoolBackprop: dy has ${dy.length} elements, needs ${B * OH * OW * C}`);
  dx.fill(0);
  if (KH === 2 && KW === 2 && sh === 2 && sw === 2 && pt === 0 && pl === 0 && 2 * OH <= H && 2 * OW <= W) {
    maxPool2x2Backprop(x, dy, g, dx);
    return;
  }
  // Per-channel running maximum and its flat index; channels innermost so that every
  // read of x is contiguous.
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const hStart = oh * sh - pt;
      const r0 = hStart < 0 ? 0 : hStart;
      const r1 = Math.min(H, hStart + KH);
      for (let ow = 0; ow < OW; ow++) {
        const wStart = ow * sw - pl;
        const c0 = wStart < 0 ? 0 : wStart;
        const c1 = Math.min(W, wStart + KW);
        if (r0 >= r1 || c0 >= c1) continue;
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const base = ((b * H + r) * W + c) * C;
            if (r === r0 && c === c0) {
              // First position: NaN and −∞ do not count as a maximum (strict > from −∞).
              for (let k = 0; k < C; k++) {
                const v = x[base + k];
                if (v > -Infinity) {
                  best[k] = v;
                  where[k] = base + k;
                } else {
                  best[k] = -Infinity;
                  where[k] = -1;
                }
              }
            } else {
              for (let k = 0; k < C; k++) {
                const v = x[base + k];
                if (v > best[k]) {
                  best[k] = v;
                  where[k] = base + k;
                }
              }
            }
          }
        }
        const dyBase = ((b * OH + oh) * OW + ow) * C;
        for (let k = 0; k < C; k++) {
          const p = where[k];
          if (p >= 0) dx[p] += dy[dyBase + k];
        }
      }
    }
  }
}

/**
 * {@link maxPoolBackprop} for the common 2×2 window, stride 2, no padding, all windows
 * inside the input: the four candidates are compared unrolled, in the same order.
 * `dx` must already be zero.
 */
function maxPool2x2Backprop(x: Float32Array, dy: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const { batch: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const rowStride = W * C;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      let p0 = (b * H + 2 * oh) * rowStride;
      let q = (b * OH + oh) * OW * C;
      for (let ow = 0; ow < OW; ow++) {
        const p1 = p0 + C;
        const p2 = p0 + rowStride;
        const p3 = p2 + C;
        for (let k = 0; k < C; k++) {
          let best = x[p0 + k];
          let where = p0 + k;
          if (!(best > -Infinity)) {
            best = -Infinity;
            where = -1;
          }
          let v = x[p1 + k];
          if (v > best) {
            best = v;
            where = p1 + k;
          }
          v = x[p2 + k];
          if (v > best) {
            best = v;
            where = p2 + k;
          }
          v = x[p3 + k];
          if (v > best) where = p3 + k;
          if (where >= 0) dx[where] += dy[q + k];
        }
        p0 += 2 * C;
        q += C;
      }
    }
  }
}

/**
 * Transposes each matrix of a batch: `dst[m, c, r] = src[m, r, c]` for `batch`
 * row-major `rows × cols` matrices, in cache-friendly 32×32 blocks.
 *
 * @param src `batch·rows·cols` values
 * @param dst destination of the same length
 */
export function transposeMatrices(src: Float32Array, batch: number, rows: number, cols: number, dst: Float32Array): void {
  const size = rows * cols;
  if (src.length !== batch * size || dst.length !== src.length) {
    throw new Error(`transposeMatrices: src has ${src.length} and dst ${dst.length} elements, needs ${batch * size}`);
  }
  const T = 32;
  for (let m = 0; m < batch; m++) {
    const base = m * size;
    for (let r0 = 0; r0 < rows; r0 += T) {
      const r1 = Math.min(rows, r0 + T);
      for (let c0 = 0; c0 < cols; c0 += T) {
        const c1 = Math.min(cols, c0 + T);
        for (let r = r0; r < r1; r++) {
          let si = base + r * cols + c0;
          let di = base + c0 * rows + r;
          for (let c = c0; c < c1; c++) {
            dst[di] = src[si++];
            di += rows;
          }
        }
      }
    }
  }
}

/**
 * Sums over leading axes: `out[j] = Σ_i x[i·inner + j]` for i < outer, j < inner,
 * accumulating in float64 (as the `cpu` backend does).
 *
 * @param x `outer·inner` values
 * @param outer product of the reduced (leading) dimensions
 * @param inner product of the kept (trailing) dimensions
 * @param out destination of length `inner`
 */
export function sumLeadingAxes(x: Float32Array, outer: number, inner: number, out: Float32Array): void {
  if (x.length !== outer * inner || out.length !== inner) {
    throw new Error(`sumLeadingAxes: x has ${x.length} and out ${out.length} elements, needs ${outer * inner} and ${inner}`);
  }
  const acc = new Float64Array(inner);
  let p = 0;
  for (let i = 0; i < outer; i++) {
    for (let j = 0; j < inner; j++) acc[j] += x[p++];
  }
  for (let j = 0; j < inner; j++) out[j] = acc[j];
}

// ---------------------------------------------------------------------------------------
// Backend plumbing.
// ---------------------------------------------------------------------------------------

/** Stock wasm kernels displaced by ours, restored by {@link unregisterWasmKernels}. */
const displaced = new Map<string, tf.KernelConfig>();

/** Kernel functions this module installed, by name (to recognise them later). */
const installed = new Map<string, tf.KernelFunc>();

/** Arguments every kernel function receives from the engine (`KernelFunc` parameters). */
export interface WasmKernelArgs {
  /** Input tensors by the kernel's input names. */
  inputs: tf.NamedTensorInfoMap;
  /** The backend running the kernel (must be the wasm backend). */
  backend: {};
  /** The kernel's attributes. */
  attrs?: tf.NamedAttrMap;
}

/** The backend as a wasm backend, or a clear error. */
function asWasm(backend: {}, kernel: string): BackendWasm {
  const b = backend as Partial<BackendWasm>;
  if (typeof b.typedArrayFromHeap !== 'function' || typeof b.makeOutput !== 'function' || b.dataIdMap == null) {
    throw new Error(`${kernel}: this kernel runs only on the 'wasm' backend`);
  }
  return backend as BackendWasm;
}

/** Runs a registered wasm kernel directly on the backend (no engine bookkeeping). */
function runWasmKernel(backend: BackendWasm, name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): tf.TensorInfo {
  const config = tf.getKernel(name, 'wasm');
  if (config == null) throw new Error(`the wasm backend has no '${name}' kernel, which the custom gradient kernels need`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel '${name}' returned ${out.length} outputs, expected 1`);
  return out;
}

/** A float32 view on the heap; take it after the last allocation of the call. */
function heap(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** Checks input names, dtypes and ranks. */
function requireInputs(kernel: string, inputs: tf.NamedTensorInfoMap, names: readonly string[]): tf.TensorInfo[] {
  return names.map((name) => {
    const t = inputs[name];
    if (t == null) throw new Error(`${kernel}: missing input '${name}'`);
    if (t.dtype !== 'float32') throw new Error(`${kernel}: input '${name}' has dtype ${t.dtype}, only float32 is supported`);
    if (t.shape.length !== 4) throw new Error(`${kernel}: input '${name}' must be rank 4 (NHWC), got shape [${t.shape.join(', ')}]`);
    return t;
  });
}

/** Rejects layouts and dilations these kernels do not implement. */
function requireNhwcNoDilation(kernel: string, attrs: tf.NamedAttrMap): void {
  const fmt = attrs['dataFormat'];
  if (fmt != null && fmt !== 'NHWC' && fmt !== 'channelsLast') {
    throw new Error(`${kernel}: dataFormat '${String(fmt)}' is not supported on wasm, only 'NHWC'`);
  }
  const d = attrs['dilations'];
  const ds = d == null ? [] : Array.isArray(d) ? d : [d];
  if (ds.some((v) => v !== 1)) throw new Error(`${kernel}: dilations ${JSON.stringify(d)} are not supported, only 1`);
}

/** Throws unless `actual` equals `expected` element by element. */
function requireShape(kernel: string, what: string, actual: readonly number[], expected: readonly number[]): void {
  if (actual.length !== expected.length || actual.some((v, i) => v !== expected[i])) {
    throw new Error(`${kernel}: ${what} has shape [${actual.join(', ')}], expected [${expected.join(', ')}]`);
  }
}

/** Convolution geometry from tfjs-core's `Conv2DInfo`. */
function geometryOf(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Conv2D geometry for a filter-/input-gradient kernel call, with its checks. */
function convInfoFor(
  kernel: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: tf.NamedAttrMap,
): tf.backend_util.Conv2DInfo {
  requireNhwcNoDilation(kernel, attrs);
  if (filterShape.length !== 4) throw new Error(`${kernel}: filter shape must be rank 4, got [${filterShape.join(', ')}]`);
  if (xShape[3] !== filterShape[2]) {
    throw new Error(`${kernel}: input has ${xShape[3]} channels but the filter expects ${filterShape[2]}`);
  }
  const strides = attrs['strides'] as number | [number, number];
  const pad = attrs['pad'] as 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  const rounding = attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined;
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    rounding,
    false,
    'channelsLast',
  );
}

// ---------------------------------------------------------------------------------------
// Conv2DBackpropFilter
// ---------------------------------------------------------------------------------------

/** Filter gradient of one batch chunk: transpose, im2col, one matMul. */
function filterGradChunk(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry, filterShape: number[]): tf.TensorInfo {
  const [B, H, W, CI] = x.shape;
  const K = g.filterHeight * g.filterWidth * CI;
  const N = B * g.outHeight * g.outWidth;
  // [CI, B, H, W]; with one channel the NHWC bytes already are in that order.
  const xT =
    CI === 1
      ? null
      : runWasmKernel(backend, 'Transpose', { x }, { perm: [3, 0, 1, 2] });
  const patches = backend.makeOutput([K, N], 'float32');
  const xTView = xT == null ? { dataId: x.dataId, shape: [CI, B, H, W], dtype: x.dtype } : xT;
  fillPatchMatrix(heap(backend, xTView), { ...g, batch: B }, heap(backend, patches));
  if (xT != null) backend.disposeData(xT.dataId);
  const dyMatrix: tf.TensorInfo = { dataId: dy.dataId, shape: [N, g.outChannels], dtype: 'float32' };
  const dW = runWasmKernel(backend, 'BatchMatMul', { a: patches, b: dyMatrix }, { transposeA: false, transposeB: false });
  backend.disposeData(patches.dataId);
  return { dataId: dW.dataId, shape: filterShape, dtype: 'float32' };
}

/**
 * `Conv2DBackpropFilter` for the wasm backend (NHWC, any stride, 'same' / 'valid' /
 * explicit padding, dilation 1): picks, per call, the cheaper of two exact methods.
 *
 * Both end in XNNPACK, which packs the operand that carries the B·OH·OW reduction
 * (the output gradient, N·CO values) on every call; they differ in the data they move
 * per output position besides that: the im2col method ({@link conv2DBackpropFilterIm2ColWasm})
 * writes KH·KW·CI patch values, the transposed-convolution method
 * ({@link conv2DBackpropFilterViaConvWasm}) copies dy twice more (transpose, then the
 * backend's filter re-layout), 2·CO values. So im2col is used when
 * KH·KW·CI ≤ 2·CO (the study CNN's first layer: 27 ≤ 64) and the convolution otherwise
 * (second layer: 288 > 128), which matches the measured times of both layers.
 */
export function conv2DBackpropFilterWasm(args: WasmKernelArgs): tf.TensorInfo {
  const filterShape = args.attrs?.['filterShape'];
  if (Array.isArray(filterShape) && filterShape.length === 4) {
    const [KH, KW, CI, CO] = filterShape as number[];
    if (KH * KW * CI > 2 * CO) return conv2DBackpropFilterViaConvWasm(args);
  }
  return conv2DBackpropFilterIm2ColWasm(args);
}

/** Validated inputs and geometry shared by the `Conv2DBackpropFilter` implementations. */
function filterGradInputs(args: WasmKernelArgs): {
  backend: ReturnType<typeof asWasm>;
  x: tf.TensorInfo;
  dy: tf.TensorInfo;
  filterShape: number[];
  g: ConvGeometry;
} {
  const name = 'Conv2DBackpropFilter';
  const backend = asWasm(args.backend, name);
  const attrs = args.attrs ?? {};
  const [x, dy] = requireInputs(name, args.inputs, ['x', 'dy']);
  const filterShape = (attrs['filterShape'] as number[] | undefined)?.slice();
  if (filterShape == null) throw new Error(`${name}: missing attribute 'filterShape'`);
  const info = convInfoFor(name, x.shape, filterShape, attrs);
  requireShape(name, 'dy', dy.shape, info.outShape);
  return { backend, x, dy, filterShape, g: geometryOf(info) };
}

/**
 * `Conv2DBackpropFilter` by im2col and one matrix product (NHWC, any stride, 'same' /
 * 'valid' / explicit padding, dilation 1).
 *
 * Math: `dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sh+kh−pt, ow·sw+kw−pl, ci] · dy[b,oh,ow,co]`,
 * computed as `P · dy` with P the transposed im2col matrix of {@link fillPatchMatrix}
 * ([KH·KW·CI, B·OH·OW]) and dy viewed as [B·OH·OW, CO]. The product uses the wasm
 * `BatchMatMul` without transposes (XNNPACK; its transposed variants are ~10x slower).
 * Batches whose patch matrix exceeds {@link wasmKernelTuning}.maxPatchElements are split
 * into batch chunks and their gradients summed.
 */
export function conv2DBackpropFilterIm2ColWasm(args: WasmKernelArgs): tf.TensorInfo {
  const { backend, x, dy, filterShape, g } = filterGradInputs(args);
  const B = g.batch;
  const perImage = g.filterHeight * g.filterWidth * g.inChannels * g.outHeight * g.outWidth;
  const chunk = Math.max(1, Math.floor(wasmKernelTuning.maxPatchElements / Math.max(1, perImage)));
  if (chunk >= B) return filterGradChunk(backend, x, dy, g, filterShape);

  const total = backend.makeOutput(filterShape, 'float32');
  heap(backend, total).fill(0);
  for (let b0 = 0; b0 < B; b0 += chunk) {
    const n = Math.min(chunk, B - b0);
    const xs = runWasmKernel(backend, 'Slice', { x }, { begin: [b0, 0, 0, 0], size: [n, g.inHeight, g.inWidth, g.inChannels] });
    const dys = runWasmKernel(backend, 'Slice', { x: dy }, { begin: [b0, 0, 0, 0], size: [n, g.outHeight, g.outWidth, g.outChannels] });
    const part = filterGradChunk(backend, xs, dys, g, filterShape);
    const acc = heap(backend, total);
    const p = heap(backend, part);
    for (let i = 0; i < acc.length; i++) acc[i] += p[i];
    backend.disposeData(part.dataId);
    backend.disposeData(xs.dataId);
    backend.disposeData(dys.dataId);
  }
  return total;
}

/**
 * `Conv2DBackpropFilter` by one XNNPACK convolution of the transposed input with the
 * transposed output gradient (NHWC, any stride, 'same' / 'valid' / explicit padding,
 * dilation 1). Used alone, it is also the simple baseline the profiling script compares
 * against.
 *
 * Math: with xT = x as [CI, H, W, B] and dyT = dy as [OH, OW, B, CO],
 * `dW[kh,kw,ci,co] = Σ_{oh,ow,b} xT[ci, kh + oh·sh − pt, kw + ow·sw − pl, b] · dyT[oh,ow,b,co]`,
 * i.e. a convolution of xT (batch CI, channels B) with filter dyT at dilation (sh, sw),
 * whose [CI, KH, KW, CO] output is transposed to [KH, KW, CI, CO]. Input rows the
 * convolution never reaches are cropped so that the padding stays non-negative.
 */
export function conv2DBackpropFilterViaConvWasm(args: WasmKernelArgs): tf.TensorInfo {
  const { backend, x, dy, g } = filterGradInputs(args);
  // Rows/columns the window sweep spans, counted in padded coordinates.
  const spanH = (g.outHeight - 1) * g.strideHeight + g.filterHeight;
  const spanW = (g.outWidth - 1) * g.strideWidth + g.filterWidth;
  const keepH = Math.min(g.inHeight, spanH - g.padTop);
  const keepW = Math.min(g.inWidth, spanW - g.padLeft);
  const xt = runWasmKernel(backend, 'Transpose', { x }, { perm: [3, 1, 2, 0] });
  let xc = xt;
  if (keepH < g.inHeight || keepW < g.inWidth) {
    xc = runWasmKernel(backend, 'Slice', { x: xt }, { begin: [0, 0, 0, 0], size: [g.inChannels, keepH, keepW, g.batch] });
    backend.disposeData(xt.dataId);
  }
  const dyt = runWasmKernel(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const pad = [
    [0, 0],
    [g.padTop, spanH - g.padTop - keepH],
    [g.padLeft, spanW - g.padLeft - keepW],
    [0, 0],
  ];
  const conv = runWasmKernel(
    backend,
    'Conv2D',
    { x: xc, filter: dyt },
    { strides: [1, 1], pad, dilations: [g.strideHeight, g.strideWidth], dataFormat: 'NHWC' },
  );
  backend.disposeData(xc.dataId);
  backend.disposeData(dyt.dataId);
  const out = runWasmKernel(backend, 'Transpose', { x: conv }, { perm: [1, 2, 0, 3] });
  backend.disposeData(conv.dataId);
  return out;
}

// ---------------------------------------------------------------------------------------
// Conv2DBackpropInput
// ---------------------------------------------------------------------------------------

/**
 * `Conv2DBackpropInput` for the wasm backend (NHWC, any stride, 'same' / 'valid' /
 * explicit padding, dilation 1), replacing the stock scalar loop.
 *
 * Math: `dx[b,h,w,ci] = Σ_{oh,ow,kh,kw,co : h = oh·sh+kh−pt, w = ow·sw+kw−pl} dy[b,oh,ow,co] · W[kh,kw,ci,co]`,
 * which is a stride-1 'valid' convolution of the zero-spread gradient of
 * {@link spreadOutputGradient} with the rotated, channel-swapped filter of
 * {@link flipFilter}, run by the XNNPACK `Conv2D`. For stride 1 with
 * 0 ≤ padding ≤ K−1 the spreading is only padding, so dy is convolved directly with
 * explicit padding (KH−1−pt, KH−1−pb, KW−1−pl, KW−1−pr) and nothing is copied.
 */
export function conv2DBackpropInputWasm(args: WasmKernelArgs): tf.TensorInfo {
  const name = 'Conv2DBackpropInput';
  const backend = asWasm(args.backend, name);
  const attrs = args.attrs ?? {};
  const [dy, filter] = requireInputs(name, args.inputs, ['dy', 'filter']);
  const inputShape = (attrs['inputShape'] as number[] | undefined)?.slice();
  if (inputShape == null || inputShape.length !== 4) {
    throw new Error(`${name}: attribute 'inputShape' must be a rank-4 shape, got ${JSON.stringify(attrs['inputShape'])}`);
  }
  const info = convInfoFor(name, inputShape, filter.shape, attrs);
  requireShape(name, 'dy', dy.shape, info.outShape);
  const g = geometryOf(info);
  const { filterHeight: KH, filterWidth: KW } = g;
  const { top, bottom, left, right } = info.padInfo;

  const flipped = backend.makeOutput([KH, KW, g.outChannels, g.inChannels], 'float32');
  flipFilter(heap(backend, filter), filter.shape as [number, number, number, number], heap(backend, flipped));

  const direct =
    g.strideHeight === 1 &&
    g.strideWidth === 1 &&
    [top, bottom].every((p) => p >= 0 && p <= KH - 1) &&
    [left, right].every((p) => p >= 0 && p <= KW - 1);
  let source = dy;
  let pad: number[][] | 'valid';
  let spread: tf.TensorInfo | null = null;
  if (direct) {
    pad = [
      [0, 0],
      [KH - 1 - top, KH - 1 - bottom],
      [KW - 1 - left, KW - 1 - right],
      [0, 0],
    ];
  } else {
    spread = backend.makeOutput([g.batch, g.inHeight + KH - 1, g.inWidth + KW - 1, g.outChannels], 'float32');
    spreadOutputGradient(heap(backend, dy), g, heap(backend, spread));
    source = spread;
    pad = 'valid';
  }
  const dx = runWasmKernel(
    backend,
    'Conv2D',
    { x: source, filter: flipped },
    { strides: [1, 1], pad, dilations: [1, 1], dataFormat: 'NHWC' },
  );
  backend.disposeData(flipped.dataId);
  if (spread != null) backend.disposeData(spread.dataId);
  if (dx.shape.some((v, i) => v !== inputShape[i])) {
    backend.disposeData(dx.dataId);
    requireShape(name, 'computed dx', dx.shape, inputShape);
  }
  return dx;
}

// ---------------------------------------------------------------------------------------
// MaxPoolGrad
// ---------------------------------------------------------------------------------------

/**
 * `MaxPoolGrad` for the wasm backend (NHWC, any window, stride and padding; dilation 1),
 * replacing the stock kernel, which is ~3x slower on the study CNN's shapes.
 *
 * Math: `dx[p] = Σ dy[b,oh,ow,c]` over the windows (b,oh,ow) whose first arg-max in
 * channel c is p — see {@link maxPoolBackprop}; one pass over the input, run in
 * JavaScript on the wasm heap.
 */
export function maxPoolGradWasm(args: WasmKernelArgs): tf.TensorInfo {
  const name = 'MaxPoolGrad';
  const backend = asWasm(args.backend, name);
  const attrs = args.attrs ?? {};
  const [dy, input] = requireInputs(name, args.inputs, ['dy', 'input']);
  requireNhwcNoDilation(name, attrs);
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs['filterSize'] as number | [number, number],
    attrs['strides'] as number | [number, number],
    1,
    attrs['pad'] as 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
  );
  requireShape(name, 'dy', dy.shape, info.outShape);
  const dx = backend.makeOutput(input.shape.slice(), 'float32');
  maxPoolBackprop(heap(backend, input), heap(backend, dy), geometryOf(info), heap(backend, dx));
  return dx;
}

// ---------------------------------------------------------------------------------------
// BatchMatMul and Sum: fast paths in front of the stock kernels.
// ---------------------------------------------------------------------------------------

/** Backend instances the displaced stock kernels have been set up for. */
const stockSetUpFor = new WeakSet<object>();

/**
 * The stock wasm kernel `name` our wrapper displaced, set up for `backend`. The engine
 * runs kernel setup functions only for registered kernels, and the wasm backend can be
 * re-created (e.g. by `tf.ready()` after a failed backend switch); a displaced kernel
 * bound to an old instance would abort, so it is set up again for each new instance.
 */
function stockKernel(name: string, backend: BackendWasm): tf.KernelConfig {
  const stock = displaced.get(name);
  if (stock == null) throw new Error(`${name}: the stock wasm kernel is not available to delegate to`);
  if (!stockSetUpFor.has(backend)) {
    for (const k of displaced.values()) k.setupFunc?.(backend);
    stockSetUpFor.add(backend);
  }
  return stock;
}

/** A copy of `t` ([..., r, c], float32) with its last two axes swapped. */
function transposedLastTwo(backend: BackendWasm, t: tf.TensorInfo): tf.TensorInfo {
  const rank = t.shape.length;
  if (rank < 2) throw new Error(`BatchMatMul: operand must have rank >= 2, got shape [${t.shape.join(', ')}]`);
  const rows = t.shape[rank - 2];
  const cols = t.shape[rank - 1];
  const batch = t.shape.slice(0, rank - 2).reduce((a, v) => a * v, 1);
  const out = backend.makeOutput([...t.shape.slice(0, rank - 2), cols, rows], 'float32');
  transposeMatrices(heap(backend, t), batch, rows, cols, heap(backend, out));
  return out;
}

/**
 * `BatchMatMul` for the wasm backend: operands flagged `transposeA` / `transposeB` are
 * transposed in JavaScript first, then the stock (XNNPACK) kernel multiplies without
 * transposes. Math unchanged: `C = op(A) · op(B)`, op = transpose or identity.
 */
export function batchMatMulWasm(args: WasmKernelArgs): tf.TensorInfo {
  const name = 'BatchMatMul';
  const backend = asWasm(args.backend, name);
  const stock = stockKernel(name, backend);
  const attrs = args.attrs ?? {};
  const a = args.inputs['a'];
  const b = args.inputs['b'];
  const ta = attrs['transposeA'] === true;
  const tb = attrs['transposeB'] === true;
  if ((!ta && !tb) || a == null || b == null || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return stock.kernelFunc({ inputs: args.inputs, backend, attrs }) as tf.TensorInfo;
  }
  const a2 = ta ? transposedLastTwo(backend, a) : a;
  const b2 = tb ? transposedLastTwo(backend, b) : b;
  const out = stock.kernelFunc({ inputs: { a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
  if (ta) backend.disposeData(a2.dataId);
  if (tb) backend.disposeData(b2.dataId);
  return out as tf.TensorInfo;
}

/**
 * `Sum` for the wasm backend: a float32 sum over a proper leading prefix of the axes
 * (e.g. NHWC → C, the bias gradient) is one contiguous pass ({@link sumLeadingAxes});
 * everything else goes to the stock kernel.
 */
export function sumWasm(args: WasmKernelArgs): tf.TensorInfo {
  const name = 'Sum';
  const backend = asWasm(args.backend, name);
  const stock = stockKernel(name, backend);
  const attrs = args.attrs ?? {};
  const x = args.inputs['x'];
  if (x == null || x.dtype !== 'float32' || x.shape.length < 2) {
    return stock.kernelFunc({ inputs: args.inputs, backend, attrs }) as tf.TensorInfo;
  }
  const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape).sort((p, q) => p - q);
  const k = axes.length;
  const prefix = k >= 1 && k < x.shape.length && axes.every((v, i) => v === i);
  if (!prefix) return stock.kernelFunc({ inputs: args.inputs, backend, attrs }) as tf.TensorInfo;
  const kept = x.shape.slice(k);
  const outShape = attrs['keepDims'] === true ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept;
  const outer = x.shape.slice(0, k).reduce((a, v) => a * v, 1);
  const inner = kept.reduce((a, v) => a * v, 1);
  const out = backend.makeOutput(outShape, 'float32');
  sumLeadingAxes(heap(backend, x), outer, inner, heap(backend, out));
  return out;
}

// ---------------------------------------------------------------------------------------
// Registration.
// ---------------------------------------------------------------------------------------

/** The implementation installed for each name. */
const IMPLEMENTATIONS: Record<WasmKernelName, (args: WasmKernelArgs) => tf.TensorInfo> = {
  Conv2DBackpropFilter: conv2DBackpropFilterWasm,
  Conv2DBackpropInput: conv2DBackpropInputWasm,
  MaxPoolGrad: maxPoolGradWasm,
  BatchMatMul: batchMatMulWasm,
  Sum: sumWasm,
};

/** Kernels of ours that wrap (and need) a stock wasm kernel. */
const WRAPPERS: readonly WasmKernelName[] = ['BatchMatMul', 'Sum'];

/** Whether the wasm backend has been created (its kernels' setup functions have run). */
function wasmBackendInitialised(): boolean {
  return tf.engine().registry['wasm'] != null;
}

/**
 * Installs `impl` as the wasm kernel `name`, keeping any stock kernel to restore later.
 * Idempotent: re-installing the same function does nothing.
 */
function install(name: string, impl: tf.KernelFunc): void {
  const current = tf.getKernel(name, 'wasm');
  if (current != null && current.kernelFunc === impl) return;
  if (current != null) {
    if (!installed.has(name) || installed.get(name) !== current.kernelFunc) displaced.set(name, current);
    tf.unregisterKernel(name, 'wasm');
  }
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: impl });
  installed.set(name, impl);
}

/** Removes our kernel `name` (if installed) and puts back the stock one, if any. */
function uninstall(name: string): void {
  const current = tf.getKernel(name, 'wasm');
  const ours = installed.get(name);
  if (current == null || ours == null || current.kernelFunc !== ours) return;
  tf.unregisterKernel(name, 'wasm');
  installed.delete(name);
  const stock = displaced.get(name);
  if (stock == null) return;
  tf.registerKernel(stock);
  // The backend may have been re-created since the stock kernel was last set up.
  const backend = tf.engine().registry['wasm'];
  if (backend != null) stock.setupFunc?.(backend);
}

/**
 * Registers this module's gradient kernels for the `wasm` backend (all of
 * {@link WASM_KERNEL_NAMES} by default) and returns the names now active.
 * Idempotent; kernels left out of `args.kernels` get their stock version back.
 * Must run after the wasm backend is initialised (`await tf.setBackend('wasm')`),
 * because the stock kernels it displaces are set up during that initialisation.
 *
 * @throws Error if the wasm backend has not been initialised yet, or a name is unknown
 */
export function registerWasmKernels(args: RegisterWasmKernelsArgs = {}): WasmKernelName[] {
  if (!wasmBackendInitialised()) {
    throw new Error("registerWasmKernels: the 'wasm' backend is not initialised yet; call prepareEngine() or await tf.setBackend('wasm') first");
  }
  const wanted = args.kernels ?? WASM_KERNEL_NAMES;
  for (const name of wanted) {
    if (!(WASM_KERNEL_NAMES as readonly string[]).includes(name)) {
      throw new Error(`registerWasmKernels: unknown kernel '${String(name)}'; valid: ${WASM_KERNEL_NAMES.join(', ')}`);
    }
  }
  for (const name of WASM_KERNEL_NAMES) {
    if (wanted.includes(name) && WRAPPERS.includes(name) && tf.getKernel(name, 'wasm') == null) {
      throw new Error(`registerWasmKernels: '${name}' wraps the stock wasm kernel, which is not registered`);
    }
  }
  for (const name of WASM_KERNEL_NAMES) {
    if (wanted.includes(name)) install(name, IMPLEMENTATIONS[name] as unknown as tf.KernelFunc);
    else uninstall(name);
  }
  return activeWasmKernels();
}

/** Removes every kernel of this module from the wasm backend, restoring the stock ones. */
export function unregisterWasmKernels(): void {
  for (const name of WASM_KERNEL_NAMES) uninstall(name);
}

/** Names of this module's kernels currently registered for the wasm backend. */
export function activeWasmKernels(): WasmKernelName[] {
  return WASM_KERNEL_NAMES.filter((name) => {
    const current = tf.getKernel(name, 'wasm');
    return current != null && current.kernelFunc === installed.get(name);
  });
}

/**
 * Installs an arbitrary function as the wasm kernel `name` (displacing, and remembering,
 * whatever is there), e.g. {@link conv2DBackpropFilterViaConvWasm} for comparisons.
 * {@link registerWasmKernels} / {@link unregisterWasmKernels} later put things back.
 */
export function installWasmKernel(name: WasmKernelName, kernelFunc: (args: WasmKernelArgs) => tf.TensorInfo): void {
  if (!wasmBackendInitialised()) throw new Error(`installWasmKernel: the 'wasm' backend is not initialised yet`);
  install(name, kernelFunc as unknown as tf.KernelFunc);
}
