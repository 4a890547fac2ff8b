import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  checkpointPath,
  listCheckpoints,
  pruneCheckpoints,
  readRunCheckpoint,
  removeRunCheckpoint,
  resumableCheckpoint,
  saveRunCheckpoint,
} from '../../src/experiments/checkpoints';
import { prepareEngine } from '../../src/engine';
import { makeRunConfig, runKey } from '../../src/experiments/config';
import { runOne } from '../../src/experiments/record';
import type { RunRecord } from '../../src/experiments/record';
import { runGrid } from '../../src/experiments/runner';
import { readRecords } from '../../src/experiments/store';

/** A regression run small enough for a unit test: 4 steps per epoch, 3 epochs. */
const tiny = (method: string) =>
  makeRunConfig({ experiment: 'regression', method, seed: 5, epochs: 3, batchSize: 16, limitTrain: 64, limitTest: 32, inferenceRepeats: 1 });
const config = tiny('stochastic');
const STEPS_PER_EPOCH = 4;

/** An onStep callback that fails once `limit` steps are done, as a killed process would stop. */
const stopAfter = (limit: number) => (done: number) => {
  if (done > limit) throw new Error('simulated stop');
};

/** Everything of a record that must not depend on timing, host, process or resumption. */
function comparable(r: RunRecord): unknown {
  return { key: r.key, config: r.config, metrics: r.metrics, data: r.data };
}

describe('experiments: epoch checkpoints of runs', function () {
  this.timeout(120_000);
  let dir: string;
  const backendBefore = process.env.OCTOLAB_BACKEND;
  before(async () => {
    process.env.OCTOLAB_BACKEND = 'cpu'; // runGrid prepares the engine from the environment
    await prepareEngine();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-ckpt-'));
  });
  after(() => {
    if (backendBefore === undefined) delete process.env.OCTOLAB_BACKEND;
    else process.env.OCTOLAB_BACKEND = backendBefore;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a run stopped in epoch 2 resumes after epoch 1 and ends with the same metrics as an unbroken run', async () => {
    const ckptDir = path.join(dir, 'a', '.checkpoints');
    const file = checkpointPath(ckptDir, runKey(config));
    const stopped = runOne(config, {
      dataDir: dir,
      checkpointDir: ckptDir,
      onStep: stopAfter(STEPS_PER_EPOCH + 1),
    });
    await assert.rejects(stopped, /simulated stop/);
    const left = readRunCheckpoint(file);
    assert.equal(left.checkpoint.epoch, 1);
    assert.equal(left.meta.backend, 'cpu');
    assert.equal(left.meta.key, runKey(config));

    const resumed = await runOne(config, { dataDir: dir, checkpointDir: ckptDir });
    const unbroken = await runOne(config, { dataDir: dir });
    assert.deepEqual(comparable(resumed), comparable(unbroken));
    assert.equal(resumed.environment.resumed?.afterEpoch, 1);
    assert.equal(unbroken.environment.resumed, undefined);
    assert.equal(resumed.environment.startedAt, left.meta.startedAt);
    assert.ok(resumed.timing.totalSeconds >= left.meta.elapsedSeconds);
    assert.equal(readRunCheckpoint(file).checkpoint.epoch, 3, 'the run keeps checkpointing; its caller deletes the file');
    removeRunCheckpoint(ckptDir, runKey(config));
    assert.equal(fs.existsSync(file), false);
  });

  it('ignores, with a warning naming the file, a checkpoint of another backend, another run, or a damaged file', async () => {
    const ckptDir = path.join(dir, 'b');
    const file = checkpointPath(ckptDir, runKey(config));
    await assert.rejects(
      runOne(config, { dataDir: dir, checkpointDir: ckptDir, onStep: stopAfter(STEPS_PER_EPOCH + 1) }),
      /simulated stop/,
    );
    const warnings: string[] = [];
    const warn = (l: string): void => void warnings.push(l);
    assert.equal(resumableCheckpoint(file, config, 'wasm', warn), null);
    assert.match(warnings[0], /b[/\\][0-9a-f]+\.ckpt was trained on backend 'cpu', this process uses 'wasm'; starting the run from scratch/);
    assert.equal(resumableCheckpoint(file, tiny('standard'), 'cpu', warn), null);
    assert.match(warnings[1], /belongs to run [0-9a-f]+, not [0-9a-f]+/);
    assert.ok(resumableCheckpoint(file, config, 'cpu', warn) !== null);
    fs.truncateSync(file, fs.statSync(file).size - 10);
    assert.equal(resumableCheckpoint(file, config, 'cpu', warn), null);
    assert.match(warnings[2], /\.ckpt: SHA-256 checksum mismatch: the file is damaged or truncated.*; starting the run from scratch/);
    assert.equal(resumableCheckpoint(path.join(ckptDir, 'none.ckpt'), config, 'cpu', warn), null);
    assert.equal(warnings.length, 3, 'no checkpoint is not worth a warning');
  });

  it('runGrid resumes from a checkpoint, deletes it with the saved record, and clears checkpoints of stored runs', async () => {
    const out = path.join(dir, 'c');
    const ckptDir = path.join(out, '.checkpoints');
    const file = checkpointPath(ckptDir, runKey(config));
    await assert.rejects(
      runOne(config, { dataDir: dir, checkpointDir: ckptDir, onStep: stopAfter(2 * STEPS_PER_EPOCH + 1) }),
      /simulated stop/,
    );
    const left = readRunCheckpoint(file);
    assert.equal(left.checkpoint.epoch, 2);
    const resultsFile = path.join(out, 'regression.jsonl');
    const summary = await runGrid({ configs: [config], resultsFile, workers: 1, dataDir: dir, quiet: true });
    assert.equal(summary.completed, 1);
    const [record] = readRecords(resultsFile).records;
    assert.equal(record.environment.resumed?.afterEpoch, 2);
    assert.equal(fs.existsSync(file), false);
    assert.deepEqual(listCheckpoints(ckptDir), []);

    // A checkpoint left behind for a run whose record is stored is removed by the next grid.
    saveRunCheckpoint(file, left.checkpoint, left.meta);
    const again = await runGrid({ configs: [config], resultsFile, workers: 1, dataDir: dir, quiet: true });
    assert.deepEqual([again.completed, again.skipped], [0, 1]);
    assert.equal(fs.existsSync(file), false);
    // Pruning: stale checkpoints and temporary files of dead processes go, the rest stays.
    saveRunCheckpoint(file, left.checkpoint, left.meta);
    const keep = checkpointPath(ckptDir, runKey(tiny('standard')));
    saveRunCheckpoint(keep, left.checkpoint, { ...left.meta, key: runKey(tiny('standard')) });
    const deadTmp = `${file}.999999999.tmp`;
    const liveTmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(deadTmp, 'half');
    fs.writeFileSync(liveTmp, 'half');
    assert.deepEqual(pruneCheckpoints(ckptDir, new Set([runKey(config)])), [path.basename(file), path.basename(deadTmp)]);
    assert.deepEqual(fs.readdirSync(ckptDir).sort(), [path.basename(keep), path.basename(liveTmp)].sort());
    assert.deepEqual(listCheckpoints(ckptDir).map((c) => [c.key, c.epoch]), [[runKey(tiny('standard')), 2]]);
    // --no-checkpoints: nothing is written.
    const plain = path.join(dir, 'd', 'regression.jsonl');
    await runGrid({ configs: [tiny('standard')], resultsFile: plain, workers: 1, dataDir: dir, quiet: true, checkpoints: false });
    assert.equal(fs.existsSync(path.join(dir, 'd', '.checkpoints')), false);
  });
});
