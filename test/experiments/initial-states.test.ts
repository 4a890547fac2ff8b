import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareEngine } from '../../src/engine';
import { makeRunConfig } from '../../src/experiments/config';
import type { RunConfig } from '../../src/experiments/config';
import {
  InitialStateJoinError,
  InitialWeightsMismatchError,
  backfillInitialStates,
  initialStatesFile,
  joinInitialStates,
  readInitialStates,
  readResultsWithInitialStates,
} from '../../src/experiments/initial-states';
import type { InitialStateRecord } from '../../src/experiments/initial-states';
import { runOne } from '../../src/experiments/record';
import type { RunRecord } from '../../src/experiments/record';
import { appendRecord, readRecords } from '../../src/experiments/store';
import { invalidRecordReason } from '../../src/results/schema';
import type { InitialState } from '../../src/training/train';
import { pinBackend } from '../helpers/engine';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** A real record of the runner (regression smoke profile), written before `metrics.initial` existed. */
const TEMPLATE = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'results', 'regression.jsonl'), 'utf8').split('\n')[0]) as RunRecord;

/** Smoke configs of every protocol on the regression task (synthetic data, no files needed). */
function smokeConfigs(engine?: 'torch' | 'tfjs'): RunConfig[] {
  const base = { experiment: 'regression', seed: 3, epochs: 2, limitTrain: 256, limitTest: 128, inferenceRepeats: 1, engine };
  return [
    makeRunConfig({ ...base, method: 'float' }),
    makeRunConfig({ ...base, method: 'octization', protocol: 'projected-step' }),
    makeRunConfig({ ...base, method: 'stochastic', protocol: 'projected-epoch' }),
    makeRunConfig({ ...base, method: 'standard', protocol: 'ptq' }),
    makeRunConfig({ ...base, method: 'stochastic', protocol: 'qat' }),
  ];
}

/** Runs `configs`, stores the records without `metrics.initial` in a fresh results folder, backfills it; returns both. */
async function recordedAndBackfilled(configs: RunConfig[]): Promise<{ records: RunRecord[]; states: InitialStateRecord[]; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-initial-'));
  const records: RunRecord[] = [];
  for (const c of configs) {
    const r = await runOne(c, { dataDir: os.tmpdir() });
    records.push(r);
    const { initial: _initial, ...metrics } = r.metrics;
    appendRecord(path.join(dir, 'regression.jsonl'), { ...r, metrics });
  }
  const summary = await backfillInitialStates({ resultsDir: dir, dataDir: os.tmpdir() });
  assert.deepEqual(summary.map((s) => [s.experiment, s.added, s.skipped]), [['regression', configs.length, 0]]);
  return { records, states: readInitialStates(dir).states, dir };
}

function state(over: Partial<InitialState> = {}): InitialState {
  return { testLoss: 2.5, testAccuracy: 0.1, weights: [{ name: 'dense1/kernel', size: 4, meanAbs: 0.2, zeroFraction: 0.25 }], zeroCodeFraction: 0.5, quantizedTest: null, ...over };
}

function line(r: RunRecord, over: Partial<InitialStateRecord> = {}): InitialStateRecord {
  return {
    schema: 1,
    kind: 'initial-state',
    key: r.key,
    engine: r.config.engine === 'torch' ? 'torch' : 'tfjs',
    initialWeightsSha256: r.metrics.initialWeightsSha256,
    initial: state(),
    computedBy: { backend: 'wasm', threads: null, git: null, octolab: '0', at: '2026-01-01T00:00:00Z' },
    ...over,
  };
}

