/**
 * The results store: one JSON object per line (JSON Lines), appended atomically.
 * A run is either wholly in the file or absent, so a killed run loses at most the
 * run in flight and a rerun resumes from what is there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunRecord } from './record';

/** What reading a results file found. */
export interface ReadResult {
  /** Every complete, valid record, in file order. */
  records: RunRecord[];
  /** Lines that could not be used, with the reason (e.g. a line cut short by a kill). */
  problems: { file: string; line: number; reason: string }[];
}

/** Current version of the record layout; readers reject other versions. */
export const RECORD_SCHEMA = 1;

/**
 * Appends one record as one line with a single `write` on a file opened with
 * O_APPEND: concurrent writers on a local file system cannot interleave within
 * a line. If the file does not end with a newline (a previous writer was killed
 * mid-line), a newline is written first so the damage stays on its own line.
 */
export function appendRecord(file: string, record: RunRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a+');
  try {
    let prefix = '';
    const size = fs.fstatSync(fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    fs.writeSync(fd, `${prefix}${JSON.stringify(record)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Checks the fields every reader relies on; returns a reason or null. */
function invalidReason(obj: unknown): string | null {
  if (obj === null || typeof obj !== 'object') return 'not a JSON object';
  const r = obj as Partial<RunRecord>;
  if (r.schema !== RECORD_SCHEMA) return `schema ${String(r.schema)} (expected ${RECORD_SCHEMA})`;
  if (typeof r.key !== 'string') return 'missing field key';
  if (r.config === undefined || typeof r.config !== 'object') return 'missing field config';
  if (r.metrics === undefined || typeof r.metrics !== 'object') return 'missing field metrics';
  if (typeof r.metrics.testLoss !== 'number' || !Number.isFinite(r.metrics.testLoss)) {
    return `metrics.testLoss is ${String(r.metrics.testLoss)}`;
  }
  return null;
}

/**
 * Reads a results file. A missing file is empty. Damaged lines are reported in
 * `problems` (never silently dropped); callers decide whether that is fatal.
 */
export function readRecords(file: string): ReadResult {
  if (!fs.existsSync(file)) return { records: [], problems: [] };
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const records: RunRecord[] = [];
  const problems: ReadResult['problems'] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (err) {
      const cut = i === lines.length - 1 ? ' (last line has no newline: a write was interrupted)' : '';
      problems.push({ file, line: i + 1, reason: `not valid JSON${cut}: ${(err as Error).message}` });
      return;
    }
    const reason = invalidReason(obj);
    if (reason !== null) problems.push({ file, line: i + 1, reason });
    else records.push(obj as RunRecord);
  });
  return { records, problems };
}

/** Reads every `*.jsonl` file of a directory (or one file), in name order. */
export function readResultsPath(target: string): ReadResult {
  if (!fs.existsSync(target)) throw new Error(`results path '${target}' does not exist`);
  const files = fs.statSync(target).isDirectory()
    ? fs
        .readdirSync(target)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .map((f) => path.join(target, f))
    : [target];
  const out: ReadResult = { records: [], problems: [] };
  for (const f of files) {
    const r = readRecords(f);
    out.records.push(...r.records);
    out.problems.push(...r.problems);
  }
  return out;
}

/**
 * Combines records from several files (e.g. shards) keeping the first record of
 * each key, in a deterministic order (by key). Returns the merged records and the
 * number of duplicates dropped.
 */
export function mergeRecords(sources: RunRecord[][]): { records: RunRecord[]; duplicates: number } {
  const byKey = new Map<string, RunRecord>();
  let duplicates = 0;
  for (const list of sources) {
    for (const r of list) {
      if (byKey.has(r.key)) duplicates++;
      else byKey.set(r.key, r);
    }
  }
  const records = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { records, duplicates };
}

/** Writes records to a new file atomically (temporary file, then rename). */
export function writeRecords(file: string, records: RunRecord[]): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  fs.renameSync(tmp, file);
}
