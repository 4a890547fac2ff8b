/**
 * Builds the libtorch addon (native/torch/octotorch.cc → native/torch/build/octotorch.node)
 * with the system C++ compiler against libtorch's headers and the Node-API headers of the
 * `node-api-headers` npm package: nothing is downloaded. Without libtorch it prints one line
 * saying so and exits 0 (the other engines do not need the addon). Rebuilds only when the
 * source is newer than the addon.
 *
 * usage: node dist/scripts/build-native.js [--force]
 * env:   LIBTORCH_DIR  prefix holding include/torch and lib/libtorch.so (default: /usr, /usr/local)
 *        CXX           compiler (default g++)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TORCH_ADDON_PATH, findLibtorch } from '../src/engine/torch-build';

const root = path.resolve(__dirname, '..', '..');
const source = path.join(root, 'native', 'torch', 'octotorch.cc');
const output = path.join(root, TORCH_ADDON_PATH);

function main(): number {
  const force = process.argv.includes('--force');
  const torch = findLibtorch(process.env);
  if (torch === null) {
    console.log('torch engine: libtorch not found (apt-get install libtorch-dev, or set LIBTORCH_DIR); addon skipped, the other engines work');
    return 0;
  }
  if (!force && fs.existsSync(output) && fs.statSync(output).mtimeMs >= fs.statSync(source).mtimeMs) {
    console.log(`torch engine: addon up to date (${TORCH_ADDON_PATH})`);
    return 0;
  }
  const napiInclude = path.dirname(require.resolve('node-api-headers/include/node_api.h'));
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const tmp = `${output}.${process.pid}.tmp`;
  const cxx = process.env.CXX ?? 'g++';
  const args = [
    '-shared', '-fPIC', '-O2', '-std=c++17', '-DNODE_GYP_MODULE_NAME=octotorch', '-D_GLIBCXX_USE_CXX11_ABI=1',
    `-I${napiInclude}`, ...torch.includeDirs.map((d) => `-I${d}`),
    source, '-o', tmp,
    `-L${torch.libDir}`, `-Wl,-rpath,${torch.libDir}`, '-ltorch', '-ltorch_cpu', '-lc10',
  ];
  console.log(`torch engine: building ${TORCH_ADDON_PATH} against libtorch in ${torch.prefix} (about 15-60 s)`);
  const r = spawnSync(cxx, args, { stdio: 'inherit' });
  if (r.error !== undefined || r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    console.error(`torch engine: ${cxx} failed (${r.error?.message ?? `exit ${String(r.status)}`}); the addon was not built`);
    return 1;
  }
  fs.renameSync(tmp, output); // never leave a half-written addon under the final name
  return 0;
}

process.exitCode = main();
