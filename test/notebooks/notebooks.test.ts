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
const ALLOWED_ERROR = path.join(ROOT, 'test', 'notebooks', 'allowed-error-notebook.ipynb');
const SCRATCH = path.join(NOTEBOOKS, 'scratch');
const PYTHON = '/usr/bin/python3';
/** The notebook files: 02-experiment is run once per experiment. */
const EXPECTED = ['01-quantizers', '02-experiment', '05-seeds-and-power', '06-peer-review', '07-mechanism'];
/** The exports the driver writes by default. */
const EXPORTS = ['01-quantizers', '02-regression', '03-mnist', '04-cifar10', '05-seeds-and-power', '06-peer-review', '07-mechanism'];

interface Cell {
  cell_type: string;
  metadata?: { tags?: string[] };
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
}

function readNotebook(file: string): { metadata: { kernelspec?: { name?: string }; octolab?: { exports?: Record<string, Record<string, string>> } }; nbformat: number; cells: Cell[] } {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

const sourceOf = (c: Cell): string => (Array.isArray(c.source) ? c.source.join('') : c.source);

/** Why the driver cannot run here, or null when it can. */
function driverUnavailable(): string | null {
  if (!fs.existsSync('/usr/bin/jupyter')) return '/usr/bin/jupyter is missing (apt-get install jupyter-nbconvert jupyter-client)';
  const py = spawnSync(PYTHON, ['-c', 'import nbclient, nbconvert'], { encoding: 'utf8' });
  if (py.status !== 0) return `${PYTHON} cannot import nbclient/nbconvert: ${py.stderr.trim() || py.error?.message}`;
  if (!fs.existsSync(path.join(ROOT, 'node_modules', 'tslab', 'dist', 'main.js'))) return 'node_modules/tslab is missing (npm install; tslab is a devDependency)';
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

  it('has the five notebooks; the experiment notebook lists its three exports and their parameter', () => {
    assert.deepEqual(files.map((f) => f.replace(/\.ipynb$/, '')), EXPECTED);
    assert.deepEqual(readNotebook(path.join(NOTEBOOKS, '02-experiment.ipynb')).metadata.octolab?.exports, {
      '02-regression': { experiment: 'regression' },
      '03-mnist': { experiment: 'mnist' },
      '04-cifar10': { experiment: 'cifar10' },
    });
  });

  for (const file of files) {
    it(`${file}: a parameters cell first (let declarations only), then imports from the package root only`, () => {
      const code = readNotebook(path.join(NOTEBOOKS, file)).cells.filter((c) => c.cell_type === 'code');
      assert.deepEqual(code[0].metadata?.tags, ['parameters'], 'the first code cell is tagged parameters');
      const statements = sourceOf(code[0]).split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('//'));
      assert.ok(statements.length >= 1 && statements.every((l) => /^let [A-Za-z_$][\w$]*(: [^=]+)? = [^;]+;/.test(l)), `parameters cell: ${statements.join(' | ')}`);
      for (const [i, c] of code.entries()) {
        const imports = [...sourceOf(c).matchAll(/from '([^']+)'/g)].map((m) => m[1]);
        assert.ok(imports.every((m) => m === 'octolab'), `code cell ${i} imports ${imports.join(', ')}: notebooks import only 'octolab'`);
      }
    });
  }

  for (const file of [...files.map((f) => path.join(NOTEBOOKS, f)), FAILING, SLOW, ALLOWED_ERROR]) {
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

  it("the committed kernelspec starts the project's own tslab through kernel.js, not a tslab on PATH", () => {
    const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'jupyter', 'kernels', 'tslab', 'kernel.json'), 'utf8'));
    assert.deepEqual(spec.argv, ['node', '{resource_dir}/kernel.js', '{connection_file}']);
    assert.equal(spec.language, 'typescript');
    assert.ok(fs.existsSync(path.join(ROOT, 'jupyter', 'kernels', 'tslab', 'kernel.js')));
  });

  it('kernel.js exits 2 with a usage line when Jupyter did not pass a connection file', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'jupyter', 'kernels', 'tslab', 'kernel.js')], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /usage: node kernel\.js <connection file>/);
  });
});

