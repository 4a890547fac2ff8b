import assert from 'assert/strict';
import {
  BENCH_BACKENDS,
  BENCH_MODELS,
  datedReportName,
  formatRate,
  formatRatio,
  formatTable,
  loadStatus,
  median,
  parseBenchArgs,
  predictPlan,
  ratio,
  samplesPerSecond,
  samplesPerSecondFromStamps,
  scalingEfficiency,
  slowdown,
  summarize,
  summarizeKernels,
  trainingPlan,
} from '../../src/bench/stats';
import { Rng } from '../../src/random/rng';

describe('bench: command line', () => {
  it('has short-mode defaults with one worker per core', () => {
    const a = parseBenchArgs([], 2);
    assert.equal(a.full, false);
    assert.equal(a.workers, 2);
    assert.equal(a.torch, true);
    assert.equal(a.python, '/usr/bin/python3');
    assert.equal(a.outDir, 'reports/bench');
    assert.deepEqual(a.backends, [...BENCH_BACKENDS]);
    assert.ok(a.backends.includes('webgpu'));
    assert.equal(a.backendsGiven, false);
    assert.deepEqual(a.models, [...BENCH_MODELS]);
    assert.equal(a.reps, undefined);
    assert.equal(a.dataDir, undefined);
    assert.equal(a.seed, 1);
  });

  it('parses every flag', () => {
    const a = parseBenchArgs(
      ['--full', '--data-dir', '/d', '--workers', '0', '--no-torch', '--python', 'py', '--out', 'o', '--backends', 'cpu,wasm,cpu', '--models', 'cifar10-cnn', '--reps', '7', '--seed', '9'],
      4,
    );
    assert.equal(a.full, true);
    assert.equal(a.dataDir, '/d');
    assert.equal(a.workers, 0);
    assert.equal(a.torch, false);
    assert.equal(a.python, 'py');
    assert.equal(a.outDir, 'o');
    assert.deepEqual(a.backends, ['cpu', 'wasm']);
    assert.equal(a.backendsGiven, true);
    assert.deepEqual(a.models, ['cifar10-cnn']);
    assert.equal(a.reps, 7);
    assert.equal(a.seed, 9);
  });

  it('rejects bad input, naming the flag and value', () => {
    assert.throws(() => parseBenchArgs(['--fast'], 2), /unknown argument '--fast'/);
    assert.throws(() => parseBenchArgs(['--workers', '-1'], 2), /--workers needs an integer >= 0, got '-1'/);
    assert.throws(() => parseBenchArgs(['--workers', '1.5'], 2), /--workers/);
    assert.throws(() => parseBenchArgs(['--reps', '0'], 2), /--reps needs an integer >= 1, got '0'/);
    assert.throws(() => parseBenchArgs(['--reps'], 2), /--reps needs an integer >= 1, got nothing/);
    assert.throws(() => parseBenchArgs(['--backends', 'wasm,gpu'], 2), /--backends: unknown value 'gpu'/);
    assert.throws(() => parseBenchArgs(['--models', ''], 2), /--models needs a comma-separated list/);
    assert.throws(() => parseBenchArgs(['--data-dir'], 2), /--data-dir needs a value/);
    assert.throws(() => parseBenchArgs(['--data-dir', '--full'], 2), /--data-dir needs a value/);
    assert.throws(() => parseBenchArgs(['--synthetic', '--data-dir', 'x'], 2), /exclude each other/);
    assert.throws(() => parseBenchArgs([], 0), /cores must be an integer >= 1/);
  });
});

describe('bench: plans', () => {
  it('skips the CNN on the cpu backend and keeps the MLP short there', () => {
    assert.equal(trainingPlan('cifar10-cnn', 'cpu', false), null);
    assert.equal(trainingPlan('cifar10-cnn', 'cpu', true), null);
    const cpu = trainingPlan('mnist-mlp', 'cpu', false);
    const wasm = trainingPlan('mnist-mlp', 'wasm', false);
    assert.ok(cpu !== null && wasm !== null);
    assert.ok(cpu.steps < wasm.steps);
  });

  it('uses hundreds of MLP steps, more and more repetitions with --full', () => {
    const short = trainingPlan('mnist-mlp', 'wasm', false);
    const full = trainingPlan('mnist-mlp', 'wasm', true);
    assert.deepEqual(short, { warmupSteps: 20, steps: 200, reps: 3 });
    assert.ok(full !== null && full.steps > 200 && full.reps > 3);
    // One repetition must fit in one epoch of the real training sets (60,000 / 50,000 examples).
    assert.ok(full.steps * 64 <= 60000);
    const cnn = trainingPlan('cifar10-cnn', 'wasm', true);
    assert.ok(cnn !== null && cnn.steps * 64 <= 50000);
  });

  it('applies a repetition override and rejects a bad one', () => {
    assert.equal(trainingPlan('cifar10-cnn', 'wasm', false, 9)?.reps, 9);
    assert.equal(predictPlan('mnist-mlp', false, 4).repeats, 4);
    assert.throws(() => trainingPlan('mnist-mlp', 'wasm', false, 0), /reps must be an integer >= 1, got 0/);
    assert.throws(() => trainingPlan('resnet' as never, 'wasm', false), /unknown benchmark model 'resnet'/);
  });

  it('predicts at most the 10,000 test examples', () => {
    for (const m of BENCH_MODELS) for (const full of [false, true]) assert.ok(predictPlan(m, full).samples <= 10000);
  });
});

