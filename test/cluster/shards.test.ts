import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gatherCommand } from '../../src/cli/gather';
import { main } from '../../src/cli/main';
import { checkShardSet, planConfigs, runStudyShard, shardFile, writeGathered } from '../../src/cluster/shards';
import { parseShardOption, shardFromSlurm } from '../../src/cluster/slurm';
import { makeRunConfig, runKey } from '../../src/experiments/config';
import type { RunConfig } from '../../src/experiments/config';
import { shardOf } from '../../src/experiments/grid';
import { PROFILES, profiledSteps } from '../../src/experiments/profiles';
import type { RunRecord } from '../../src/experiments/record';
import { runStudy } from '../../src/experiments/runner';
import { balancedShards, expectedCost, shardByCost } from '../../src/experiments/shard';
import { readRecords } from '../../src/experiments/store';
import { STUDY_PLAN, studySteps } from '../../src/experiments/study';
import type { StudyStep } from '../../src/experiments/study';
import { capture } from '../helpers/capture';
import { pinBackend } from '../helpers/engine';

/** Highest shard load over the mean load. */
function imbalance(configs: RunConfig[], parts: RunConfig[][]): number {
  const loads = parts.map((p) => p.reduce((s, c) => s + expectedCost(c), 0));
  return Math.max(...loads) / (configs.reduce((s, c) => s + expectedCost(c), 0) / parts.length);
}

/** A record that passes the store's checks; `loss` tells two records of one run apart. */
function fakeRecord(config: RunConfig, loss = 1): RunRecord {
  return { schema: 1, key: runKey(config), config, data: {}, metrics: { testLoss: loss }, timing: {}, environment: {} } as unknown as RunRecord;
}

function writeLines(file: string, records: RunRecord[], extra = ''): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join('') + extra);
}

/** The regression step of the study at the smoke profile: 21 runs, as `--steps regression --profile smoke`. */
const PLAN: StudyStep[] = profiledSteps(studySteps(['regression']), PROFILES.smoke);
const PLAN_ARGS = ['--steps', 'regression', '--profile', 'smoke'];

describe('cluster: cost-balanced shards of the study plan', () => {
  pinBackend();

  it('expects a 20-epoch CIFAR-10 run to cost over 100 regression runs, and scales with epochs and data', () => {
    const cifar20 = makeRunConfig({ experiment: 'cifar10', method: 'octization', seed: 0, epochs: 20 });
    const cifar5 = makeRunConfig({ experiment: 'cifar10', method: 'octization', seed: 0, epochs: 5 });
    const reg = makeRunConfig({ experiment: 'regression', method: 'float', seed: 0 });
    assert.ok(expectedCost(cifar20) / expectedCost(reg) > 100);
    assert.ok(Math.abs((expectedCost(cifar20) - 4) / (expectedCost(cifar5) - 4) - 4) < 1e-9);
    const small = makeRunConfig({ experiment: 'cifar10', method: 'octization', seed: 0, epochs: 20, limitTrain: 5000 });
    assert.ok(Math.abs((expectedCost(small) - 4) / (expectedCost(cifar20) - 4) - 0.1) < 1e-9);
  });

  it('splits the 570 planned runs into shards that cover them once, with near-equal expected work', () => {
    const configs = planConfigs(STUDY_PLAN);
    assert.equal(configs.length, 570);
    for (const n of [1, 3, 8, 16]) {
      const parts = Array.from({ length: n }, (_, i) => shardByCost(configs, { index: i, count: n }));
      const keys = parts.flat().map(runKey);
      assert.equal(keys.length, 570);
      assert.equal(new Set(keys).size, 570);
      assert.ok(imbalance(configs, parts) < 1.001, `n=${n}: ${imbalance(configs, parts)}`);
    }
    // Every n-th run (equal counts) is not equal work.
    const roundRobin = Array.from({ length: 16 }, (_, i) => shardOf(configs, { index: i, count: 16 }));
    assert.ok(imbalance(configs, roundRobin) > 1.2);
  });

  it('does not depend on the order of the runs (every task computes the same split)', () => {
    const configs = planConfigs(profiledSteps(STUDY_PLAN, PROFILES.smoke));
    const reversed = [...configs].reverse();
    assert.deepEqual(balancedShards(reversed, 4).map((k) => [...k].sort()), balancedShards(configs, 4).map((k) => [...k].sort()));
  });

  it('applies the smoke profile to every grid: first seed, small data, one epoch (51 distinct runs)', () => {
    const configs = planConfigs(profiledSteps(STUDY_PLAN, PROFILES.smoke));
    assert.equal(configs.length, 51);
    assert.ok(configs.every((c) => c.seed === 0 && c.epochs === 1 && c.data.limitTrain === 256 && c.data.limitTest === 128));
  });
});

