'use strict';
// The project's Jupyter kernel: starts this repository's own tslab (node_modules/tslab)
// without relying on PATH, after linking node_modules/octolab so that notebooks can
// `import * as octolab from 'octolab'`, with the fixes of patches.js.
// Jupyter runs it as: node kernel.js <connection file>.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const main = path.join(root, 'node_modules', 'tslab', 'dist', 'main.js');
const connectionFile = process.argv[2];
if (connectionFile === undefined || process.argv.length !== 3) {
  console.error('usage: node kernel.js <connection file> (Jupyter passes it)');
  process.exit(2);
}
if (!fs.existsSync(main)) {
  console.error(`octolab kernel: ${path.relative(process.cwd(), main) || main} is missing: run npm install in ${root} (tslab is a devDependency)`);
  process.exit(1);
}
try {
  require(path.join(root, 'scripts', 'link-self.js')).linkSelf(root);
} catch (err) {
  console.error(`octolab kernel: ${err.message}`); // the kernel still starts; only 'octolab' imports fail
}
try {
  require('./patches.js').applyPatches(path.join(root, 'node_modules', 'tslab'), root);
} catch (err) {
  console.error(`octolab kernel: the fixes for tslab 1.0.22 do not apply to this tslab (${err.message}); starting it unchanged`);
}
const tslab = require(main);
tslab.startKernel({ configPath: connectionFile, enableFindLocal: false, jsKernel: false, globalVersion: require(path.join(root, 'node_modules', 'tslab', 'package.json')).version });
