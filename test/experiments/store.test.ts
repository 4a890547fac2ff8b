import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendRecord, mergeRecords, readRecords } from '../../src/experiments/store';
import type { RunRecord } from '../../src/experiments/record';

function fake(key: string, loss = 1): RunRecord {
  return { schema: 1, key, config: {}, metrics: { testLoss: loss } } as unknown as RunRecord;
}

describe('experiments: results store', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('appends whole lines and reads them back', () => {
    const f = path.join(dir, 'sub', 'r.jsonl');
    appendRecord(f, fake('a'));
    appendRecord(f, fake('b', 2));
    const r = readRecords(f);
    assert.deepEqual(r.records.map((x) => x.key), ['a', 'b']);
    assert.equal(r.problems.length, 0);
    assert.deepEqual(readRecords(path.join(dir, 'missing.jsonl')), { records: [], problems: [] });
  });

  it('survives a line cut short by a kill: reports it, keeps the rest, and the next append starts a new line', () => {
    const f = path.join(dir, 'r.jsonl');
    appendRecord(f, fake('a'));
    fs.appendFileSync(f, '{"schema":1,"key":"b","conf');
    appendRecord(f, fake('c'));
    const r = readRecords(f);
    assert.deepEqual(r.records.map((x) => x.key), ['a', 'c']);
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0].line, 2);
    assert.match(r.problems[0].reason, /not valid JSON/);
  });

  it('flags records of another schema or without a finite test loss', () => {
    const f = path.join(dir, 'r.jsonl');
    fs.writeFileSync(f, `${JSON.stringify({ ...fake('a'), schema: 9 })}\n${JSON.stringify(fake('b', NaN))}\n`);
    const r = readRecords(f);
    assert.equal(r.records.length, 0);
    assert.match(r.problems[0].reason, /schema 9/);
    assert.match(r.problems[1].reason, /testLoss/);
  });

  it('merges without duplicates, first record wins, sorted by key', () => {
    const m = mergeRecords([[fake('b'), fake('a')], [fake('a', 5), fake('c')]]);
    assert.deepEqual(m.records.map((x) => x.key), ['a', 'b', 'c']);
    assert.equal(m.records[0].metrics.testLoss, 1);
    assert.equal(m.duplicates, 1);
  });
});
