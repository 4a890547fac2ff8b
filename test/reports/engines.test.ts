import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runKey } from '../../src/experiments/config';
import type { RunRecord } from '../../src/experiments/record';
import { buildReports, DamagedResultsError } from '../../src/reports/build';
import { enginesSummary } from '../../src/reports/engines';
import { compareEngines } from '../../src/cross-engine';
import { parseCsv } from '../helpers/csv';
import { FIXTURE_RESULTS } from './inputs';

/** The fixture's mnist runs (wasm). */
function wasmRecords(): RunRecord[] {
  return fs
    .readFileSync(path.join(FIXTURE_RESULTS, 'mnist.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RunRecord);
}

/** The same runs relabelled as torch runs, their accuracy moved by `shift(seed)`. */
function torchCopies(records: readonly RunRecord[], shift: (seed: number) => number): RunRecord[] {
  return records.map((r) => {
    const t = structuredClone(r);
    t.config.engine = 'torch';
    t.key = runKey(t.config);
    t.environment.engine.backend = 'torch';
    t.metrics.testAccuracy = (r.metrics.testAccuracy as number) + shift(r.config.seed);
    return t;
  });
}

describe('reports: the engines page (torch runs beside the wasm ones)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-engines-'));
    fs.mkdirSync(path.join(dir, 'results', 'torch'), { recursive: true });
    fs.copyFileSync(path.join(FIXTURE_RESULTS, 'mnist.jsonl'), path.join(dir, 'results', 'mnist.jsonl'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const writeTorch = (records: readonly RunRecord[]): void =>
    fs.writeFileSync(path.join(dir, 'results', 'torch', 'mnist.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');

  it('writes engines.html and its CSV with one row per arm, the differences the records give, and links it from the index', () => {
    const shift = (s: number): number => (s % 2 === 0 ? 0.01 : 0.03); // mean +0.018 over seeds 0..4
    writeTorch(torchCopies(wasmRecords(), shift));
    const out = path.join(dir, 'reports');
    const built = buildReports({ results: path.join(dir, 'results'), out, resamples: 200 });
    assert.ok(built.files.includes(path.join(out, 'engines.html')));
    assert.equal(built.runs, 15, 'the torch runs are not counted among the runs of the pages');
    const csv = parseCsv(fs.readFileSync(path.join(out, 'tables', 'engines-arms.csv'), 'utf8'));
    const [head, ...rows] = csv;
    assert.equal(rows.length, 3); // float, standard, octization
    const col = (k: string): number => head.indexOf(k);
    for (const r of rows) {
      assert.equal(r[col('n')], '5');
      assert.ok(Math.abs(Number(r[col('diff')]) - 0.018) < 1e-12, `${r[col('method')]}: ${r[col('diff')]}`);
      assert.ok(Math.abs(Number(r[col('meanTorch')]) - Number(r[col('meanWasm')]) - 0.018) < 1e-12);
      assert.ok(Math.abs(Number(r[col('medianDiff')]) - 0.01) < 1e-12);
      assert.equal(r[col('identical')], '0/5');
    }
    const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    assert.ok(index.includes('<section id="engines">') && index.includes('href="engines.html"'));
    const page = fs.readFileSync(path.join(out, 'engines.html'), 'utf8');
    assert.ok(page.includes('id="table-engines-arms"') && page.includes('id="table-engines-claims"'));
    const mnistPage = fs.readFileSync(path.join(out, 'mnist.html'), 'utf8');
    assert.ok(!mnistPage.includes('>torch<'), 'the experiment pages are built from the wasm runs only');
  });

  it('summarises how many arms hold 0 and how many claims agree', () => {
    const wasm = wasmRecords();
    const same = enginesSummary(compareEngines([...wasm, ...torchCopies(wasm, () => 0)], { claims: { resamples: 200 } }));
    assert.deepEqual([same.arms, same.armsHoldingZero, same.largestAccuracyDiff, same.runsTorch, same.runsWasm], [3, 3, 0, 15, 15]);
    const moved = enginesSummary(compareEngines([...wasm, ...torchCopies(wasm, (s) => 0.05 + s / 1000)], { claims: { resamples: 200 } }));
    assert.equal(moved.armsHoldingZero, 0);
    assert.ok(Math.abs((moved.largestAccuracyDiff as number) - 0.052) < 1e-12);
  });

  it('writes no engines page without torch runs, and refuses a damaged torch line unless allowed', () => {
    fs.rmSync(path.join(dir, 'results', 'torch'), { recursive: true });
    const out = path.join(dir, 'reports');
    buildReports({ results: path.join(dir, 'results'), out, resamples: 200 });
    assert.equal(fs.existsSync(path.join(out, 'engines.html')), false);
    fs.mkdirSync(path.join(dir, 'results', 'torch'));
    writeTorch(torchCopies(wasmRecords(), () => 0));
    fs.appendFileSync(path.join(dir, 'results', 'torch', 'mnist.jsonl'), '{"schema":1,"key":\n');
    assert.throws(() => buildReports({ results: path.join(dir, 'results'), out, resamples: 200 }), (e: unknown) => e instanceof DamagedResultsError && /torch[\\/]mnist\.jsonl:16/.test(e.message));
    const allowed = buildReports({ results: path.join(dir, 'results'), out, resamples: 200, allowDamaged: true });
    assert.ok(allowed.files.includes(path.join(out, 'engines.html')));
  });
});
