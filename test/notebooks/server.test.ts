import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PYTHON = '/usr/bin/python3';
const CHECK = path.join(ROOT, 'test', 'notebooks', 'server_check.py');

interface CellRun {
  status: string;
  text: string;
  displays: number;
  updates: number;
  seconds: number;
}

interface ServerReport {
  ok: boolean;
  error?: string;
  steps: Record<string, number>;
  kernelspecs: string[];
  tslab_argv: string[];
  language_info: { name: string; version: string };
  import: CellRun;
  frame: CellRun;
  frame_html: string | null;
  long: CellRun;
  interrupt_to_idle_seconds: number | null;
  bar_html: string | null;
  steps_seen_1: CellRun;
  steps_seen_2: CellRun;
  after: CellRun;
  server_log_tail: string;
}

/** Why the notebook server cannot run here, or null when it can. */
function serverUnavailable(): string | null {
  const py = spawnSync(PYTHON, ['-c', 'import notebook, jupyter_client'], { encoding: 'utf8' });
  if (py.error !== undefined || py.status !== 0) return `${PYTHON} has no classic notebook server (apt-get install jupyter-notebook, or scripts/setup-system.sh)`;
  if (spawnSync('jupyter', ['notebook', '--version'], { encoding: 'utf8' }).status !== 0) return "'jupyter notebook' is not on PATH";
  if (!fs.existsSync(path.join(ROOT, 'node_modules', 'tslab', 'dist', 'main.js'))) return 'node_modules/tslab is missing (npm install)';
  return null;
}

describe('notebooks: the interactive route through a notebook server and a Jupyter client', function () {
  this.timeout(180_000);
  let report: ServerReport;

  before(function () {
    const reason = serverUnavailable();
    if (reason !== null) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    const t0 = Date.now();
    // A notebook in the scratch folder: its kernel runs there, so the import below also shows
    // that users' own notebooks reach the package.
    const r = spawnSync(PYTHON, [CHECK, ROOT, 'notebooks/scratch/server-check.ipynb'], { encoding: 'utf8', timeout: 170_000 });
    assert.equal(r.status, 0, `server check failed to run:\n${r.stdout}\n${r.stderr}`);
    report = JSON.parse(r.stdout) as ServerReport;
    console.log(
      `      server up ${report.steps.server} s, kernel ready ${report.steps.kernel_ready} s, interrupt to idle ${report.interrupt_to_idle_seconds} s, all ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    assert.ok(report.ok, `${report.error}\n--- server log ---\n${report.server_log_tail}`);
  });

  it('lists the project kernelspec, which starts node on its own kernel.js (nothing from PATH but node)', () => {
    assert.ok(report.kernelspecs.includes('tslab'), `kernelspecs: ${report.kernelspecs.join(', ')}`);
    assert.deepEqual(report.tslab_argv, ['node', '{resource_dir}/kernel.js', '{connection_file}']);
  });

  it("starts the kernel through the server's REST API; kernel_info names the TypeScript that compiles the cells", () => {
    const tsForTslab = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', '@tslab', 'typescript-for-tslab', 'package.json'), 'utf8')).version;
    assert.equal(report.language_info.name, 'typescript');
    assert.equal(report.language_info.version, tsForTslab);
    assert.match(report.import.text, new RegExp(`typescript=${tsForTslab.replace(/\./g, '\\.')}`));
  });

  it("runs a cell that imports the package from a notebook in notebooks/scratch", () => {
    assert.equal(report.import.status, 'ok', report.import.text);
    assert.match(report.import.text, /cwd=.*notebooks[/\\]scratch\n/);
    const m = /names=(\d+) mean=2\.5 runLive=function tf=function/.exec(report.import.text);
    assert.ok(m !== null, report.import.text);
    assert.ok(Number(m[1]) > 100, `only ${m[1]} names at the package root`);
  });

  it("shows a danfojs DataFrame given as a cell's last expression as an HTML table, not its internals", () => {
    assert.equal(report.frame.status, 'ok', report.frame.text);
    assert.equal(report.frame.displays, 1);
    assert.equal(report.frame.text, '', 'nothing printed as text');
    const html = report.frame_html ?? '';
    assert.ok(html.startsWith('<table class="octolab-table"'), html.slice(0, 200));
    assert.equal(html.split('<tr>').length - 1, 3, 'a header and two rows');
    assert.ok(html.includes('>octization</td>') && html.includes('>0.9698</td>'));
  });

  it('Kernel -> Interrupt stops a long training cell at its next step, which reports what was done', () => {
    assert.equal(report.long.status, 'ok', report.long.text);
    const m = /interrupted run 1 of 1 \(regression float e5000 seed=0\) after (\d+) of 80000 steps; 0 finished runs kept, 0 not started\nstopped=true steps=(\d+) total=80000 kept=0\n/.exec(report.long.text);
    assert.ok(m !== null, report.long.text);
    assert.equal(m[1], m[2]);
    assert.ok(report.interrupt_to_idle_seconds !== null && report.interrupt_to_idle_seconds < 5, `idle ${report.interrupt_to_idle_seconds} s after the interrupt`);
    assert.ok(report.long.updates >= 2, `the progress bar was updated in place ${report.long.updates} times`);
    assert.match(report.bar_html ?? '', /<progress value="\d+" max="80000"/);
    // The training loop really stopped: its step counter does not move, and the kernel kept its state.
    assert.equal(report.steps_seen_1.text.trim(), m[1]);
    assert.equal(report.steps_seen_2.text.trim(), m[1]);
    assert.equal(report.after.status, 'ok');
    assert.equal(report.after.text.trim(), 'mean=2.5 tensors=0');
  });
});
