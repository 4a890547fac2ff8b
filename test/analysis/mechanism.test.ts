import assert from 'node:assert/strict';
import { causalClaims, escapeEpoch, isInstrumented, layerEvidence, methodEvidence, pairedGap, predictGap, predictionHolds, predictionTally, preferInstrumented, repeatAgreements, sweepCells } from '../../src/analysis/mechanism';
import type { CellArm } from '../../src/analysis/mechanism';
import { makeRunConfig, runKey } from '../../src/experiments/config';
import type { RunRecord } from '../../src/experiments/record';
import type { InitScheme } from '../../src/models/models';
import type { UpdateStats } from '../../src/training/mechanism';
import { sweepCellsView } from '../../src/views/mechanism';
import { adamCells, experimentWhy, initCells, repeatSentences } from '../../src/reports/mechanism';
import type { MechanismPageArgs } from '../../src/reports/mechanism';
import { viewTableCsv } from '../../src/views/table';

/** Update statistics with the given counts over 100 proposals. */
function updates(u: { changes: number; shrank: number; grew: number; half: number; q50: number; mse: number }): UpdateStats {
  return {
    name: '*', proposals: 100, codeChanges: u.changes, shrank: u.shrank, grew: u.grew, zeroProposals: 0, atLeastHalfStep: u.half, atLeastOneStep: 0,
    stepQuantiles: { q50: u.q50, q90: u.q50 * 2, q99: u.q50 * 3, max: u.q50 * 4 }, gridStep: 1 / 255, quantError: { mse: u.mse, mean: 0, towardZero: 0 },
  };
}

/** A torch record of MNIST, 5 epochs, with a final accuracy, per-epoch accuracies and (quantized) update statistics. */
function rec(
  method: string,
  seed: number,
  acc: number[],
  over: { lr?: number; bits?: number; u?: UpdateStats; grad?: number; engine?: 'torch' | 'tfjs'; initial?: number; init?: InitScheme; repeat?: number; sha?: string; cpu?: string } = {},
): RunRecord {
  const config = makeRunConfig({ experiment: 'mnist', method, seed, epochs: acc.length, learningRate: over.lr ?? 1e-3, bits: over.bits, engine: over.engine ?? 'torch', init: over.init, repeat: over.repeat });
  const epochs = acc.map((a, i) => ({
    epoch: i + 1, trainLoss: 1, trainAccuracy: a, testLoss: 1, testAccuracy: a, trainSeconds: 1, evalSeconds: 1,
    weights: [{ name: 'dense1/kernel', size: 100, meanAbs: 0.1, zeroFraction: 0, gradNorm: over.grad ?? 1 }],
    quant: method === 'float' ? null : { stepChangeFraction: 0, epochChangeFraction: 0, zeroCodeFraction: 0.5, ...(over.u === undefined ? {} : { updates: { steps: 1, all: over.u, layers: [{ ...over.u, name: 'dense1/kernel' }] } }) },
  }));
  const initial = { testLoss: 2.3, testAccuracy: over.initial ?? 0.1, weights: [], zeroCodeFraction: method === 'float' ? null : 0.05, quantizedTest: null };
  const environment = over.cpu === undefined ? {} : { engine: { backend: 'torch', host: { cpuSignature: over.cpu } } };
  const metrics = { testAccuracy: acc[acc.length - 1], testLoss: 1, epochs, initial, initialWeightsSha256: over.sha ?? `w${seed}` };
  return { schema: 1, key: runKey(config), config, data: {}, metrics, timing: {}, environment } as unknown as RunRecord;
}

const arm = (method: string, values: number[]): CellArm => ({ method, seeds: values.map((_, i) => i), values, median: 0, mean: 0, range: [0, 0], atChance: 0 });

