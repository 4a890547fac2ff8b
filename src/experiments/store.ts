/**
 * The results store: one JSON object per line (JSON Lines), appended atomically.
 * A run is either wholly in the file or absent, so a killed run loses at most the
 * run in flight and a rerun resumes from what is there. Every record read is
 * checked against the schema, including that its key is the hash of its config.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileError, ensureDir, writeFileAtomic, writeFully } from '../io/atomic';
import type { WriteFn } from '../io/atomic';
import { acquireLocks } from '../io/lock';
import { stableStringify } from './config';
import { invalidRecordReason, isDiverged } from '../results/schema';
import type { DivergedRunRecord, RunRecord, StoredRecord } from '../results/schema';

export { RECORD_SCHEMA } from '../results/schema';

/** Where a record was read from. */
export interface RecordLocation {
  /** Results file. */
  file: string;
  /** 1-based line number. */
  line: number;
}

/** What reading a results file found. */
export interface ReadResult {
  /** Every complete, valid record of a run that trained to the end, in file order. */
  records: RunRecord[];
  /** Every valid record of a run that diverged (a final outcome: not retrained), in file order. */
  diverged: DivergedRunRecord[];
  /** Lines that could not be used, with the reason (e.g. a line cut short by a kill). */
  problems: { file: string; line: number; reason: string }[];
  /** Where each record of `records` and `diverged` came from, by object. */
  locations: Map<StoredRecord, RecordLocation>;
}

/** An empty {@link ReadResult}. */
export function emptyRead(): ReadResult {
  return { records: [], diverged: [], problems: [], locations: new Map() };
}

/**
 * Appends one record as one line with a single `write` on a file opened with
 * O_APPEND: concurrent writers on a local file system cannot interleave within
 * a line. If the file does not end with a newline (a previous writer was killed
 * mid-line), a newline is written first so the damage stays on its own line.
 * Every byte is checked and fsynced; if the line cannot be written whole (a full
 * disk), the file is cut back to its previous size and a {@link FileError} names it.
 */
export function appendRecord(file: string, record: StoredRecord, write?: WriteFn): void {
  appendJsonLine(file, record, write);
}

/**
 * Appends any JSON value as one line, with the guarantees of {@link appendRecord} (one
 * `write` with O_APPEND, a torn last line isolated, every byte checked and fsynced, cut
 * back on failure). For results files of other record kinds.
 */
export function appendJsonLine(file: string, value: unknown, write?: WriteFn): void {
  ensureDir(path.dirname(path.resolve(file)));
  let fd: number;
  try {
    fd = fs.openSync(file, 'a+');
  } catch (err) {
    throw new FileError('open results file', file, err);
  }
  try {
    const size = fs.fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    const line = Buffer.from(`${prefix}${JSON.stringify(value)}\n`, 'utf8');
    try {
      writeFully(fd, line, file, write);
      fs.fsyncSync(fd);
    } catch (err) {
      // Never leave part of a record behind: cut the file back to what it held.
      try {
        fs.ftruncateSync(fd, size);
        fs.fsyncSync(fd);
      } catch {
        // the reader isolates a torn last line; the error below still names the file
      }
      throw err instanceof FileError ? err : new FileError('write results file', file, err);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Checks a record against the schema; returns a reason or null. */
export function recordProblem(obj: unknown): string | null {
  return invalidRecordReason(obj);
}

/**
 * Reads a results file. A missing file is empty. Damaged lines are reported in
 * `problems` (never silently dropped); callers decide whether that is fatal.
 */
export function readRecords(file: string): ReadResult {
  const out = emptyRead();
  const read = readJsonLines<StoredRecord>(file, invalidRecordReason);
  out.problems.push(...read.problems);
  for (const { value: r, line } of read.values) {
    if (isDiverged(r)) out.diverged.push(r);
    else out.records.push(r);
    out.locations.set(r, { file, line });
  }
  return out;
}

/** What {@link readJsonLines} found: the valid values with their 1-based line, and the unusable lines. */
export interface JsonLinesRead<T> {
  /** Values that passed the check, in file order. */
  values: { value: T; line: number }[];
  /** Lines that could not be used, with the reason. */
  problems: { file: string; line: number; reason: string }[];
}

/**
 * Reads a JSON Lines file, checking every value with `invalidReason` (a reason, or null
 * when valid). A missing file is empty; damaged lines are reported, never dropped silently.
 */
export function readJsonLines<T>(file: string, invalidReason: (obj: unknown) => string | null): JsonLinesRead<T> {
  const out: JsonLinesRead<T> = { values: [], problems: [] };
  if (!fs.existsSync(file)) return out;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new FileError('read results file', file, err);
  }
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (err) {
      const cut = i === lines.length - 1 ? ' (last line has no newline: a write was interrupted)' : '';
      out.problems.push({ file, line: i + 1, reason: `not valid JSON${cut}: ${(err as Error).message}` });
      return;
    }
    const reason = invalidReason(obj);
    if (reason !== null) {
      out.problems.push({ file, line: i + 1, reason });
      return;
    }
    out.values.push({ value: obj as T, line: i + 1 });
  });
  return out;
}

