/**
 * The methodology review of the seed study as data: each finding states what the
 * seed does or prints, what octolab measures or computes, and what follows. Every
 * number in a finding is computed here (from the reproduced functions, the models,
 * the stored runs or a live timing), none is typed in.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunRecord } from '../results/schema';
import { buildModel, countParams, initialWeightValues } from '../models/models';
import type { ModelName } from '../models/models';
import { PRESETS, storageSize } from '../quantizers';
import { methodColour } from '../reports/charts';
import { SEED_FIGURES } from '../reports/claims';
import { formatBytes, formatNumber, formatPercent, formatSeconds } from '../reports/format';
import { median } from '../statistics';
import { octizationEquivalence, seededWeights } from './quant-error';
import { checkSeedExample } from './seed-example';
import type { PlotlyFigure, PlotlyTrace } from './plotly';

/** One point of the review. */
export interface Finding {
  /** Short name of the issue. */
  topic: string;
  /** What the seed does or prints. */
  seed: string;
  /** What octolab computes or measures, with the numbers. */
  measured: string;
  /** What follows for the seed's conclusions. */
  consequence: string;
}

/** A live timing of forward passes, for when no stored runs exist. */
export interface ForwardPassTiming {
  /** Model timed. */
  model: ModelName;
  /** Examples per pass. */
  examples: number;
  /** Median seconds of one pass. */
  medianSeconds: number;
  /** Passes timed (after one warm-up pass). */
  repeats: number;
  /** tfjs backend. */
  backend: string;
}

const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

/** "Model size": the parameter counts the seed prints against the models octolab builds. */
export function parameterCountFinding(): Finding {
  const count = (name: ModelName): number => {
    const m = buildModel({ name });
    try {
      return countParams(m);
    } finally {
      m.dispose();
    }
  };
  const mnist = count('mnist-mlp');
  const cifar = count('cifar10-cnn');
  const plain = 784 * 128 + 128 + 128 * 10 + 10;
  // A 784 → h → 10 MLP has 784h + h + 10h + 10 = 795h + 10 parameters.
  const hidden = (SEED_FIGURES.mnist.params - 10) / 795;
  const seedMnist = SEED_FIGURES.mnist.params;
  const seedCifar = SEED_FIGURES.cifar10.params;
  return {
    topic: 'Parameter counts',
    seed: `MNIST MLP: ${formatNumber(seedMnist)}; CIFAR-10 CNN: ${formatNumber(seedCifar)}.`,
    measured:
      `The 784→128→10 MLP has ${formatNumber(mnist)} parameters (784·128 + 128 + 128·10 + 10 = ${formatNumber(plain)}), ` +
      `${formatNumber(Math.abs(seedMnist - mnist))} ${seedMnist > mnist ? 'fewer than' : seedMnist < mnist ? 'more than' : 'the same as'} printed; ` +
      `the CIFAR-10 CNN has ${formatNumber(cifar)}, ${cifar === seedCifar ? 'as printed' : `printed ${formatNumber(seedCifar)}`}.`,
    consequence:
      seedMnist === mnist
        ? 'The printed MNIST count matches.'
        : Number.isInteger(hidden)
          ? `The printed MNIST count fits a hidden width of ${hidden}, not the 128 of the model described.`
          : `No 784 → h → 10 MLP has the printed count (795h + 10 = ${formatNumber(seedMnist)} gives h = ${hidden.toFixed(3)}): most likely a typo for the count of the model described. It changes no conclusion.`,
  };
}