describe('cluster: the shard of a Slurm array task', () => {
  pinBackend();

  const env = { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '3' };

  it('reads i/n from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, or n from slurm/N', () => {
    assert.deepEqual(parseShardOption('slurm', env), { index: 2, count: 4 });
    assert.deepEqual(parseShardOption('slurm/8', { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '2' }), { index: 5, count: 8 });
    assert.deepEqual(parseShardOption('1/3', {}), { index: 1, count: 3 });
  });

  it('refuses a task outside an array, an array that is not 0..n-1, and an id beyond N', () => {
    assert.throws(() => parseShardOption('slurm', {}), /SLURM_ARRAY_TASK_ID is not set/);
    assert.throws(() => shardFromSlurm({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '2', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '3' }), /are not 0\.\.1; give the shard count as --shard slurm\/N/);
    assert.throws(() => parseShardOption('slurm/4', { SLURM_ARRAY_TASK_ID: '4' }), /SLURM_ARRAY_TASK_ID is 4, not below 4/);
    assert.throws(() => parseShardOption('slurm', { SLURM_ARRAY_TASK_ID: 'x' }), /SLURM_ARRAY_TASK_ID is 'x'/);
    assert.throws(() => parseShardOption('4/4', {}), /bad shard '4\/4'/);
  });
});

describe('cluster: checking and gathering a set of shard files', function () {
  pinBackend();

  this.timeout(120_000);
  let dir: string;
  const configs = planConfigs(PLAN);
  const owners = balancedShards(configs, 3);
  const byKey = new Map(configs.map((c) => [runKey(c), c]));
  const shardRecords = (i: number): RunRecord[] => owners[i].map((k) => fakeRecord(byKey.get(k) as RunConfig));
  let n = 0;
  const fresh = (): string => {
    const out = path.join(dir, `set-${n++}`);
    for (let i = 0; i < 3; i++) writeLines(shardFile(out, { index: i, count: 3 }), shardRecords(i));
    return out;
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-shards-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gathers a complete set into the results file, and gathering again adds nothing', () => {
    assert.equal(configs.length, 21);
    const out = fresh();
    const check = checkShardSet({ steps: PLAN, count: 3, out });
    assert.deepEqual(check.conflicts, []);
    assert.deepEqual(check.incomplete, []);
    assert.deepEqual(writeGathered(out, check).map((w) => [path.basename(w.file), w.added, w.total]), [['regression.jsonl', 21, 21]]);
    const again = checkShardSet({ steps: PLAN, count: 3, out });
    assert.equal(again.alreadyStored, 21);
    assert.equal(again.duplicates, 21);
    assert.deepEqual(writeGathered(out, again), []);
    assert.equal(readRecords(path.join(out, 'regression.jsonl')).records.length, 21);
  });

  it('names the missing runs per shard, counting runs the results file already holds', () => {
    const out = fresh();
    fs.rmSync(shardFile(out, { index: 1, count: 3 }));
    writeLines(shardFile(out, { index: 2, count: 3 }), shardRecords(2).slice(1));
    writeLines(path.join(out, 'regression.jsonl'), shardRecords(1).slice(0, 1));
    const check = checkShardSet({ steps: PLAN, count: 3, out });
    assert.deepEqual(check.conflicts, []);
    assert.deepEqual(
      check.incomplete.map((m) => [m.shard.index, m.fileExists, m.missing.length, m.planned]),
      [[1, false, owners[1].length - 1, owners[1].length], [2, true, 1, owners[2].length]],
    );
    assert.equal(runKey(check.incomplete[1].missing[0]), owners[2][0]);
    assert.throws(() => writeGathered(out, check), /refusing/);
  });

  it('reports a run in the wrong shard, a run outside the plan, a file of another split, a damaged line and disagreeing records', () => {
    const out = fresh();
    const foreign = fakeRecord(makeRunConfig({ experiment: 'regression', method: 'float', seed: 9, epochs: 1, limitTrain: 256, limitTest: 128, inferenceRepeats: 1 }));
    writeLines(shardFile(out, { index: 0, count: 3 }), [...shardRecords(0), shardRecords(1)[0], foreign], '{"cut');
    writeLines(shardFile(out, { index: 0, count: 2 }), []);
    writeLines(path.join(out, 'regression.jsonl'), [fakeRecord(byKey.get(owners[2][0]) as RunConfig, 2)]);
    const conflicts = checkShardSet({ steps: PLAN, count: 3, out }).conflicts;
    assert.equal(conflicts.length, 5, conflicts.join('\n'));
    assert.match(conflicts.join('\n'), /belongs to shard 1\/3, not 0\/3/);
    assert.match(conflicts.join('\n'), /is not in the plan/);
    assert.match(conflicts.join('\n'), /0-of-2\/study\.jsonl: a shard file of a split into 2, not 3/);
    assert.match(conflicts.join('\n'), /0-of-3\/study\.jsonl:\d+: not valid JSON/);
    assert.match(conflicts.join('\n'), /differs from its record in .*regression\.jsonl/);
  });

  it('octolab gather: exit 1 and nothing written when incomplete; --pending lists the shards to resubmit', async () => {
    const out = fresh();
    fs.rmSync(shardFile(out, { index: 0, count: 3 }));
    fs.rmSync(shardFile(out, { index: 2, count: 3 }));
    const pending = await capture(() => gatherCommand.run(['--shards', '3', ...PLAN_ARGS, '--out', out, '--pending']));
    assert.equal(pending.code, 0);
    assert.equal(pending.out, '0,2');
    const refused = await capture(() => gatherCommand.run(['--shards', '3', ...PLAN_ARGS, '--out', out]));
    assert.equal(refused.code, 1);
    assert.match(refused.err, new RegExp(`shard 0/3 \\(.*, absent\\): ${owners[0].length} of ${owners[0].length} run\\(s\\) missing`));
    assert.equal(fs.existsSync(path.join(out, 'regression.jsonl')), false);
    const usage = await capture(() => main(['gather', '--out', out]));
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--shards N is required/);
  });

  it('two shards run with runStudyShard and gathered equal the unsharded study, run for run', async () => {
    const out = path.join(dir, 'real');
    const common = { steps: PLAN, out, workers: 1, dataDir: dir, download: false, quiet: true };
    const first = await runStudyShard({ ...common, shard: { index: 0, count: 2 } });
    assert.deepEqual([first.completed, first.failed.length, first.notStarted], [first.planned, 0, 0]);
    const second = await runStudyShard({ ...common, shard: { index: 1, count: 2 } });
    assert.equal(first.planned + second.planned, 21);
    const rerun = await runStudyShard({ ...common, shard: { index: 1, count: 2 } });
    assert.deepEqual([rerun.completed, rerun.skipped], [0, second.planned]);
    const gathered = await capture(() => gatherCommand.run(['--shards', '2', ...PLAN_ARGS, '--out', out]));
    assert.equal(gathered.code, 0, gathered.err);
    const local = path.join(dir, 'local');
    await runStudy({ ...common, out: local });
    const strip = (r: RunRecord): unknown => ({ key: r.key, config: r.config, data: r.data, metrics: r.metrics });
    const sharded = readRecords(path.join(out, 'regression.jsonl')).records.map(strip);
    const unsharded = readRecords(path.join(local, 'regression.jsonl')).records.map(strip);
    const sortKey = (a: unknown, b: unknown): number => ((a as RunRecord).key < (b as RunRecord).key ? -1 : 1);
    assert.deepEqual(sharded.sort(sortKey), unsharded.sort(sortKey));
  });
});

