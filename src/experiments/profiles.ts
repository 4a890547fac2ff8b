/**
 * Named sizes of runs and of the study plan: `full` is the study as planned; `smoke`
 * exercises every code path in seconds (small data, one epoch, one seed per grid).
 */
import type { StudyStep } from './study';

/** Overrides a profile applies to every run. */
export interface RunProfile {
  /** Use only the first N training examples. */
  limitTrain?: number;
  /** Use only the first N test examples. */
  limitTest?: number;
  /** Epochs of every run. */
  epochs?: number;
  /** Timed inference passes. */
  inferenceRepeats?: number;
  /** Keep only the first N seeds of each study grid (runs of `octolab run` keep theirs). */
  studySeeds?: number;
}

/** The profiles `octolab run` and `octolab study` accept with `--profile`. */
export const PROFILES: Readonly<Record<'full' | 'smoke', RunProfile>> = {
  full: {},
  smoke: { limitTrain: 256, limitTest: 128, epochs: 1, inferenceRepeats: 1, studySeeds: 1 },
};

/** Looks up a profile by name; throws listing the valid names. */
export function getProfile(name: string): RunProfile {
  const p = (PROFILES as Record<string, RunProfile | undefined>)[name];
  if (p === undefined) throw new Error(`unknown profile '${name}' (valid: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}

/**
 * The steps with a profile applied to every grid: its data limits, epochs and inference
 * repeats replace the grid's, and only its first `studySeeds` seeds are kept. Runs that
 * become identical (e.g. the 5- and 20-epoch CIFAR-10 runs at one epoch) share one key.
 */
export function profiledSteps(steps: readonly StudyStep[], profile: RunProfile): StudyStep[] {
  const { studySeeds, ...overrides } = profile;
  if (studySeeds === undefined && Object.keys(overrides).length === 0) return [...steps];
  return steps.map((step) => ({
    ...step,
    grids: step.grids.map((g) => ({ ...g, ...overrides, seeds: studySeeds === undefined ? g.seeds : g.seeds.slice(0, studySeeds) })),
  }));
}
