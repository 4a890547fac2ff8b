/**
 * Shared test inputs for the reports tests: hand-made run rows and the
 * committed results fixture.
 */
import * as path from 'node:path';
import { deriveSeed, Rng } from '../../src/random/rng';
import type { RunRow } from '../../src/reports/tables';

/** The committed results fixture (runs of the real runner, smoke profile). */
export const FIXTURE_RESULTS = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'results');

/** The setting string of every {@link row}. */
export const SETTING = 'train all; test all; split standard; batch 64; adam lr 0.001; eval batch 1000; 5 timed inference passes';

/** A run row with plausible defaults; `over` replaces fields. */
export function row(over: Partial<RunRow> & Pick<RunRow, 'experiment' | 'method' | 'seed'>): RunRow {
  const quantized = over.method !== 'float';
  return {
    key: `${over.experiment}-${over.method}-${over.epochs ?? 5}-${over.seed}-${over.protocol ?? 'projected-step'}`,
    setting: SETTING,
    protocol: quantized ? 'projected-step' : 'float',
    bits: quantized ? 8 : null,
    rounding: quantized ? 'half-even' : null,
    encoding: quantized ? 'int' : null,
    epochs: 5,
    limitTrain: null,
    limitTest: null,
    params: 282250,
    steps: 100,
    testAccuracy: 0.5,
    testLoss: 1.5,
    trainLossFirst: 2.2,
    trainLossLast: 1.6,
    trainLossMean: 1.8,
    trainSeconds: 10,
    evalSeconds: 1,
    trainSamplesPerSecond: 1000,
    inferenceSeconds: 2,
    inferenceSamplesPerSecond: 5000,
    inferenceRepeats: 5,
    totalSeconds: 12,
    backend: 'wasm',
    commit: 'abc',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:12.000Z',
    storage: {},
    scheme: quantized ? { bits: 8, scale: 'unit', granularity: 'per-tensor', rounding: 'half-even', encoding: 'int' } : null,
    ...over,
  };
}

/** Options of {@link pairedRows}. */
export interface PairedRowsArgs {
  /** Experiment. */
  experiment: string;
  /** Epochs. */
  epochs: number;
  /** Seeds. */
  seeds: number[];
  /** Metric field to set. */
  metric: keyof RunRow;
  /** Value of method B (standard) for a seed. */
  base: (seed: number) => number;
  /** Per-seed difference A − B (octization − standard). */
  diff: (seed: number) => number;
  /** Methods A and B (default octization, standard). */
  methods?: [string, string];
  /** Seeds of A if different from `seeds`. */
  seedsA?: number[];
}

/** Octization and standard rows whose `metric` differs per seed by `diff(seed)`. */
export function pairedRows(args: PairedRowsArgs): RunRow[] {
  const [a, b] = args.methods ?? ['octization', 'standard'];
  const out: RunRow[] = [];
  for (const seed of args.seedsA ?? args.seeds) {
    out.push(row({ experiment: args.experiment, method: a, seed, epochs: args.epochs, [args.metric]: args.base(seed) + args.diff(seed) }));
  }
  for (const seed of args.seeds) out.push(row({ experiment: args.experiment, method: b, seed, epochs: args.epochs, [args.metric]: args.base(seed) }));
  return out;
}

/** Seeded normal noise: `noise(seed, sd)` gives the same value for the same arguments. */
export function noise(seed: number, sd: number, stream = 'noise'): number {
  return new Rng(deriveSeed(seed, stream)).normal() * sd;
}

/** Seeds 0..n−1. */
export function seedsUpTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