/** The `*.jsonl` files of a directory (or the one file), in name order. */
export function resultFiles(target: string): string[] {
  if (!fs.existsSync(target)) throw new Error(`results path '${target}' does not exist`);
  return fs.statSync(target).isDirectory()
    ? fs
        .readdirSync(target)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .map((f) => path.join(target, f))
    : [target];
}

/** Reads every `*.jsonl` file of a directory (or one file), in name order. */
export function readResultsPath(target: string): ReadResult {
  const out = emptyRead();
  for (const f of resultFiles(target)) {
    const r = readRecords(f);
    out.records.push(...r.records);
    out.diverged.push(...r.diverged);
    out.problems.push(...r.problems);
    for (const [rec, loc] of r.locations) out.locations.set(rec, loc);
  }
  return out;
}

/** Two records of one run key with different outcomes: which one is right cannot be decided here. */
export class ConflictingRecordsError extends Error {
  /** Always `'ConflictingRecordsError'`. */
  override name = 'ConflictingRecordsError';
}

/** Records to merge, with where they came from (for messages). */
export interface RecordSource {
  /** Records that trained to the end. */
  records: readonly RunRecord[];
  /** Records of diverged runs (default none). */
  diverged?: readonly DivergedRunRecord[];
  /** Where each record came from (default: unknown). */
  locations?: ReadonlyMap<StoredRecord, RecordLocation>;
  /** Name of the source when locations are unknown (default `source <n>`). */
  name?: string;
}

/** What {@link mergeRecords} produced. */
export interface MergeResult {
  /** One record per key of the runs that trained to the end, sorted by key. */
  records: RunRecord[];
  /** One record per key of the diverged runs, sorted by key. */
  diverged: DivergedRunRecord[];
  /** Identical duplicates dropped. */
  duplicates: number;
}

/** The part of a record that two runs of one config must agree on: the outcome (metrics). */
function outcomeOf(r: StoredRecord): string {
  return stableStringify(r.metrics);
}

/**
 * Combines records from several sources (e.g. shards) into one record per key, in a
 * deterministic order (by key). Duplicates with the same metrics (a rerun of a
 * deterministic run) are dropped and counted; duplicates whose metrics differ are a
 * {@link ConflictingRecordsError} naming both sources: the argument order never
 * decides which result survives. Accepts plain arrays of records too.
 */
