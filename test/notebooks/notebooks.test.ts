import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PLOTLY_BUNDLE_MARKER } from '../../src/notebook';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const NOTEBOOKS = path.join(ROOT, 'notebooks');
const DRIVER = path.join(ROOT, 'scripts', 'run-notebooks.py');
const FAILING = path.join(ROOT, 'test', 'fixtures', 'failing-notebook.ipynb');
const SLOW = path.join(ROOT, 'test', 'fixtures', 'slow-notebook.ipynb');
const PYTHON = '/usr/bin/python3';
const EXPECTED = ['01-quantizers', '02-regression', '03-mnist', '04-cifar10', '05-seeds-and-power', '06-peer-review'];

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
}

function readNotebook(file: string): { metadata: { kernelspec?: { name?: string } }; nbformat: number; cells: Cell[] } {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

const sourceOf = (c: Cell): string => (Array.isArray(c.source) ? c.source.join('') : c.source);

/** Why the driver cannot run here, or null when it can. */
function driverUnavailable(): string | null {
  if (!fs.existsSync('/usr/bin/jupyter')) return '/usr/bin/jupyter is missing (apt-get install jupyter-nbconvert jupyter-client)';
  const py = spawnSync(PYTHON, ['-c', 'import nbclient, nbconvert'], { encoding: 'utf8' });
  if (py.status !== 0) return `${PYTHON} cannot import nbclient/nbconvert: ${py.stderr.trim() || py.error?.message}`;
  if (!fs.existsSync(path.join(ROOT, 'node_modules', '.bin', 'tslab'))) return 'node_modules/.bin/tslab is missing (npm install; tslab is a devDependency)';
  return null;
}

function runDriver(args: string[], env: Record<string, string>, timeoutMs: number): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, [DRIVER, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: timeoutMs });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const count = (text: string, needle: string): number => text.split(needle).length - 1;

describe('notebooks: committed without outputs', () => {
  const files = fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb')).sort();

  it('has the six notebooks', () => {
    assert.deepEqual(files.map((f) => f.replace(/\.ipynb$/, '')), EXPECTED);
  });

  for (const file of [...files.map((f) => path.join(NOTEBOOKS, f)), FAILING, SLOW]) {
    it(`${path.relative(ROOT, file)}: no outputs, no execution counts, tslab kernel, compiled imports only`, () => {
      const nb = readNotebook(file);
      assert.equal(nb.nbformat, 4);
      assert.equal(nb.metadata.kernelspec?.name, 'tslab');
      nb.cells.forEach((c, i) => {
        if (c.cell_type !== 'code') {
          assert.equal(c.outputs, undefined, `cell ${i} (${c.cell_type}) has outputs`);
          return;
        }
        assert.deepEqual(c.outputs, [], `cell ${i} has outputs: run the notebook through scripts/run-notebooks.py instead of committing executed notebooks`);
        assert.equal(c.execution_count, null, `cell ${i} has execution_count ${c.execution_count}`);
        const src = sourceOf(c);
        assert.ok(!/from '\.\.\/src\//.test(src), `cell ${i} imports ../src (tslab cannot compile it: import ../dist instead)`);
      });
    });
  }

  it('the committed kernelspec starts tslab with the connection file', () => {
    const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'jupyter', 'kernels', 'tslab', 'kernel.json'), 'utf8'));
    assert.deepEqual(spec.argv, ['tslab', 'kernel', '--config-path', '{connection_file}']);
    assert.equal(spec.language, 'typescript');
  });
});