/** The printed example that does not follow from the printed code. */
export function misprintFinding(): Finding {
  const rows = checkSeedExample();
  const bad = rows.filter((r) => !r.agrees);
  return {
    topic: 'Printed example',
    seed: `${rows.length} printed outputs for 0.75 and five weights.`,
    measured:
      bad.length === 0
        ? 'Every printed output is reproduced.'
        : `${rows.length - bad.length} of ${rows.length} are reproduced; ` +
          bad.map((r) => `${r.call} is printed as ${r.printed} but the code gives ${r.computed} (the product is ${r.product.toFixed(6)})`).join('; ') +
          '.',
    consequence:
      bad.length === 0 ? 'No misprint.' : "The study's own octal output for the same weight decodes to the computed value: a misprint, not a property of either method.",
  };
}

/** Octization is truncation written in octal: numbers, not spelling, differ from standard quantization. */
export function equivalenceFinding(n = 20000, seed = 0): Finding {
  const bits = [2, 4, 8, 12, 16];
  const rows = octizationEquivalence(seededWeights(n, seed, { distribution: 'normal', std: 0.05 }), bits);
  const mismatches = sum(rows.map((r) => r.decodeMismatches + r.roundTripMismatches));
  const at8 = rows.find((r) => r.bits === 8);
  return {
    topic: 'What Octization is',
    seed: 'A "self-made approach" with a "unique representation scheme" credited with better gradient flow and feature preservation.',
    measured:
      `Decoding the octal strings of ${formatNumber(n)} seeded weights at ${bits.join(', ')} bits gives the truncated integer codes with ${mismatches} mismatches; ` +
      `at 8 bits ${formatPercent(at8 === undefined ? null : at8.differsFromStandard / at8.count)} of the codes differ from standard quantization, each by ${at8?.maxCodeDistance ?? '–'} step.`,
    consequence:
      'The octal strings carry exactly the numbers of toward-zero rounding; a network cannot see the base they are written in. Any accuracy difference must come from truncation versus rounding to nearest, so explanations based on the octal representation do not apply.',
  };
}

/** Single runs: no seeds, no repeats, no intervals, against the spread measured over seeds. */
export function repeatsFinding(records: readonly RunRecord[]): Finding {
  const seed = 'One run per method and setting; no seed, no repeat, no interval or test.';
  const groups = new Map<string, { accuracy: boolean; values: number[] }>();
  for (const r of records) {
    const c = r.config;
    if (c.method !== 'standard' && c.method !== 'octization') continue;
    const accuracy = r.metrics.testAccuracy !== null;
    const limit = c.data.limitTrain === null ? '' : `, first ${c.data.limitTrain} training examples`;
    const key = `${c.experiment} ${c.method}, ${c.epochs} epochs, ${c.protocol}${c.scheme === null ? '' : ` ${c.scheme.bits}-bit`}${limit}`;
    const g = groups.get(key) ?? { accuracy, values: [] };
    g.values.push(accuracy ? (r.metrics.testAccuracy as number) : r.metrics.testLoss);
    groups.set(key, g);
  }
  const spreads = [...groups.entries()]
    .filter(([, g]) => g.values.length >= 2)
    .map(([k, g]) => ({ k, n: g.values.length, accuracy: g.accuracy, range: Math.max(...g.values) - Math.min(...g.values), mean: g.values.reduce((a, b) => a + b, 0) / g.values.length }));
  if (spreads.length === 0) {
    return {
      topic: 'Seeds and repeats',
      seed,
      measured: 'No stored runs with two or more seeds yet: the spread across seeds cannot be shown here.',
      consequence: 'Without repeats no difference between two single runs can be told apart from seed noise.',
    };
  }
  // Accuracy spreads first (largest first), then loss spreads relative to their mean.
  spreads.sort((a, b) => Number(b.accuracy) - Number(a.accuracy) || (a.accuracy ? b.range - a.range : b.range / Math.abs(b.mean) - a.range / Math.abs(a.mean)));
  const describe = (s: (typeof spreads)[number]): string =>
    s.accuracy
      ? `${s.k}: test accuracy ${(s.range * 100).toFixed(2)} pp apart between the best and worst of ${s.n} seeds`
      : `${s.k}: test loss ${formatNumber(s.range)} apart (${formatPercent(s.range / Math.abs(s.mean))} of its mean) between the best and worst of ${s.n} seeds`;
  return {
    topic: 'Seeds and repeats',
    seed,
    measured: `Same method, same setting, only the seed changed: ${spreads.slice(0, 3).map(describe).join('; ')}.`,
    consequence: 'A single run per method lands anywhere in such a range; a difference between two single runs of that size says nothing about the methods.',
  };
}

