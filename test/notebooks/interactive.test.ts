import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { prepareEngine } from '../../src/engine';
import { makeRunConfig, runOne } from '../../src/experiments';
import {
  dataFrameTable,
  describeInterruption,
  displayPath,
  figureHtml,
  installInterruptHandler,
  interruptible,
  progressHtml,
  progressText,
  ProgressBar,
  readNotebookParams,
  relabelPaths,
  resetElementIds,
  runLive,
  runningInterruptibles,
  tableHtml,
  toHtml,
  uninstallInterruptHandler,
} from '../../src/notebook';
import { toDataFrame } from '../../src/reports/tables';
import { isTrainingCancelled, TrainingCancelledError } from '../../src/training';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** A stand-in for `process` with one SIGINT listener already on it (tslab's). */
function fakeProcess(): { proc: NodeJS.Process; forwarded: number[]; exits: number[] } {
  const emitter = new EventEmitter();
  const forwarded: number[] = [];
  const exits: number[] = [];
  emitter.on('SIGINT', () => forwarded.push(1));
  const proc = Object.assign(emitter, { exit: (code: number) => exits.push(code) }) as unknown as NodeJS.Process;
  return { proc, forwarded, exits };
}

describe('notebook: interrupting long operations', () => {
  afterEach(() => uninstallInterruptHandler());

  it('SIGINT aborts the running interruptible operation and is not passed on; without one it goes to the earlier listener', async () => {
    const { proc, forwarded } = fakeProcess();
    installInterruptHandler(proc);
    assert.equal(proc.listenerCount('SIGINT'), 1, 'the earlier listener is taken off and replaced by one');
    proc.emit('SIGINT', 'SIGINT');
    assert.equal(forwarded.length, 1, 'no operation running: passed on');
    const seen = await interruptible(async (signal) => {
      assert.equal(runningInterruptibles(), 1);
      proc.emit('SIGINT', 'SIGINT');
      return signal.aborted;
    });
    assert.equal(seen, true);
    assert.equal(forwarded.length, 1, 'an operation was running: not passed on');
    assert.equal(runningInterruptibles(), 0);
    uninstallInterruptHandler();
    assert.equal(proc.listenerCount('SIGINT'), 1, 'the earlier listener is back');
  });

  it('with no earlier listener SIGINT outside an operation exits with 130, as Node.js would', () => {
    const emitter = new EventEmitter();
    const exits: number[] = [];
    installInterruptHandler(Object.assign(emitter, { exit: (c: number) => exits.push(c) }) as unknown as NodeJS.Process);
    emitter.emit('SIGINT', 'SIGINT');
    assert.deepEqual(exits, [130]);
  });
});

describe('training: cancellation by an AbortSignal', function () {
  this.timeout(60_000);
  before(async () => {
    await prepareEngine();
  });

  it('stops before the next step once aborted, says how far it got and leaks no tensors', async () => {
    const config = makeRunConfig({ experiment: 'regression', method: 'octization', seed: 0, epochs: 3, limitTrain: 256, limitTest: 32 }); // batch 64: 4 steps per epoch
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    let stepsSeen = 0;
    const err = await runOne(config, {
      dataDir: path.join(ROOT, 'data'),
      signal: controller.signal,
      onStep: (done) => {
        stepsSeen = done;
        if (done === 3) controller.abort();
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isTrainingCancelled(err), `expected a TrainingCancelledError, got ${String(err)}`);
    assert.ok(err instanceof TrainingCancelledError);
    assert.equal(err.progress.steps, 3);
    assert.equal(stepsSeen, 3, 'no step after the abort');
    assert.equal(err.progress.epochsDone, 0);
    assert.equal(err.progress.epochs, 3);
    assert.ok(err.progress.totalSteps > 3);
    assert.equal(tf.memory().numTensors, before, 'model and optimizer disposed');
  });

  it('runLive keeps the runs finished before the interrupt and reports the stopped one', async () => {
    const configs = [0, 1, 2].map((seed) => makeRunConfig({ experiment: 'regression', method: 'float', seed, epochs: 1, limitTrain: 128, limitTest: 32 }));
    const controller = new AbortController();
    const draws: string[] = [];
    const lines: string[] = [];
    let steps = 0;
    const result = await runLive(configs, {
      dataDir: path.join(ROOT, 'data'),
      signal: controller.signal,
      display: { html: (s) => draws.push(s) },
      timings: false,
      log: (l) => lines.push(l),
      onStep: () => {
        steps++;
        if (steps === 3) controller.abort(); // 2 steps per run (128 examples, batch 64): run 2, its first step
      },
    });
    assert.equal(result.records.length, 1);
    assert.equal(result.records[0].config.seed, 0);
    assert.deepEqual(result.interrupted && { run: result.interrupted.run, runs: result.interrupted.runs, steps: result.interrupted.steps, totalSteps: result.interrupted.totalSteps }, { run: 2, runs: 3, steps: 1, totalSteps: 2 });
    assert.equal(lines.length, 1);
    assert.equal(lines[0], describeInterruption(result));
    assert.match(lines[0], /^interrupted run 2 of 3 \(.*seed=1\) after 1 of 2 steps; 1 finished run kept, 1 not started$/);
    assert.match(draws[draws.length - 1], /<progress value="1" max="2"/);
    assert.ok(!draws.some((d) => / s(,|<)/.test(d)), 'no timings in the bar when timings is false');
  });
});

describe('notebook: progress bar', () => {
  it('shows done/total, percent and, with timings, elapsed and remaining time', () => {
    assert.equal(progressText({ label: 'run', done: 30, total: 120, elapsedSeconds: null }), 'run: 30/120 steps (25%)');
    assert.equal(progressText({ label: 'run', done: 30, total: 120, elapsedSeconds: 10 }), 'run: 30/120 steps (25%), 10 s, about 30 s left');
    assert.equal(progressText({ label: 'run', done: 1, total: 100, elapsedSeconds: 2 }, 'batches'), 'run: 1/100 batches (1%), 2 s, about 3 min 18 s left');
    assert.match(progressHtml({ label: '<a>', done: 2, total: 4, elapsedSeconds: null }), /<progress value="2" max="4"[^>]*><\/progress> &lt;a&gt;: 2\/4 steps \(50%\)/);
    assert.throws(() => progressText({ label: 'x', done: 5, total: 4, elapsedSeconds: null }), /done must be within 0..total and total > 0, got 5\/4/);
  });

  it('redraws one output at most every minIntervalMs, and always the last step', () => {
    let t = 0;
    const draws: string[] = [];
    const bar = new ProgressBar({ html: (s) => draws.push(s) }, { minIntervalMs: 100, timings: false, now: () => t });
    for (let step = 1; step <= 50; step++) {
      t += 10; // 10 ms per step: 500 ms in all
      bar.update('r', step, 50);
    }
    assert.equal(bar.draws, draws.length);
    assert.equal(draws.length, 6); // t = 10, 110, 210, 310, 410, and the final step at 500
    assert.match(draws[draws.length - 1], /50\/50 steps \(100%\)/);
    assert.equal(new ProgressBar(null).draws, 0);
  });
});

describe('notebook: rich display of DataFrames, tables and figures', function () {
  this.timeout(60_000);

  it('tableHtml and toHtml show a danfojs DataFrame as a table with its index, columns and values', () => {
    const df = toDataFrame({ columns: ['method', 'acc'], rows: [['standard', 0.9712], ['octization', 0.9698]] });
    const t = dataFrameTable(df);
    assert.deepEqual(t.columns, ['', 'method', 'acc']);
    assert.deepEqual(t.rows, [[0, 'standard', 0.9712], [1, 'octization', 0.9698]]);
    const html = tableHtml(df);
    assert.equal(html.split('<tr>').length - 1, 3, 'a header and two rows');
    assert.ok(html.includes('>octization</td>') && html.includes('>0.9698</td>'));
    assert.equal(toHtml(df), html);
    const series = df.column('acc');
    assert.deepEqual(dataFrameTable(series), { columns: ['', 'acc'], rows: [[0, 0.9712], [1, 0.9698]] });
    assert.throws(() => toHtml(42), /show: cannot display a number/);
  });

  it('cuts a long DataFrame after maxRows and says how many rows were left out', () => {
    const t = dataFrameTable({ constructor: { name: 'DataFrame' }, columns: ['v'], index: [0, 1, 2], values: [[1], [2], [3]] } as never, { maxRows: 2 });
    assert.equal(t.rows.length, 3);
    assert.equal(t.rows[2][0], '… 1 more rows');
  });

  it('the same figure shown twice gets two element ids, each drawn by its own script', () => {
    resetElementIds();
    const fig = { data: [{ type: 'scatter', x: [1, 2], y: [3, 4] }] };
    const ids = [figureHtml(fig), figureHtml(fig)].map((h) => {
      const div = /<div id="([^"]+)" class="octolab-figure"/.exec(h)?.[1];
      const script = /document\.getElementById\("([^"]+)"\)/.exec(h)?.[1];
      assert.equal(div, script);
      return div;
    });
    assert.notEqual(ids[0], ids[1]);
    assert.equal(ids[1], `${ids[0]}-2`);
  });
});

