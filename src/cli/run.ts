/**
 * `octolab run <experiment>`: expands a grid of (method × protocol × bits × seed),
 * skips what the results file already has, and runs the rest.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../data';
import { THREADS_ENV_VAR, prepareEngine, threadsFromEnv } from '../engine';
import { trainerKindOf } from '../training/create';
import { MAX_REPEAT, getExperiment, parseSeeds } from '../experiments/config';
import type { DataSelection } from '../experiments/config';
import { expandGrid, shardFileName } from '../experiments/grid';
import { PROTOCOL_NAMES } from '../training/protocols';
import { INIT_SCHEMES } from '../models/models';
import type { InitScheme } from '../models/models';
import { parseShardOption } from '../cluster/slurm';
import { PROFILES as RUN_PROFILES } from '../experiments/profiles';
import type { RunProfile } from '../experiments/profiles';
import { shardByCost } from '../experiments/shard';
import { runGrid } from '../experiments/runner';
import type { Command } from './main';
import { UsageError, debugEnabled } from './main';

/** Named sizes of a run: `full` is the study; `smoke` exercises every code path in seconds. */
export const PROFILES = RUN_PROFILES;

const HELP = `Usage: octolab run <experiment> [options]

Runs every (method x protocol x bits x seed) of the grid that the results file does
not hold yet, appending one JSON line per finished run to <out>/<experiment>.jsonl.

Options:
  --seeds LIST          seeds, e.g. 0-9 or 0,3,7 (default 0)
  --methods LIST        float and/or quantizer presets (default: the experiment's)
  --protocols LIST      projected-step, projected-epoch, ptq, qat (default projected-step)
  --bits LIST           bit widths for quantized methods (default 8)
  --epochs N            epochs (default: the experiment's: regression 50, mnist 20, cifar10 5)
  --batch-size N        batch size (default 64)
  --lr X                learning rate (default 0.001)
  --optimizer NAME      adam (default) or sgd
  --momentum X          sgd only: heavy-ball momentum in [0, 1) (default none)
  --init NAME           initial weights: glorot-uniform (default, Keras'), torch-default
                        (PyTorch's Linear/Conv2d init) or glorot-half (Glorot x 0.5)
  --repeat N            repeat index of otherwise identical runs (default 0, the first run):
                        the same seeds again, stored apart (e.g. on another machine)
  --limit-train N       use the first N training examples
  --limit-test N        use the first N test examples
  --split NAME          cifar10: standard (default) or train1-4/test5 (fallback, recorded)
  --profile NAME        full (default) or smoke (256 train / 128 test examples, 1 epoch)
  --workers N           parallel processes (default: ${os.cpus().length} cores / threads); workers x threads
                        must not exceed the cores
  --threads N           threads per process for the torch engine (default 1, or $OCTOLAB_THREADS)
  --shard SPEC          run only one shard of the grid, split by expected cost: i/n (0-based),
                        slurm (i, n from SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) or
                        slurm/n; merge shards with 'octolab merge'
  --out DIR             results directory (default reports/results); runs on the torch engine
                        are stored in <out>/torch, apart from the tfjs (wasm, webgpu, cpu) runs
  --data-dir DIR        data directory (default $OCTOLAB_DATA_DIR, else ./data)
  --no-download         never try to download missing data files
  --no-checkpoints      do not keep epoch checkpoints in <out>/.checkpoints (by default a
                        stopped run resumes from its last completed epoch)
  --quiet               no progress bar; one line per finished run
  --dry-run             print the runs that would be done and exit
`;

/** Options shared by the commands that train (`run`, `study`): where results and data live, and how to report. */
export const TRAINING_OPTIONS = {
  workers: { type: 'string' },
  threads: { type: 'string' },
  out: { type: 'string', default: path.join('reports', 'results') },
  'data-dir': { type: 'string' },
  'no-download': { type: 'boolean', default: false },
  'no-checkpoints': { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Largest value {@link intOption} accepts. */
export const MAX_INT_OPTION = 1_000_000_000;

/** Parses a positive-integer option (plain decimal, at most {@link MAX_INT_OPTION}); undefined when absent; a {@link UsageError} naming the option otherwise. */
export function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > MAX_INT_OPTION) {
    throw new UsageError(`--${name} must be a positive integer, got '${value}' (at most ${MAX_INT_OPTION})`);
  }
  return n;
}