/**
 * Times `repeats` forward passes of a freshly built model over `examples` zero
 * inputs (after one warm-up pass) on the current tfjs backend.
 */
export async function timeForwardPass(model: ModelName, examples = 10000, repeats = 3, batchSize = 1000): Promise<ForwardPassTiming> {
  if (!Number.isInteger(examples) || examples < 1) throw new Error(`timeForwardPass: examples must be a positive integer, got ${examples}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`timeForwardPass: repeats must be a positive integer, got ${repeats}`);
  const m = buildModel({ name: model });
  try {
    const shape = (m.inputs[0].shape.slice(1) as number[]);
    const x = tf.zeros([examples, ...shape]);
    try {
      const pass = async (): Promise<number> => {
        const t0 = performance.now();
        const y = m.predict(x, { batchSize }) as tf.Tensor;
        await y.data();
        y.dispose();
        return (performance.now() - t0) / 1000;
      };
      await pass();
      const times: number[] = [];
      for (let r = 0; r < repeats; r++) times.push(await pass());
      return { model, examples, medianSeconds: median(times), repeats, backend: tf.getBackend() };
    } finally {
      x.dispose();
    }
  } finally {
    m.dispose();
  }
}

/**
 * "Inference time": the seed's timings grow with the number of training epochs, so
 * they include training. Compared with inference passes measured in stored runs or,
 * when none exist, with `live` timings.
 */
export function timingFinding(records: readonly RunRecord[], live: readonly ForwardPassTiming[] = []): Finding {
  const c = SEED_FIGURES.cifar10;
  const rs = c.e20.standard.inferenceSeconds / c.e5.standard.inferenceSeconds;
  const ro = c.e20.octization.inferenceSeconds / c.e5.octization.inferenceSeconds;
  const seed = `CIFAR-10 "inference time" ${c.e5.standard.inferenceSeconds} s / ${c.e5.octization.inferenceSeconds} s after 5 epochs and ${c.e20.standard.inferenceSeconds} s / ${c.e20.octization.inferenceSeconds} s after 20 (standard / Octization); MNIST ${SEED_FIGURES.mnist.standard.inferenceSeconds} s after ${SEED_FIGURES.mnist.epochs} epochs.`;
  const measuredParts: string[] = [`From 5 to 20 epochs the printed times grow by factors ${rs.toFixed(3)} and ${ro.toFixed(3)}, for ${(20 / 5).toFixed(0)} times the epochs.`];
  const byExperiment = new Map<string, { seconds: number[]; backends: Set<string>; nTest: number }>();
  for (const r of records) {
    const e = byExperiment.get(r.config.experiment) ?? { seconds: [], backends: new Set<string>(), nTest: r.data.limitTest ?? r.data.nTestAvailable };
    e.seconds.push(r.timing.inference.medianSeconds);
    e.backends.add(r.environment.engine.backend);
    byExperiment.set(r.config.experiment, e);
  }
  if (byExperiment.size > 0) {
    for (const [exp, e] of byExperiment) {
      measuredParts.push(`Stored ${exp} runs: one inference pass over ${formatNumber(e.nTest)} test examples takes ${formatSeconds(median(e.seconds))} (median of ${e.seconds.length} runs, ${[...e.backends].join('/')}).`);
    }
  } else if (live.length > 0) {
    for (const t of live) {
      measuredParts.push(`No stored runs; timed here: one forward pass of the ${t.model} over ${formatNumber(t.examples)} inputs takes ${formatSeconds(t.medianSeconds)} (median of ${t.repeats}, ${t.backend}).`);
    }
  } else {
    measuredParts.push('No stored runs and no live timing: the actual inference time is not shown.');
  }
  return {
    topic: 'Inference time',
    seed,
    measured: measuredParts.join(' '),
    consequence:
      `Times proportional to the number of epochs measure training, not inference. The claimed overhead (${formatPercent(c.e20.octization.inferenceSeconds / c.e20.standard.inferenceSeconds - 1)}) ` +
      'rests on one pair of such timings with no estimate of their run-to-run variation. Inference must be timed separately, repeatedly, on the final model.',
  };
}

/** "Model size" as parameter count, against the bytes each encoding of the same weights takes. */
export function modelSizeFinding(seed = 0): Finding {
  const m = buildModel({ name: 'mnist-mlp' });
  let values: Float32Array;
  try {
    const parts = initialWeightValues(m, seed);
    values = new Float32Array(sum(parts.map((p) => p.length)));
    let off = 0;
    for (const p of parts) {
      values.set(p, off);
      off += p.length;
    }
  } finally {
    m.dispose();
  }
  const std = storageSize(values, PRESETS.standard);
  const oct = storageSize(values, PRESETS.octization);
  return {
    topic: '"Model size"',
    seed: `"Model size" is the parameter count, the same for both methods (${formatNumber(SEED_FIGURES.mnist.params)} and ${formatNumber(SEED_FIGURES.cifar10.params)}).`,
    measured:
      `The ${formatNumber(values.length)} initial weights of the MNIST MLP (seed ${seed}) at 8 bits: float32 ${formatBytes(std.float32Bytes)}; ` +
      `standard as ${std.intArray} ${formatBytes(std.intArrayBytes)}, bit-packed ${formatBytes(std.packedBytes)}; ` +
      `Octization as octal strings ${formatBytes(oct.octalTextBytes)} (${(oct.octalTextBytes / values.length).toFixed(2)} bytes per weight), as integers ${formatBytes(oct.intArrayBytes)}.`,
    consequence:
      'The parameter count cannot differ between two quantizers of the same network, so it measures nothing about them; ' +
      `stored as the study writes it (octal strings), Octization takes ${(oct.octalTextBytes / std.float32Bytes).toFixed(2)} times the bytes of the float32 weights it quantizes ` +
      `and ${(oct.octalTextBytes / std.intArrayBytes).toFixed(2)} times those of standard quantization's integer codes.`,
  };
}

