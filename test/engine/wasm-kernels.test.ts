import assert from 'assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  activeWasmKernels,
  conv2DBackpropFilterIm2ColWasm,
  conv2DBackpropFilterViaConvWasm,
  fillPatchMatrix,
  flipFilter,
  installWasmKernel,
  maxPoolBackprop,
  prepareEngine,
  registerWasmKernels,
  spreadOutputGradient,
  sumLeadingAxes,
  transposeMatrices,
  unregisterWasmKernels,
  wasmKernelTuning,
  WASM_KERNEL_NAMES,
} from '../../src/engine';
import type { ConvGeometry } from '../../src/engine';
import { Rng } from '../../src/random/rng';

/** max|a−b| / max(1, max|b|): relative to the reference's scale, robust near zero. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'length mismatch');
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** Seeded normal values. */
function normals(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

/** Runs `f` on `backend` with fresh tensors and returns the values of its result. */
async function on(backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  return values;
}

/** Asserts wasm and cpu agree on `f` within 1e-4 relative error. */
async function agree(label: string, f: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const w = await on('wasm', f);
  const c = await on('cpu', f);
  let worst = 0;
  for (let i = 0; i < c.length; i++) {
    const e = relError(w[i], c[i]);
    worst = Math.max(worst, e);
    assert.ok(e < 1e-4, `${label}: output ${i} relative error ${e}`);
  }
  return worst;
}

/** A geometry with only the given fields changed. */
function geom(over: Partial<ConvGeometry>): ConvGeometry {
  return {
    batch: 1,
    inHeight: 1,
    inWidth: 1,
    inChannels: 1,
    outHeight: 1,
    outWidth: 1,
    outChannels: 1,
    filterHeight: 1,
    filterWidth: 1,
    strideHeight: 1,
    strideWidth: 1,
    padTop: 0,
    padLeft: 0,
    ...over,
  };
}

describe('engine: wasm kernel array helpers (hand-checked)', () => {
  it('fillPatchMatrix: 3×3 input, 3×3 same filter', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const g = geom({ inHeight: 3, inWidth: 3, outHeight: 3, outWidth: 3, filterHeight: 3, filterWidth: 3, padTop: 1, padLeft: 1 });
    const p = new Float32Array(81);
    fillPatchMatrix(x, g, p);
    // Row (kh=0,kw=0) reads x[oh−1, ow−1]; row (1,1) is x itself; row (2,2) reads x[oh+1, ow+1].
    assert.deepEqual([...p.subarray(0, 9)], [0, 0, 0, 0, 1, 2, 0, 4, 5]);
    assert.deepEqual([...p.subarray(36, 45)], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([...p.subarray(72, 81)], [5, 6, 0, 8, 9, 0, 0, 0, 0]);
  });

  it('fillPatchMatrix: stride 2, valid, two channels (input given as [CI,B,H,W])', () => {
    // x[c, 0, h, w] = 100c + 10h + w on a 3×3 grid; 1×1 filter, stride 2 → (0,0),(0,2),(2,0),(2,2).
    const xT = new Float32Array(18);
    for (let c = 0; c < 2; c++) for (let h = 0; h < 3; h++) for (let w = 0; w < 3; w++) xT[(c * 3 + h) * 3 + w] = 100 * c + 10 * h + w;
    const g = geom({ inHeight: 3, inWidth: 3, inChannels: 2, outHeight: 2, outWidth: 2, strideHeight: 2, strideWidth: 2 });
    const p = new Float32Array(8);
    fillPatchMatrix(xT, g, p);
    assert.deepEqual([...p], [0, 2, 20, 22, 100, 102, 120, 122]);
  });

  it('flipFilter rotates space by 180° and swaps channels', () => {
    // w[kh, kw, ci, co] with KH=1, KW=2, CI=1, CO=2: values 10·kw + co.
    const w = Float32Array.from([0, 1, 10, 11]);
    const out = new Float32Array(4);
    flipFilter(w, [1, 2, 1, 2], out);
    // out[0, kw, co, 0] = w[0, 1−kw, 0, co]
    assert.deepEqual([...out], [10, 11, 0, 1]);
  });

  it('spreadOutputGradient inserts zeros for stride 2 and pads by K−1−pad', () => {
    // 1-D along width: W=4, K=2, stride 2, valid → OW=2; grid width W+K−1 = 5, left = 1.
    const g = geom({ inWidth: 4, outWidth: 2, filterWidth: 2, strideWidth: 2 });
    const out = new Float32Array(5);
    spreadOutputGradient(Float32Array.from([7, 9]), g, out);
    assert.deepEqual([...out], [0, 7, 0, 9, 0]);
  });

  it('maxPoolBackprop routes to the first maximum, like the cpu backend', () => {
    // 2×2 input [[1, 3], [3, 2]], one 2×2 window: the tie goes to (0,1).
    const dx = new Float32Array(4);
    const g = geom({ inHeight: 2, inWidth: 2, filterHeight: 2, filterWidth: 2, strideHeight: 2, strideWidth: 2 });
    maxPoolBackprop(Float32Array.from([1, 3, 3, 2]), Float32Array.from([5]), g, dx);
    assert.deepEqual([...dx], [0, 5, 0, 0]);
    // All-NaN window passes nothing.
    maxPoolBackprop(Float32Array.from([NaN, NaN, NaN, NaN]), Float32Array.from([5]), g, dx);
    assert.deepEqual([...dx], [0, 0, 0, 0]);
    // Overlapping windows (3×1 input, window 2, stride 1) accumulate on a shared maximum.
    const g2 = geom({ inHeight: 3, outHeight: 2, filterHeight: 2 });
    const dx2 = new Float32Array(3);
    maxPoolBackprop(Float32Array.from([0, 4, 1]), Float32Array.from([2, 3]), g2, dx2);
    assert.deepEqual([...dx2], [0, 5, 0]);
  });

  it('transposeMatrices and sumLeadingAxes', () => {
    const t = new Float32Array(6);
    transposeMatrices(Float32Array.from([1, 2, 3, 4, 5, 6]), 1, 2, 3, t);
    assert.deepEqual([...t], [1, 4, 2, 5, 3, 6]);
    const rng = new Rng(3);
    const [batch, rows, cols] = [2, 45, 37];
    const src = normals(rng, batch * rows * cols);
    const dst = new Float32Array(src.length);
    transposeMatrices(src, batch, rows, cols, dst);
    for (let m = 0; m < batch; m++)
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) assert.equal(dst[m * rows * cols + c * rows + r], src[m * rows * cols + r * cols + c]);
    const s = new Float32Array(2);
    sumLeadingAxes(Float32Array.from([1, 2, 3, 4, 5, 6]), 3, 2, s);
    assert.deepEqual([...s], [9, 12]);
  });

  it('helpers reject wrongly sized buffers', () => {
    assert.throws(() => fillPatchMatrix(new Float32Array(9), geom({ inHeight: 3, inWidth: 3 }), new Float32Array(2)), /out has 2 elements, needs 1/);
    assert.throws(() => sumLeadingAxes(new Float32Array(5), 3, 2, new Float32Array(2)), /x has 5/);
  });
});

