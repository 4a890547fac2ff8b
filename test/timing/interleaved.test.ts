import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { capture } from '../helpers/capture';
import { main } from '../../src/cli/main';
import { prepareEngine } from '../../src/engine';
import { checkpointDirFor } from '../../src/experiments/checkpoints';
import { makeRunConfig, runKey } from '../../src/experiments/config';
import { PROFILES } from '../../src/experiments/profiles';
import { runOne } from '../../src/experiments/record';
import { acquireLock } from '../../src/io/lock';
import {
  balancedOrder,
  invalidTimingRecordReason,
  loadTimingData,
  makeTimingArgs,
  studyRunConfig,
  timeInterleaved,
  timingKey,
} from '../../src/timing/interleaved';
import { readTimingRecords, runInferenceTimings, timingResultsFile } from '../../src/timing/runner';

const ARMS = ['float', 'standard', 'octization'];

/** Mean 0-based position of each method in an order. */
function meanPositions(order: readonly string[]): Map<string, number> {
  const sums = new Map<string, number[]>();
  order.forEach((m, i) => sums.set(m, [...(sums.get(m) ?? []), i]));
  return new Map([...sums].map(([m, p]) => [m, p.reduce((a, b) => a + b, 0) / p.length]));
}

describe('timing: interleaved inference passes in one process', function () {
  this.timeout(120_000);
  let dir: string;
  const backendBefore = process.env.OCTOLAB_BACKEND;
  /** The smoke profile's test limit on the regression toy (no data files needed). */
  const smoke = { experiment: 'regression', limitTest: PROFILES.smoke.limitTest ?? null, repeats: 4, warmup: 1 };
  before(async () => {
    process.env.OCTOLAB_BACKEND = 'cpu';
    await prepareEngine();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-timing-'));
  });
  after(() => {
    if (backendBefore === undefined) delete process.env.OCTOLAB_BACKEND;
    else process.env.OCTOLAB_BACKEND = backendBefore;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('balanced order: each block is a seeded permutation and its reverse; every arm runs R times at the same mean position', () => {
    const order = balancedOrder(ARMS, 6, 7);
    assert.equal(order.length, 18);
    for (let b = 0; b < 3; b++) {
      const block = order.slice(6 * b, 6 * b + 6);
      assert.deepEqual([...new Set(block.slice(0, 3))].sort(), [...ARMS].sort());
      assert.deepEqual(block.slice(3), block.slice(0, 3).reverse());
    }
    for (const m of ARMS) assert.equal(order.filter((x) => x === m).length, 6);
    const pos = [...meanPositions(order).values()];
    for (const p of pos) assert.equal(p, pos[0]);
    assert.deepEqual(balancedOrder(ARMS, 6, 7), order, 'same seed, same order');
    const others = [0, 1, 2, 3, 4, 5].map((s) => balancedOrder(ARMS, 6, s).join(' '));
    assert.ok(new Set(others).size > 1, 'the order depends on the seed');
    assert.throws(() => balancedOrder(ARMS, 3, 0), /even integer/);
  });

  it('args: defaults are the study\'s (8 bits, projected-step, cifar10 at the claim\'s 20 epochs, batch 1000); bad values are refused', () => {
    const a = makeTimingArgs({ experiment: 'cifar10', seed: 0 });
    assert.deepEqual(
      { methods: a.methods, bits: a.bits, protocol: a.protocol, epochs: a.epochs, evalBatchSize: a.evalBatchSize, limitTest: a.limitTest, warmup: a.warmup, repeats: a.repeats },
      { methods: ARMS, bits: 8, protocol: 'projected-step', epochs: 20, evalBatchSize: 1000, limitTest: null, warmup: 1, repeats: 10 },
    );
    assert.equal(makeTimingArgs({ experiment: 'mnist', seed: 0 }).epochs, 20);
    // The arm stands for the study run stored under the same key.
    assert.equal(runKey(studyRunConfig(a, 'standard')), runKey(makeRunConfig({ experiment: 'cifar10', method: 'standard', seed: 0, epochs: 20 })));
    assert.throws(() => makeTimingArgs({ experiment: 'cifar10', seed: 0, repeats: 3 }), /even/);
    assert.throws(() => makeTimingArgs({ experiment: 'cifar10', seed: 0, methods: ['float'] }), /at least 2 methods/);
    assert.throws(() => makeTimingArgs({ experiment: 'cifar10', seed: 0, methods: ['float', 'magic'] }), /unknown quantizer preset 'magic'/);
    assert.throws(() => makeTimingArgs({ experiment: 'nope', seed: 0 }), /unknown experiment 'nope'/);
  });

  it('smoke profile: a record holds every pass in its balanced order, distinct arm weights, the engine and the load', async () => {
    const args = makeTimingArgs({ ...smoke, seed: 3 });
    const r = await timeInterleaved(args, { dataDir: dir });
    assert.equal(invalidTimingRecordReason(r), null);
    assert.equal(r.key, timingKey(args));
    assert.deepEqual(r.args, args);
    assert.equal(r.nTest, 128);
    assert.deepEqual(r.passes.map((p) => p.method), balancedOrder(args.methods, 4, 3));
    assert.equal(r.warmup.length, 3);
    assert.deepEqual([...new Set(r.warmup.map((p) => p.method))].sort(), [...ARMS].sort());
    for (const p of [...r.passes, ...r.warmup]) assert.ok(p.seconds > 0 && Number.isFinite(p.seconds));
    assert.deepEqual(r.arms.map((a) => a.method), ARMS);
    assert.equal(new Set(r.arms.map((a) => a.weightsSha256)).size, 3, 'float, standard and octization weights differ');
    for (const a of r.arms) {
      assert.equal(a.weights.kind, 'initial');
      assert.equal(a.runKey, runKey(studyRunConfig(args, a.method)));
    }
    assert.equal(r.arms[0].scheme, null);
    assert.equal(r.arms[2].scheme?.rounding, 'toward-zero');
    assert.equal(r.environment.engine.backend, 'cpu');
    assert.equal(r.environment.loadavg.start.length, 3);
    assert.equal(r.environment.loadavg.end.length, 3);
    assert.equal(r.data.limitTest, 128);
  });

  it('uses the checkpoint of the study run when the results store has one, and says so', async () => {
    const resultsDir = path.join(dir, 'ckpt');
    const args = makeTimingArgs({ ...smoke, seed: 5, epochs: 2, repeats: 2 });
    const checkpointDir = checkpointDirFor(path.join(resultsDir, 'regression.jsonl'));
    const run = runOne(studyRunConfig(args, 'float'), {
      dataDir: dir,
      checkpointDir,
      onStep: (done, total) => {
        if (done > total / 2) throw new Error('simulated stop');
      },
    });
    await assert.rejects(run, /simulated stop/);
    const r = await timeInterleaved(args, { dataDir: dir, checkpointDir });
    const [float, standard, octization] = r.arms;
    assert.deepEqual(float.weights, { kind: 'checkpoint', file: `${float.runKey}.ckpt`, epoch: 1, epochs: 2 });
    assert.equal(standard.weights.kind, 'initial');
    assert.equal(octization.weights.kind, 'initial');
    const plain = await timeInterleaved(args, { dataDir: dir });
    assert.notEqual(plain.arms[0].weightsSha256, float.weightsSha256, 'trained weights differ from the initial ones');
    assert.equal(plain.arms[1].weightsSha256, standard.weightsSha256);
  });

  it('resumes: a rerun skips stored seeds, appends only new ones, never duplicates; a torn line is reported and left alone', async () => {
    const resultsDir = path.join(dir, 'resume');
    const base = { ...smoke, repeats: 2 };
    const lines: string[] = [];
    const log = (l: string) => void lines.push(l);
    const first = await runInferenceTimings({ base, seeds: [0, 1], resultsDir, dataDir: dir, log });
    assert.deepEqual(first.completed, [0, 1]);
    const file = timingResultsFile(resultsDir, 'regression');
    assert.equal(first.file, file);
    fs.appendFileSync(file, '{"schema":1,"kind":"interleaved-inf'); // a write cut short by a kill
    const second = await runInferenceTimings({ base, seeds: [0, 1, 2], resultsDir, dataDir: dir, log });
    assert.deepEqual(second.skipped, [0, 1]);
    assert.deepEqual(second.completed, [2]);
    assert.equal(second.problems, 1);
    assert.ok(lines.some((l) => /ignored \(not valid JSON/.test(l)));
    const read = readTimingRecords(file);
    assert.deepEqual(read.values.map((v) => v.value.args.seed), [0, 1, 2]);
    assert.equal(new Set(read.values.map((v) => v.value.key)).size, 3);
    assert.equal(read.problems.length, 1);
    const third = await runInferenceTimings({ base, seeds: [0, 1, 2], resultsDir, dataDir: dir, log });
    assert.deepEqual([third.completed, third.skipped], [[], [0, 1, 2]]);
    assert.equal(readTimingRecords(file).values.length, 3);
  });

  it('refuses while another process holds the results file, naming it', async () => {
    const resultsDir = path.join(dir, 'locked');
    const file = timingResultsFile(resultsDir, 'regression');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lock = acquireLock(file, 'another timing');
    try {
      await assert.rejects(runInferenceTimings({ base: { ...smoke, repeats: 2 }, seeds: [0], resultsDir, dataDir: dir, log: () => undefined }), /in use by another timing/);
    } finally {
      lock.release();
    }
    assert.equal(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '', '');
  });

  it('a record whose args were edited, or with an arm short of passes, is refused on reading', async () => {
    const args = makeTimingArgs({ ...smoke, seed: 9, repeats: 2 });
    const data = await loadTimingData(args, dir);
    const git = { commit: 'f'.repeat(40), dirty: false };
    const r = await timeInterleaved(args, { dataDir: dir, data, git });
    assert.deepEqual(r.environment.git, git, 'the commit read when timing started, not when the record is written');
    assert.match(invalidTimingRecordReason({ ...r, args: { ...r.args, bits: 4 } }) as string, /does not match its args/);
    assert.match(invalidTimingRecordReason({ ...r, passes: r.passes.slice(1) }) as string, /has 1 timed passes, args.repeats is 2/);
    assert.match(invalidTimingRecordReason({ ...r, passes: [{ method: 'float', seconds: -1 }, ...r.passes.slice(1)] }) as string, /seconds is -1/);
  });

  it('CLI: usage errors exit 2 with the problem named; --dry-run writes nothing', async () => {
    const out = path.join(dir, 'cli');
    for (const [args, message] of [
      [['time-inference', 'cifar10', '--repeats', '3'], /repeats must be even/],
      [['time-inference', 'nope'], /unknown experiment 'nope'/],
      [['time-inference', 'mnist', '--methods', 'float'], /at least 2 methods/],
      [['time-inference', 'mnist', '--seeds', 'x'], /bad seed list 'x'/],
      [['time-inference', 'mnist', '--warmup=-1'], /--warmup must be an integer >= 0, got '-1'/],
      [['time-inference'], /expected one experiment name, got 0/],
      [['time-inference', 'mnist', '--profile', 'huge'], /unknown --profile 'huge'/],
    ] as [string[], RegExp][]) {
      const o = await capture(() => main([...args, '--out', out]));
      assert.equal(o.code, 2, args.join(' '));
      assert.match(o.err, message);
      assert.doesNotMatch(o.err, /\n\s+at /, 'no stack trace');
    }
    const dry = await capture(() => main(['time-inference', 'cifar10', '--seeds', '0-9', '--repeats', '2', '--dry-run', '--out', out]));
    assert.equal(dry.code, 0);
    assert.match(dry.out, /seeds 0,1,2,3,4,5,6,7,8,9; arms float, standard, octization; 1 warm-up \+ 2 timed/);
    assert.equal(fs.existsSync(out), false);
  });
});
