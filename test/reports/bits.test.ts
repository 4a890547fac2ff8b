import assert from 'node:assert/strict';
import { bitSweep, bitSweepCells, bitSweepSummary, sweepMetric } from '../../src/reports/bits';
import { sweepChart } from '../../src/reports/charts';
import { bitSweepSection } from '../../src/reports/pages';
import { row } from './inputs';
import type { RunRow } from '../../src/reports/tables';

/** Standard and octization accuracies at one width, seed i taking the i-th value of each list. */
function width(bits: number, standard: number[], octization: number[], over: Partial<RunRow> = {}): RunRow[] {
  return [
    ...standard.map((a, seed) => row({ experiment: 'mnist', method: 'standard', seed, bits, epochs: 20, testAccuracy: a, ...over })),
    ...octization.map((a, seed) => row({ experiment: 'mnist', method: 'octization', seed, bits, epochs: 20, testAccuracy: a, ...over })),
  ];
}

describe('reports: bit-width sweep', () => {
  it('picks the metric by experiment', () => {
    assert.equal(sweepMetric('regression'), 'testLoss');
    assert.equal(sweepMetric('mnist'), 'testAccuracy');
  });

  it('gives per-width means, t intervals, paired gaps and Holm-adjusted p (hand-checked)', () => {
    // 2 bits: gaps 0.1, 0.3 → mean 0.2, sd √0.02, se 0.1, t = 2, df 1 → p = 0.2952, CI 0.2 ± 12.706·0.1.
    // 8 bits: identical methods → gap 0, p = 1.
    const rows = [...width(2, [0.1, 0.2], [0.2, 0.5]), ...width(8, [0.9, 0.8], [0.9, 0.8])];
    const s = bitSweep(rows, 'mnist');
    assert.ok(s !== null);
    assert.deepEqual(s.rows.map((r) => [r.bits, r.n]), [[2, 2], [8, 2]]);
    const two = s.rows[0];
    assert.ok(Math.abs(two.standard.mean - 0.15) < 1e-12);
    assert.ok(Math.abs(two.octization.mean - 0.35) < 1e-12);
    assert.ok(Math.abs(two.gap.mean - 0.2) < 1e-12);
    assert.ok(Math.abs((two.gap.ci?.lower ?? NaN) - (0.2 - 12.7062047 * 0.1)) < 1e-6);
    assert.ok(Math.abs((two.p ?? NaN) - 0.29516724) < 1e-6);
    assert.equal(s.rows[1].p, 1);
    // Holm over two p-values: min(1, 2·0.2952) and max of that with 1.
    assert.ok(Math.abs((two.pHolm ?? NaN) - 2 * 0.29516724) < 1e-6);
    assert.equal(s.rows[1].pHolm, 1);
    assert.deepEqual(bitSweepCells(s, two).slice(0, 2), ['2 (codes ±3)', '2']);
  });

  it('pairs by seed: a seed run by one method only is left out', () => {
    const rows = [...width(2, [0.1, 0.2, 0.3], [0.2, 0.3]), ...width(4, [0.5, 0.5], [0.6, 0.7])];
    const s = bitSweep(rows, 'mnist');
    assert.equal(s?.rows[0].n, 2);
    assert.ok(Math.abs((s?.rows[0].standard.mean ?? NaN) - 0.15) < 1e-12);
  });

  it('says which method is ahead where, and which widths have too few pairs', () => {
    const ahead = [0, 1, 2, 3, 4, 5].map((i) => 0.5 + 0.01 * i);
    const rows = [
      ...width(2, [0.1], [0.5]),
      ...width(4, ahead, ahead.map((a, i) => a + 0.2 + 0.001 * i)),
      ...width(8, ahead.map((a, i) => a + 0.2 + 0.001 * i), ahead),
      ...width(6, ahead, ahead.map((a, i) => a + (i % 2 === 0 ? 0.01 : -0.01))),
    ];
    const s = bitSweep(rows, 'mnist');
    assert.ok(s !== null);
    const text = bitSweepSummary(s);
    assert.deepEqual(s.rows.map((r) => r.code), [null, 'a-higher', 'equivalent', 'b-higher']);
    assert.match(text, /^Standard vs octization at 2, 4, 6, 8 bits \(20 epochs, projected-step, test accuracy; n = 1–6 pairs per width;/);
    assert.match(text, /octization is better at 4 bits; standard is better at 8 bits; the two are equivalent \(within the margin\) at 6 bits; nothing is shown at 2 bits\.$/);
  });

  it('for losses, lower is ahead', () => {
    const reg = (bits: number, standard: number[], octization: number[]): RunRow[] => [
      ...standard.map((v, seed) => row({ experiment: 'regression', method: 'standard', seed, bits, epochs: 50, testLoss: v })),
      ...octization.map((v, seed) => row({ experiment: 'regression', method: 'octization', seed, bits, epochs: 50, testLoss: v })),
    ];
    const five = [10, 11, 12, 13, 14];
    const s = bitSweep([...reg(4, five, five.map((v, i) => v / 2 + 0.01 * i)), ...reg(8, five, five.map((v, i) => v + 0.001 * (i % 2)))], 'regression');
    assert.ok(s !== null);
    assert.equal(s.metric, 'testLoss');
    assert.match(bitSweepSummary(s), /octization is better at 4 bits; the two are equivalent \(within the margin\) at 8 bits/);
  });

  it('two dead networks are said to be dead, not "no difference" (every seed at chance)', () => {
    const dead = [0.098, 0.098, 0.098, 0.098, 0.098];
    const alive = [0.5, 0.52, 0.51, 0.53, 0.5];
    const s = bitSweep([...width(2, dead, dead), ...width(8, alive, alive.map((a) => a + 0.3))], 'mnist');
    assert.ok(s !== null);
    assert.deepEqual(s.rows[0].caveats.map((c) => c.code), ['dead-networks']);
    assert.deepEqual(s.rows[1].caveats, []);
    assert.match(bitSweepSummary(s), /at 2 bits both networks are dead/);
  });

  it('uses full-data runs of one protocol, the setting with the most widths, and needs two widths', () => {
    const rows = [
      ...width(2, [0.1, 0.2], [0.2, 0.5]),
      ...width(8, [0.9, 0.8], [0.9, 0.8]),
      ...width(4, [0.1, 0.2], [0.2, 0.5], { limitTrain: 256 }),
      ...width(6, [0.1, 0.2], [0.2, 0.5], { protocol: 'qat' }),
      ...width(3, [0.1, 0.2], [0.2, 0.5], { epochs: 5 }),
    ];
    assert.deepEqual(bitSweep(rows, 'mnist')?.rows.map((r) => r.bits), [2, 8]);
    assert.deepEqual(bitSweep(rows, 'mnist', { protocol: 'qat' }), null);
    assert.equal(bitSweep(width(8, [0.9], [0.9]), 'mnist'), null);
    assert.equal(bitSweep(rows, 'cifar10'), null);
  });

  it('draws each method as a line with asymmetric error bars, offset so they do not overlap', () => {
    const c = sweepChart('s', 't', [
      { method: 'standard', points: [{ x: 2, mean: 0.1, ci: { lower: 0.05, upper: 0.2 }, n: 3 }, { x: 8, mean: 0.9, ci: null, n: 1 }] },
      { method: 'octization', points: [{ x: 2, mean: 0.3, ci: { lower: 0.2, upper: 0.3 }, n: 3 }] },
    ], 'bits', 'accuracy (%)', 100);
    const [std, oct] = c.data as { x: number[]; y: number[]; error_y: { array: number[]; arrayminus: number[] } }[];
    assert.deepEqual(std.x, [1.96, 7.96]);
    assert.deepEqual(oct.x, [2.04]);
    assert.deepEqual(std.y, [10, 90]);
    assert.ok(Math.abs(std.error_y.array[0] - 10) < 1e-9 && Math.abs(std.error_y.arrayminus[0] - 5) < 1e-9);
    assert.deepEqual([std.error_y.array[1], std.error_y.arrayminus[1]], [0, 0]);
    assert.deepEqual((c.layout.xaxis as { tickvals: number[] }).tickvals, [2, 8]);
  });

  it('the report section holds the summary, one table row per width and the chart', () => {
    const rows = [...width(2, [0.1, 0.2], [0.2, 0.5]), ...width(8, [0.9, 0.8], [0.9, 0.8])];
    const sec = bitSweepSection('mnist', rows);
    assert.equal(sec.chart?.id, 'bits-sweep');
    assert.match(sec.html, /^<p>Standard vs octization at 2, 8 bits/);
    assert.equal(sec.html.split('<tr>').length - 1, 3); // header + 2 widths
    assert.equal(bitSweepSection('mnist', width(8, [0.9], [0.9])).chart, null);
  });
});