describe('engine: wasm gradient kernels vs the cpu backend', function () {
  let before: string | undefined;

  this.beforeAll(async () => {
    before = tf.getBackend() ?? undefined;
    await prepareEngine({ backend: 'wasm' });
  });

  this.afterAll(async () => {
    registerWasmKernels();
    await tf.setBackend(before ?? 'cpu');
  });

  /** One convolution-gradient test case. */
  interface ConvCase {
    B: number;
    H: number;
    W: number;
    CI: number;
    CO: number;
    K: number;
    s: number;
    pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  }

  /** Seeded convolution cases covering every kernel size × stride × padding. */
  function convCases(seed: number): ConvCase[] {
    const rng = new Rng(seed);
    const out: ConvCase[] = [];
    for (const K of [1, 3, 5]) {
      for (const s of [1, 2]) {
        for (const pad of ['same', 'valid'] as const) {
          for (let rep = 0; rep < 2; rep++) {
            out.push({ B: 1 + rng.int(4), H: 5 + rng.int(8), W: 5 + rng.int(8), CI: 1 + rng.int(8), CO: 1 + rng.int(8), K, s, pad });
          }
        }
      }
    }
    out.push({ B: 2, H: 7, W: 9, CI: 3, CO: 4, K: 3, s: 1, pad: 1 });
    out.push({ B: 1, H: 8, W: 6, CI: 2, CO: 5, K: 3, s: 2, pad: 2 });
    out.push({ B: 2, H: 7, W: 8, CI: 3, CO: 2, K: 3, s: 2, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] });
    out.push({ B: 1, H: 6, W: 6, CI: 2, CO: 3, K: 3, s: 1, pad: [[0, 0], [0, 2], [1, 1], [0, 0]] });
    return out;
  }

  it('Conv2DBackpropFilter and Conv2DBackpropInput match cpu (<1e-4)', async () => {
    const rng = new Rng(11);
    let worst = 0;
    for (const c of convCases(1)) {
      const x = normals(rng, c.B * c.H * c.W * c.CI);
      const f = normals(rng, c.K * c.K * c.CI * c.CO);
      const outShape = tf.backend_util.computeConv2DInfo([c.B, c.H, c.W, c.CI], [c.K, c.K, c.CI, c.CO], c.s, 1, c.pad).outShape;
      const dy = normals(rng, outShape.reduce((a, v) => a * v, 1));
      const label = JSON.stringify(c);
      worst = Math.max(
        worst,
        await agree(`filter ${label}`, () =>
          tf.engine().runKernel(
            'Conv2DBackpropFilter',
            { x: tf.tensor4d(x, [c.B, c.H, c.W, c.CI]), dy: tf.tensor4d(dy, outShape) },
            { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.K, c.K, c.CI, c.CO] },
          ) as tf.Tensor,
        ),
        await agree(`input ${label}`, () =>
          tf.conv2dTranspose(tf.tensor4d(dy, outShape), tf.tensor4d(f, [c.K, c.K, c.CI, c.CO]), [c.B, c.H, c.W, c.CI], c.s, c.pad),
        ),
      );
    }
    assert.ok(worst < 1e-4);
  });

  it('each filter-gradient method (im2col, transposed conv, chunked im2col) matches cpu', async () => {
    const rng = new Rng(12);
    const saved = wasmKernelTuning.maxPatchElements;
    try {
      for (const variant of ['im2col', 'viaConv', 'chunked'] as const) {
        installWasmKernel('Conv2DBackpropFilter', variant === 'viaConv' ? conv2DBackpropFilterViaConvWasm : conv2DBackpropFilterIm2ColWasm);
        wasmKernelTuning.maxPatchElements = variant === 'chunked' ? 200 : saved; // 200: about one image per chunk
        for (const c of convCases(2)) {
          const x = normals(rng, c.B * c.H * c.W * c.CI);
          const outShape = tf.backend_util.computeConv2DInfo([c.B, c.H, c.W, c.CI], [c.K, c.K, c.CI, c.CO], c.s, 1, c.pad).outShape;
          const dy = normals(rng, outShape.reduce((a, v) => a * v, 1));
          await agree(`${variant} ${JSON.stringify(c)}`, () =>
            tf.engine().runKernel(
              'Conv2DBackpropFilter',
              { x: tf.tensor4d(x, [c.B, c.H, c.W, c.CI]), dy: tf.tensor4d(dy, outShape) },
              { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.K, c.K, c.CI, c.CO] },
            ) as tf.Tensor,
          );
        }
      }
    } finally {
      wasmKernelTuning.maxPatchElements = saved;
      registerWasmKernels();
    }
  });

  it('MaxPoolGrad matches cpu, ties (ReLU zeros) included', async () => {
    const rng = new Rng(13);
    for (let i = 0; i < 18; i++) {
      const [B, H, W, C] = [1 + rng.int(4), 5 + rng.int(8), 5 + rng.int(8), 1 + rng.int(8)];
      // The first two cases take the unrolled 2×2 / stride-2 / valid path.
      const size = i < 2 ? 2 : 1 + rng.int(3);
      const stride = i < 2 ? 2 : 1 + rng.int(2);
      const pad = i < 2 ? 'valid' : rng.int(2) === 0 ? 'same' : 'valid';
      const x = normals(rng, B * H * W * C).map((v) => Math.max(0, Math.round(v * 2) / 2)); // many ties
      const outShape = tf.backend_util.computePool2DInfo([B, H, W, C], size, stride, 1, pad).outShape;
      const dy = normals(rng, outShape.reduce((a, v) => a * v, 1));
      await agree(`maxpool ${JSON.stringify({ B, H, W, C, size, stride, pad })}`, () =>
        tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, size, stride, pad))(tf.tensor4d(x, [B, H, W, C]), tf.tensor4d(dy, outShape)),
      );
    }
  });

  it('BatchMatMul (all transpose flags, batched) and Sum match cpu', async () => {
    const rng = new Rng(14);
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const [batch, m, k, n] = [1 + rng.int(3), 1 + rng.int(40), 1 + rng.int(40), 1 + rng.int(40)];
      const a = normals(rng, batch * m * k);
      const b = normals(rng, batch * k * n);
      await agree(`matMul ta=${ta} tb=${tb}`, () =>
        tf.matMul(tf.tensor3d(a, ta ? [batch, k, m] : [batch, m, k]), tf.tensor3d(b, tb ? [batch, n, k] : [batch, k, n]), ta, tb),
      );
    }
    const x = normals(rng, 3 * 4 * 5 * 6);
    for (const [axis, keepDims] of [
      [[0, 1, 2], false],
      [[1, 0], true],
      [0, false],
      [[1, 3], false],
      [[0, 1, 2, 3], false],
      [-1, true],
    ] as [number | number[], boolean][]) {
      await agree(`sum ${JSON.stringify(axis)} ${keepDims}`, () => {
        const s = tf.sum(tf.tensor4d(x, [3, 4, 5, 6]), axis, keepDims);
        return [s, tf.tensor1d(s.shape.length === 0 ? [0] : s.shape)];
      });
    }
  });

  it('tf.grad through conv2d, and through a small CNN, matches cpu', async () => {
    const rng = new Rng(15);
    for (const [s, pad] of [
      [1, 'same'],
      [2, 'valid'],
    ] as [1 | 2, 'same' | 'valid'][]) {
      const x = normals(rng, 2 * 9 * 10 * 3);
      const f = normals(rng, 3 * 3 * 3 * 4);
      await agree(`grad conv2d s=${s} ${pad}`, () => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad))));
        return g([tf.tensor4d(x, [2, 9, 10, 3]), tf.tensor4d(f, [3, 3, 3, 4])]);
      });
    }
    const x = normals(rng, 4 * 12 * 12 * 3);
    const f1 = normals(rng, 3 * 3 * 3 * 8).map((v) => v * 0.3);
    const f2 = normals(rng, 3 * 3 * 8 * 8).map((v) => v * 0.2);
    const w = normals(rng, 3 * 3 * 8 * 10).map((v) => v * 0.1);
    const labels = new Float32Array(40);
    for (let i = 0; i < 4; i++) labels[i * 10 + rng.int(10)] = 1;
    await agree('grad small CNN', () => {
      const loss = (p1: tf.Tensor, p2: tf.Tensor, pw: tf.Tensor): tf.Scalar => {
        let h = tf.maxPool(tf.relu(tf.conv2d(tf.tensor4d(x, [4, 12, 12, 3]), p1 as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
        h = tf.maxPool(tf.relu(tf.conv2d(h, p2 as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
        const logits = tf.matMul(tf.reshape(h, [4, 72]), pw as tf.Tensor2D);
        return tf.losses.softmaxCrossEntropy(tf.tensor2d(labels, [4, 10]), logits) as tf.Scalar;
      };
      return tf.grads(loss)([tf.tensor4d(f1, [3, 3, 3, 8]), tf.tensor4d(f2, [3, 3, 8, 8]), tf.tensor2d(w, [72, 10])]);
    });
  });

  it('leaks nothing: each kernel adds one buffer; repeated gradients keep memory flat', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as tf.KernelBackend & { numDataIds(): number };
    const rng = new Rng(16);
    const x = tf.tensor4d(normals(rng, 2 * 8 * 8 * 3), [2, 8, 8, 3]);
    const f = tf.tensor4d(normals(rng, 3 * 3 * 3 * 4), [3, 3, 3, 4]);
    const dy = tf.tensor4d(normals(rng, 2 * 4 * 4 * 4), [2, 4, 4, 4]);
    const dyFull = tf.tensor4d(normals(rng, 2 * 8 * 8 * 4), [2, 8, 8, 4]);
    const calls: [string, tf.NamedTensorMap, tf.NamedAttrMap][] = [
      // 3·3·3 > 2·4: transposed-convolution method; 1·1·3 ≤ 2·4: im2col method.
      ['Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] }],
      ['Conv2DBackpropFilter', { x, dy: dyFull }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [1, 1, 3, 4] }],
      ['Conv2DBackpropInput', { dy, filter: f }, { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 8, 8, 3] }],
      ['MaxPoolGrad', { dy: x, input: x, output: x }, { filterSize: 1, strides: 1, pad: 'valid' }],
      ['BatchMatMul', { a: tf.reshape(x, [2, 96, 2]), b: tf.reshape(x, [2, 96, 2]) }, { transposeA: true, transposeB: false }],
      ['Sum', { x }, { axis: [0, 1], keepDims: false }],
    ];
    const saved = wasmKernelTuning.maxPatchElements;
    try {
      for (const maxPatch of [saved, 100]) {
        wasmKernelTuning.maxPatchElements = maxPatch; // 100: the chunked im2col path
        for (const [name, inputs, attrs] of calls) {
          const ids = backend.numDataIds();
          const out = tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
          assert.equal(backend.numDataIds(), ids + 1, `${name} left intermediate buffers`);
          out.dispose();
        }
      }
    } finally {
      wasmKernelTuning.maxPatchElements = saved;
    }
    const step = (): void => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.maxPool(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')), 2, 2, 'valid')));
      tf.dispose(g([x, f]));
    };
    step();
    const tensors = tf.memory().numTensors;
    const buffers = backend.numDataIds();
    for (let i = 0; i < 20; i++) step();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(backend.numDataIds(), buffers);
    tf.dispose([x, f, dy, dyFull, ...calls.filter((c) => c[0] === 'BatchMatMul').flatMap((c) => Object.values(c[1]))]);
  });

  it('rejects unsupported attributes with a clear error', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 6, 6, 2]);
    const dy = tf.zeros([1, 6, 6, 3]);
    assert.throws(
      () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] }),
      /dataFormat 'NCHW' is not supported/,
    );
    assert.throws(
      () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dilations: 2, dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] }),
      /dilations 2 are not supported/,
    );
    assert.throws(
      () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] }),
      /dy has shape \[1, 6, 6, 3\], expected \[1, 4, 4, 3\]/,
    );
    tf.dispose([x, dy]);
  });

  it('registration is idempotent and reversible', () => {
    const first = WASM_KERNEL_NAMES.map((n) => tf.getKernel(n, 'wasm'));
    assert.deepEqual(registerWasmKernels(), [...WASM_KERNEL_NAMES]);
    assert.deepEqual(
      WASM_KERNEL_NAMES.map((n) => tf.getKernel(n, 'wasm')),
      first,
    );
    unregisterWasmKernels();
    assert.deepEqual(activeWasmKernels(), []);
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
    assert.notEqual(tf.getKernel('MaxPoolGrad', 'wasm'), undefined); // the stock one is back
    assert.deepEqual(registerWasmKernels({ kernels: ['MaxPoolGrad'] }), ['MaxPoolGrad']);
    assert.throws(() => registerWasmKernels({ kernels: ['Bogus' as never] }), /unknown kernel 'Bogus'/);
    assert.deepEqual(registerWasmKernels(), [...WASM_KERNEL_NAMES]);
  });
});