describe('cli: octolab study --shard', () => {
  pinBackend();

  it('--dry-run lists one shard; the shards together are the plan', async () => {
    let total = 0;
    for (let i = 0; i < 4; i++) {
      const r = await capture(() => main(['study', '--profile', 'smoke', '--shard', `${i}/4`, '--dry-run', '--out', 'o']));
      assert.equal(r.code, 0);
      const m = /^(\d+) run\(s\), about \d+ core-s, in shard (\d)\/4 -> (.*)$/m.exec(r.out);
      assert.ok(m !== null, r.out);
      assert.equal(m[2], String(i));
      assert.equal(m[3], path.join('o', 'shards', `${i}-of-4`, 'study.jsonl'));
      total += Number(m[1]);
    }
    assert.equal(total, 51);
  });

  it('refuses --shard slurm outside a Slurm task and --shard with --status, exit 2', async () => {
    const saved = process.env.SLURM_ARRAY_TASK_ID;
    delete process.env.SLURM_ARRAY_TASK_ID;
    try {
      const r = await capture(() => main(['study', '--shard', 'slurm', '--dry-run']));
      assert.equal(r.code, 2);
      assert.match(r.err, /SLURM_ARRAY_TASK_ID is not set/);
    } finally {
      if (saved !== undefined) process.env.SLURM_ARRAY_TASK_ID = saved;
    }
    const s = await capture(() => main(['study', '--shard', '0/2', '--status']));
    assert.equal(s.code, 2);
    assert.match(s.err, /octolab gather --shards n --pending/);
    const p = await capture(() => main(['study', '--profile', 'huge', '--dry-run']));
    assert.equal(p.code, 2);
    assert.match(p.err, /unknown profile 'huge'/);
  });
});
