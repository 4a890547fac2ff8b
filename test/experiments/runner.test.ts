import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRecords } from '../../src/experiments/store';
import type { RunRecord } from '../../src/experiments/record';

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'octolab.js');
const SMOKE = ['--profile', 'smoke', '--epochs', '2', '--no-download', '--quiet'];

function octolab(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, OCTOLAB_BACKEND: 'wasm' } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The fields that must not depend on timing, host or process. */
function comparable(r: RunRecord): unknown {
  return { key: r.key, config: r.config, metrics: r.metrics, data: r.data };
}

function byKey(records: RunRecord[]): Map<string, unknown> {
  return new Map(records.map((r) => [r.key, comparable(r)]));
}

describe('experiments: runner (end to end on the regression smoke profile)', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-runner-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs a grid, records everything, and a rerun skips it (resume)', () => {
    const out = path.join(dir, 'a');
    const first = octolab(['run', 'regression', '--seeds', '0-1', '--methods', 'float,standard,octization', '--workers', '2', '--out', out, ...SMOKE]);
    assert.equal(first.status, 0, first.out);
    const { records, problems } = readRecords(path.join(out, 'regression.jsonl'));
    assert.equal(problems.length, 0);
    assert.equal(records.length, 6);
    // Workers wrote epoch checkpoints and each one went with its saved record.
    assert.deepEqual(fs.readdirSync(path.join(out, '.checkpoints')), []);
    for (const r of records) {
      assert.equal(r.metrics.epochs.length, 2);
      assert.equal(r.environment.engine.backend, 'wasm');
      assert.ok(r.timing.inference.samplesPerSecond > 0);
      assert.ok(r.data.dataset === 'regression');
    }
    const again = octolab(['run', 'regression', '--seeds', '0-1', '--methods', 'float,standard,octization', '--workers', '1', '--out', out, ...SMOKE]);
    assert.equal(again.status, 0, again.out);
    assert.match(again.out, /0 run\(s\) completed, 6 already in/);
  });

  it('is deterministic across processes and worker counts: same seed → identical non-timing fields', () => {
    const a = readRecords(path.join(dir, 'a', 'regression.jsonl')).records;
    const out = path.join(dir, 'b');
    const r = octolab(['run', 'regression', '--seeds', '0-1', '--methods', 'float,standard,octization', '--workers', '1', '--out', out, ...SMOKE]);
    assert.equal(r.status, 0, r.out);
    const b = readRecords(path.join(out, 'regression.jsonl')).records;
    assert.deepEqual(byKey(b), byKey(a));
  });

  it('paired design: for one seed every method starts from the same initial weights; seeds differ', () => {
    const all = readRecords(path.join(dir, 'a', 'regression.jsonl')).records;
    for (const seed of [0, 1]) {
      const hashes = new Set(all.filter((r) => r.config.seed === seed).map((r) => r.metrics.initialWeightsSha256));
      assert.equal(hashes.size, 1, `seed ${seed}: ${[...hashes].join(', ')}`);
    }
    assert.notEqual(all.find((r) => r.config.seed === 0)?.metrics.initialWeightsSha256, all.find((r) => r.config.seed === 1)?.metrics.initialWeightsSha256);
  });

  it('shards merge into exactly the unsharded grid', () => {
    const out = path.join(dir, 'shards');
    for (const shard of ['0/2', '1/2']) {
      const r = octolab(['run', 'regression', '--seeds', '0-1', '--methods', 'float,standard,octization', '--workers', '1', '--shard', shard, '--out', out, ...SMOKE]);
      assert.equal(r.status, 0, r.out);
    }
    const merged = path.join(out, 'merged.jsonl');
    const m = octolab(['merge', '--out', merged, path.join(out, 'regression.shard-0-of-2.jsonl'), path.join(out, 'regression.shard-1-of-2.jsonl')]);
    assert.equal(m.status, 0, m.out);
    const a = readRecords(path.join(dir, 'a', 'regression.jsonl')).records;
    assert.deepEqual(byKey(readRecords(merged).records), byKey(a));
  });

  it('a killed run loses at most the run in flight; the rerun completes the grid without duplicates', async () => {
    const out = path.join(dir, 'kill');
    const file = path.join(out, 'regression.jsonl');
    const args = ['run', 'regression', '--seeds', '0-5', '--methods', 'standard', '--workers', '1', '--out', out, ...SMOKE];
    const child = spawn(process.execPath, [BIN, ...args], { stdio: 'ignore', env: { ...process.env, OCTOLAB_BACKEND: 'wasm' } });
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        const n = fs.existsSync(file) ? readRecords(file).records.length : 0;
        if (n >= 2) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        } else if (Date.now() - t0 > 120_000) {
          clearInterval(poll);
          child.kill('SIGKILL');
          reject(new Error('no records after 120 s'));
        }
      }, 20);
    });
    await new Promise((resolve) => child.on('exit', resolve));
    const before = readRecords(file).records.length;
    assert.ok(before >= 2 && before < 6, `records after kill: ${before}`);
    const r = octolab(args);
    assert.equal(r.status, 0, r.out);
    const { records, problems } = readRecords(file);
    assert.equal(problems.length, 0);
    assert.equal(records.length, 6);
    assert.equal(new Set(records.map((x) => x.key)).size, 6);
    // Runs that resumed from an epoch checkpoint equal the unbroken ones of the first test.
    const unbroken = byKey(readRecords(path.join(dir, 'a', 'regression.jsonl')).records);
    for (const rec of records) if (unbroken.has(rec.key)) assert.deepEqual(comparable(rec), unbroken.get(rec.key));
    assert.deepEqual(fs.readdirSync(path.join(out, '.checkpoints')), []);
  });

  it('bad arguments give a message naming the problem and a non-zero exit', () => {
    const cases: [string[], RegExp][] = [
      [['run', 'imagenet'], /unknown experiment 'imagenet'/],
      [['run', 'mnist', '--seeds', 'x'], /bad seed list 'x'/],
      [['run', 'mnist', '--methods', 'octal-magic'], /octal-magic/],
      [['run', 'mnist', '--bits', '1'], /--bits/],
      [['run', 'mnist', '--shard', '2/2'], /bad shard/],
      [['run', 'mnist', '--profile', 'huge'], /unknown --profile 'huge'/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['toString'], /unknown command 'toString'/],
    ];
    for (const [args, re] of cases) {
      const r = octolab(args);
      assert.notEqual(r.status, 0, `${args.join(' ')} exited 0`);
      assert.match(r.out, re);
    }
  });
});