/** Parses `--repeat N`: a plain integer from 0 (the first run) to {@link MAX_REPEAT}; undefined when absent. */
export function repeatOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > MAX_REPEAT) throw new UsageError(`--repeat must be an integer from 0 to ${MAX_REPEAT}, got '${value}'`);
  return n;
}

/**
 * Splits a comma-separated option into its items; undefined when absent. An option given
 * with no items (`--bits ''`) or with an empty item (`--bits 4,,8`) is a {@link UsageError}:
 * it would otherwise silently drop part of the grid.
 */
export function listOption(value: string | undefined, name = 'list'): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s.length === 0)) throw new UsageError(`--${name} has an empty item: '${value}' (give a comma-separated list)`);
  return items;
}

/** Looks up a name in a table by own property only (`constructor` and `__proto__` are not names). */
export function ownEntry<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}

/** Checks `--out DIR`: not empty. (Whether it can be written is checked before any training.) */
export function outOption(value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`--out must name a directory, got '${value ?? ''}'`);
  return value;
}

/** The engine a training command runs on, where its results go, and how many processes it may use. */
export interface TrainingEngine {
  /** `torch` or `tfjs`. */
  family: 'torch' | 'tfjs';
  /** Results directory: `<out>/torch` for torch, `<out>` otherwise. */
  out: string;
  /** Worker processes (never more than cores / threads). */
  workers: number;
  /** Threads per process. */
  threads: number;
}

/**
 * Applies `--threads` (to this process and its workers, through OCTOLAB_THREADS), checks
 * that workers × threads fits the cores, and prepares the engine so that the configs name it.
 */
