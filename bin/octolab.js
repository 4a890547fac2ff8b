#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in the compiled package (`npm install` builds it; else `npm run build`).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  console.error(`octolab: ${entry} is missing: build the package first with 'npm run build'`);
  process.exit(1);
}
require(entry).main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`octolab: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.OCTOLAB_DEBUG === '1' || process.argv.includes('--verbose')) console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  },
);