describe('bench: statistics', () => {
  it('median of odd and even lists, unsorted', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([5]), 5);
    assert.throws(() => median([]), /empty/);
    assert.throws(() => median([1, Number.NaN]), /non-finite value NaN/);
  });

  it('median lies between min and max and ignores order (seeded)', () => {
    const rng = new Rng(42);
    for (let t = 0; t < 200; t++) {
      const n = 1 + rng.int(9);
      const xs = Array.from({ length: n }, () => rng.normal() * 100);
      const m = median(xs);
      assert.ok(m >= Math.min(...xs) && m <= Math.max(...xs));
      assert.equal(median(rng.shuffle(xs.slice())), m);
      const below = xs.filter((x) => x < m).length;
      const above = xs.filter((x) => x > m).length;
      assert.ok(below <= n / 2 && above <= n / 2);
    }
  });

  it('summarize keeps every value', () => {
    assert.deepEqual(summarize([10, 30, 20]), { median: 20, min: 10, max: 30, values: [10, 30, 20] });
  });

  it('throughput leaves the first step out', () => {
    // Steps end at 0, 1000 and 2000 ms: 2 timed steps of 64 samples in 2 s.
    assert.equal(samplesPerSecondFromStamps([0, 1000, 2000], 64), 64);
    assert.equal(samplesPerSecondFromStamps([500, 750], 10), 40);
    assert.throws(() => samplesPerSecondFromStamps([5], 64), /at least 2 step timestamps, got 1/);
    assert.throws(() => samplesPerSecondFromStamps([5, 4], 64), /decrease at index 1/);
    assert.throws(() => samplesPerSecondFromStamps([5, 5], 64), /span 0 ms/);
    assert.throws(() => samplesPerSecondFromStamps([0, 1], 0), /batch must be an integer >= 1/);
  });

  it('rate from a sample count and a time span', () => {
    assert.equal(samplesPerSecond(128, 500), 256);
    assert.equal(samplesPerSecond(0, 10), 0);
    assert.throws(() => samplesPerSecond(10, 0), /time span must be positive, got 0 ms/);
    assert.throws(() => samplesPerSecond(-1, 10), /samples must be an integer >= 0, got -1/);
  });

  it('ratio, slowdown and efficiency', () => {
    assert.equal(ratio(3, 2), 1.5);
    assert.equal(ratio(null, 2), null);
    assert.equal(ratio(3, 0), null);
    assert.equal(ratio(3, undefined), null);
    assert.equal(slowdown(100, 80), 1.25);
    assert.throws(() => slowdown(100, 0), /positive rates/);
    assert.equal(scalingEfficiency(180, 2, 100), 0.9);
    assert.equal(scalingEfficiency(100, 1, 100), 1);
    assert.throws(() => scalingEfficiency(1, 0, 1), /workers must be an integer >= 1/);
    assert.throws(() => scalingEfficiency(1, 2, 0), /single-process rate must be positive/);
  });
});

describe('bench: kernels', () => {
  it('sums calls by name, sorts by cost and computes shares', () => {
    const s = summarizeKernels(
      [
        { name: 'MatMul', kernelTimeMs: 2 },
        { name: 'Add', kernelTimeMs: 1 },
        { name: 'MatMul', kernelTimeMs: 4 },
        { name: 'Relu', kernelTimeMs: 1 },
        { name: 'Exp', kernelTimeMs: { error: 'not timed' } },
      ],
      3,
    );
    assert.equal(s.totalMs, 8);
    assert.equal(s.calls, 5);
    assert.equal(s.distinct, 4);
    assert.equal(s.untimed, 1);
    assert.deepEqual(s.top, [
      { kernelName: 'MatMul', totalMs: 6, calls: 2, share: 0.75 },
      { kernelName: 'Add', totalMs: 1, calls: 1, share: 0.125 },
      { kernelName: 'Relu', totalMs: 1, calls: 1, share: 0.125 },
    ]);
    assert.throws(() => summarizeKernels([], 0), /top must be an integer >= 1/);
    assert.deepEqual(summarizeKernels([], 5), { top: [], totalMs: 0, calls: 0, distinct: 0, untimed: 0 });
  });
});

describe('bench: load and formatting', () => {
  it('warns only when the 1-minute load exceeds the cores', () => {
    const hot = loadStatus([2.5, 1, 1], 2);
    assert.equal(hot.overloaded, true);
    assert.match(hot.warning ?? '', /load average 2\.50 exceeds the 2 cores/);
    const ok = loadStatus([2, 9, 9], 2);
    assert.equal(ok.overloaded, false);
    assert.equal(ok.warning, null);
    assert.throws(() => loadStatus([1, 1], 2), /three non-negative numbers/);
    assert.throws(() => loadStatus([1, 1, 1], 0), /cores must be an integer >= 1/);
  });

  it('formats a table with padded columns', () => {
    const t = formatTable(['model', 'rate'], [['mlp', '5'], ['cnn', '1234']]);
    assert.equal(t, ['model  rate', '-----  ----', 'mlp       5', 'cnn    1234'].join('\n'));
    const l = formatTable(['a', 'b'], [['x', 'yy']], ['right', 'left']);
    assert.equal(l, ['a  b', '-  --', 'x  yy'].join('\n'));
    assert.throws(() => formatTable(['a', 'b'], [['x']]), /row 0 has 1 cells, header has 2/);
  });

  it('formats rates, ratios and the dated file name', () => {
    assert.equal(formatRate(1234.6), '1235');
    assert.equal(formatRate(null), '—');
    assert.equal(formatRatio(0.4567), '0.46x');
    assert.equal(formatRatio(Number.NaN), '—');
    assert.equal(datedReportName(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678))), 'bench-2025-01-02T03-04-05Z.json');
    assert.throws(() => datedReportName(new Date(Number.NaN)), /invalid date/);
  });
});
