import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeRunConfig, runKey } from '../../src/experiments/config';
import { ConflictingRecordsError, MergeInputError, appendRecord, mergeRecords, mergeResultFiles, readRecords, readResultsPath } from '../../src/experiments/store';
import { LockHeldError, acquireLock } from '../../src/io/lock';
import type { DivergedRunRecord, RunRecord } from '../../src/results/schema';
import { fullAfter } from '../helpers/disk';

/** A minimal record whose key is the hash of its config (as every reader checks). */
function fake(seed: number, loss = 1): RunRecord {
  const config = makeRunConfig({ experiment: 'regression', method: 'float', seed });
  return { schema: 1, key: runKey(config), config, metrics: { testLoss: loss } } as unknown as RunRecord;
}

function divergedFake(seed: number): DivergedRunRecord {
  const config = makeRunConfig({ experiment: 'regression', method: 'float', seed, learningRate: 1e30 });
  return {
    schema: 1,
    key: runKey(config),
    config,
    metrics: { testLoss: null, testAccuracy: null, floatTest: null, steps: 3, epochs: [], diverged: { epoch: 1, step: 3, reason: 'training loss NaN' } },
  } as unknown as DivergedRunRecord;
}


describe('experiments: results store', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('appends whole lines and reads them back', () => {
    const f = path.join(dir, 'sub', 'r.jsonl');
    appendRecord(f, fake(0));
    appendRecord(f, fake(1, 2));
    const r = readRecords(f);
    assert.deepEqual(r.records.map((x) => x.config.seed), [0, 1]);
    assert.equal(r.problems.length, 0);
    assert.equal(readRecords(path.join(dir, 'missing.jsonl')).records.length, 0);
  });

  it('survives a line cut short by a kill: reports it, keeps the rest, and the next append starts a new line', () => {
    const f = path.join(dir, 'r.jsonl');
    appendRecord(f, fake(0));
    fs.appendFileSync(f, '{"schema":1,"key":"b","conf');
    appendRecord(f, fake(2));
    const r = readRecords(f);
    assert.deepEqual(r.records.map((x) => x.config.seed), [0, 2]);
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0].line, 2);
    assert.match(r.problems[0].reason, /not valid JSON/);
  });

  it('flags records of another schema or without a finite test loss that are not marked diverged', () => {
    const f = path.join(dir, 'r.jsonl');
    fs.writeFileSync(f, `${JSON.stringify({ ...fake(0), schema: 9 })}\n${JSON.stringify(fake(1, NaN))}\n`);
    const r = readRecords(f);
    assert.equal(r.records.length, 0);
    assert.match(r.problems[0].reason, /schema 9/);
    assert.match(r.problems[1].reason, /testLoss is null and the run is not marked diverged/);
  });

  it('#1 a short write on a full disk fails naming the file and leaves no partial line', () => {
    const f = path.join(dir, 'r.jsonl');
    appendRecord(f, fake(0));
    const before = fs.readFileSync(f);
    assert.throws(() => appendRecord(f, fake(1), fullAfter(100)), (err: Error) => {
      assert.match(err.message, /cannot write \d+ bytes to .*r\.jsonl: no space left on the device \(ENOSPC\)/);
      return true;
    });
    assert.deepEqual(fs.readFileSync(f), before, 'the file is cut back to its previous content');
    // A write call that makes no progress is a full disk too.
    assert.throws(() => appendRecord(f, fake(1), () => 0), /ENOSPC/);
    assert.deepEqual(fs.readFileSync(f), before);
    assert.equal(readRecords(f).problems.length, 0);
  });

  it('#7 reads a diverged run as a valid outcome, apart from the records with metrics', () => {
    const f = path.join(dir, 'r.jsonl');
    appendRecord(f, fake(0));
    appendRecord(f, divergedFake(1));
    const r = readRecords(f);
    assert.equal(r.problems.length, 0);
    assert.equal(r.records.length, 1);
    assert.equal(r.diverged.length, 1);
    assert.equal(r.diverged[0].metrics.diverged.epoch, 1);
    // A diverged marker without an epoch is damage, not a diverged run.
    const bad = divergedFake(2);
    (bad.metrics.diverged as { epoch: unknown }).epoch = 0;
    fs.appendFileSync(f, `${JSON.stringify(bad)}\n`);
    assert.match(readRecords(f).problems[0].reason, /metrics\.diverged\.epoch is 0/);
  });

  it('#8 a record whose config was edited under its old key is damaged, naming both keys', () => {
    const f = path.join(dir, 'r.jsonl');
    const r = fake(0);
    const edited = { ...r, config: { ...r.config, seed: 999 } };
    fs.writeFileSync(f, `${JSON.stringify(edited)}\n`);
    const read = readRecords(f);
    assert.equal(read.records.length, 0);
    assert.match(read.problems[0].reason, new RegExp(`key ${r.key} does not match its config \\(the config hashes to ${runKey(edited.config)}\\)`));
  });

  it('#8 every committed record and fixture record passes the key check', () => {
    const root = path.resolve(__dirname, '..', '..', '..');
    const committed = readResultsPath(path.join(root, 'reports', 'results'));
    assert.deepEqual(committed.problems, []);
    assert.equal(committed.records.length + committed.diverged.length, 570);
    const fixtures = readResultsPath(path.join(root, 'test', 'fixtures', 'results'));
    assert.deepEqual(fixtures.problems, []);
    assert.equal(fixtures.records.length, 70);
  });

  it('#9 merges identical duplicates; conflicting duplicates are an error naming both sources, in either order', () => {
    const m = mergeRecords([[fake(1), fake(0)], [fake(0), fake(2)]]);
    assert.deepEqual(m.records.map((x) => x.config.seed).sort(), [0, 1, 2]);
    assert.equal(m.duplicates, 1);
    const a = path.join(dir, 'a.jsonl');
    const b = path.join(dir, 'b.jsonl');
    appendRecord(a, fake(0, 1));
    appendRecord(b, fake(2));
    appendRecord(b, fake(0, 5));
    for (const order of [[a, b], [b, a]]) {
      const reads = order.map((f) => readRecords(f));
      assert.throws(() => mergeRecords(reads), (err: Error) => {
        assert.ok(err instanceof ConflictingRecordsError);
        assert.ok(err.message.includes(`${a}:1`) && err.message.includes(`${b}:2`), err.message);
        return true;
      });
    }
  });

  it('#10 mergeResultFiles refuses missing inputs and damaged lines, and keeps diverged runs', () => {
    const out = path.join(dir, 'out.jsonl');
    assert.throws(() => mergeResultFiles(out, [path.join(dir, 'nonexist.jsonl')]), (e: Error) => e instanceof MergeInputError && e.kind === 'missing' && /nonexist\.jsonl does not exist/.test(e.message));
    assert.equal(fs.existsSync(out), false);
    const a = path.join(dir, 'a.jsonl');
    appendRecord(a, fake(0));
    appendRecord(a, divergedFake(1));
    const s = mergeResultFiles(out, [a, a]);
    assert.deepEqual(s, { written: 2, diverged: 1, duplicates: 0 });
    fs.appendFileSync(a, '{"cut');
    assert.throws(() => mergeResultFiles(out, [a]), (e: Error) => e instanceof MergeInputError && e.kind === 'damaged' && /a\.jsonl:3/.test(e.message));
    assert.equal(readRecords(out).records.length + readRecords(out).diverged.length, 2);
  });

  it('#3 a merge refuses while a run holds the output; a stale lock of a dead process is taken over', async () => {
    const out = path.join(dir, 'regression.jsonl');
    appendRecord(out, fake(0));
    const shard = path.join(dir, 'shard.jsonl');
    appendRecord(shard, fake(1));
    const lock = acquireLock(out, 'octolab run');
    try {
      assert.throws(() => mergeResultFiles(out, [shard]), (e: Error) => e instanceof LockHeldError && e.message.includes(`pid ${process.pid}`));
      assert.equal(readRecords(out).records.length, 1, 'nothing replaced');
    } finally {
      lock.release();
    }
    // A process that held the lock and died (kill -9) leaves a stale lock: it is taken over.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const pid = child.pid as number;
    fs.writeFileSync(`${out}.lock`, JSON.stringify({ pid, hostname: os.hostname(), purpose: 'octolab run', since: new Date().toISOString() }));
    assert.throws(() => mergeResultFiles(out, [shard]), LockHeldError);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    assert.deepEqual(mergeResultFiles(out, [shard]), { written: 2, diverged: 0, duplicates: 0 });
    assert.equal(fs.existsSync(`${out}.lock`), false, 'the lock is released after the merge');
  });
});
