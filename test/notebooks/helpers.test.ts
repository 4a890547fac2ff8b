import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  byProfile,
  checkSeedExample,
  ciHalfWidth,
  defaultCellText,
  errorStats,
  errorVersusBits,
  figureHtml,
  resetElementIds,
  tableHtml,
  linesByGroup,
  loadStoredResults,
  mdeCurve,
  noticeHtml,
  octizationEquivalence,
  plotlyInit,
  plotlyVersion,
  PLOTLY_BUNDLE_MARKER,
  pointsByGroup,
  quantizationError,
  readNotebookParams,
  repoRoot,
  plotlyJson,
  seededWeights,
  seedsNeeded,
  showFigure,
  storageVersusBits,
} from '../../src/notebook';
import { runKey } from '../../src/experiments/config';
import type { RunConfig } from '../../src/experiments/config';
import { PRESETS, withBits } from '../../src/quantizers';
import { pairedTTestPower } from '../../src/statistics';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('notebook: parameters', () => {
  it('finds the repository root and defaults to the full profile with paths under it', () => {
    assert.equal(repoRoot(), ROOT);
    const p = readNotebookParams({ env: {} });
    assert.deepEqual(p, {
      profile: 'full',
      resultsPath: path.join(ROOT, 'reports', 'results'),
      resultsLabel: 'reports/results',
      dataDir: path.join(ROOT, 'data'),
      dataDirLabel: 'data',
      repoRoot: ROOT,
      exportRun: false,
    });
  });

  it('reads the profile, results and data directory from the environment, relative to the root', () => {
    const p = readNotebookParams({ env: { OCTOLAB_PROFILE: 'smoke', OCTOLAB_RESULTS: 'x/r.jsonl', OCTOLAB_DATA_DIR: '/abs/data' }, root: '/repo' });
    assert.equal(p.profile, 'smoke');
    assert.equal(p.resultsPath, path.resolve('/repo/x/r.jsonl'));
    assert.equal(p.resultsLabel, 'x/r.jsonl');
    assert.equal(p.dataDir, '/abs/data');
    assert.equal(byProfile(p, { smoke: 1, full: 2 }), 1);
    assert.equal(readNotebookParams({ env: { OCTOLAB_EXPORT: '1' }, root: '/repo' }).exportRun, true);
    assert.equal(readNotebookParams({ env: { OCTOLAB_EXPORT: '0' }, root: '/repo' }).exportRun, false);
  });

  it('labels results inside the root relative to it, and others as they are', () => {
    assert.equal(readNotebookParams({ env: {}, root: '/repo' }).resultsLabel, 'reports/results');
    assert.equal(readNotebookParams({ env: { OCTOLAB_RESULTS: '/tmp/r.jsonl' }, root: '/repo' }).resultsLabel, '/tmp/r.jsonl');
    assert.equal(readNotebookParams({ env: { OCTOLAB_RESULTS: '/repository/x' }, root: '/repo' }).resultsLabel, '/repository/x');
  });

  it('rejects an unknown profile or export flag, naming the variable and the value', () => {
    assert.throws(() => readNotebookParams({ env: { OCTOLAB_PROFILE: 'fast' } }), /OCTOLAB_PROFILE must be one of smoke, full, got 'fast'/);
    assert.throws(() => readNotebookParams({ env: { OCTOLAB_EXPORT: 'yes' } }), /OCTOLAB_EXPORT must be 0 or 1 \(or unset\), got 'yes'/);
  });
});

