/**
 * The study plan: every experiment of the seed study, repeated across paired seeds,
 * plus the ablations, the protocol sensitivity and the bit sweep, as plain typed grids.
 * `octolab study` runs it (resumably) and the reports say how much of it is stored.
 */
import { runKey } from './config';
import type { RunConfig } from './config';
import { expandGrid } from './grid';
import type { GridArgs } from './grid';
import { isDiverged } from '../results/schema';
import type { RunRecord, StoredRecord } from '../results/schema';

/** One named step of the study: one or more grids, each on one experiment. */
export interface StudyStep {
  /** Step name, as given to `octolab study --steps`. */
  name: string;
  /** What the step answers, in one sentence. */
  purpose: string;
  /** The grids it runs, in order. */
  grids: readonly GridArgs[];
}

const seeds = (first: number, last: number): number[] => Array.from({ length: last - first + 1 }, (_, i) => first + i);
const QUANTIZED = ['standard', 'octization'];
const ABLATIONS = ['toward-zero-int', 'half-even-octal', 'stochastic', 'absmax'];
const LOW_BITS = [2, 3, 4, 6];

/**
 * The whole study, cheapest step first, so that an interrupted study leaves complete,
 * useful sets. Runs are keyed by their whole config, so steps that overlap share runs.
 */
export const STUDY_PLAN: readonly StudyStep[] = [
  {
    name: 'regression',
    purpose: 'regression toy: every method with 20 seeds, the protocols, and a bit sweep',
    grids: [
      { experiment: 'regression', seeds: seeds(0, 19), methods: ['float', ...QUANTIZED, ...ABLATIONS] },
      { experiment: 'regression', seeds: seeds(0, 19), methods: QUANTIZED, protocols: ['projected-epoch', 'ptq', 'qat'] },
      { experiment: 'regression', seeds: seeds(0, 9), methods: QUANTIZED, bits: LOW_BITS },
    ],
  },
  {
    name: 'mnist',
    purpose: 'MNIST, 20 epochs: float, standard and octization with 10 seeds',
    grids: [{ experiment: 'mnist', seeds: seeds(0, 9), methods: ['float', ...QUANTIZED] }],
  },
  {
    name: 'mnist-protocols',
    purpose: 'MNIST, 5 epochs: which training protocol reproduces the seed study',
    grids: [{ experiment: 'mnist', seeds: seeds(0, 4), epochs: 5, methods: QUANTIZED, protocols: ['projected-step', 'projected-epoch', 'ptq', 'qat'] }],
  },
  {
    name: 'mnist-ablations',
    purpose: 'MNIST, 20 epochs: encoding, rounding mode and scale calibration separated',
    grids: [{ experiment: 'mnist', seeds: seeds(0, 9), methods: ABLATIONS }],
  },
  {
    name: 'mnist-bits',
    purpose: 'MNIST, 20 epochs: standard vs octization at 2, 3, 4 and 6 bits',
    grids: [{ experiment: 'mnist', seeds: seeds(0, 4), methods: QUANTIZED, bits: LOW_BITS }],
  },
  {
    name: 'cifar10-5',
    purpose: 'CIFAR-10, 5 epochs: float, standard and octization with 10 seeds',
    grids: [{ experiment: 'cifar10', seeds: seeds(0, 9), epochs: 5, methods: ['float', ...QUANTIZED] }],
  },
  {
    name: 'cifar10-protocols',
    purpose: 'CIFAR-10, 5 epochs: the other training protocols',
    grids: [{ experiment: 'cifar10', seeds: seeds(0, 4), epochs: 5, methods: QUANTIZED, protocols: ['projected-epoch', 'ptq', 'qat'] }],
  },
  {
    name: 'cifar10-20',
    purpose: 'CIFAR-10, 20 epochs: standard and octization with 10 seeds',
    grids: [{ experiment: 'cifar10', seeds: seeds(0, 9), epochs: 20, methods: QUANTIZED }],
  },
];

/** Adam learning rates of the sensitivity sweeps: 1e-3 is the study's; the grid step at 8 bits is 1/255 ≈ 3.9e-3. */
export const ADAM_LR_GRID: readonly number[] = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2];
/** SGD (momentum 0.9) learning rates: its update is about lr·|g|/(1 − 0.9), so its grid sits higher than Adam's. */
export const SGD_LR_GRID: readonly number[] = [1e-3, 1e-2, 3e-2, 1e-1, 3e-1];
/** Momentum of the SGD sweeps. */
export const SGD_MOMENTUM = 0.9;
const SWEEP_METHODS = ['float', ...QUANTIZED, 'stochastic'];

