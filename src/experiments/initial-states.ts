/**
 * The epoch-0 states of stored runs: where they live, how they are read together with the
 * records, and the backfill that computes them for records written before training recorded
 * `metrics.initial` (`octolab initial-state`). The backfill rebuilds each run's initial
 * weights from its config and seed, checks them against the record's SHA-256, and measures
 * them exactly as training does ({@link measureInitialState}) on the record's own engine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Dataset } from '../data/types';
import { describeEngine, prepareEngine } from '../engine';
import type { BackendMode } from '../engine';
import { FileError } from '../io/atomic';
import { acquireLock } from '../io/lock';
import { architecture, initialWeightValues } from '../models/models';
import { INITIAL_STATE_SCHEMA, invalidInitialStateRecordReason, joinInitialStates } from '../results/initial-states';
import type { InitialStateRecord } from '../results/initial-states';
import type { StoredRecord } from '../results/schema';
import { createTrainer } from '../training/create';
import { parseProtocol } from '../training/protocols';
import { measureInitialState } from '../training/train';
import { engineOf } from './config';
import { datasetFor, gitInfo, octolabVersion, weightsSha256 } from './record';
import { appendJsonLine, emptyRead, readResultsPath } from './store';
import type { ReadResult } from './store';

export { INITIAL_STATE_SCHEMA, InitialStateJoinError, invalidInitialStateRecordReason, joinInitialStates } from '../results/initial-states';
export type { InitialStateRecord, JoinedInitialStates } from '../results/initial-states';

/** Name of the folder of initial-state files inside a results folder. */
export const INITIAL_STATES_FOLDER = 'initial';

/** The initial-states file of `experiment` for the results folder `resultsDir` (`<dir>/initial/<experiment>.jsonl`). */
export function initialStatesFile(resultsDir: string, experiment: string): string {
  return path.join(resultsDir, INITIAL_STATES_FOLDER, `${experiment}.jsonl`);
}

/** What reading initial-states files found. */
export interface ReadInitialStates {
  /** Valid lines, in file order. */
  states: InitialStateRecord[];
  /** Lines that could not be used, with the reason. */
  problems: { file: string; line: number; reason: string }[];
}

/** Reads the initial-states files of a results folder (none is empty). */
export function readInitialStates(resultsDir: string): ReadInitialStates {
  const out: ReadInitialStates = { states: [], problems: [] };
  const dir = path.join(resultsDir, INITIAL_STATES_FOLDER);
  if (!fs.existsSync(dir)) return out;
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const file = path.join(dir, f);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new FileError('read initial-states file', file, err);
    }
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (err) {
        out.problems.push({ file, line: i + 1, reason: `not valid JSON: ${(err as Error).message}` });
        return;
      }
      const why = invalidInitialStateRecordReason(obj);
      if (why === null) out.states.push(obj as InitialStateRecord);
      else out.problems.push({ file, line: i + 1, reason: why });
    });
  }
  return out;
}

/**
 * Reads a results folder (as `readResultsPath`) and joins the backfilled initial states of
 * its `initial/` folder onto the records (see {@link joinInitialStates}): every record then
 * carries `metrics.initial` when one is known; `missingInitial` lists the keys without.
 * Damaged initial-state lines are added to `problems`.
 */
export function readResultsWithInitialStates(resultsDir: string): ReadResult & { missingInitial: string[] } {
  const read = fs.existsSync(resultsDir) ? readResultsPath(resultsDir) : emptyRead();
  const states = readInitialStates(resultsDir);
  const records = joinInitialStates(read.records, states.states);
  const diverged = joinInitialStates(read.diverged, states.states);
  const locations = new Map(read.locations);
  const carry = (joined: readonly StoredRecord[], original: readonly StoredRecord[]): void =>
    joined.forEach((r, i) => {
      const loc = read.locations.get(original[i]);
      if (loc !== undefined && r !== original[i]) locations.set(r, loc);
    });
  carry(records.records, read.records);
  carry(diverged.records, read.diverged);
  return {
    records: records.records,
    diverged: diverged.records,
    problems: [...read.problems, ...states.problems],
    locations,
    missingInitial: [...records.missing, ...diverged.missing],
  };
}

/** The initial weights rebuilt from a record's config and seed are not the ones it trained from. */
export class InitialWeightsMismatchError extends Error {
  /** Always `'InitialWeightsMismatchError'`. */
  override name = 'InitialWeightsMismatchError';
}

/** Options of {@link computeInitialStateOf}. */
export interface ComputeInitialStateArgs {
  /** Data directory. */
  dataDir: string;
  /** Allow downloading missing canonical files. */
  download?: boolean;
  /** Dataset cache shared across calls. */
  cache?: Map<string, Dataset>;
  /** Results file the record came from (named in errors). */
  source?: string;
}

/**
 * Prepares the engine a stored record ran on (its tfjs backend, or torch), so that its epoch-0
 * state is measured there.
 */
export async function prepareEngineOf(record: StoredRecord): Promise<void> {
  const wanted = engineOf(record.config) === 'torch' ? 'torch' : record.environment.engine.backend;
  if (describeEngineOrNull() !== wanted) await prepareEngine({ backend: wanted as BackendMode });
}

function describeEngineOrNull(): string | null {
  try {
    return describeEngine().backend;
  } catch {
    return null;
  }
}