describe('experiments: epoch-0 states (recorded, validated, backfilled, joined)', () => {
  pinBackend();

  it('records metrics.initial for every protocol, and the backfill of the same runs gives the same bits (wasm)', async () => {
    const { records, states, dir } = await recordedAndBackfilled(smokeConfigs());
    for (const [i, r] of records.entries()) {
      assert.ok(r.metrics.initial !== undefined, `${r.config.protocol} has metrics.initial`);
      assert.equal(invalidRecordReason(r), null);
      assert.equal(states[i].key, r.key);
      assert.equal(states[i].computedBy.backend, 'wasm');
      assert.deepEqual(states[i].initial, r.metrics.initial, `${r.config.method} ${r.config.protocol}`);
    }
    const byProtocol = new Map<string, InitialState>(records.map((r) => [r.config.protocol, r.metrics.initial as InitialState]));
    // What each protocol evaluates at epoch 0: float weights for float and ptq (ptq's quantized model aside), quantized otherwise.
    assert.equal(byProtocol.get('float')?.zeroCodeFraction, null);
    assert.equal(byProtocol.get('float')?.quantizedTest, null);
    const ptq = byProtocol.get('ptq') as InitialState;
    assert.ok(ptq.quantizedTest !== null && ptq.quantizedTest.loss !== ptq.testLoss);
    assert.equal(ptq.testLoss, byProtocol.get('float')?.testLoss, 'ptq and float start from the same float model');
    assert.notEqual(byProtocol.get('projected-step')?.testLoss, ptq.testLoss);
    for (const p of ['projected-step', 'projected-epoch', 'qat']) assert.equal(byProtocol.get(p)?.quantizedTest, null);
    // Resumable: a second backfill adds nothing; the loader joins the states onto the records that lack them.
    assert.deepEqual((await backfillInitialStates({ resultsDir: dir, dataDir: os.tmpdir() })).map((s) => s.added), [0]);
    const joined = readResultsWithInitialStates(dir);
    assert.deepEqual(joined.missingInitial, []);
    assert.deepEqual(joined.records.map((r) => r.metrics.initial), records.map((r) => r.metrics.initial));
    assert.equal(fs.readFileSync(initialStatesFile(dir, 'regression'), 'utf8').trim().split('\n').length, records.length);
  });

  it('the same on the torch engine, stored apart (skipped without the addon)', async function () {
    try {
      process.env.OCTOLAB_BACKEND = 'torch';
      await prepareEngine();
    } catch (err) {
      console.log(`      (skipped: ${err instanceof Error ? err.message.slice(0, 120) : String(err)})`);
      this.skip();
    }
    const { records, states } = await recordedAndBackfilled(smokeConfigs('torch').slice(0, 2));
    for (const [i, r] of records.entries()) {
      assert.equal(states[i].engine, 'torch');
      assert.equal(states[i].computedBy.backend, 'torch');
      assert.deepEqual(states[i].initial, r.metrics.initial);
    }
  });

  it('stops with the file, key and both hashes when the rebuilt initial weights are not the record\'s', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-initial-'));
    const wrong = 'ab'.repeat(32);
    const r = structuredClone(TEMPLATE);
    r.metrics.initialWeightsSha256 = wrong; // metrics are not part of the key: the record still reads as valid
    appendRecord(path.join(dir, 'regression.jsonl'), r);
    assert.equal(readRecords(path.join(dir, 'regression.jsonl')).records.length, 1);
    await assert.rejects(backfillInitialStates({ resultsDir: dir, dataDir: os.tmpdir() }), (err: Error) => {
      assert.ok(err instanceof InitialWeightsMismatchError);
      assert.ok(err.message.includes(path.join(dir, 'regression.jsonl')) && err.message.includes(r.key) && err.message.includes(wrong) && err.message.includes(TEMPLATE.metrics.initialWeightsSha256), err.message);
      return true;
    });
    assert.equal(fs.existsSync(initialStatesFile(dir, 'regression')), false, 'nothing written');
  });

  it('validates metrics.initial in records: an old record without it is valid, a damaged one names the field', () => {
    assert.equal(invalidRecordReason(TEMPLATE), null);
    const ok = structuredClone(TEMPLATE);
    ok.metrics.initial = state();
    assert.equal(invalidRecordReason(ok), null);
    const cases: [Partial<InitialState> | Record<string, unknown>, RegExp][] = [
      [{ testAccuracy: 1.5 }, /metrics\.initial\.testAccuracy is 1\.5/],
      [{ testLoss: null }, /metrics\.initial\.testLoss is null/], // a NaN loss, as JSON stores it
      [{ weights: [] }, /metrics\.initial\.weights/],
      [{ zeroCodeFraction: -0.1 }, /metrics\.initial\.zeroCodeFraction is -0\.1/],
      [{ quantizedTest: { loss: 'x', accuracy: null } }, /metrics\.initial\.quantizedTest/],
    ];
    for (const [over, why] of cases) {
      const bad = structuredClone(TEMPLATE);
      bad.metrics.initial = { ...state(), ...over } as InitialState;
      assert.match(invalidRecordReason(JSON.parse(JSON.stringify(bad))) ?? '', why);
    }
  });

  it('joins backfilled states onto records: missing, identical and differing duplicates, mismatched hash, other engine, own state', () => {
    const a = structuredClone(TEMPLATE);
    const b = structuredClone(TEMPLATE);
    b.key = 'b'.repeat(20); // the join does not hash configs; the store does
    const j = joinInitialStates([a, b], [line(a), line(a)]);
    assert.deepEqual([j.joined, j.missing, j.unmatched], [1, [b.key], []]);
    assert.deepEqual(j.records[0].metrics.initial, state());
    assert.equal(a.metrics.initial, undefined, 'inputs are not changed');
    assert.equal(j.records[1], b);
    assert.throws(() => joinInitialStates([a], [line(a), line(a, { initial: state({ testLoss: 2.6 }) })]), (e: Error) => e instanceof InitialStateJoinError && /two different initial states/.test(e.message));
    const other = 'cd'.repeat(32);
    assert.throws(
      () => joinInitialStates([a], [line(a, { initialWeightsSha256: other })]),
      (e: Error) => e instanceof InitialStateJoinError && e.message.includes(other) && e.message.includes(a.metrics.initialWeightsSha256),
    );
    assert.throws(() => joinInitialStates([a], [line(a, { engine: 'torch' })]), /computed on torch, the run is a tfjs run/);
    const own = structuredClone(TEMPLATE);
    own.metrics.initial = state({ testLoss: 1 });
    assert.equal(joinInitialStates([own], [line(own, { initial: state({ testLoss: 1 }) })]).records[0], own);
    assert.throws(() => joinInitialStates([own], [line(own)]), /differs from the one its training recorded/);
    assert.deepEqual(joinInitialStates([], [line(a)]).unmatched, [a.key]);
  });
});
