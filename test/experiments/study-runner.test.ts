import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkpointDirFor } from '../../src/experiments/checkpoints';
import { runStudy } from '../../src/experiments/runner';
import { readRecords } from '../../src/experiments/store';
import type { StudyStep } from '../../src/experiments/study';

const TINY = { epochs: 1, limitTrain: 64, limitTest: 32, inferenceRepeats: 1 };

describe('experiments: runStudy (regression smoke steps)', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-study-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs steps in order, shares runs between steps, and a rerun does nothing', async () => {
    const steps: StudyStep[] = [
      { name: 'pair', purpose: 'seed 0', grids: [{ experiment: 'regression', seeds: [0], methods: ['standard', 'octization'], ...TINY }] },
      { name: 'more', purpose: 'seeds 0-1 of octization', grids: [{ experiment: 'regression', seeds: [0, 1], methods: ['octization'], ...TINY }] },
    ];
    const lines: string[] = [];
    const args = { steps, out: dir, workers: 2, dataDir: dir, download: false, quiet: true, log: (l: string) => void lines.push(l) };
    const first = await runStudy(args);
    assert.deepEqual({ ...first, failed: first.failed.length }, { completed: 3, diverged: 0, skipped: 1, failed: 0, notStarted: 0, interrupted: 0, stepsNotStarted: [] });
    assert.match(lines[0], /^== pair \(.+\): seed 0$/);
    assert.match(lines.join('\n'), /more: 1 run\(s\) completed, 1 already in/);
    const { records, problems } = readRecords(path.join(dir, 'regression.jsonl'));
    assert.equal(problems.length, 0);
    assert.deepEqual(records.map((r) => `${r.config.method}/${r.config.seed}`).sort(), ['octization/0', 'octization/1', 'standard/0']);
    const again = await runStudy({ ...args, log: undefined });
    assert.equal(again.completed, 0);
    assert.equal(again.skipped, 4);
  });

  it('a signal stops the study: the runs in flight are interrupted (not failed), nothing of them is stored, and a rerun completes them', async () => {
    const out = path.join(dir, 'signalled');
    const steps: StudyStep[] = [
      { name: 'long', purpose: 'three long runs', grids: [{ experiment: 'regression', seeds: [1, 2, 3], methods: ['float'], ...TINY, epochs: 400 }] },
      { name: 'after', purpose: 'never starts', grids: [{ experiment: 'regression', seeds: [9], methods: ['float'], ...TINY }] },
    ];
    // Signal once both workers are in flight: each has written its first epoch checkpoint.
    const checkpoints = checkpointDirFor(path.join(out, 'regression.jsonl'));
    const poll = setInterval(() => {
      if (fs.existsSync(checkpoints) && fs.readdirSync(checkpoints).filter((f) => f.endsWith('.ckpt')).length >= 2) {
        clearInterval(poll);
        process.emit('SIGTERM'); // what `kill` or Ctrl-C delivers: the runner's own listener stops the workers
      }
    }, 20);
    const s = await runStudy({ steps, out, workers: 2, dataDir: dir, download: false, quiet: true }).finally(() => clearInterval(poll));
    assert.deepEqual([s.completed, s.failed.length, s.interrupted, s.notStarted], [0, 0, 2, 3]);
    assert.deepEqual(s.stepsNotStarted, ['after']);
    assert.equal(readRecords(path.join(out, 'regression.jsonl')).records.length, 0);
    const again = await runStudy({ steps: steps.slice(0, 1), out, workers: 2, dataDir: dir, download: false, quiet: true });
    assert.deepEqual([again.completed, again.skipped, again.interrupted], [3, 0, 0]);
    assert.deepEqual(readRecords(path.join(out, 'regression.jsonl')).records.map((r) => r.config.seed).sort(), [1, 2, 3]);
  });

  it('stops at the first failing step and names the steps not started', async () => {
    const empty = fs.mkdtempSync(path.join(dir, 'no-data-'));
    const steps: StudyStep[] = [
      { name: 'needs-mnist', purpose: 'fails: no data, no download', grids: [{ experiment: 'mnist', seeds: [0], methods: ['float'], ...TINY }] },
      { name: 'after', purpose: 'never starts', grids: [{ experiment: 'regression', seeds: [5], methods: ['float'], ...TINY }] },
    ];
    const s = await runStudy({ steps, out: path.join(dir, 'failing'), workers: 1, dataDir: empty, download: false, quiet: true });
    assert.equal(s.failed.length, 1);
    assert.match(s.failed[0].error, /mnist/i);
    assert.deepEqual(s.stepsNotStarted, ['after']);
    assert.equal(fs.existsSync(path.join(dir, 'failing', 'regression.jsonl')), false);
  });
});
