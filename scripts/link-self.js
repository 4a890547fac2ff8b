#!/usr/bin/env node
'use strict';
/**
 * Makes `require('octolab')` / `import ... from 'octolab'` resolve inside the repository
 * (notebooks/, notebooks/scratch/, any script here): links node_modules/octolab to the
 * repository root. TypeScript's node10 resolution, which the tslab kernel uses, does not
 * follow package.json "exports" self-references, so a link is what makes both the kernel's
 * type checker and Node.js find the package. Idempotent; run by `npm install` (prepare)
 * and by the project's Jupyter kernel before it starts.
 */
const fs = require('node:fs');
const path = require('node:path');

/** Creates node_modules/octolab -> .. under `root` unless it already resolves to `root`; returns the link path. */
function linkSelf(root = path.resolve(__dirname, '..')) {
  const modules = path.join(root, 'node_modules');
  const link = path.join(modules, 'octolab');
  if (!fs.existsSync(modules)) throw new Error(`${modules} is missing: run npm install first`);
  try {
    if (fs.realpathSync(link) === fs.realpathSync(root)) return link;
    throw new Error(`${link} exists and is not a link to ${root}: remove it and run npm install`);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  fs.rmSync(link, { force: true }); // a dangling link
  fs.symlinkSync('..', link, 'dir');
  return link;
}

module.exports = { linkSelf };

if (require.main === module) {
  try {
    linkSelf();
  } catch (err) {
    console.error(`link-self: ${err.message}`);
    process.exit(1);
  }
}