/**
 * The seed's CIFAR-10 "inference times" against the number of training epochs, one
 * line per method from the origin, beside the dashed line of exact proportionality
 * through the 5-epoch value: coinciding lines mean the timing grows with training.
 */
export function seedTimingFigure(): PlotlyFigure {
  const c = SEED_FIGURES.cifar10;
  const data: PlotlyTrace[] = [];
  for (const method of ['standard', 'octization'] as const) {
    const t5 = c.e5[method].inferenceSeconds;
    const t20 = c.e20[method].inferenceSeconds;
    const color = methodColour(method);
    data.push({ type: 'scatter', mode: 'markers+lines', name: `${method} (printed)`, x: [5, 20], y: [t5, t20], marker: { size: 9, color }, line: { color } });
    data.push({ type: 'scatter', mode: 'lines', name: `${method}: proportional to epochs`, x: [0, 20], y: [0, (t5 / 5) * 20], line: { dash: 'dot', width: 1, color } });
  }
  return {
    title: 'The study\'s CIFAR-10 "inference time" against training epochs',
    data,
    layout: {
      xaxis: { title: { text: 'training epochs' }, range: [0, 21] },
      yaxis: { title: { text: 'printed "inference time" (s)' }, rangemode: 'tozero' },
      height: 380,
      margin: { t: 20 },
    },
  };
}
