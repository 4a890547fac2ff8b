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
import { getExperiment, parseSeeds } from '../experiments/config';
import type { DataSelection } from '../experiments/config';
import { expandGrid, parseShard, shardOf } from '../experiments/grid';
import { runGrid } from '../experiments/runner';
import type { Command } from './main';
import { UsageError } from './main';

/** Named sizes of a run: `full` is the study; `smoke` exercises every code path in seconds. */
export const PROFILES = {
  full: {},
  smoke: { limitTrain: 256, limitTest: 128, epochs: 1, inferenceRepeats: 1 },
} as const;

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
  --lr X                Adam learning rate (default 0.001)
  --limit-train N       use the first N training examples
  --limit-test N        use the first N test examples
  --split NAME          cifar10: standard (default) or train1-4/test5 (fallback, recorded)
  --profile NAME        full (default) or smoke (256 train / 128 test examples, 1 epoch)
  --workers N           parallel processes (default: ${os.cpus().length} cores / threads); workers x threads
                        must not exceed the cores
  --threads N           threads per process for the torch engine (default 1, or $OCTOLAB_THREADS)
  --shard i/n           run only shard i (0-based) of n; merge shards with 'octolab merge'
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

/** Parses a positive-integer option; undefined when absent; a {@link UsageError} naming the option otherwise. */
export function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got '${value}'`);
  return n;
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
  const base = values.out ?? path.join('reports', 'results');
  return { family, out: family === 'torch' ? path.join(base, 'torch') : base, workers, threads };
}

/** Splits a comma-separated option into its non-empty items; undefined when absent. */
export function listOption(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
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
    if (!(profileName in PROFILES)) throw new UsageError(`unknown --profile '${profileName}' (valid: ${Object.keys(PROFILES).join(', ')})`);
    const profile: { limitTrain?: number; limitTest?: number; epochs?: number; inferenceRepeats?: number } =
      PROFILES[profileName as keyof typeof PROFILES];
    const split = values.split;
    if (split !== undefined && split !== 'standard' && split !== 'train1-4/test5') {
      throw new UsageError(`unknown --split '${split}' (valid: standard, train1-4/test5)`);
    }
    const lr = values.lr === undefined ? undefined : Number(values.lr);
    if (lr !== undefined && !(lr > 0)) throw new UsageError(`--lr must be a positive number, got '${values.lr}'`);
    const bits = listOption(values.bits)?.map((b) => {
      const n = Number(b);
      if (!Number.isInteger(n) || n < 2 || n > 16) throw new UsageError(`--bits values must be integers 2..16, got '${b}'`);
      return n;
    });
    const engine = await prepareTrainingEngine(values);
    let grid;
    try {
      grid = expandGrid({
        engine: engine.family,
        experiment: spec.name,
        methods: listOption(values.methods) ?? spec.methods,
        seeds: parseSeeds(values.seeds as string),
        protocols: listOption(values.protocols),
        bits,
        epochs: intOption('epochs', values.epochs) ?? profile.epochs,
        batchSize: intOption('batch-size', values['batch-size']),
        learningRate: lr,
        limitTrain: intOption('limit-train', values['limit-train']) ?? profile.limitTrain,
        limitTest: intOption('limit-test', values['limit-test']) ?? profile.limitTest,
        split: split as DataSelection['split'] | undefined,
        inferenceRepeats: profile.inferenceRepeats,
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (values.shard !== undefined) {
      try {
        grid = shardOf(grid, parseShard(values.shard));
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    const resultsFile = path.join(engine.out, values.shard !== undefined ? `${spec.name}.shard-${values.shard.replace('/', '-of-')}.jsonl` : `${spec.name}.jsonl`);
    if (values['dry-run']) {
      for (const c of grid) console.log(`${c.experiment} ${c.method} ${c.protocol} bits=${c.scheme?.bits ?? '-'} epochs=${c.epochs} seed=${c.seed}`);
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
      download: !values['no-download'],
      checkpoints: !values['no-checkpoints'],
      quiet,
    });
    console.log(
      `${summary.completed} run(s) completed, ${summary.skipped} already in ${resultsFile}, ${summary.failed.length} failed, ${summary.notStarted} not started`,
    );
    return summary.failed.length > 0 || summary.notStarted > 0 ? 1 : 0;
  },
};
