import assert from 'assert/strict';
import { execFileSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_MODES, cpuSignatureOf, describeEngine, gpuDeviceNodes, prepareEngine, resolveBackendRequest } from '../../src/engine';
import type { EngineInfo } from '../../src/engine';

/** Error thrown by Node when a module cannot be resolved. */
function missing(id: string): Error {
  const err = new Error(`Cannot find module '${id}'\nRequire stack:\n- somewhere`) as Error & { code: string };
  err.code = 'MODULE_NOT_FOUND';
  return err;
}

/** A loader where the native packages are as described, the torch addon is missing, and everything else is real. */
function fakeLoader(native: Record<string, () => unknown>, versions: Record<string, string> = {}): (id: string) => unknown {
  return (id: string) => {
    if (id.endsWith('octotorch.node')) throw missing(id);
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      if (id === `${pkg}/package.json`) {
        if (native[pkg] == null) throw missing(id);
        return { name: pkg, version: versions[pkg] ?? '0.0.0' };
      }
      if (id === pkg) {
        if (native[pkg] == null) throw missing(id);
        return native[pkg]();
      }
    }
    return require(id) as unknown;
  };
}

describe('engine: cpuSignatureOf', () => {
  it('reads vendor, family, model, stepping and the vector extensions of the first processor', () => {
    const cpu = (family: number, flags: string): string => `processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: ${family}\nmodel\t\t: 2\nmodel name\t: AMD EPYC\nstepping\t: 1\nflags\t\t: fpu sse2 ${flags}\n`;
    assert.equal(cpuSignatureOf(`${cpu(26, 'avx avx2 fma avx512f')}\n${cpu(99, 'avx')}`), 'AuthenticAMD family 26 model 2 stepping 1; avx avx2 fma avx512f');
    assert.equal(cpuSignatureOf(cpu(25, '')), 'AuthenticAMD family 25 model 2 stepping 1; no avx');
    assert.equal(cpuSignatureOf('processor : 0\nBogoMIPS : 50\n'), null);
  });
});

describe('engine: resolveBackendRequest', () => {
  it('defaults to auto, reads OCTOLAB_BACKEND, and lets args win', () => {
    assert.deepEqual(resolveBackendRequest({ env: {} }), { mode: 'auto', source: 'default' });
    assert.deepEqual(resolveBackendRequest({ env: { OCTOLAB_BACKEND: ' WASM ' } }), { mode: 'wasm', source: 'env' });
    assert.deepEqual(resolveBackendRequest({ env: { OCTOLAB_BACKEND: '' } }), { mode: 'auto', source: 'default' });
    assert.deepEqual(resolveBackendRequest({ backend: 'cpu', env: { OCTOLAB_BACKEND: 'wasm' } }), { mode: 'cpu', source: 'args' });
    assert.deepEqual(resolveBackendRequest({ backend: 'cpu', env: { OCTOLAB_BACKEND: 'bogus' } }), { mode: 'cpu', source: 'args' });
  });

  it('rejects unknown values, naming the value, its source and the valid ones', () => {
    assert.throws(
      () => resolveBackendRequest({ env: { OCTOLAB_BACKEND: 'gpu' } }),
      (err: Error) => err.message.includes("'gpu'") && err.message.includes('OCTOLAB_BACKEND') && BACKEND_MODES.every((m) => err.message.includes(m)),
    );
    assert.throws(() => resolveBackendRequest({ backend: 'webgl', env: {} }), /invalid backend 'webgl' in EngineArgs\.backend/);
  });
});

