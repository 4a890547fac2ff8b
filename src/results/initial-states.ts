/**
 * Epoch-0 states computed after the fact (`octolab initial-state`) for records written
 * before training recorded `metrics.initial`: one line per run in a file of their own
 * (`<results>/initial/<experiment>.jsonl`, torch runs under `<results>/torch/initial/`), and
 * the pure join that puts them onto the records, so that analysis sees one `initial` state
 * per run whichever way it was recorded.
 */
import { engineOf } from '../experiments/config';
import type { RunConfig } from '../experiments/config';
import type { InitialState } from '../training/train';
import { invalidInitialState } from './schema';
import type { StoredRecord } from './schema';

/** Current version of the initial-state line layout. */
export const INITIAL_STATE_SCHEMA = 1;

/** One line of an initial-states file. */
export interface InitialStateRecord {
  /** Layout version ({@link INITIAL_STATE_SCHEMA}). */
  schema: number;
  /** Always `initial-state`: these lines are never run records. */
  kind: 'initial-state';
  /** Run key of the record it belongs to. */
  key: string;
  /** Engine family that computed it (the record's own: `tfjs` or `torch`). */
  engine: 'tfjs' | 'torch';
  /** SHA-256 of the initial weights it was computed from (checked equal to the record's). */
  initialWeightsSha256: string;
  /** The epoch-0 state. */
  initial: InitialState;
  /** What computed it. */
  computedBy: {
    /** Engine backend (e.g. `wasm`, `torch`). */
    backend: string;
    /** Threads of the torch engine, or null on tfjs. */
    threads: number | null;
    /** Git commit of the code (null outside a checkout). */
    git: string | null;
    /** octolab version. */
    octolab: string;
    /** ISO time. */
    at: string;
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks one line of an initial-states file; returns a reason or null. */
export function invalidInitialStateRecordReason(obj: unknown): string | null {
  if (!isObject(obj)) return 'not a JSON object';
  if (obj.schema !== INITIAL_STATE_SCHEMA) return `schema ${String(obj.schema)} (expected ${INITIAL_STATE_SCHEMA})`;
  if (obj.kind !== 'initial-state') return `kind ${String(obj.kind)} (expected initial-state)`;
  if (typeof obj.key !== 'string' || obj.key === '') return 'missing field key';
  if (obj.engine !== 'tfjs' && obj.engine !== 'torch') return `engine ${String(obj.engine)} (expected tfjs or torch)`;
  if (typeof obj.initialWeightsSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(obj.initialWeightsSha256)) return 'initialWeightsSha256 is not a SHA-256';
  if (!isObject(obj.computedBy) || typeof obj.computedBy.backend !== 'string') return 'missing field computedBy.backend';
  return invalidInitialState(obj.initial, 'initial');
}

/** The initial states do not fit the records: a hash, engine or duplicate that cannot be right. */
export class InitialStateJoinError extends Error {
  /** Always `'InitialStateJoinError'`. */
  override name = 'InitialStateJoinError';
}

/** What {@link joinInitialStates} produced. */
export interface JoinedInitialStates<R extends StoredRecord> {
  /** The records, each with `metrics.initial` where one is known (copies where it was added). */
  records: R[];
  /** Keys of the records that have no initial state (neither recorded nor backfilled). */
  missing: string[];
  /** How many records got their initial state from the backfilled lines. */
  joined: number;
  /** Backfilled lines whose run is not among the records (e.g. another experiment's file). */
  unmatched: string[];
}

/** Same numbers, field by field (JSON of plain data). */
const sameState = (a: InitialState, b: InitialState): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Puts the backfilled `states` onto `records` (pure: inputs are not changed). A record keeps
 * the `metrics.initial` its training recorded; a backfilled line for it must then hold the
 * same numbers.
 *
 * @throws InitialStateJoinError when two lines of one run and engine differ, when a line's
 *   initial-weights hash is not its record's (it was computed from other weights), when a line
 *   was computed on another engine than its record's, or when a line contradicts the state the
 *   record holds itself; the message names the key and both values
 */
export function joinInitialStates<R extends StoredRecord>(records: readonly R[], states: readonly InitialStateRecord[]): JoinedInitialStates<R> {
  const byKey = new Map<string, InitialStateRecord>();
  for (const s of states) {
    const id = `${s.key}|${s.engine}`;
    const seen = byKey.get(id);
    if (seen !== undefined && (seen.initialWeightsSha256 !== s.initialWeightsSha256 || !sameState(seen.initial, s.initial))) {
      throw new InitialStateJoinError(`run ${s.key} (${s.engine}) has two different initial states`);
    }
    byKey.set(id, s);
  }
  const used = new Set<string>();
  const missing: string[] = [];
  let joined = 0;
  const out = records.map((r) => {
    const engine = engineOf(r.config as Pick<RunConfig, 'engine'>);
    const id = `${r.key}|${engine}`;
    const s = byKey.get(id);
    const other = byKey.get(`${r.key}|${engine === 'torch' ? 'tfjs' : 'torch'}`);
    if (s === undefined && other !== undefined) {
      throw new InitialStateJoinError(`run ${r.key}: its initial state was computed on ${other.engine}, the run is a ${engine} run`);
    }
    if (s !== undefined) {
      used.add(id);
      if (s.initialWeightsSha256 !== r.metrics.initialWeightsSha256) {
        throw new InitialStateJoinError(
          `run ${r.key}: initial state computed from weights with SHA-256 ${s.initialWeightsSha256}, the record's initial weights have ${r.metrics.initialWeightsSha256}`,
        );
      }
    }
    const own = r.metrics.initial;
    if (own !== undefined) {
      if (s !== undefined && !sameState(own, s.initial)) throw new InitialStateJoinError(`run ${r.key}: the backfilled initial state differs from the one its training recorded`);
      return r;
    }
    if (s === undefined) {
      missing.push(r.key);
      return r;
    }
    joined++;
    return { ...r, metrics: { ...r.metrics, initial: s.initial } } as R;
  });
  const unmatched = [...byKey.entries()].filter(([id]) => !used.has(id)).map(([, s]) => s.key);
  return { records: out, missing, joined, unmatched };
}