/**
 * The mechanism and sensitivity sweeps: where the ranking of the methods flips with the
 * learning rate, the optimizer, the bit width and the initialisation. Every run records the
 * per-epoch update statistics (projected-step) and gradient norms. Meant for the fastest
 * engine (torch); like the study, runs are keyed by their whole config (engine included).
 */
export const SWEEP_PLAN: readonly StudyStep[] = [
  {
    name: 'mnist-lr',
    purpose: 'MNIST, 5 epochs: the learning rate under Adam and under SGD with momentum 0.9, 5 seeds',
    grids: [
      ...ADAM_LR_GRID.map((learningRate) => ({ experiment: 'mnist', seeds: seeds(0, 4), epochs: 5, learningRate, methods: SWEEP_METHODS })),
      ...SGD_LR_GRID.map((learningRate) => ({
        experiment: 'mnist',
        seeds: seeds(0, 4),
        epochs: 5,
        optimizer: 'sgd' as const,
        momentum: SGD_MOMENTUM,
        learningRate,
        methods: SWEEP_METHODS,
      })),
    ],
  },
  {
    name: 'mnist-bits-lr',
    purpose: 'MNIST, 5 epochs: bit width 4, 6, 8, 10 against the Adam learning rate, 5 seeds',
    grids: ADAM_LR_GRID.map((learningRate) => ({ experiment: 'mnist', seeds: seeds(0, 4), epochs: 5, learningRate, methods: QUANTIZED, bits: [4, 6, 8, 10] })),
  },
  {
    name: 'mnist-init',
    purpose: "MNIST, 20 epochs: Keras' Glorot init, PyTorch's default init and Glorot × 0.5, 10 seeds",
    grids: (['glorot-uniform', 'torch-default', 'glorot-half'] as const).map((init) => ({ experiment: 'mnist', seeds: seeds(0, 9), init, methods: ['float', ...QUANTIZED] })),
  },
  {
    name: 'cifar10-lr',
    purpose: 'CIFAR-10, 5 epochs: the Adam learning rate, 5 seeds',
    grids: ADAM_LR_GRID.map((learningRate) => ({ experiment: 'cifar10', seeds: seeds(0, 4), epochs: 5, learningRate, methods: SWEEP_METHODS })),
  },
  {
    name: 'cifar10-20-baselines',
    purpose: 'CIFAR-10, 20 epochs: the float baseline and stochastic rounding, 10 seeds',
    grids: [{ experiment: 'cifar10', seeds: seeds(0, 9), epochs: 20, methods: ['float', 'stochastic'] }],
  },
  {
    name: 'cifar10-lr-repeat',
    purpose: "CIFAR-10, 5 epochs, Adam lr 1e-3: the study's cell again (repeat 1), all four methods together, with the update statistics its first runs predate",
    grids: [{ experiment: 'cifar10', seeds: seeds(0, 4), epochs: 5, learningRate: 1e-3, repeat: 1, methods: SWEEP_METHODS }],
  },
];

/** The plans `octolab study --plan` runs: the study itself and the sweeps. */
export const PLANS: Readonly<Record<'study' | 'sweeps', readonly StudyStep[]>> = { study: STUDY_PLAN, sweeps: SWEEP_PLAN };

/** The named steps of a plan, in the order given; every step when `names` is omitted. */
export function studySteps(names?: readonly string[], plan: readonly StudyStep[] = STUDY_PLAN): StudyStep[] {
  if (names === undefined) return [...plan];
  if (names.length === 0) throw new Error('no study steps named');
  return names.map((name) => {
    const step = plan.find((s) => s.name === name);
    if (step === undefined) throw new Error(`unknown study step '${name}' (valid: ${plan.map((s) => s.name).join(', ')})`);
    return step;
  });
}

/** The runs of a step, deduplicated by key, in the order its grids give them. */
export function stepConfigs(step: StudyStep): RunConfig[] {
  const seen = new Set<string>();
  const out: RunConfig[] = [];
  for (const grid of step.grids) {
    for (const config of expandGrid(grid)) {
      const key = runKey(config);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(config);
      }
    }
  }
  return out;
}

/** How much of one step the results hold. */
export interface StepProgress {
  /** Step name. */
  step: string;
  /** Step purpose. */
  purpose: string;
  /** Experiments the step runs. */
  experiments: string[];
  /** Runs the step plans. */
  planned: number;
  /** Planned runs the results hold. */
  stored: number;
  /** Planned runs the results lack, in run order. */
  missing: RunConfig[];
  /** Whole-run seconds of the stored runs (one core each; records without timing count 0). */
  spentSeconds: number;
  /**
   * Estimated whole-run seconds of the missing runs: each one's epochs times the median
   * seconds per epoch of the stored runs of its experiment; null when its experiment
   * has no stored run to estimate from.
   */
  remainingSeconds: number | null;
}