export async function prepareTrainingEngine(values: { threads?: string; workers?: string; out?: string }, cores = os.cpus().length): Promise<TrainingEngine> {
  const threadsArg = intOption('threads', values.threads);
  if (threadsArg !== undefined) process.env[THREADS_ENV_VAR] = String(threadsArg);
  let threads: number;
  try {
    threads = threadsFromEnv();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const workers = intOption('workers', values.workers) ?? Math.max(1, Math.floor(cores / threads));
  if (workers * threads > cores) {
    throw new UsageError(`--workers ${workers} x --threads ${threads} = ${workers * threads} threads would oversubscribe the ${cores} cores`);
  }
  const info = await prepareEngine();
  const family = trainerKindOf(info.backend);
  const base = outOption(values.out);
  return { family, out: family === 'torch' ? path.join(base, 'torch') : base, workers, threads };
}

/** The `run` command. */
export const runCommand: Command = {
  summary: 'train a grid of methods x seeds for one experiment (resumable, parallel, shardable)',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        seeds: { type: 'string', default: '0' },
        methods: { type: 'string' },
        protocols: { type: 'string' },
        bits: { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        lr: { type: 'string' },
        optimizer: { type: 'string' },
        momentum: { type: 'string' },
        init: { type: 'string' },
        repeat: { type: 'string' },
        'limit-train': { type: 'string' },
        'limit-test': { type: 'string' },
        split: { type: 'string' },
        profile: { type: 'string', default: 'full' },
        shard: { type: 'string' },
        ...TRAINING_OPTIONS,
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(`expected one experiment name, got ${positionals.length}\n\n${HELP}`);
    let spec;
    try {
      spec = getExperiment(positionals[0]);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const profileName = values.profile as string;
    const profile: RunProfile | undefined = ownEntry<RunProfile>(PROFILES, profileName);
    if (profile === undefined) throw new UsageError(`unknown --profile '${profileName}' (valid: ${Object.keys(PROFILES).join(', ')})`);
    const split = values.split;
    if (split !== undefined && split !== 'standard' && split !== 'train1-4/test5') {
      throw new UsageError(`unknown --split '${split}' (valid: standard, train1-4/test5)`);
    }
    if (split !== undefined && spec.dataset !== 'cifar10') throw new UsageError(`--split applies to cifar10 only, not to ${spec.name}`);
    const lr = values.lr === undefined ? undefined : Number(values.lr);
    if (lr !== undefined && (!Number.isFinite(lr) || !(lr > 0) || values.lr?.trim() === '')) {
      throw new UsageError(`--lr must be a finite positive number, got '${values.lr}'`);
    }
    const optimizer = values.optimizer;
    if (optimizer !== undefined && optimizer !== 'adam' && optimizer !== 'sgd') throw new UsageError(`unknown --optimizer '${optimizer}' (valid: adam, sgd)`);
    const momentum = values.momentum === undefined ? undefined : Number(values.momentum);
    if (momentum !== undefined && (values.momentum?.trim() === '' || !(momentum >= 0 && momentum < 1))) {
      throw new UsageError(`--momentum must be a number in [0, 1), got '${values.momentum}'`);
    }
    if (momentum !== undefined && optimizer !== 'sgd') throw new UsageError('--momentum applies to --optimizer sgd only');
    const init = values.init;
    if (init !== undefined && !(INIT_SCHEMES as readonly string[]).includes(init)) {
      throw new UsageError(`unknown --init '${init}' (valid: ${INIT_SCHEMES.join(', ')})`);
    }
    const bits = listOption(values.bits, 'bits')?.map((b) => {
      const n = Number(b);
      if (!/^\d+$/.test(b) || n < 2 || n > 16) throw new UsageError(`--bits values must be integers 2..16, got '${b}'`);
      return n;
    });
    const protocols = listOption(values.protocols, 'protocols');
    for (const p of protocols ?? []) {
      if (!(PROTOCOL_NAMES as readonly string[]).includes(p) || p === 'float') {
        throw new UsageError(`unknown --protocols value '${p}' (valid: ${PROTOCOL_NAMES.filter((x) => x !== 'float').join(', ')})`);
      }
    }
    const engine = await prepareTrainingEngine(values);
    let grid;
    try {
      grid = expandGrid({
        engine: engine.family,
        experiment: spec.name,
        methods: listOption(values.methods, 'methods') ?? spec.methods,
        seeds: parseSeeds(values.seeds as string),
        protocols,
        bits,
        epochs: intOption('epochs', values.epochs) ?? profile.epochs,
        batchSize: intOption('batch-size', values['batch-size']),
        learningRate: lr,
        optimizer: optimizer as 'adam' | 'sgd' | undefined,
        momentum,
        init: init as InitScheme | undefined,
        repeat: repeatOption(values.repeat),
        limitTrain: intOption('limit-train', values['limit-train']) ?? profile.limitTrain,
        limitTest: intOption('limit-test', values['limit-test']) ?? profile.limitTest,
        split: split as DataSelection['split'] | undefined,
        inferenceRepeats: profile.inferenceRepeats,
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    let shard: { index: number; count: number } | undefined;
    if (values.shard !== undefined) {
      try {
        shard = parseShardOption(values.shard);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      grid = shardByCost(grid, shard);
    }
    const resultsFile = path.join(engine.out, shard !== undefined ? shardFileName(spec.name, shard) : `${spec.name}.jsonl`);
    if (values['dry-run']) {
      for (const c of grid) console.log(`${c.experiment} ${c.method} ${c.protocol} bits=${c.scheme?.bits ?? '-'} epochs=${c.epochs} seed=${c.seed}${c.repeat === undefined ? '' : ` repeat=${c.repeat}`}`);
      console.log(`${grid.length} run(s) -> ${resultsFile}`);
      return 0;
    }
    const dataDir = resolveDataDir(values['data-dir']);
    const quiet = values.quiet || process.env.CI === 'true';
    const summary = await runGrid({
      configs: grid,
      resultsFile,
      workers: engine.workers,
      dataDir,
      debug: debugEnabled(),
      download: !values['no-download'],
      checkpoints: !values['no-checkpoints'],
      quiet,
    });
    console.log(
      `${summary.completed} run(s) completed, ${summary.skipped} already in ${resultsFile}, ${summary.failed.length} failed, ${summary.notStarted} not started` +
        (summary.interrupted > 0 ? ` (${summary.interrupted} interrupted by a signal; the same command resumes)` : '') +
        (summary.diverged > 0 ? `; ${summary.diverged} of the completed run(s) diverged (recorded as diverged)` : ''),
    );
    return summary.failed.length > 0 || summary.notStarted > 0 ? 1 : 0;
  },
};