describe('notebooks: headless execution to offline HTML', function () {
  this.timeout(900_000);
  let tmp: string;
  let skipReason: string | null;

  before(function () {
    skipReason = driverUnavailable();
    if (skipReason !== null) {
      console.log(`      skipped: ${skipReason}`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-notebooks-'));
  });
  after(() => {
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('runs every notebook in the smoke profile: exit 0, one HTML each, plotly inline once, no CDN', () => {
    // Real stored runs for one experiment (tiny regression grid), so that both the
    // stored-results path (regression) and the "missing" path (mnist, cifar10) run.
    const results = path.join(tmp, 'results');
    const grid = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin', 'octolab.js'), 'run', 'regression', '--seeds', '0-2', '--methods', 'float,standard,octization', '--profile', 'smoke', '--epochs', '2', '--workers', '1', '--no-download', '--quiet', '--out', results],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, OCTOLAB_BACKEND: 'wasm' } },
    );
    assert.equal(grid.status, 0, `${grid.stdout}${grid.stderr}`);
    const out = path.join(tmp, 'html');
    const t0 = Date.now();
    const r = runDriver(['--out', out, '--jobs', '2', '--timeout', '600'], { OCTOLAB_PROFILE: 'smoke', OCTOLAB_RESULTS: results }, 850_000);
    console.log(`      all notebooks (smoke, 2 jobs): ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    assert.equal(r.status, 0, `driver failed:\n${r.stdout}\n${r.stderr}`);
    assert.deepEqual(fs.readdirSync(out).sort(), EXPECTED.map((n) => `${n}.html`));
    for (const name of EXPECTED) {
      const html = fs.readFileSync(path.join(out, `${name}.html`), 'utf8');
      assert.equal(count(html, 'https://cdn'), 0, `${name}: references a CDN`);
      assert.ok(!/<script[^>]+src="https?:/.test(html) && !/<link[^>]+href="https?:/.test(html), `${name}: loads a script or stylesheet from the network`);
      assert.equal(count(html, `${PLOTLY_BUNDLE_MARKER}="1"`), 1, `${name}: plotly must be embedded exactly once`);
      assert.equal(html.match(/plotly\.js(?: \([^)]*\))? v\d/g)?.length ?? 0, 1, `${name}: plotly bundle header must appear exactly once`);
      assert.ok(!html.includes('Execution stopped here'), `${name}: a cell failed`);
    }
    const html = (name: string): string => fs.readFileSync(path.join(out, `${name}.html`), 'utf8');
    assert.ok(count(html('01-quantizers'), 'Plotly.newPlot') >= 5, '01 draws its figures');
    assert.ok(html('02-regression').includes('9 stored regression runs'), '02 uses the stored runs');
    assert.ok(count(html('02-regression'), 'Plotly.newPlot') >= 4, '02 draws curves and distributions from the stored runs');
    assert.ok(html('04-cifar10').includes('No stored cifar10 runs'), '04 says plainly that its results are missing');
    assert.ok(html('06-peer-review').includes('no results yet'), '06 lists claims without runs as such');
  });

  it('a failing cell stops its notebook: exit non-zero, cell and error printed, HTML still written with the error', () => {
    const out = path.join(tmp, 'failing');
    const r = runDriver(['--out', out, FAILING], { OCTOLAB_PROFILE: 'smoke' }, 120_000);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /cell 2 failed/);
    assert.match(r.stderr, /throw new Error\(`deliberate failure for the driver test/);
    assert.match(r.stderr, /Error: deliberate failure for the driver test \(answer 42\)/);
    const html = fs.readFileSync(path.join(out, 'failing-notebook.html'), 'utf8');
    assert.ok(html.includes('deliberate failure for the driver test (answer 42)'), 'the error is in the HTML');
    assert.ok(html.includes('<pre>cell before the failure ran\n</pre>'), 'earlier output is kept');
    assert.ok(html.includes('Execution stopped here'), 'the stop is marked');
    assert.ok(!html.includes('<pre>this cell must never run'), 'later cells did not run');
  });

  it('stops a notebook at its time limit, exits non-zero and still writes the HTML', () => {
    const out = path.join(tmp, 'slow');
    const t0 = Date.now();
    const r = runDriver(['--out', out, '--timeout', '15', SLOW], {}, 120_000);
    assert.notEqual(r.status, 0);
    assert.ok(Date.now() - t0 < 60_000, 'the 60 s cell was not waited for');
    assert.match(r.stderr, /CellTimeoutError/);
    assert.match(r.stderr, /limit 15 s per notebook/);
    const html = fs.readFileSync(path.join(out, 'slow-notebook.html'), 'utf8');
    assert.ok(html.includes('Execution stopped here') && !html.includes('<pre>finished the long wait'));
  });

  it('refuses bad arguments before starting any kernel', () => {
    const r = runDriver(['--timeout', '0', path.join(tmp, 'no-such.ipynb')], {}, 60_000);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /no-such\.ipynb: no such notebook/);
    assert.match(r.stderr, /--timeout and --jobs must be >= 1, got 0 and 1/);
  });
});
