#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in the compiled package (run `npm run build` first).
require('../dist/src/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`octolab: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