describe('engine: prepareEngine', function () {
  let before: string | undefined;
  let auto: EngineInfo;
  // Automatic mode as on a machine without libtorch (the torch engine has its own tests).
  const noTorch = fakeLoader({});

  this.beforeAll(async () => {
    before = tf.getBackend() ?? undefined;
    auto = await prepareEngine({ env: {}, requireModule: noTorch });
  });

  this.afterAll(async () => {
    await tf.setBackend(before ?? 'cpu');
    if (tf.findBackendFactory('tensorflow') != null) tf.removeBackend('tensorflow');
    for (const k of tf.getKernelsForBackend('tensorflow')) tf.unregisterKernel(k.kernelName, 'tensorflow');
  });

  it('picks wasm here, after recording why the native packages and webgpu were not used', function () {
    // With a GPU, automatic mode may rightly pick webgpu; this test is about CPU-only machines.
    if (gpuDeviceNodes().length > 0) this.skip();
    assert.equal(auto.backend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(auto.requested, 'auto');
    assert.deepEqual(
      auto.attempts.map((a) => [a.candidate, a.ok]),
      [
        ['@tensorflow/tfjs-node-gpu', false],
        ['@tensorflow/tfjs-node', false],
        ['octolab torch addon', false],
        ['webgpu', false],
        ['@tensorflow/tfjs-backend-wasm', true],
      ],
    );
    for (const a of auto.attempts.slice(0, 4)) assert.ok(a.error != null && a.error.length > 10, `no reason for ${a.candidate}`);
    assert.match(auto.attempts[2].error ?? '', /addon not built/);
    // This machine has no GPU: automatic mode does not take a software adapter for one.
    assert.match(auto.attempts[3].error ?? '', /no GPU device node|only a software adapter|no WebGPU adapter/);
    assert.equal(auto.nativePackage, null);
    assert.equal(auto.gpuAdapter, null);
  });

  it('reports versions from package.json files, wasm features and the host', () => {
    assert.equal(auto.versions.tfjs, (require('@tensorflow/tfjs/package.json') as { version: string }).version);
    assert.equal(auto.versions.tfjsCore, (require('@tensorflow/tfjs-core/package.json') as { version: string }).version);
    assert.equal(auto.versions.tfjsBackendWasm, (require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version);
    assert.equal(auto.versions.tfjsNode, null);
    assert.equal(typeof auto.wasm.simd, 'boolean');
    assert.equal(auto.wasm.threads, false);
    assert.ok(auto.wasm.binaryDir != null && !path.isAbsolute(auto.wasm.binaryDir) && auto.wasm.binaryDir.endsWith('tfjs-backend-wasm/dist'));
    assert.ok(auto.wasm.customKernels.includes('Conv2DBackpropFilter'));
    assert.equal(auto.host.node, process.version);
    assert.equal(auto.host.cpuCount, os.cpus().length);
    assert.deepEqual(JSON.parse(JSON.stringify(auto)), auto);
  });

  it('is idempotent: same info, nothing registered again', async () => {
    const kernel = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    const again = await prepareEngine({ env: {}, requireModule: noTorch });
    assert.deepEqual(again, auto);
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), kernel);
    assert.deepEqual(describeEngine(), auto);
  });

  it('fails loudly when a forced backend cannot be had, and leaves the backend alone', async () => {
    await assert.rejects(prepareEngine({ backend: 'tensorflow', requireModule: fakeLoader({}) }), (err: Error) => {
      return (
        err.message.includes("'tensorflow'") &&
        err.message.includes('EngineArgs.backend') &&
        err.message.includes('@tensorflow/tfjs-node-gpu: not installed') &&
        err.message.includes('@tensorflow/tfjs-node: not installed')
      );
    });
    await assert.rejects(prepareEngine({ env: { OCTOLAB_BACKEND: 'tensorflow' }, requireModule: fakeLoader({}) }), /from OCTOLAB_BACKEND/);
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('records a native binding that fails to load, then falls back', async () => {
    const loader = fakeLoader({
      '@tensorflow/tfjs-node-gpu': () => {
        throw new Error('libcudart.so.11.0: cannot open shared object file\n(tfjs_binding.node)');
      },
    });
    const info = await prepareEngine({ env: {}, requireModule: loader });
    assert.equal(info.backend, 'wasm');
    assert.match(info.attempts[0].error ?? '', /installed but failed to load: libcudart\.so\.11\.0/);
    assert.match(info.attempts[1].error ?? '', /not installed/);
  });

  it('treats a setBackend that resolves false as a failure', async () => {
    const loader = fakeLoader({
      '@tensorflow/tfjs-node': () =>
        tf.registerBackend('tensorflow', async () => {
          throw new Error('native init failed');
        }),
    });
    const warn = console.warn;
    console.warn = () => undefined; // tfjs reports the failed initialisation itself
    try {
      await assert.rejects(prepareEngine({ backend: 'tensorflow', requireModule: loader }), /setBackend\('tensorflow'\) returned false.*native init failed/);
    } finally {
      console.warn = warn;
    }
    tf.removeBackend('tensorflow');
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('uses a loadable native package first and reports it', async () => {
    const CpuClass = tf.findBackend('cpu').constructor as new () => tf.KernelBackend;
    const loader = fakeLoader(
      {
        '@tensorflow/tfjs-node': () => {
          tf.registerBackend('tensorflow', () => new CpuClass(), 3);
          tf.copyRegisteredKernels('cpu', 'tensorflow');
        },
      },
      { '@tensorflow/tfjs-node': '9.9.9' },
    );
    const info = await prepareEngine({ env: {}, requireModule: loader });
    assert.equal(info.backend, 'tensorflow');
    assert.equal(info.nativePackage, '@tensorflow/tfjs-node');
    assert.equal(info.versions.tfjsNode, '9.9.9');
    assert.deepEqual(
      info.attempts.map((a) => [a.candidate, a.ok]),
      [
        ['@tensorflow/tfjs-node-gpu', false],
        ['@tensorflow/tfjs-node', true],
      ],
    );
    assert.equal(tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0], 6);
  });

  it('switches on request and describeEngine notices outside changes', async () => {
    const cpu = await prepareEngine({ backend: 'cpu' });
    assert.equal(cpu.backend, 'cpu');
    assert.deepEqual(cpu.attempts, [{ candidate: 'cpu', backend: 'cpu', ok: true }]);
    await tf.setBackend('wasm');
    const described = describeEngine();
    assert.equal(described.backend, 'wasm');
    assert.match(described.warnings.join(' '), /prepared 'cpu', active 'wasm'/);
    const wasm = await prepareEngine({ backend: 'wasm' });
    assert.equal(wasm.backend, 'wasm');
    assert.deepEqual(describeEngine().warnings, []);
  });

  it('finds the wasm binaries from any working directory', function () {
    this.timeout(60000);
    const engineModule = path.resolve(__dirname, '../../src/engine');
    const script = `require(${JSON.stringify(engineModule)}).prepareEngine({backend:'wasm'}).then(i => console.log(JSON.stringify({b: i.backend, dir: i.wasm.binaryDir})))`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: os.tmpdir(), encoding: 'utf8', env: { ...process.env, OCTOLAB_BACKEND: '' } });
    const last = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { b: string; dir: string };
    assert.equal(last.b, 'wasm');
    assert.ok(last.dir.endsWith('tfjs-backend-wasm/dist') && !path.isAbsolute(last.dir));
  });
});
