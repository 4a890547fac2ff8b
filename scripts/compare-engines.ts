/**
 * Prints the cross-engine comparison of the stored runs: per arm torch − wasm with its 95 %
 * interval, per claim the verdict on each engine and whether they agree (see
 * src/cross-engine). A script, not a report page.
 *
 * usage: node dist/scripts/compare-engines.js [RESULTS_DIR]   (default reports/results;
 *        the torch runs are read from RESULTS_DIR/torch)
 */
import * as path from 'path';
import { compareEngines } from '../src/cross-engine';
import { readResultsPath } from '../src/experiments/store';

function main(argv: readonly string[]): number {
  const dir = argv[0] ?? path.join('reports', 'results');
  const wasm = readResultsPath(dir);
  const torch = readResultsPath(path.join(dir, 'torch'));
  for (const p of [...wasm.problems, ...torch.problems]) console.warn(`warning: ${p.file}:${p.line} ignored (${p.reason})`);
  const out = compareEngines([...wasm.records, ...torch.records], { claims: { resamples: 2000 } });
  const pct = (v: number): string => `${(100 * v).toFixed(2)}`;
  console.log('arm | n torch / wasm (pairs) | mean torch | mean wasm | torch − wasm [95% CI] (pp)');
  for (const a of out.arms) {
    const ci = a.ci === null ? 'n/a' : `${pct(a.diff as number)} [${pct(a.ci[0])}, ${pct(a.ci[1])}]`;
    console.log(`${a.experiment} ${a.method} ${a.protocol} e${a.epochs} | ${a.nTorch} / ${a.nWasm} (${a.seeds.length}) | ${pct(a.meanTorch)} | ${pct(a.meanWasm)} | ${ci}`);
  }
  console.log('\nclaim | torch | wasm | agreement');
  for (const c of out.claims) if (c.agreement !== 'not-comparable') console.log(`${c.id} | ${c.torch} | ${c.wasm} | ${c.agreement}`);
  if (out.torchOnly.length > 0) console.log(`\ntorch arms without wasm runs: ${out.torchOnly.join('; ')}`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(`compare-engines: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