describe('analysis: mechanism evidence and the sweep boundary (hand-made records)', () => {
  it('escape epoch: the first epoch above chance + 5 pp, 0 for the initial state, null when never', () => {
    assert.equal(escapeEpoch(rec('standard', 0, [0.1, 0.14, 0.16, 0.5])), 3);
    assert.equal(escapeEpoch(rec('float', 0, [0.9], { initial: 0.2 })), 0);
    assert.equal(escapeEpoch(rec('standard', 0, [0.1, 0.12])), null);
  });

  it('predicts from the share of standard proposals reaching half a step, and checks the observed gap', () => {
    assert.equal(predictGap(0, 0.07), 'octization-higher');
    assert.equal(predictGap(0.0009, 0.2), 'octization-higher');
    assert.equal(predictGap(0.2, 0.3), 'no-prediction');
    assert.equal(predictGap(0.6, 0.5), 'standard-at-least');
    assert.equal(predictGap(null, null), 'no-prediction');
    assert.equal(predictionHolds('octization-higher', 'a-higher'), true);
    assert.equal(predictionHolds('octization-higher', 'equivalent'), false);
    assert.equal(predictionHolds('standard-at-least', 'equivalent'), true);
    assert.equal(predictionHolds('standard-at-least', 'a-higher'), false);
    assert.equal(predictionHolds('no-prediction', 'a-higher'), null);
    assert.equal(predictionHolds('octization-higher', 'too-few-runs'), null);
    assert.equal(predictionHolds('octization-higher', 'inconclusive'), null);
  });

  it('paired gap: mean, median, permutation p and the rule’s code; a constant difference is exact', () => {
    const g = pairedGap(arm('octization', [0.8, 0.82, 0.81, 0.79, 0.8]), arm('standard', [0.1, 0.1, 0.1, 0.1, 0.1]));
    assert.ok(g !== null);
    assert.ok(Math.abs(g.mean - 0.704) < 1e-12);
    assert.ok(Math.abs(g.medianDiff - 0.7) < 1e-12);
    assert.equal(g.code, 'a-higher');
    assert.equal(g.pPermutation, 2 / 32); // every sign pattern but the observed one and its mirror is smaller
    const exact = pairedGap(arm('octization', [0.8, 0.8, 0.8, 0.8, 0.8]), arm('standard', [0.1, 0.1, 0.1, 0.1, 0.1]));
    assert.deepEqual([exact?.code, exact?.ci?.lower, exact?.pT], ['a-higher', 0.7000000000000001, null]);
    assert.equal(pairedGap(arm('a', [0.5, 0.6]), arm('b', [0.4, 0.4]))?.code, 'too-few-runs');
  });

  it('sweep cells: arms per setting, float joined by learning rate, prediction and whether it holds', () => {
    const frozen = updates({ changes: 0, shrank: 0, grew: 0, half: 0, q50: 0.07, mse: 1e-7 });
    const records = [0, 1, 2, 3, 4].flatMap((s) => [
      rec('float', s, [0.97]),
      rec('standard', s, [0.098], { u: frozen }),
      rec('octization', s, [0.8 + s * 0.001], { u: updates({ changes: 5, shrank: 5, grew: 0, half: 0, q50: 0.05, mse: 2e-7 }) }),
      rec('standard', s, [0.9], { bits: 4, u: updates({ changes: 50, shrank: 25, grew: 25, half: 60, q50: 0.6, mse: 1e-5 }) }),
      rec('octization', s, [0.85 - s * 0.001], { bits: 4, u: updates({ changes: 50, shrank: 45, grew: 5, half: 60, q50: 0.6, mse: 2e-5 }) }),
    ]);
    const cells = sweepCells(records);
    assert.deepEqual(cells.map((c) => [c.bits, c.ratio, c.arms.map((a) => a.method).join(','), c.prediction, c.holds]), [
      [4, 0.015, 'float,standard,octization', 'standard-at-least', true],
      [8, 0.255, 'float,standard,octization', 'octization-higher', true],
    ]);
    assert.equal(cells[1].arms[1].atChance, 5);
    assert.equal(cells[1].standardHalfShare, 0);
    assert.deepEqual(predictionTally(cells), { predicted: 2, holds: 2, fails: 0, undecided: 0 });
    // The table is the same object for HTML and CSV: the codes land in the CSV as codes.
    const csv = viewTableCsv(sweepCellsView(cells));
    const col = (k: string) => csv.columns.indexOf(k);
    assert.deepEqual(csv.rows.map((r) => [r[col('observed')], r[col('prediction')], r[col('holds')]]), [
      ['standard-higher', 'standard-at-least', 'holds'],
      ['octization-higher', 'octization-higher', 'holds'],
    ]);
    assert.throws(() => sweepCells([...records, rec('float', 9, [0.9], { engine: 'tfjs' })]), /records of torch and tfjs in one comparison/);
  });

  it('initialisation cells: the Adam cells that differ only by init, Glorot first; the learning-rate × bits cells are the Glorot ones', () => {
    const records = [0, 1, 2, 3, 4].flatMap((s) =>
      (['glorot-uniform', 'torch-default', 'glorot-half'] as const).flatMap((init) => [
        rec('standard', s, [0.098, 0.098], { init }),
        rec('octization', s, [0.7, 0.8], { init }),
      ]).concat([rec('standard', s, [0.5], { lr: 1e-2 }), rec('octization', s, [0.4], { lr: 1e-2 })]),
    );
    const cells = sweepCells(records);
    assert.deepEqual(initCells(cells, 'mnist').map((c) => [c.init, c.epochs, c.gap?.code, c.gap?.n]), [
      ['glorot-uniform', 2, 'a-higher', 5],
      ['glorot-half', 2, 'a-higher', 5],
      ['torch-default', 2, 'a-higher', 5],
    ]);
    assert.deepEqual(initCells(cells, 'cifar10'), []);
    assert.deepEqual(adamCells(cells, 'mnist', 1).map((c) => [c.init, c.learningRate, c.gap?.code]), [['glorot-uniform', 0.01, 'b-higher']]);
  });

  it("an experiment page's why section: update charts only where standard's proposals were recorded, escape charts per engine, null when nothing is recorded", () => {
    const frozen = updates({ changes: 0, shrank: 0, grew: 0, half: 0, q50: 0.07, mse: 1e-7 });
    const withStats = [0, 1].flatMap((s) => [rec('float', s, [0.97]), rec('standard', s, [0.098], { u: frozen }), rec('octization', s, [0.8], { u: updates({ changes: 5, shrank: 5, grew: 0, half: 0, q50: 0.05, mse: 2e-7 }) })]);
    const without = [0, 1].flatMap((s) => [rec('float', s, [0.97]), rec('standard', s, [0.098]), rec('octization', s, [0.8])]);
    const args = (records: RunRecord[]): MechanismPageArgs => ({
      point: { experiment: 'mnist', epochs: 1, learningRate: 1e-3, bits: 8, engine: 'torch' },
      evidence: methodEvidence(records, ['standard', 'octization']),
      escape: [{ experiment: 'mnist', epochs: 1, engine: 'wasm', evidence: methodEvidence(records, ['float', 'standard', 'octization']) }],
      causal: [], layers: [], cells: [], repeats: [], progress: [], resultsPath: 'r',
      csv: { evidence: 'e', cells: 'c', claims: 'k', escape: 's', layers: 'l', repeats: 'r' },
    });
    assert.deepEqual(experimentWhy(args(withStats), 'mnist')?.charts.map((c) => c.id), ['mech-proposals', 'mech-shrink', 'mech-zero', 'mech-escape-mnist-1-wasm']);
    assert.deepEqual(experimentWhy(args(without), 'mnist')?.charts.map((c) => c.id), ['mech-escape-mnist-1-wasm']);
    assert.equal(experimentWhy(args(withStats), 'cifar10'), null);
  });

  it('a repeat stands in for first runs without update statistics only when it is instrumented and as large', () => {
    const frozen = updates({ changes: 0, shrank: 0, grew: 0, half: 0, q50: 0.07, mse: 1e-7 });
    const shrink = updates({ changes: 5, shrank: 5, grew: 0, half: 0, q50: 0.05, mse: 2e-7 });
    const seeds = [0, 1, 2, 3, 4];
    const firstBare = seeds.flatMap((s) => [rec('float', s, [0.97]), rec('standard', s, [0.1]), rec('octization', s, [0.8])]);
    const repeat = seeds.flatMap((s) => [rec('float', s, [0.96], { repeat: 1 }), rec('standard', s, [0.1], { u: frozen, repeat: 1 }), rec('octization', s, [0.81], { u: shrink, repeat: 1 })]);
    const other = seeds.flatMap((s) => [rec('standard', s, [0.5], { lr: 1e-2, u: frozen }), rec('octization', s, [0.4], { lr: 1e-2, u: shrink })]);
    assert.equal(isInstrumented(firstBare), false);
    assert.equal(isInstrumented(repeat), true);
    // Complete instrumented repeat: it replaces the cell's first runs, float included; the other cell keeps its own.
    const kept = preferInstrumented([...firstBare, ...repeat, ...other]);
    assert.deepEqual([kept.filter((r) => r.config.repeat === 1).length, kept.filter((r) => r.config.repeat === undefined).length], [15, 10]);
    const cells = sweepCells(kept);
    assert.deepEqual(cells.map((c) => [c.learningRate, c.repeat, c.prediction, c.gap?.n]), [[0.001, 1, 'octization-higher', 5], [0.01, undefined, 'octization-higher', 5]]);
    // A partial repeat (4 of 15 runs) leaves the complete first runs in place.
    assert.equal(preferInstrumented([...firstBare, ...repeat.slice(0, 4)]).filter((r) => r.config.repeat === 1).length, 0);
    // Instrumented first runs are kept even when a repeat exists.
    const firstDone = repeat.map((r) => rec(r.config.method, r.config.seed, [r.metrics.testAccuracy as number], { u: r.config.method === 'float' ? undefined : frozen }));
    assert.equal(preferInstrumented([...firstDone, ...repeat]).every((r) => r.config.repeat === undefined), true);
  });

  it('repeat agreement: medians, largest per-seed change, identical runs and initial weights, chance counts, CPUs', () => {
    const records = [
      rec('standard', 0, [0.5], { cpu: 'A' }), rec('standard', 1, [0.6], { cpu: 'A' }), rec('standard', 2, [0.1], { cpu: 'A' }),
      rec('standard', 0, [0.5], { repeat: 1, cpu: 'B' }), rec('standard', 1, [0.65], { repeat: 1, cpu: 'B' }), rec('standard', 2, [0.3], { repeat: 1, cpu: 'B', sha: 'other' }),
      rec('octization', 0, [0.8], { cpu: 'A' }),
    ];
    const a = repeatAgreements(records);
    assert.equal(a.length, 1);
    const [r] = a;
    assert.deepEqual([r.method, r.repeat, r.n, r.firstMedian, r.repeatMedian, r.identical, r.sameInitialWeights, r.atChance, r.cpus], ['standard', 1, 3, 0.5, 0.5, 1, 2, [1, 0], [['A'], ['B']]]);
    assert.ok(Math.abs(r.maxAbsDiff - 0.2) < 1e-12);
    assert.equal(repeatSentences(a, 'mnist').length, 1);
    // A setting's float runs join its quantized ones in one sentence.
    const withFloat = repeatAgreements([...records, rec('float', 0, [0.9], { cpu: 'A' }), rec('float', 0, [0.9], { repeat: 1, cpu: 'B' })]);
    assert.deepEqual([withFloat.length, repeatSentences(withFloat, 'mnist').length, withFloat.find((x) => x.method === 'float')?.identical], [2, 1, 1]);
    assert.deepEqual(repeatSentences(a, 'cifar10'), []);
  });

  it('method evidence: shares of shrinking code changes per epoch, zero codes from epoch 0, escape epochs', () => {
    const u = updates({ changes: 10, shrank: 9, grew: 1, half: 2, q50: 0.05, mse: 1e-7 });
    const ev = methodEvidence([rec('octization', 0, [0.5, 0.6], { u }), rec('octization', 1, [0.12, 0.7], { u })], ['standard', 'octization']);
    assert.equal(ev.length, 1);
    assert.deepEqual(ev[0].points.map((p) => [p.epoch, p.shrinkShare, p.changeShare, p.zeroCodeShare]), [[0, null, null, 0.05], [1, 0.9, 0.1, 0.5], [2, 0.9, 0.1, 0.5]]);
    assert.deepEqual(ev[0].seeds.map((s) => s.escape), [1, 2]);
  });

  it('layer evidence: medians over seeds of the last epoch, per layer, with the rounding statistics of quantized runs', () => {
    const u = updates({ changes: 4, shrank: 3, grew: 1, half: 1, q50: 0.05, mse: 3e-7 });
    const layers = layerEvidence([rec('octization', 0, [0.5, 0.6], { u, grad: 0.2 }), rec('octization', 1, [0.5, 0.6], { u, grad: 0.4 }), rec('float', 0, [0.9], { grad: 2 })], ['float', 'octization']);
    assert.deepEqual(layers.map((l) => [l.method, l.name, l.n, l.gradNorm, l.shrinkShare, l.halfShare, l.quantMse]), [
      ['float', 'dense1/kernel', 1, 2, null, null, null],
      ['octization', 'dense1/kernel', 2, 0.30000000000000004, 0.75, 0.01, 3e-7],
    ]);
  });

  it("judges the study's explanations on recorded errors and gradients as paired log-ratios", () => {
    const records = [0, 1, 2, 3, 4, 5].flatMap((s) => [
      rec('standard', s, [0.1], { u: updates({ changes: 0, shrank: 0, grew: 0, half: 0, q50: 0.07, mse: 1e-7 * (1 + s / 10) }), grad: 1.2 }),
      rec('octization', s, [0.8], { u: updates({ changes: 5, shrank: 5, grew: 0, half: 0, q50: 0.05, mse: 2e-7 * (1 + s / 10) * (1 + (s % 2) / 100) }), grad: 0.6 * (1 + (s % 3) / 100) }),
    ]);
    const [fp, gf] = causalClaims(records);
    assert.equal(fp.id, 'feature-preservation');
    assert.ok(Math.abs(fp.logRatio - Math.log(2) - mean6((s) => Math.log(1 + (s % 2) / 100))) < 1e-9);
    assert.equal(fp.verdict.code, 'contradicted'); // octization's error is larger, the study says smaller
    assert.equal(gf.id, 'gradient-flow');
    assert.equal(gf.verdict.code, 'contradicted'); // octization's gradient is smaller, the study says it flows better
    assert.equal(fp.n, 6);
    assert.deepEqual([fp.outcome, fp.explanation, gf.explanation], ['a-higher', 'contradicted', 'contradicted']);
    // Where octization is not more accurate, a measure in its favour explains nothing.
    const reversed = records.map((r) => ({ ...r, metrics: { ...r.metrics, testAccuracy: r.config.method === 'octization' ? 0.1 : 0.5 } }));
    const [fp2] = causalClaims(reversed);
    assert.deepEqual([fp2.verdict.code, fp2.outcome, fp2.explanation], ['contradicted', 'b-higher', 'nothing-to-explain']);
  });
});

function mean6(f: (s: number) => number): number {
  return [0, 1, 2, 3, 4, 5].reduce((a, s) => a + f(s), 0) / 6;
}