describe('notebook: printed paths do not depend on the clone', () => {
  it('labels the data directory relative to the repository root', () => {
    assert.equal(displayPath('/x/repo', '/x/shared/data'), '../shared/data');
    assert.equal(displayPath('/x/repo', '/x/repo'), '.');
    assert.equal(readNotebookParams({ env: { OCTOLAB_DATA_DIR: '/x/shared/data' }, root: '/x/repo' }).dataDirLabel, '../shared/data');
    assert.equal(readNotebookParams({ env: {}, root: '/x/repo' }).dataDirLabel, 'data');
    const p = readNotebookParams({ env: { OCTOLAB_DATA_DIR: '/x/shared/data' }, root: '/x/repo' });
    assert.equal(relabelPaths('missing /x/shared/data/mnist/a.gz and /x/repo/reports/r.jsonl', p), 'missing ../shared/data/mnist/a.gz and ./reports/r.jsonl');
  });
});

describe('package entry point: octolab', function () {
  this.timeout(120_000);

  it("require('octolab') works from notebooks/ and notebooks/scratch/ and reaches the notebook helpers, tf and the loaders", () => {
    for (const dir of ['notebooks', path.join('notebooks', 'scratch')]) {
      const r = spawnSync(
        process.execPath,
        ['-e', "const o = require('octolab'); console.log(JSON.stringify([require.resolve('octolab'), typeof o.notebook.runLive, typeof o.notebook.show, typeof o.tf.tensor, typeof o.loadDataset, typeof o.reports.analyzeExperiment, typeof o.prepareEngine]))"],
        { cwd: path.join(ROOT, dir), encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      const [resolved, ...kinds] = JSON.parse(r.stdout) as string[];
      assert.equal(resolved, path.join(ROOT, 'dist', 'src', 'index.js'));
      assert.deepEqual(kinds, Array(6).fill('function'));
    }
  });

  it("the kernel's TypeScript (tslab's own, node10 resolution) type-checks import * as octolab from 'octolab' in notebooks/", () => {
    const script = [
      "const { createConverter } = require(process.argv[1]);",
      'const c = createConverter({ isJS: false, isBrowser: false });',
      "const r = c.convert('', \"import * as octolab from 'octolab';\\nconst n: number = octolab.statistics.mean([1, 2]);\\nconst f: octolab.notebook.PlotlyFigure = { data: [] };\");",
      'console.log(JSON.stringify(r.diagnostics.map((d) => d.messageText)));',
      'c.close();',
    ].join('\n');
    const r = spawnSync(process.execPath, ['-e', script, path.join(ROOT, 'node_modules', 'tslab', 'dist', 'converter.js')], { cwd: path.join(ROOT, 'notebooks'), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });
});

describe('project kernel: fixes applied to tslab', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { errorContent, richLog } = require(path.join(ROOT, 'jupyter', 'kernels', 'tslab', 'patches.js')) as {
    errorContent(stderr: string): { ename: string; evalue: string; traceback: string[] };
    richLog(log: (...a: unknown[]) => void, toHtml: () => (v: unknown) => string, show: (html: string) => void): (...a: unknown[]) => void;
  };

  it('console.log of a lone DataFrame shows HTML; anything else, or a failing display, prints as before', () => {
    const printed: unknown[][] = [];
    const shown: string[] = [];
    const df = toDataFrame({ columns: ['a'], rows: [[1]] });
    const log = richLog((...a) => printed.push(a), () => toHtml, (h) => shown.push(h));
    log(df);
    log('text', 2);
    log(df, 'and more');
    assert.equal(shown.length, 1);
    assert.equal(shown[0], toHtml(df));
    assert.deepEqual(printed.map((a) => a.length), [2, 2]);
    const failing = richLog((...a) => printed.push(a), () => toHtml, () => {
      throw new Error('Not ready');
    });
    failing(df);
    assert.equal(printed.length, 3, 'printed when the display is not ready');
  });

  it('turns the stderr of a failing cell into ename, evalue and traceback', () => {
    assert.deepEqual(errorContent('Error: deliberate (answer 42)\n    at foo (x.ts:1:1)\n'), {
      ename: 'Error',
      evalue: 'deliberate (answer 42)',
      traceback: ['Error: deliberate (answer 42)', '    at foo (x.ts:1:1)'],
    });
    assert.equal(errorContent('RangeError: bits must be 1..16\n').ename, 'RangeError');
    assert.deepEqual(errorContent("1:26 - Cannot find module 'nope'.\n").ename, 'TypeScriptError');
    assert.equal(errorContent("1:26 - Cannot find module 'nope'.\n").evalue, "Cannot find module 'nope'.");
    assert.equal(errorContent('').evalue, 'the cell failed without a message');
  });

  it('pins tslab, whose internals the fixes depend on', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.devDependencies.tslab, '1.0.22');
    assert.equal(JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'tslab', 'package.json'), 'utf8')).version, '1.0.22');
  });
});