export function mergeRecords(sources: readonly (RecordSource | readonly RunRecord[])[]): MergeResult {
  const byKey = new Map<string, { record: StoredRecord; where: string }>();
  let duplicates = 0;
  const conflicts: string[] = [];
  sources.forEach((src, n) => {
    const s: RecordSource = Array.isArray(src) ? { records: src as readonly RunRecord[] } : (src as RecordSource);
    const all: StoredRecord[] = [...s.records, ...(s.diverged ?? [])];
    all.forEach((r, i) => {
      const loc = s.locations?.get(r);
      const where = loc !== undefined ? `${loc.file}:${loc.line}` : `${s.name ?? `source ${n + 1}`} record ${i + 1}`;
      const seen = byKey.get(r.key);
      if (seen === undefined) byKey.set(r.key, { record: r, where });
      else if (outcomeOf(seen.record) === outcomeOf(r)) duplicates++;
      else conflicts.push(`run ${r.key} has different metrics in ${seen.where} and ${where}`);
    });
  });
  if (conflicts.length > 0) {
    throw new ConflictingRecordsError(
      `${conflicts.length} conflicting duplicate record(s): ${conflicts.slice(0, 5).join('; ')}${conflicts.length > 5 ? '; ...' : ''} (remove the wrong one)`,
    );
  }
  const sorted = [...byKey.values()].map((v) => v.record).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    records: sorted.filter((r): r is RunRecord => !isDiverged(r)),
    diverged: sorted.filter((r): r is DivergedRunRecord => isDiverged(r)),
    duplicates,
  };
}

/** Writes records to a file atomically (temporary file, every byte checked, fsync, rename). */
export function writeRecords(file: string, records: readonly StoredRecord[], write?: WriteFn): void {
  writeFileAtomic(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''), { write });
}

/** What {@link mergeResultFiles} did. */
export interface MergeFilesSummary {
  /** Records written (trained and diverged). */
  written: number;
  /** Of those, diverged runs. */
  diverged: number;
  /** Identical duplicates dropped. */
  duplicates: number;
}

/** A problem with the inputs of a merge that the caller can fix (missing or damaged files). */
export class MergeInputError extends Error {
  /** Always `'MergeInputError'`. */
  override name = 'MergeInputError';

  /** `missing`: an input named does not exist (a usage error); `damaged`: an input has damaged lines. */
  readonly kind: 'missing' | 'damaged';

  /** An error of the given kind. */
  constructor(message: string, kind: 'missing' | 'damaged') {
    super(message);
    this.kind = kind;
  }
}

/**
 * Merges results files into `out` (which may be one of the inputs, and is read too when
 * it exists). Every input must exist and be free of damaged lines; conflicting
 * duplicates are an error naming both sources. The output and every input are locked
 * for the merge, so a run appending to any of them makes the merge refuse instead of
 * losing the records appended meanwhile. The output is replaced atomically.
 */
export function mergeResultFiles(out: string, inputs: readonly string[], purpose = 'octolab merge'): MergeFilesSummary {
  if (inputs.length === 0) throw new MergeInputError('no input files', 'missing');
  for (const f of inputs) {
    if (!fs.existsSync(f)) throw new MergeInputError(`input file ${f} does not exist`, 'missing');
    if (fs.statSync(f).isDirectory()) throw new MergeInputError(`input ${f} is a directory; name the .jsonl files`, 'missing');
  }
  const lock = acquireLocks([out, ...inputs], purpose);
  try {
    const seen = new Set<string>();
    const files = [out, ...inputs].filter((f) => {
      const abs = path.resolve(f);
      if (seen.has(abs) || !fs.existsSync(f)) return false;
      seen.add(abs);
      return true;
    });
    const reads = files.map((file) => {
      const r = readRecords(file);
      if (r.problems.length > 0) {
        const p = r.problems[0];
        throw new MergeInputError(`${p.file}:${p.line}: ${p.reason} (${r.problems.length} damaged line(s); repair or remove them before merging)`, 'damaged');
      }
      return r;
    });
    const merged = mergeRecords(reads);
    const all: StoredRecord[] = [...merged.records, ...merged.diverged].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    writeRecords(out, all);
    return { written: merged.records.length + merged.diverged.length, diverged: merged.diverged.length, duplicates: merged.duplicates };
  } finally {
    lock.release();
  }
}
