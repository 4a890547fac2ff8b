import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareEngine } from '../../src/engine';
import { makeRunConfig, runOne } from '../../src/experiments';
import type { RunRecord } from '../../src/experiments/record';
import {
  armTable,
  comparisonTable,
  curveFigure,
  distributionFigure,
  equivalenceFinding,
  filesTable,
  forestFigure,
  liveRunTable,
  loadDatasetIfPresent,
  mainPanels,
  measuredSpreads,
  misprintFinding,
  modelSizeFinding,
  panelLabel,
  parameterCountFinding,
  provenanceTable,
  repeatsFinding,
  seedTimingFigure,
  timeForwardPass,
  timingFinding,
} from '../../src/notebook';
import { analyzeExperiment } from '../../src/reports/analysis';
import type { ExperimentAnalysis } from '../../src/reports/analysis';
import { curveRows, runRow } from '../../src/reports/tables';

describe('notebook: experiment views on real regression runs', function () {
  this.timeout(120_000);
  let records: RunRecord[];
  let analysis: ExperimentAnalysis;

  before(async () => {
    await prepareEngine({ backend: 'wasm' });
    records = [];
    for (const seed of [0, 1, 2]) {
      for (const method of ['float', 'standard', 'octization']) {
        const config = makeRunConfig({ experiment: 'regression', method, seed, epochs: 2, limitTrain: 128, limitTest: 64, inferenceRepeats: 1 });
        records.push(await runOne(config, { dataDir: os.tmpdir() }));
      }
    }
    analysis = analyzeExperiment('regression', records.map(runRow), records.flatMap(curveRows), { resamples: 500 });
  });

  it('loads generated data, and reports missing files instead of throwing', async () => {
    const reg = await loadDatasetIfPresent({ name: 'regression', limitTrain: 10, limitTest: 5 });
    assert.equal(reg.status, 'loaded');
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-nb-nodata-'));
    try {
      const mnist = await loadDatasetIfPresent({ name: 'mnist', dataDir: empty, limitTrain: 10, limitTest: 10 });
      assert.equal(mnist.status, 'missing');
      assert.ok(mnist.status === 'missing' && mnist.message.includes(empty) && /missing/i.test(mnist.message));
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('tabulates provenance, files and the live runs', () => {
    const prov = records[0].data;
    const t = provenanceTable(prov);
    assert.deepEqual(t.columns, ['field', 'value']);
    assert.ok(t.rows.some((r) => r[0] === 'generator' && String(r[1]).includes('seed')));
    assert.deepEqual(filesTable(prov).rows, []);
    const live = liveRunTable(records.slice(0, 3));
    assert.equal(live.rows.length, 3);
    assert.deepEqual(live.rows.map((r) => r[0]), ['float', 'standard', 'octization']);
    assert.ok(live.rows.every((r) => r.length === live.columns.length));
    assert.equal(live.rows[0][5], '128 / 64');
    assert.ok(live.columns.includes('training time'));
    const stable = liveRunTable(records.slice(0, 3), { timings: false });
    assert.deepEqual(stable.columns.filter((c) => !live.columns.includes(c)), []);
    assert.deepEqual(live.columns.filter((c) => !stable.columns.includes(c)), ['training time', 'inference (median pass)']);
    assert.ok(stable.rows.every((r) => r.length === stable.columns.length));
    assert.equal(stable.rows[0][stable.columns.indexOf('backend')], records[0].environment.engine.backend);
  });

  it('summarises every arm and compares Octization with standard seed by seed', () => {
    const panels = mainPanels(analysis);
    assert.equal(panels.length, 1);
    const panel = panels[0];
    assert.match(panelLabel(panel), /^2 epochs · projected-step, 8 bits · train first 128/);
    const arms = armTable(panel, 'testLoss');
    assert.deepEqual(arms.rows.map((r) => [r[0].v, r[1].v, r[2].v]), [['float', 3, '0–2'], ['standard', 3, '0–2'], ['octization', 3, '0–2']]);
    const comps = comparisonTable(panel);
    const col = (k: string): number => comps.columns.findIndex((c) => c.key === k);
    const primary = comps.rows.find((r) => r[col('kind')].v === 'main comparison' && r[col('a')].v === 'octization' && r[col('b')].v === 'standard' && r[col('metric')].v === 'test loss');
    assert.ok(primary !== undefined, JSON.stringify(comps.rows.map((r) => r.slice(0, 4).map((c) => c.v))));
    assert.equal(primary[col('design')].v, 'paired');
    assert.equal(primary[col('n')].v, 3);
  });

  it('builds learning-curve, distribution and forest charts from the panel', () => {
    const panel = mainPanels(analysis)[0];
    const curve = curveFigure(panel, 'trainLoss');
    assert.ok(curve.data.length >= 3);
    const dist = distributionFigure(panel, 'testLoss');
    assert.deepEqual(dist.data.map((t) => (t.y as number[]).length), [3, 3, 3]);
    assert.ok(forestFigure(panel, 'testLoss') !== null);
    assert.equal(forestFigure(panel, 'testAccuracy'), null);
  });

  it('measures the spread of the paired differences', () => {
    const [s] = measuredSpreads(analysis);
    assert.equal(s.experiment, 'regression');
    assert.equal(s.n, 3);
    assert.ok(s.sdDiff >= 0 && Number.isFinite(s.meanDiff));
  });

  it('builds the methodology findings from computed numbers', () => {
    const params = parameterCountFinding();
    assert.ok(params.measured.includes('101,770') && params.seed.includes('101,870') && params.measured.includes('282,250'));
    assert.match(params.consequence, /h = 128\.126/);
    const misprint = misprintFinding();
    assert.match(misprint.measured, /printed as 97 but the code gives 96/);
    assert.match(equivalenceFinding(2000).measured, /with 0 mismatches/);
    const timing = timingFinding([], []);
    assert.match(timing.measured, /factors 3\.998 and 4\.021/);
    assert.match(timing.consequence, /1\.56%/);
    assert.match(timingFinding(records).measured, /Stored regression runs: one inference pass over 64 test examples/);
    assert.match(repeatsFinding([]).measured, /No stored runs with two or more seeds/);
    assert.match(repeatsFinding(records).measured, /regression (standard|octization), 2 epochs, projected-step 8-bit, first 128 training examples: test loss .* between the best and worst of 3 seeds/);
    assert.match(modelSizeFinding(0).measured, /The 101,770 initial weights of the MNIST MLP/);
  });

  it("plots the study's timings against epochs beside exact proportionality", () => {
    const fig = seedTimingFigure();
    assert.equal(fig.data.length, 4);
    assert.deepEqual(fig.data[0].y, [53.67, 214.58]);
    const proportional = fig.data[1].y as number[];
    assert.ok(Math.abs(proportional[1] - 4 * 53.67) < 1e-9);
  });

  it('times forward passes of a model', async () => {
    const t = await timeForwardPass('mnist-mlp', 200, 2);
    assert.equal(t.examples, 200);
    assert.ok(t.medianSeconds > 0);
    assert.ok(t.backend.length > 0);
    await assert.rejects(timeForwardPass('mnist-mlp', 0), /examples must be a positive integer/);
  });
});
