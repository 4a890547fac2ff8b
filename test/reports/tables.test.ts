import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunRecord } from '../../src/experiments/record';
import { readResultsPath } from '../../src/experiments/store';
import {
  CURVE_COLUMNS,
  RUN_COLUMNS,
  aggregateRuns,
  curveRows,
  curvesTable,
  flattenNumbers,
  fromDataFrame,
  runRow,
  runsTable,
  settingOf,
  toCsv,
  toDataFrame,
  writeCsv,
} from '../../src/reports/tables';
import { FIXTURE_RESULTS } from './inputs';
import { parseCsv } from '../helpers/csv';


describe('reports: tables', () => {
  const { records } = readResultsPath(path.join(FIXTURE_RESULTS, 'regression.jsonl'));

  it('flattens a record into a run row with the record’s values', () => {
    const rec = records.find((r) => r.config.method === 'octization') as RunRecord;
    const r = runRow(rec);
    assert.equal(r.key, rec.key);
    assert.equal(r.method, 'octization');
    assert.equal(r.protocol, 'projected-step');
    assert.equal(r.bits, 8);
    assert.equal(r.rounding, 'toward-zero');
    assert.equal(r.encoding, 'octal');
    assert.equal(r.seed, rec.config.seed);
    assert.equal(r.testLoss, rec.metrics.testLoss);
    assert.equal(r.testAccuracy, null);
    assert.equal(r.limitTrain, 256);
    assert.equal(r.inferenceSeconds, rec.timing.inference.medianSeconds);
    assert.equal(r.backend, rec.environment.engine.backend);
    const losses = rec.metrics.epochs.map((e) => e.trainLoss);
    assert.equal(r.trainLossFirst, losses[0]);
    assert.equal(r.trainLossLast, losses[losses.length - 1]);
    assert.ok(Math.abs(r.trainLossMean - losses.reduce((a, b) => a + b, 0) / losses.length) < 1e-9);
    assert.equal(r.storage['gzip.encoding'], (rec.metrics.storage as { gzip: { encoding: number } }).gzip.encoding);
    assert.equal(r.storage.octalTextBytes, (rec.metrics.storage as { octalTextBytes: number }).octalTextBytes);
    const f = runRow(records.find((x) => x.config.method === 'float') as RunRecord);
    assert.equal(f.bits, null);
    assert.deepEqual(Object.keys(f.storage), ['float32Bytes']);
  });

  it('describes the setting without method, protocol, epochs or seed', () => {
    const a = records.find((r) => r.config.method === 'float') as RunRecord;
    const b = records.find((r) => r.config.method === 'octization' && r.config.epochs === 2) as RunRecord;
    assert.equal(settingOf(a.config), settingOf(b.config));
    assert.equal(settingOf(a.config), 'train first 256; test first 128; split standard; batch 64; adam lr 0.001; eval batch 1000; 1 timed inference pass');
    assert.notEqual(settingOf({ ...a.config, batchSize: 32 }), settingOf(a.config));
  });

  it('names the record and field when a record lacks what a table needs', () => {
    const rec = records[0];
    const broken = { ...rec, timing: { ...rec.timing, inference: undefined } } as unknown as RunRecord;
    assert.throws(() => runRow(broken), new RegExp(`run ${rec.key}: field timing.inference.medianSeconds is missing`));
    const badSeed = { ...rec, config: { ...rec.config, seed: 1.5 } } as RunRecord;
    assert.throws(() => runRow(badSeed), /config.seed must be an integer/);
    const noEpochs = { ...rec, metrics: { ...rec.metrics, epochs: [] } } as unknown as RunRecord;
    assert.throws(() => runRow(noEpochs), /metrics.epochs must be a non-empty array/);
  });

  it('gives one curve row per (run, epoch) with code dynamics for quantized runs only', () => {
    const rows = records.flatMap(curveRows);
    assert.equal(rows.length, records.reduce((n, r) => n + r.metrics.epochs.length, 0));
    const q = rows.find((r) => r.method === 'octization' && r.epochs === 2 && r.epoch === 2);
    assert.ok(q !== undefined && q.stepChangeFraction !== null && q.zeroCodeFraction !== null);
    const fl = rows.find((r) => r.method === 'float');
    assert.ok(fl !== undefined && fl.stepChangeFraction === null && fl.meanAbsWeight !== null);
    // Size-weighted mean |w| by hand for the first record.
    const w = records[0].metrics.epochs[0].weights;
    const expected = w.reduce((s, t) => s + t.size * t.meanAbs, 0) / w.reduce((s, t) => s + t.size, 0);
    assert.ok(Math.abs((curveRows(records[0])[0].meanAbsWeight as number) - expected) < 1e-12);
  });

  it('starts the curves at epoch 0 when the record has its initial state: test metrics and weights, no training loss or code changes', () => {
    const rec = records.find((r) => r.config.method === 'octization') as RunRecord;
    const initial = {
      testLoss: 2.5,
      testAccuracy: 0.11,
      weights: [
        { name: 'a', size: 3, meanAbs: 0.2, zeroFraction: 1 / 3 },
        { name: 'b', size: 1, meanAbs: 0.6, zeroFraction: 0 },
      ],
      zeroCodeFraction: 0.25,
      quantizedTest: null,
    };
    const rows = curveRows({ ...rec, metrics: { ...rec.metrics, initial } });
    assert.equal(rows.length, rec.metrics.epochs.length + 1);
    assert.deepEqual(rows.map((r) => r.epoch), [0, ...rec.metrics.epochs.map((_, i) => i + 1)]);
    const z = rows[0];
    assert.deepEqual([z.testLoss, z.testAccuracy, z.trainLoss, z.stepChangeFraction, z.epochChangeFraction, z.zeroCodeFraction, z.trainSeconds], [2.5, 0.11, null, null, null, 0.25, null]);
    // size-weighted: (3·0.2 + 1·0.6) / 4 = 0.3; zeros (3·⅓ + 0) / 4 = 0.25
    assert.ok(Math.abs((z.meanAbsWeight as number) - 0.3) < 1e-12);
    assert.ok(Math.abs((z.zeroWeightFraction as number) - 0.25) < 1e-12);
    assert.deepEqual(rows.slice(1), curveRows(rec));
  });

  it('builds runs and curves tables and DataFrames with the documented columns', () => {
    const rows = records.map(runRow);
    const t = runsTable(rows);
    assert.deepEqual(t.columns.slice(0, RUN_COLUMNS.length), [...RUN_COLUMNS]);
    assert.ok(t.columns.includes('storage.octalTextBytes') && t.columns.includes('storage.gzip.packed'));
    assert.equal(t.rows.length, records.length);
    const df = toDataFrame(t);
    assert.deepEqual(df.shape, [records.length, t.columns.length]);
    const back = fromDataFrame(df);
    assert.deepEqual(back.columns, t.columns);
    const col = t.columns.indexOf('testLoss');
    assert.deepEqual(back.rows.map((r) => r[col]), t.rows.map((r) => r[col]));
    const c = curvesTable(records.flatMap(curveRows));
    assert.deepEqual(c.columns, [...CURVE_COLUMNS]);
    assert.equal(toDataFrame({ columns: ['a', 'b'], rows: [] }).shape[1], 2);
  });

  it('aggregates runs by experiment, setting, method, protocol, bits and epochs with danfojs', () => {
    const rows = records.map(runRow);
    const g = fromDataFrame(aggregateRuns(toDataFrame(runsTable(rows)), 'testLoss'));
    const idx = (name: string): number => g.columns.indexOf(name);
    // float, standard/octization at 1 and 2 epochs, toward-zero-int: 6 groups.
    assert.equal(g.rows.length, 6);
    const oct2 = g.rows.find((r) => r[idx('method')] === 'octization' && r[idx('epochs')] === 2) as unknown[];
    const values = rows.filter((r) => r.method === 'octization' && r.epochs === 2).map((r) => r.testLoss);
    assert.equal(oct2[idx('testLoss_count')], 10);
    assert.ok(Math.abs((oct2[idx('testLoss_mean')] as number) - values.reduce((a, b) => a + b, 0) / values.length) < 1e-9);
    const fl = g.rows.find((r) => r[idx('method')] === 'float') as unknown[];
    assert.equal(fl[idx('bits')], 'float32');
    assert.throws(() => aggregateRuns(toDataFrame(runsTable(rows)), 'nope'), /no column 'nope'/);
  });

  it('writes RFC 4180 CSV: quotes commas, quotes and line breaks, keeps full precision, empty for null', () => {
    const t = { columns: ['name', 'value', 'flag'], rows: [['a,b', 0.1234567890123, true], ['say "hi"', null, false], ['two\nlines', -1e-9, null]] };
    const text = toCsv(t);
    assert.equal(text.split('\n')[0], 'name,value,flag');
    assert.deepEqual(parseCsv(text), [
      ['name', 'value', 'flag'],
      ['a,b', '0.1234567890123', 'true'],
      ['say "hi"', '', 'false'],
      ['two\nlines', '-1e-9', ''],
    ]);
    assert.equal(toCsv(toDataFrame(t)), text);
  });

  it('#17 neutralises cells a spreadsheet would run as formulas, and leaves numbers alone', () => {
    const t = { columns: ['cell'], rows: [['=1+1'], ['+SUM(A1)'], ['-2+3'], ['@cmd'], ['\tx'], ['=HYPERLINK("u","x")'], [-0.5], ['-0.5'], ['+1e-9'], ['plain'], [-3]] };
    assert.deepEqual(toCsv(t).split('\n').slice(1, -1), ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", `"'=HYPERLINK(""u"",""x"")"`, '-0.5', '-0.5', '+1e-9', 'plain', '-3']);
  });

  it('writes the CSV of a runs DataFrame that reads back row for row', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-csv-'));
    try {
      const rows = records.map(runRow);
      const file = writeCsv(path.join(dir, 'sub', 'runs.csv'), toDataFrame(runsTable(rows)));
      const parsed = parseCsv(fs.readFileSync(file, 'utf8'));
      assert.equal(parsed.length, rows.length + 1);
      const k = parsed[0].indexOf('key');
      const s = parsed[0].indexOf('setting');
      assert.deepEqual(parsed.slice(1).map((r) => r[k]), rows.map((r) => r.key));
      assert.equal(parsed[1][s], rows[0].setting);
      const loss = parsed[0].indexOf('testLoss');
      assert.equal(Number(parsed[1][loss]), rows[0].testLoss);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('flattens nested numeric storage fields and skips the rest', () => {
    assert.deepEqual(flattenNumbers({ a: 1, b: { c: 2, d: 'x', e: null }, f: [1, 2], g: NaN }), { a: 1, 'b.c': 2 });
  });
});