describe('notebook: plotly in offline HTML', () => {
  const fake = '/* plotly.js v9.8.7 */ var topo = "https://cdn.plot.ly/"; window.Plotly = {};';

  it('embeds the bundle once between define-hiding scripts, without the CDN address', () => {
    const html = plotlyInit(fake);
    assert.equal(html.split(PLOTLY_BUNDLE_MARKER).length - 1, 1);
    assert.ok(html.indexOf('window.define = undefined') < html.indexOf('window.Plotly = {}'));
    assert.ok(html.indexOf('window.Plotly = {}') < html.indexOf('window.define = window.__octolabDefine'));
    assert.ok(!html.includes('https://cdn'));
    assert.ok(html.includes('"topojson/"'));
    assert.throws(() => plotlyInit('var s = "</script>";'), /contains "<\/script"/);
  });

  it('the real bundle inlines cleanly, with its version in the header', () => {
    const html = plotlyInit();
    assert.ok(html.length > 1_000_000);
    assert.ok(!html.includes('https://cdn'));
    assert.match(plotlyVersion(html.slice(html.indexOf('/*'))), /^\d+\.\d+\.\d+$/);
    // Every trace type the charts draw is in the bundle.
    for (const trace of ['scatter', 'bar', 'box']) assert.ok(html.includes(`moduleType:"trace",name:"${trace}"`), trace);
  });

  it('reads the version from a full or a partial bundle header', () => {
    assert.equal(plotlyVersion('/**\n* plotly.js v2.35.3\n*/'), '2.35.3');
    assert.equal(plotlyVersion('/**\n* plotly.js (cartesian - minified) v2.35.3\n*/'), '2.35.3');
    assert.throws(() => plotlyVersion('/* no header */'), /no "plotly.js vX.Y.Z" header/);
  });

  it('writes JSON that cannot end a script element, non-finite numbers as null', () => {
    const text = plotlyJson({ s: '</script><b>&', n: NaN, i: Infinity, l: '\u2028' });
    assert.ok(!text.includes('<') && !text.includes('>') && !text.includes('&'));
    assert.deepEqual(JSON.parse(text), { s: '</script><b>&', n: null, i: null, l: '\u2028' });
  });

  it('draws a figure into its own div, with a stable id (the same in every fresh kernel) and an escaped caption', () => {
    const fig = { title: 'a <b> c', data: [{ type: 'scatter', x: [1, 2], y: [3, 4] }], layout: { height: 300 } };
    resetElementIds();
    const a = figureHtml(fig);
    resetElementIds();
    assert.equal(a, figureHtml(fig));
    assert.notEqual(a, figureHtml({ ...fig, data: [{ type: 'scatter', x: [1, 2], y: [3, 5] }] }));
    const id = /<div id="(octolab-fig-[0-9a-f]{12})"/.exec(a)?.[1];
    assert.ok(id !== undefined && a.includes(`document.getElementById("${id}")`));
    assert.ok(a.includes('height:300px') && a.includes('Plotly.newPlot') && a.includes('a &lt;b&gt; c'));
    assert.ok(figureHtml(fig, { id: 'my-fig', height: 200 }).includes('<div id="my-fig" class="octolab-figure" style="width:100%;height:200px;">'));
    assert.throws(() => figureHtml(fig, { id: '1bad"id' }), /id '1bad"id'/);
    assert.throws(() => figureHtml({ data: 'x' } as never), /figure.data must be an array/);
    assert.throws(() => figureHtml({ data: [], layout: [] as never }), /figure.layout must be an object/);
    const shown: string[] = [];
    resetElementIds();
    showFigure({ html: (s) => shown.push(s) }, fig);
    assert.deepEqual(shown, [a]);
  });
});

describe('notebook: HTML tables and notices', () => {
  it('escapes every header and cell and formats numbers and missing values', () => {
    const html = tableHtml({ columns: ['name <i>', 'n'], rows: [['<x>', 101770], ['y', null]] }, { caption: 'c & d' });
    assert.ok(html.includes('<th style="padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;">name &lt;i&gt;</th>'));
    assert.ok(html.includes('text-align:left;">&lt;x&gt;</td>') && html.includes('text-align:right;">101,770</td>') && html.includes(`>${defaultCellText(null)}</td>`));
    assert.ok(html.includes('c &amp; d'));
    assert.throws(() => tableHtml({ columns: ['a', 'b'], rows: [[1]] }), /row 0 has 1 cells, expected 2/);
  });

  it('marks notices by kind so exports can be searched', () => {
    const n = noticeHtml('No stored <runs>', 'missing');
    assert.ok(n.includes('class="octolab-notice octolab-notice-missing"') && n.includes('No stored &lt;runs&gt;'));
    assert.throws(() => noticeHtml('x', 'loud' as never), /unknown kind 'loud'/);
  });
});

