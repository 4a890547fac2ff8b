import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildReports } from '../../src/reports/build';
import { bandChart } from '../../src/reports/charts';
import { htmlPage, chartGrid } from '../../src/reports/html';
import { checkRender, countRenderedCharts, declaredCharts, findChromium } from '../../src/reports/render-check';
import { FIXTURE_RESULTS } from './inputs';

const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'check-render.js');

describe('reports: render check (pure parts)', () => {
  it('reads the declared chart count and counts rendered chart divs in a DOM', () => {
    assert.equal(declaredCharts('<body class="x" data-charts="3">'), 3);
    assert.equal(declaredCharts('<body>'), 0);
    const dom =
      '<div class="chart" data-chart="a"><div><svg class="main-svg"></svg><svg class="main-svg"></svg></div></div>' +
      '<p>text</p><div class="chart" data-chart="b"></div>' +
      '<div class="chart" data-chart="c"><svg class="main-svg"></svg></div><script>var x = 1;</script>';
    assert.deepEqual(countRenderedCharts(dom), { charts: 3, rendered: ['a', 'c'], missing: ['b'], mainSvg: 3 });
  });
});

describe('reports: charts render in headless Chromium', function () {
  const chromium = findChromium();
  let out: string;

  before(function () {
    if (chromium === null) {
      console.log('    (skipped: chromium not found; install Debian chromium or set $CHROMIUM)');
      this.skip();
    }
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-render-'));
    buildReports({ results: FIXTURE_RESULTS, out, resamples: 500 });
  });
  after(() => {
    if (out !== undefined) fs.rmSync(out, { recursive: true, force: true });
  });

  it('every declared chart of the fixture reports renders (check-render script exits 0)', () => {
    const res = spawnSync(process.execPath, [SCRIPT, out], { encoding: 'utf8', timeout: 300000 });
    assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
    assert.match(res.stdout, /ok {3}.*regression\.html: \d+ chart\(s\) rendered/);
    assert.match(res.stdout, /ok {3}.*mnist\.html: \d+ chart\(s\) rendered/);
    const r = checkRender(path.join(out, 'mnist.html'), { chromium: chromium as string });
    assert.ok(r.ok, r.problem ?? '');
    assert.ok(r.declared >= 8 && r.dom.rendered.length === r.declared);
  });

  it('renders even when the page carries an AMD loader (require.js-style window.define)', () => {
    const chart = bandChart('amd', 'amd', [{ method: 'octization', points: [{ epoch: 1, n: 1, mean: 1, ci: null }, { epoch: 2, n: 1, mean: 2, ci: null }, { epoch: 3, n: 1, mean: 3, ci: null }] }], 'y');
    const page = htmlPage({ title: 't', body: chartGrid([chart]), charts: [chart] }).replace(
      '<body data-charts="1">',
      '<body data-charts="1"><script>window.define = function () { window.__amdCalled = true; }; window.define.amd = {};</script>',
    );
    const file = path.join(out, 'amd.html');
    fs.writeFileSync(file, page);
    const r = checkRender(file, { chromium: chromium as string });
    assert.ok(r.ok, r.problem ?? '');
  });

  it('fails naming the file when a chart does not render', () => {
    const chart = bandChart('good', 'good', [{ method: 'standard', points: [{ epoch: 1, n: 1, mean: 1, ci: null }, { epoch: 2, n: 1, mean: 2, ci: null }, { epoch: 3, n: 1, mean: 1.5, ci: null }] }], 'y');
    const page = htmlPage({ title: 't', body: `${chartGrid([chart])}`, charts: [chart] })
      // A second chart the page declares but never draws.
      .replace('data-charts="1"', 'data-charts="2"')
      .replace('</main>', '<div class="chart" id="bad" data-chart="bad"></div></main>');
    const file = path.join(out, 'broken.html');
    fs.writeFileSync(file, page);
    const r = checkRender(file, { chromium: chromium as string });
    assert.equal(r.ok, false);
    assert.deepEqual(r.dom.rendered, ['good']);
    assert.match(r.problem as string, /1 of 2 chart\(s\) did not render: bad/);
    const res = spawnSync(process.execPath, [SCRIPT, file], { encoding: 'utf8', timeout: 120000 });
    assert.equal(res.status, 1);
    assert.match(res.stderr, /FAIL .*broken\.html: 1 of 2 chart\(s\) did not render: bad/);
  });
});
