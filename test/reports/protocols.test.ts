import assert from 'node:assert/strict';
import { PROTOCOL_TARGETS, protocolCells, protocolSensitivity, protocolSummary, sampleStats } from '../../src/reports/protocols';
import type { RunRow } from '../../src/reports/tables';

const T = PROTOCOL_TARGETS.mnist; // seed: standard 96.73%, octization 96.93%, 20 epochs

function row(protocol: string, method: string, seed: number, testAccuracy: number, over: Partial<RunRow> = {}): RunRow {
  return { experiment: 'mnist', setting: 's', method, protocol, bits: 8, epochs: 5, seed, limitTrain: null, limitTest: null, testAccuracy, trainLossLast: 1, ...over } as RunRow;
}

function arm(protocol: string, std: number[], oct: number[], over: Partial<RunRow> = {}): RunRow[] {
  return [...std.map((v, i) => row(protocol, 'standard', i, v, over)), ...oct.map((v, i) => row(protocol, 'octization', i, v, over))];
}

const near = (a: number, b: number, tol = 1e-6): void => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

describe('reports: protocol sensitivity', () => {
  it('sampleStats: mean, sd, t interval of the mean and the order-statistics range of one run, checked by hand', () => {
    const s = sampleStats([1, 2, 3], 2);
    near(s.mean, 2);
    near(s.sd as number, 1);
    const t = 4.302652729911275; // t(0.975, 2)
    near(s.ci!.upper - 2, t / Math.sqrt(3));
    assert.deepEqual([s.range, s.coverage], [{ lower: 1, upper: 3 }, 0.5]);
    assert.equal(s.seedInside, true);
    assert.equal(sampleStats([1, 2, 3], 3.5).seedInside, false);
    const one = sampleStats([5], 5);
    assert.deepEqual([one.sd, one.ci, one.range, one.seedInside], [null, null, null, null]);
  });

  it('the range respects bounds and bimodality: a bimodal bounded arm never gets a negative accuracy', () => {
    // Standard on CIFAR-10 under projected-step: 3 seeds at chance, 7 near 45 %: mean ± t·sd·√(1 + 1/n) would dip below 0.
    const x = [0.1, 0.1, 0.1, 0.43, 0.46, 0.44, 0.45, 0.46, 0.42, 0.43];
    const s = sampleStats(x, 0.2914);
    assert.deepEqual(s.range, { lower: 0.1, upper: 0.46 });
    assert.ok(s.range!.lower >= 0);
    near(s.coverage as number, 9 / 11);
    assert.throws(() => sampleStats([], 0), /no values/);
  });

  it('names the protocol whose single runs look like the seed, the closest one, and the range of the gap', () => {
    const rows = [
      ...arm('projected-step', [0.1, 0.09, 0.11], [0.8, 0.81, 0.82]),
      ...arm('ptq', [0.967, 0.968, 0.966], [0.969, 0.97, 0.969]),
    ];
    const s = protocolSensitivity(rows, T);
    assert.ok(s !== null);
    assert.deepEqual(s.rows.map((r) => r.protocol), ['projected-step', 'ptq']);
    assert.deepEqual(s.consistent, ['ptq']);
    assert.equal(s.closest, 'ptq');
    const ptq = s.rows[1];
    assert.equal(ptq.n, 3);
    near(ptq.gap.mean, (0.002 + 0.002 + 0.003) / 3);
    near(ptq.distance, Math.abs(0.967 - 0.9673) + Math.abs(0.969333333 - 0.9693), 1e-8);
    assert.equal(s.rows[0].consistent, false);
    const text = protocolSummary(s);
    assert.match(text, /at 5 epochs \(the seed's figures are for 20\)/);
    assert.match(text, /under ptq\./);
    assert.match(text, /Closest: ptq \(standard 96\.70%, octization 96\.93%, n = 3\); distance to the seed by protocol: ptq 0\.03 pp, projected-step 102\.66 pp\./);
    assert.match(text, /gap ranges from \+0\.23 pp \(ptq\) to \+71\.00 pp \(projected-step\); the seed's gap is \+0\.20 pp/);
    assert.deepEqual(protocolCells(s, ptq).slice(0, 2), ['ptq', '3']);
  });

  it('compares the setting with the most protocols, preferring the seed\'s epochs on a tie; ignores reduced data and other bit widths', () => {
    const rows = [
      ...arm('projected-step', [0.1, 0.2], [0.5, 0.6]),
      ...arm('qat', [0.9, 0.91], [0.9, 0.92]),
      ...arm('projected-step', [0.3, 0.2], [0.5, 0.6], { epochs: 20 }),
      ...arm('ptq', [0.97, 0.96], [0.97, 0.96], { epochs: 20 }),
      ...arm('qat', [0.9, 0.9], [0.9, 0.9], { limitTrain: 100 }),
      ...arm('ptq', [0.9, 0.9], [0.9, 0.9], { bits: 4 }),
    ];
    const s = protocolSensitivity(rows, T);
    assert.equal(s?.epochs, 20);
    assert.deepEqual(s?.rows.map((r) => r.protocol), ['projected-step', 'ptq']);
    const five = protocolSensitivity(rows.filter((r) => r.epochs === 5 || r.protocol !== 'ptq'), T);
    assert.equal(five?.epochs, 5, 'the 20-epoch setting has one protocol left');
  });

  it('pairs on common seeds and returns null with fewer than two protocols', () => {
    const rows = [...arm('ptq', [0.9, 0.91, 0.92], [0.9, 0.9]), ...arm('qat', [0.9, 0.9], [0.9, 0.9])];
    const s = protocolSensitivity(rows, T);
    assert.equal(s?.rows.find((r) => r.protocol === 'ptq')?.n, 2);
    assert.equal(protocolSensitivity(arm('ptq', [0.9, 0.9], [0.9, 0.9]), T), null);
    assert.equal(protocolSensitivity([], T), null);
  });
});