describe('notebook: quantization error and storage', () => {
  it('draws the same seeded weights every time, in the asked distribution', () => {
    const a = seededWeights(1000, 7, { distribution: 'uniform01' });
    assert.deepEqual(a, seededWeights(1000, 7, { distribution: 'uniform01' }));
    assert.notDeepEqual(a, seededWeights(1000, 8, { distribution: 'uniform01' }));
    assert.ok(a.every((x) => x >= 0 && x < 1));
    const n = seededWeights(20000, 1, { std: 0.05 });
    const sd = Math.sqrt(n.reduce((s, x) => s + x * x, 0) / n.length);
    assert.ok(Math.abs(sd - 0.05) < 0.002, `sd ${sd}`);
    assert.throws(() => seededWeights(-1, 0), /n must be a non-negative integer/);
  });

  it('computes error statistics by hand on a tiny case', () => {
    assert.deepEqual(errorStats([0, 1, -1], [0.5, 1, -0.5]), { count: 3, mse: 0.5 / 3, bias: 1 / 3, shrinkage: 0, maxAbs: 0.5 });
    assert.throws(() => errorStats([1], [1, 2]), /lengths differ/);
  });

  it('truncation has about 4× the MSE of rounding and shrinks by half a step', () => {
    const w = seededWeights(50000, 3, { distribution: 'uniform01' });
    const rows = errorVersusBits(w, { standard: PRESETS.standard, octization: PRESETS.octization }, [8]);
    const [std, oct] = rows;
    assert.equal(std.rounding, 'half-even');
    assert.equal(oct.rounding, 'toward-zero');
    const ratio = oct.mse / std.mse;
    assert.ok(ratio > 3.8 && ratio < 4.2, `ratio ${ratio}`);
    assert.ok(Math.abs(oct.bias + 0.5 / 255) < 0.02 / 255, `bias ${oct.bias}`);
    assert.ok(Math.abs(std.bias) < 0.02 / 255, `bias ${std.bias}`);
    const single = quantizationError([0.75], withBits(PRESETS.octization, 8));
    assert.ok(Math.abs(single.maxAbs - Math.abs(Math.fround(191 / 255) - 0.75)) < 1e-12);
  });

  it('stochastic rounding is seeded', () => {
    const w = seededWeights(2000, 4);
    assert.deepEqual(quantizationError(w, PRESETS.stochastic, 5), quantizationError(w, PRESETS.stochastic, 5));
    assert.notDeepEqual(quantizationError(w, PRESETS.stochastic, 5), quantizationError(w, PRESETS.stochastic, 6));
  });

  it('Octization decodes to truncation, round-trips, and differs from standard by one step', () => {
    const rows = octizationEquivalence(seededWeights(3000, 9), [2, 5, 8, 16]);
    for (const r of rows) {
      assert.equal(r.decodeMismatches, 0);
      assert.equal(r.roundTripMismatches, 0);
      assert.ok(r.maxCodeDistance <= 1);
    }
    assert.ok(rows[3].differsFromStandard > 1000, 'at 16 bits about half the codes differ');
  });

  it('counts octal text bytes as the strings plus a newline each', () => {
    const [row] = storageVersusBits([0.75, -0.5, 0], { octization: PRESETS.octization }, [8]);
    // '0o277\n' + '-0o177\n' + '0o0\n'
    assert.equal(row.octalTextBytes, 6 + 7 + 4);
    assert.equal(row.count, 3);
    assert.throws(() => storageVersusBits([1], {}, []), /bitsList must be a non-empty array/);
  });
});

describe("notebook: the study's printed example", () => {
  it('reproduces every printed output except the fifth standard code (97 printed, 96 computed)', () => {
    const rows = checkSeedExample();
    assert.equal(rows.length, 12);
    const bad = rows.filter((r) => !r.agrees);
    assert.equal(bad.length, 1);
    assert.equal(bad[0].printed, '97');
    assert.equal(bad[0].computed, '96');
    assert.match(bad[0].call, /quantize_weights\(w, 8\)\[4\]/);
    assert.equal(rows[1].computed, '0o277');
  });
});

describe('notebook: figures from rows', () => {
  it('makes one sorted line per group', () => {
    const fig = linesByGroup(
      [
        { g: 'a', x: 2, y: 20 },
        { g: 'b', x: 1, y: 5 },
        { g: 'a', x: 1, y: 10 },
      ],
      { x: 'x', y: 'y', group: 'g', logY: true },
    );
    assert.deepEqual(fig.data.map((t) => [t.name, t.x, t.y]), [['a', [1, 2], [10, 20]], ['b', [1], [5]]]);
    assert.equal((fig.layout?.yaxis as { type: string }).type, 'log');
    assert.throws(() => linesByGroup([{ g: 'a', x: 'one', y: 1 }], { x: 'x', y: 'y', group: 'g' }), /row 0 field 'x' must be a number/);
    assert.throws(() => linesByGroup([{ x: 1, y: 1 }] as { g?: string; x: number; y: number }[], { x: 'x', y: 'y', group: 'g' }), /row 0 has no field 'g'/);
  });

  it('makes one box per group with every point', () => {
    const fig = pointsByGroup([{ m: 'a', v: 1, s: 0 }, { m: 'a', v: 2, s: 1 }, { m: 'b', v: 3, s: 0 }], { group: 'm', y: 'v', label: 's' });
    assert.deepEqual(fig.data.map((t) => [t.type, t.name, t.y, t.text]), [['box', 'a', [1, 2], ['s 0', 's 1']], ['box', 'b', [3], ['s 0']]]);
  });
});