/**
 * Rebuilds the initial weights of `record` from its config and seed, checks their SHA-256
 * against `metrics.initialWeightsSha256`, and measures the epoch-0 state on the engine
 * prepared now (see {@link prepareEngineOf}).
 *
 * @throws InitialWeightsMismatchError naming the file, the key and both hashes when the
 *   rebuilt weights are not the record's
 */
export async function computeInitialStateOf(record: StoredRecord, args: ComputeInitialStateArgs): Promise<InitialStateRecord> {
  const config = record.config;
  const engine = describeEngine();
  const { data } = await datasetFor(config, { dataDir: args.dataDir, download: args.download, cache: args.cache });
  const trainer = createTrainer(architecture({ name: config.model, inputShape: data.inputShape }), data.task, engine.backend);
  try {
    const initial = initialWeightValues(trainer.weights, config.seed, config.init);
    const sha = weightsSha256(initial);
    if (sha !== record.metrics.initialWeightsSha256) {
      throw new InitialWeightsMismatchError(
        `${args.source ?? 'record'}: run ${record.key}: the initial weights rebuilt from its config and seed have SHA-256 ${sha}, ` +
          `the record says ${record.metrics.initialWeightsSha256}; its epoch-0 state cannot be computed`,
      );
    }
    trainer.writeWeights(initial);
    const state = await measureInitialState(trainer, data, {
      protocol: parseProtocol(config.protocol),
      scheme: config.scheme,
      seed: config.seed,
      evalBatchSize: config.evalBatchSize,
    });
    return {
      schema: INITIAL_STATE_SCHEMA,
      kind: 'initial-state',
      key: record.key,
      engine: engineOf(config),
      initialWeightsSha256: sha,
      initial: state,
      computedBy: {
        backend: engine.backend,
        threads: engine.torch?.threads ?? null,
        git: gitInfo().commit,
        octolab: octolabVersion(),
        at: new Date().toISOString(),
      },
    };
  } finally {
    trainer.dispose();
  }
}

/** Options of {@link backfillInitialStates}. */
export interface BackfillInitialStatesArgs {
  /** Results folder of the records (`reports/results`, or its `torch` folder). */
  resultsDir: string;
  /** Experiments to do (default: every `<experiment>.jsonl` of the folder). */
  experiments?: readonly string[];
  /** Data directory. */
  dataDir: string;
  /** Allow downloading missing canonical files. */
  download?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What {@link backfillInitialStates} did, per experiment. */
export interface BackfillSummary {
  /** Experiment. */
  experiment: string;
  /** Its initial-states file. */
  file: string;
  /** States computed and appended now. */
  added: number;
  /** Records that already had a state (recorded by training, or in the file). */
  skipped: number;
}

/**
 * Computes the epoch-0 state of every stored run of `resultsDir` that has none and appends
 * it to `<resultsDir>/initial/<experiment>.jsonl`: one line per run, written whole (a killed
 * backfill loses at most the run in flight), the file locked while it runs, runs already
 * there skipped (resumable, no duplicates). Damaged lines in the results or in the states
 * file stop it before anything is computed.
 */
export async function backfillInitialStates(args: BackfillInitialStatesArgs): Promise<BackfillSummary[]> {
  const log = args.log ?? (() => undefined);
  const names =
    args.experiments ??
    (fs.existsSync(args.resultsDir) ? fs.readdirSync(args.resultsDir).filter((f) => f.endsWith('.jsonl') && !f.includes('.shard-')).map((f) => f.slice(0, -'.jsonl'.length)).sort() : []);
  const summaries: BackfillSummary[] = [];
  const cache = new Map<string, Dataset>();
  for (const experiment of names) {
    const source = path.join(args.resultsDir, `${experiment}.jsonl`);
    if (!fs.existsSync(source)) throw new Error(`no results file ${source} for experiment '${experiment}'`);
    const file = initialStatesFile(args.resultsDir, experiment);
    const lock = acquireLock(file, `octolab initial-state (${experiment})`);
    try {
      const read = readResultsPath(source);
      const states = readInitialStates(args.resultsDir);
      const problems = [...read.problems, ...states.problems];
      if (problems.length > 0) {
        throw new Error(`${problems.length} damaged line(s), e.g. ${problems[0].file}:${problems[0].line} (${problems[0].reason}); nothing computed`);
      }
      const records: StoredRecord[] = [...read.records, ...read.diverged];
      joinInitialStates(records, states.states); // refuses states that contradict the records
      const done = new Set(states.states.map((s) => `${s.key}|${s.engine}`));
      const todo = records.filter((r) => r.metrics.initial === undefined && !done.has(`${r.key}|${engineOf(r.config)}`));
      log(`${experiment}: ${todo.length} of ${records.length} run(s) need an epoch-0 state -> ${file}`);
      let added = 0;
      for (const r of todo) {
        await prepareEngineOf(r);
        const state = await computeInitialStateOf(r, { dataDir: args.dataDir, download: args.download, cache, source: `${source}:${read.locations.get(r)?.line ?? '?'}` });
        appendJsonLine(file, state);
        added++;
        const acc = state.initial.testAccuracy === null ? `loss=${state.initial.testLoss.toPrecision(6)}` : `acc=${(100 * state.initial.testAccuracy).toFixed(2)}%`;
        log(`[${added}/${todo.length}] ${experiment} ${r.config.method} ${r.config.protocol} seed=${r.config.seed} e${r.config.epochs}: epoch 0 ${acc} [${state.computedBy.backend}]`);
      }
      summaries.push({ experiment, file, added, skipped: records.length - todo.length });
    } finally {
      lock.release();
    }
  }
  return summaries;
}
