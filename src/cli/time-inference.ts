/**
 * `octolab time-inference <experiment>`: times full test-set inference passes of every
 * arm in one process, interleaved in a balanced seeded order, one record per seed in
 * `<out>/inference/<experiment>.jsonl` (resumable: stored seeds are skipped).
 */
import * as cliProgress from 'cli-progress';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../data';
import { getExperiment, parseSeeds } from '../experiments/config';
import { PROFILES } from '../experiments/profiles';
import { makeTimingArgs } from '../timing/interleaved';
import type { TimingArgsInput } from '../timing/interleaved';
import { runInferenceTimings, timingResultsFile } from '../timing/runner';
import type { Command } from './main';
import { UsageError } from './main';
import { intOption, listOption, outOption, ownEntry } from './run';

const HELP = `Usage: octolab time-inference <experiment> [options]

Times inference of the arms (default float, standard, octization) in ONE process: for
each seed one model per arm holds that arm's weights (the study run's checkpoint when
the results store has one, otherwise the seed's initial weights projected by the arm's
quantizer), then full passes over the test split run alternately, each block a seeded
permutation of the arms followed by its reverse, after discarded warm-up passes. One
JSON line per seed goes to <out>/inference/<experiment>.jsonl with every pass, the
order, the engine and os.loadavg() at start and end. Seeds already stored are skipped.

Options:
  --seeds LIST          seeds, e.g. 0-9 or 0,3,7 (default 0-9)
  --repeats N           timed passes per arm and seed, even (default 10)
  --warmup N            untimed passes per arm before timing (default 1; 0 allowed)
  --methods LIST        arms: float and/or quantizer presets (default float,standard,octization)
  --bits N              bit width of the quantized arms (default 8)
  --epochs N            epochs of the study runs whose checkpoints are looked up
                        (default: those of the study's timing claim, cifar10 20, else the experiment's)
  --batch-size N        examples per predict call (default 1000, the study's evaluation batch)
  --limit-test N        time the first N test examples only
  --profile NAME        full (default) or smoke (the smoke profile's test limit)
  --out DIR             the study's results directory (default reports/results)
  --data-dir DIR        data directory (default $OCTOLAB_DATA_DIR, else ./data)
  --no-download         never try to download missing data files
  --quiet               no progress bar; one line per seed
  --dry-run             print the seeds that would be timed and exit
`;

/** Parses a non-negative integer option (`--warmup 0` is valid). */
function countOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be an integer >= 0, got '${value}'`);
  return value === '0' ? 0 : intOption(name, value);
}

/** The `time-inference` command. */
export const timeInferenceCommand: Command = {
  summary: 'time inference of float/standard/octization interleaved in one process (resumable)',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        seeds: { type: 'string', default: '0-9' },
        repeats: { type: 'string' },
        warmup: { type: 'string' },
        methods: { type: 'string' },
        bits: { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        'limit-test': { type: 'string' },
        profile: { type: 'string', default: 'full' },
        out: { type: 'string', default: 'reports/results' },
        'data-dir': { type: 'string' },
        'no-download': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(`expected one experiment name, got ${positionals.length}\n\n${HELP}`);
    const profile = ownEntry(PROFILES, values.profile as string);
    if (profile === undefined) throw new UsageError(`unknown --profile '${String(values.profile)}' (valid: ${Object.keys(PROFILES).join(', ')})`);
    let seeds: number[];
    let base: Omit<TimingArgsInput, 'seed'>;
    try {
      const experiment = getExperiment(positionals[0]).name;
      seeds = parseSeeds(values.seeds as string);
      base = {
        experiment,
        methods: listOption(values.methods, 'methods'),
        bits: intOption('bits', values.bits),
        epochs: intOption('epochs', values.epochs),
        evalBatchSize: intOption('batch-size', values['batch-size']),
        limitTest: intOption('limit-test', values['limit-test']) ?? profile.limitTest ?? null,
        warmup: countOption('warmup', values.warmup),
        repeats: intOption('repeats', values.repeats),
      };
      for (const seed of seeds) makeTimingArgs({ ...base, seed });
    } catch (err) {
      throw err instanceof UsageError ? err : new UsageError((err as Error).message);
    }
    const resultsDir = outOption(values.out);
    const file = timingResultsFile(resultsDir, base.experiment);
    if (values['dry-run']) {
      const a = makeTimingArgs({ ...base, seed: seeds[0] });
      console.log(`${a.experiment}: seeds ${seeds.join(',')}; arms ${a.methods.join(', ')}; ${a.warmup} warm-up + ${a.repeats} timed pass(es) per arm; batch ${a.evalBatchSize}; test limit ${a.limitTest ?? 'none'} -> ${file}`);
      return 0;
    }
    const quiet = values.quiet || process.env.CI === 'true' || !process.stderr.isTTY;
    const bar = quiet
      ? null
      : new cliProgress.SingleBar({ format: 'passes {bar} {value}/{total} | seed {seed} | ETA {eta_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic);
    let barSeed: number | null = null;
    try {
      const summary = await runInferenceTimings({
        base,
        seeds,
        resultsDir,
        dataDir: resolveDataDir(values['data-dir']),
        download: !values['no-download'],
        log: (line) => {
          if (bar !== null && barSeed !== null) {
            bar.stop();
            barSeed = null;
          }
          console.log(line);
        },
        onPass: (seed, done, total) => {
          if (bar === null) return;
          if (barSeed !== seed) {
            bar.start(total, 0, { seed });
            barSeed = seed;
          }
          bar.update(done, { seed });
        },
      });
      console.log(`${summary.completed.length} seed(s) timed, ${summary.skipped.length} already in ${summary.file}` + (summary.problems > 0 ? `; ${summary.problems} damaged line(s) ignored` : ''));
      return 0;
    } finally {
      bar?.stop();
    }
  },
};