describe('notebook: stored results', () => {
  let dir: string;
  const keys = new Map<string, string>();
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-nb-results-'));
    // Keys are the hash of the config, as the store checks on reading.
    const rec = (key: string, experiment: string, method: string, seed: number): string => {
      const config = { experiment, method, seed } as unknown as RunConfig;
      keys.set(key, runKey(config));
      return JSON.stringify({ schema: 1, key: runKey(config), config, metrics: { testLoss: 1 } });
    };
    fs.writeFileSync(path.join(dir, 'a.jsonl'), `${rec('k1', 'mnist', 'standard', 0)}\n${rec('k2', 'mnist', 'octization', 0)}\n${rec('k3', 'regression', 'float', 1)}\n{"cut`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('says plainly when the results path does not exist', () => {
    const r = loadStoredResults(path.join(dir, 'nothing-here'), 'cifar10');
    assert.equal(r.status, 'missing');
    assert.deepEqual(r.records, []);
    assert.ok(r.message.includes(path.join(dir, 'nothing-here')) && r.message.startsWith('No stored results'));
  });

  it('filters by experiment and reports damaged lines', () => {
    const m = loadStoredResults(dir, 'mnist');
    assert.equal(m.status, 'found');
    assert.deepEqual(m.records.map((r) => r.key), [keys.get('k1'), keys.get('k2')]);
    assert.equal(m.problems.length, 1);
    assert.match(m.message, /2 stored mnist runs .* methods standard, octization; 1 distinct seed\(s\)\. 1 damaged line/);
    const c = loadStoredResults(dir, 'cifar10');
    assert.equal(c.status, 'empty');
    assert.match(c.message, /No stored cifar10 runs .* \(3 record\(s\) of other experiments\)/);
    assert.equal(loadStoredResults(dir).records.length, 3);
  });

  it('names the path by the label it is given', () => {
    const m = loadStoredResults(dir, 'mnist', { label: 'reports/results' });
    assert.match(m.message, /^2 stored mnist runs in reports\/results:/);
    assert.ok(!m.message.includes(dir));
    const r = loadStoredResults(path.join(dir, 'nothing-here'), 'cifar10', { label: 'r/missing' });
    assert.match(r.message, /^No stored results: r\/missing does not exist\./);
  });
});

describe('notebook: seeds and power', () => {
  it('gives the t interval half-width by hand', () => {
    // t(0.975, 3) = 3.182446; sd 2, n 4: 3.182446 · 2 / 2.
    assert.ok(Math.abs(ciHalfWidth(2, 4) - 3.182446305) < 1e-6);
    assert.ok(ciHalfWidth(1, 2) > ciHalfWidth(1, 3) && ciHalfWidth(1, 3) > ciHalfWidth(1, 10));
    assert.throws(() => ciHalfWidth(1, 1), /n must be an integer >= 2/);
    assert.throws(() => ciHalfWidth(-1, 5), /sd must be a finite number >= 0/);
  });

  it('finds the smallest number of seeds that reaches the power', () => {
    for (const [effect, sd] of [[1, 1], [0.5, 1], [0.2, 1], [3, 1]]) {
      const n = seedsNeeded(effect, sd) as number;
      assert.ok(n >= 2);
      assert.ok(pairedTTestPower(effect, sd, n) >= 0.8);
      if (n > 2) assert.ok(pairedTTestPower(effect, sd, n - 1) < 0.8);
    }
    // Known value: d_z = 0.5 needs 34 pairs for 80% power at alpha 0.05 (G*Power).
    assert.equal(seedsNeeded(0.5, 1), 34);
    assert.equal(seedsNeeded(-0.5, 1), 34);
    assert.equal(seedsNeeded(1, 0), 2);
    assert.equal(seedsNeeded(0.001, 1, { maxN: 100 }), null);
    assert.throws(() => seedsNeeded(0, 1), /effect must be a finite non-zero number/);
  });

  it('minimum detectable effects shrink with more seeds', () => {
    const c = mdeCurve(1, [2, 5, 10, 50]);
    for (let i = 1; i < c.length; i++) assert.ok(c[i].mde < c[i - 1].mde);
  });
});