describe('notebooks: headless execution to offline HTML', function () {
  this.timeout(900_000);
  let tmp: string;
  let skipReason: string | null;
  const scratchNotebook = path.join(SCRATCH, `test-${process.pid}.ipynb`);

  before(function () {
    skipReason = driverUnavailable();
    if (skipReason !== null) {
      console.log(`      skipped: ${skipReason}`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-notebooks-'));
    // A user's notebook in the scratch folder (one that fails): the default run must neither run nor export it.
    fs.copyFileSync(FAILING, scratchNotebook);
  });
  after(() => {
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(scratchNotebook, { force: true });
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
    assert.deepEqual(fs.readdirSync(out).sort(), EXPORTS.map((n) => `${n}.html`));
    assert.ok(!r.stdout.includes(`test-${process.pid}`), 'the scratch notebook was not run');
    const absolute = [ROOT, process.env.OCTOLAB_DATA_DIR].filter((p): p is string => p !== undefined && path.isAbsolute(p));
    for (const name of EXPORTS) {
      const html = fs.readFileSync(path.join(out, `${name}.html`), 'utf8');
      assert.equal(count(html, 'href="../index.html"'), 1, `${name}: one link back to the reports index`);
      for (const p of absolute) assert.ok(!html.includes(p), `${name}: prints the absolute path ${p}`);
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
    assert.ok(html('06-peer-review').includes('awaiting runs'), '06 lists claims without runs as such');
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

  it('-p overrides the parameters cell and writes an export named after the parameters', () => {
    const out = path.join(tmp, 'params');
    const r = runDriver(['--out', out, '02-regression', '-p', 'epochs=1', '-p', 'seeds=0-1', '-p', 'limitTrain=64', '-p', 'limitTest=32'], { OCTOLAB_PROFILE: 'smoke' }, 300_000);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const name = '02-regression.epochs=1.seeds=0-1.limitTrain=64.limitTest=32.html';
    assert.deepEqual(fs.readdirSync(out), [name]);
    const html = fs.readFileSync(path.join(out, name), 'utf8');
    const plain = html.replace(/<[^>]+>/g, '');
    assert.ok(plain.includes('seeds = "0-1";') && plain.includes('epochs = 1;'), 'the injected cell is shown');
    assert.ok(html.includes('Live runs: seeds 0-1, 1 epoch(s)'), 'the live run used the parameters');
    assert.equal(count(html, 'seed=1: 1/1 steps'), 1, 'the last live run (seed 1) drew its progress bar: 64 examples, batch 64, one epoch');
  });

  it('refuses unknown parameters and malformed -p before starting any kernel (exit 2)', () => {
    const t0 = Date.now();
    const r = runDriver(['03-mnist', '-p', 'nope=1', '-p', 'epochs=2'], {}, 60_000);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /notebooks\/02-experiment\.ipynb: unknown parameter\(s\) nope \(its parameters cell declares experiment, seeds, epochs, limitTrain, limitTest, resamples\)/);
    const bad = runDriver(['-p', '3x'], {}, 60_000);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /-p '3x': expected NAME=VALUE/);
    assert.ok(Date.now() - t0 < 20_000, 'no kernel was started');
  });

  it('a cell tagged raises-exception prints its error and the notebook goes on: later cells run, exit 0', () => {
    const out = path.join(tmp, 'allowed');
    const r = runDriver(['--out', out, ALLOWED_ERROR], {}, 120_000);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /allowed-error-notebook: ok with 1 allowed error\(s\)/);
    assert.match(r.stderr, /cell 2 failed \(error allowed\)/);
    assert.match(r.stderr, /RangeError: allowed failure for the driver test \(code 42\)/);
    const html = fs.readFileSync(path.join(out, 'allowed-error-notebook.html'), 'utf8');
    assert.ok(html.includes('cell after the allowed error ran (5)'), 'the cell after the error ran');
    assert.ok(!html.includes('Execution stopped here'));
  });

  it('--allow-errors runs every cell after a failing one', () => {
    const out = path.join(tmp, 'allow-errors');
    const r = runDriver(['--out', out, '--allow-errors', FAILING], {}, 120_000);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /Error: deliberate failure for the driver test \(answer 42\)/);
    const html = fs.readFileSync(path.join(out, 'failing-notebook.html'), 'utf8');
    assert.ok(html.includes('<pre>this cell must never run'), 'the cell after the failure ran');
  });

  it("plain nbconvert with the project kernel names a failing cell's error and runs later cells with --allow-errors", () => {
    const env = { ...process.env, JUPYTER_PATH: path.join(ROOT, 'jupyter') };
    const args = ['nbconvert', '--to', 'notebook', '--stdout', '--execute', '--ExecutePreprocessor.timeout=120'];
    const failed = spawnSync('/usr/bin/jupyter', [...args, FAILING], { encoding: 'utf8', env, timeout: 120_000 });
    assert.notEqual(failed.status, 0);
    assert.match(failed.stderr, /Error: deliberate failure for the driver test \(answer 42\)/);
    const allowed = spawnSync('/usr/bin/jupyter', [...args, '--allow-errors', FAILING], { encoding: 'utf8', env, timeout: 120_000 });
    assert.equal(allowed.status, 0, allowed.stderr);
    const cells = (JSON.parse(allowed.stdout) as { cells: { outputs?: { text?: string | string[] }[] }[] }).cells;
    const text = (c: { outputs?: { text?: string | string[] }[] }) => (c.outputs ?? []).map((o) => [o.text ?? ''].flat().join('')).join('');
    assert.equal(text(cells[3]), 'this cell must never run\n', 'the cell after the error ran (it was aborted before)');
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