/** Whole-run seconds of a record, or null when the record carries no usable timing. */
function runSeconds(r: StoredRecord): number | null {
  const t = (r.timing as Partial<RunRecord['timing']> | undefined)?.totalSeconds;
  return typeof t === 'number' && Number.isFinite(t) && t >= 0 ? t : null;
}

/** Median seconds per training epoch of the records of each experiment (whole-run time / epochs). */
export function secondsPerEpoch(records: readonly RunRecord[]): Map<string, number> {
  const byExp = new Map<string, number[]>();
  for (const r of records) {
    const t = runSeconds(r);
    if (t === null || !(r.config.epochs > 0)) continue;
    const list = byExp.get(r.config.experiment) ?? [];
    list.push(t / r.config.epochs);
    byExp.set(r.config.experiment, list);
  }
  const out = new Map<string, number>();
  for (const [exp, xs] of byExp) {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    out.set(exp, s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2);
  }
  return out;
}

/** {@link secondsPerEpoch} of the full-size runs only (reduced-data runs are not typical of the plan). */
export function fullDataSecondsPerEpoch(records: readonly StoredRecord[]): Map<string, number> {
  return secondsPerEpoch(
    records.filter((r): r is RunRecord => !isDiverged(r) && r.config.data.limitTrain === null && r.config.data.limitTest === null),
  );
}

/**
 * Estimated whole-run seconds of `configs`: each one's epochs still to train (all of them,
 * less those `epochsDone` holds for its run key) times the seconds per epoch of its
 * experiment; null when an experiment has no figure in `perEpoch`.
 */
export function estimateSeconds(
  configs: readonly RunConfig[],
  perEpoch: ReadonlyMap<string, number>,
  epochsDone: ReadonlyMap<string, number> = new Map(),
): number | null {
  let total = 0;
  for (const c of configs) {
    const s = perEpoch.get(c.experiment);
    if (s === undefined) return null;
    total += s * Math.max(0, c.epochs - (epochsDone.get(runKey(c)) ?? 0));
  }
  return total;
}

/**
 * Progress of each step against stored records: planned, stored and missing runs, the
 * compute the stored ones took and an estimate of what the missing ones will take.
 * Diverged runs count as stored (their outcome is final). Only records of full-size runs
 * that trained to the end inform the estimate (reduced-data runs are not typical);
 * `epochsDone` (run key → epochs in its checkpoint) takes part-way runs into account.
 */
export function studyProgress(
  steps: readonly StudyStep[],
  records: readonly StoredRecord[],
  epochsDone: ReadonlyMap<string, number> = new Map(),
): StepProgress[] {
  const byKey = new Map(records.map((r) => [r.key, r]));
  const perEpoch = fullDataSecondsPerEpoch(records);
  return steps.map((step) => {
    const configs = stepConfigs(step);
    let spentSeconds = 0;
    const missing: RunConfig[] = [];
    for (const c of configs) {
      const r = byKey.get(runKey(c));
      if (r === undefined) missing.push(c);
      else spentSeconds += runSeconds(r) ?? 0;
    }
    const remainingSeconds = estimateSeconds(missing, perEpoch, epochsDone);
    return {
      step: step.name,
      purpose: step.purpose,
      experiments: [...new Set(configs.map((c) => c.experiment))],
      planned: configs.length,
      stored: configs.length - missing.length,
      missing,
      spentSeconds,
      remainingSeconds,
    };
  });
}

/**
 * Short text naming the missing runs of a step by arm, e.g.
 * `octization projected-step 8b e5: seeds 3-9; standard …`.
 */
export function describeMissing(missing: readonly RunConfig[]): string {
  const arms = new Map<string, number[]>();
  for (const c of missing) {
    const base = c.method === 'float' ? `float e${c.epochs}` : `${c.method} ${c.protocol} ${c.scheme?.bits ?? '?'}b e${c.epochs}`;
    const o = c.optimizer;
    const opt = o.name === 'adam' && o.learningRate === 1e-3 ? '' : ` ${o.name}${o.momentum !== undefined ? ` m=${o.momentum}` : ''} lr=${o.learningRate}`;
    const arm = `${base}${opt}${c.init !== undefined ? ` init=${c.init}` : ''}${c.repeat !== undefined ? ` repeat ${c.repeat}` : ''}`;
    const list = arms.get(arm) ?? [];
    list.push(c.seed);
    arms.set(arm, list);
  }
  return [...arms.entries()].map(([arm, s]) => `${arm}: seeds ${seedRanges(s)}`).join('; ');
}

/** Compact seed list: `0-4,7,9`. */
export function seedRanges(seedList: readonly number[]): string {
  const s = [...new Set(seedList)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(j === i ? String(s[i]) : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
