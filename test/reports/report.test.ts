import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { readResultsPath } from '../../src/experiments/store';
import { buildReports, DamagedResultsError } from '../../src/reports/build';
import type { BuildReportsResult } from '../../src/reports/build';
import type { ClaimSpec } from '../../src/reports/claims';
import { formatNumber } from '../../src/reports/format';
import { PLOTLY_MARKER } from '../../src/reports/html';
import { FIXTURE_RESULTS } from './inputs';
import { capture } from '../helpers/capture';


function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

const SECTIONS = ['claims', 'protocols', 'bits', 'run', 'overview', 'results', 'storage', 'timing', 'methods', 'quality', 'tables'];

describe('reports: HTML reports from the results fixture', () => {
  let out: string;
  let built: BuildReportsResult;
  const html: Record<string, string> = {};

  before(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-report-'));
    fs.mkdirSync(path.join(out, 'notebooks'));
    fs.writeFileSync(path.join(out, 'notebooks', 'explore.html'), '<html></html>');
    built = buildReports({ results: FIXTURE_RESULTS, out, resamples: 1000 });
    for (const name of ['regression', 'mnist', 'index']) html[name] = fs.readFileSync(path.join(out, `${name}.html`), 'utf8');
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('writes one report per experiment, the index and the CSV tables', () => {
    assert.deepEqual(built.experiments, ['regression', 'mnist']);
    const { records } = readResultsPath(FIXTURE_RESULTS);
    assert.equal(built.runs, records.length);
    assert.equal(built.duplicates, 0);
    const tables = fs.readdirSync(path.join(out, 'tables')).sort();
    for (const exp of ['regression', 'mnist']) {
      for (const t of ['runs', 'aggregate', 'curves', 'summary', 'comparisons', 'storage', 'timing', 'claims', 'data']) assert.ok(tables.includes(`${exp}-${t}.csv`), `${exp}-${t}.csv`);
    }
    assert.ok(tables.includes('claims.csv'));
    assert.ok(tables.includes('study-progress.csv'));
    assert.ok(tables.includes('mnist-protocols.csv'));
    assert.match(html.mnist, /No protocol comparison yet: it needs standard and octization runs/);
    assert.deepEqual(built.protocols, []);
    assert.ok(tables.includes('mnist-bits.csv'));
    assert.match(html.mnist, /No bit-width sweep yet: it needs standard and octization runs of the same seed/);
    assert.deepEqual(built.bitSweeps, []);
  });

  it('the index shows the progress of the study plan (the fixture holds none of its full-size runs)', () => {
    assert.ok(html.index.includes('<section id="progress">'));
    assert.match(html.index, /0 of 570 planned runs are stored; the missing ones need an unknown number of core-hours/);
    assert.match(html.index, /cifar10-20<\/code><\/td><td>CIFAR-10, 20 epochs[^<]*<\/td><td class="num">0\/20<\/td>/);
    assert.equal(built.progress.length, 8);
  });

  it('counts a plan\'s stored runs, names the missing ones and writes them as CSV', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-progress-'));
    try {
      const plan = [
        {
          name: 'fixture-mnist',
          purpose: 'the fixture runs and two seeds more',
          grids: [{ experiment: 'mnist', seeds: [0, 1, 2, 3, 4, 5, 6], epochs: 1, methods: ['float', 'standard', 'octization'], limitTrain: 256, limitTest: 128, inferenceRepeats: 1 }],
        },
      ];
      const r = buildReports({ results: path.join(FIXTURE_RESULTS, 'mnist.jsonl'), out: dir, resamples: 500, plan });
      assert.equal(r.progress[0].stored, 15);
      assert.equal(r.progress[0].missing.length, 6);
      const index = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
      assert.match(index, /15 of 21 planned runs are stored/);
      assert.match(index, /float e1: seeds 5-6; standard projected-step 8b e1: seeds 5-6; octization projected-step 8b e1: seeds 5-6/);
      const csv = fs.readFileSync(path.join(dir, 'tables', 'study-progress.csv'), 'utf8').trim().split('\n');
      assert.equal(csv.length, 2);
      assert.match(csv[0], /^step,purpose,experiments,planned,stored,missing,coreHoursSpent,coreHoursLeftEstimate,missingRuns$/);
      assert.match(csv[1], /^fixture-mnist,the fixture runs and two seeds more,mnist,21,15,6,/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('each experiment report has every section, the seed description and the methods note', () => {
    for (const exp of ['regression', 'mnist']) {
      for (const id of SECTIONS) assert.ok(html[exp].includes(`<section id="${id}">`), `${exp}: section ${id}`);
      assert.match(html[exp], /Verdict rule\./);
      assert.match(html[exp], /differ numerically in the rounding mode/);
      assert.match(html[exp], /all 511 integer codes from −255 to 255 survive/);
      assert.match(html[exp], /bootstrap, 1,000 resamples/);
    }
    assert.match(html.mnist, /the seed reports test accuracy 96\.73% \(standard\) vs 96\.93% \(octization\)/);
  });

  it('dates each page by its newest run, not the clock, so a rebuild is byte-identical', () => {
    // The newest finishedAt of each fixture file; the index covers both.
    assert.match(html.regression, /newest run finished 2026-11-27T12:30:29\.239Z/);
    assert.match(html.mnist, /newest run finished 2026-11-27T12:30:52\.147Z/);
    assert.match(html.index, /newest run finished 2026-11-27T12:30:52\.147Z/);
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-report-again-'));
    try {
      fs.mkdirSync(path.join(again, 'notebooks'));
      fs.writeFileSync(path.join(again, 'notebooks', 'explore.html'), '<html></html>');
      buildReports({ results: FIXTURE_RESULTS, out: again, resamples: 1000 });
      for (const name of ['regression', 'mnist', 'index']) {
        assert.equal(fs.readFileSync(path.join(again, `${name}.html`), 'utf8'), html[name], `${name}.html differs between two builds`);
      }
    } finally {
      fs.rmSync(again, { recursive: true, force: true });
    }
  });

  it('embeds plotly.js exactly once per chart page, none on the index, and references nothing on the network', () => {
    for (const exp of ['regression', 'mnist']) {
      assert.equal(count(html[exp], PLOTLY_MARKER), 1, exp);
      assert.equal(count(html[exp], 'window.__octolabDefine = window.define'), 1);
      const declared = Number(/<body data-charts="(\d+)"/.exec(html[exp])?.[1]);
      assert.ok(declared >= 8, `${exp} declares ${declared} charts`);
      assert.equal(count(html[exp], 'data-chart="'), declared);
    }
    assert.equal(count(html.index, PLOTLY_MARKER), 0);
    assert.match(html.index, /<body data-charts="0">/);
    for (const page of Object.values(html)) {
      assert.doesNotMatch(page, /<script[^>]+src\s*=/i);
      assert.doesNotMatch(page, /<link[^>]+href\s*=\s*["']?https?:/i);
      assert.doesNotMatch(page, /<(img|iframe)[^>]+src\s*=\s*["']?https?:/i);
      assert.doesNotMatch(page, /@import|url\(\s*["']?https?:/i);
    }
  });

  it('shows what was run: data files with SHA-256, the split, the engine, commits and core-hours', () => {
    const { records } = readResultsPath(path.join(FIXTURE_RESULTS, 'mnist.jsonl'));
    for (const f of records[0].data.files) assert.ok(html.mnist.includes(f.sha256), f.path);
    assert.ok(html.mnist.includes(records[0].data.splitDescription.replace(/'/g, '&#39;')));
    assert.match(html.mnist, /<strong>wasm<\/strong>/);
    const hours = records.reduce((s, r) => s + r.timing.totalSeconds, 0) / 3600;
    assert.ok(html.mnist.includes(`${formatNumber(hours, 3)} core-hours`), `core-hours ${hours}`);
    if (records[0].environment.git.commit !== null) assert.ok(html.mnist.includes(records[0].environment.git.commit));
    assert.match(html.regression, /No files: the data are generated\./);
    assert.match(html.regression, /projected-step<\/code>: After every optimizer step/);
  });

  it('shows the paired comparisons with Holm-adjusted p-values, code dynamics and storage by encoding', () => {
    assert.match(html.regression, /<td><strong>octization<\/strong><\/td><td>standard<\/td><td>main comparison<\/td>/);
    assert.match(html.regression, /<td><strong>toward-zero-int<\/strong><\/td><td>octization<\/td><td>ablation<\/td>/);
    assert.match(html.regression, /paired on the 5 common seeds/);
    assert.ok(html.regression.includes('fraction of codes changed per optimizer step'));
    assert.ok(html.regression.includes('fraction of weights whose code is 0'));
    assert.ok(html.regression.includes('mean |w| over all trainable weights'));
    assert.ok(html.regression.includes('octal text') && html.regression.includes('gzip -9'));
    assert.match(html.regression, /inference: median pass/);
  });

  it('lists the claims with verdicts, notebooks and provenance on the index', () => {
    assert.match(html.index, /<a href="regression\.html">regression<\/a>/);
    assert.match(html.index, /<a href="mnist\.html">mnist<\/a>/);
    assert.match(html.index, /<a href="notebooks\/explore\.html">explore\.html<\/a>/);
    assert.match(html.index, /cifar10-accuracy-20/);
    const claims = built.claims[0];
    assert.equal(claims.protocol, 'projected-step');
    const same = claims.facts.find((c) => c.id === 'mnist-same-size');
    assert.equal(same?.holds, true);
    assert.ok(claims.claims.filter((c) => c.experiment === 'cifar10').every((c) => c.verdict === 'awaiting-runs' || c.verdict === 'not-in-plan'));
    assert.match(html.index, /core-hours/);
  });

  it('writes CSV tables that match the analysis (comparisons with Holm, one claims row per claim, data files)', () => {
    const data = fs.readFileSync(path.join(out, 'tables', 'mnist-data.csv'), 'utf8');
    const { records } = readResultsPath(path.join(FIXTURE_RESULTS, 'mnist.jsonl'));
    for (const f of records[0].data.files) assert.ok(data.includes(`${f.path},${f.role},${f.bytes},${f.sha256}`), f.path);
    const agg = fs.readFileSync(path.join(out, 'tables', 'mnist-aggregate.csv'), 'utf8').trim().split('\n');
    assert.equal(agg[0], 'experiment,setting,method,protocol,bits,epochs,testAccuracy_count,testAccuracy_mean,testAccuracy_std,testAccuracy_min,testAccuracy_max');
    assert.equal(agg.length, 4);
    const cmp = fs.readFileSync(path.join(out, 'tables', 'regression-comparisons.csv'), 'utf8').trim().split('\n');
    const head = cmp[0].split(',');
    for (const c of ['meanDiff', 'tLower', 'tUpper', 'bcaLower', 'bcaUpper', 'pT', 'pHolm', 'dz', 'probImprovement', 'design']) assert.ok(head.includes(c), c);
    const a = head.indexOf('a');
    const b = head.indexOf('b');
    const primary = cmp.slice(1).find((l) => {
      const cells = l.split(',');
      // a and b come before the only columns that may hold quoted commas (note), so a plain split finds them
      return cells[a] === 'octization' && cells[b] === 'standard';
    });
    assert.ok(primary !== undefined);
    const claims = fs.readFileSync(path.join(out, 'tables', 'claims.csv'), 'utf8').trim().split('\n');
    assert.equal(claims.length, 1 + built.claims.reduce((n, g) => n + g.claims.length, 0));
  });

  it('exercises real verdicts on the fixture with claims set to its epochs (1 vs 2)', () => {
    const specs: ClaimSpec[] = [
      {
        kind: 'paired', id: 'reg-loss-2', experiment: 'regression', epochs: 2, metric: 'testLoss', a: 'octization', b: 'standard', scale: 'difference',
        statement: 'test', quote: 'none', seed: null, test: { sign: -1, claimedSize: null, margin: 0.05 },
      },
      {
        kind: 'gap-change', id: 'reg-gap', experiment: 'regression', epochsShort: 1, epochsLong: 2, metric: 'testLoss', a: 'octization', b: 'standard',
        statement: 'test', quote: 'none', seed: { short: 0, long: 0 }, test: { sign: -1, claimedSize: null, margin: 0.05 },
      },
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-report-'));
    try {
      const r = buildReports({ results: path.join(FIXTURE_RESULTS, 'regression.jsonl'), out: dir, resamples: 500, claims: specs });
      const [loss, gap] = r.claims[0].claims;
      assert.equal(loss.n, 10);
      assert.equal(loss.design, 'paired');
      assert.notEqual(loss.verdict, 'awaiting-runs');
      assert.ok(loss.ci !== null && loss.pHolm !== null);
      assert.equal(gap.design, 'paired');
      assert.equal(gap.n, 10);
      assert.ok(Math.abs((gap.estimate as number) - ((loss.estimate as number) - meanGap1())) < 1e-9);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    function meanGap1(): number {
      const { records } = readResultsPath(path.join(FIXTURE_RESULTS, 'regression.jsonl'));
      const at = (m: string, s: number) => records.find((x) => x.config.method === m && x.config.epochs === 1 && x.config.seed === s)!.metrics.testLoss;
      let sum = 0;
      for (let s = 0; s < 10; s++) sum += at('octization', s) - at('standard', s);
      return sum / 10;
    }
  });
});

describe('reports: damaged results and the command line', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-report-cli-'));
    fs.mkdirSync(path.join(dir, 'results'));
    const lines = fs.readFileSync(path.join(FIXTURE_RESULTS, 'regression.jsonl'), 'utf8').trim().split('\n').slice(0, 9);
    fs.writeFileSync(path.join(dir, 'results', 'regression.jsonl'), `${lines.join('\n')}\n{"schema":1,"key":"cut`);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fails on damaged lines naming file:line and reason, unless allowed', () => {
    const file = path.join(dir, 'results', 'regression.jsonl');
    assert.throws(
      () => buildReports({ results: path.join(dir, 'results'), out: path.join(dir, 'out'), resamples: 500 }),
      (err: unknown) => err instanceof DamagedResultsError && err.problems.length === 1 && err.message.includes(`${file}:10: not valid JSON`),
    );
    assert.ok(!fs.existsSync(path.join(dir, 'out', 'index.html')));
    const r = buildReports({ results: path.join(dir, 'results'), out: path.join(dir, 'out'), resamples: 500, allowDamaged: true });
    assert.equal(r.damaged.length, 1);
    const page = fs.readFileSync(path.join(dir, 'out', 'regression.html'), 'utf8');
    assert.ok(page.includes(`${file}:10`));
    assert.match(page, /1 damaged result line was skipped/);
  });

  it('octolab report: exit 1 with file:line on damaged results, 0 with --allow-damaged, 2 on usage errors', async () => {
    const results = path.join(dir, 'results');
    const outDir = path.join(dir, 'out');
    const bad = await capture(() => main(['report', '--results', results, '--out', outDir, '--resamples', '500']));
    assert.equal(bad.code, 1);
    assert.match(bad.err, /regression\.jsonl:10: not valid JSON/);
    assert.match(bad.err, /--allow-damaged/);
    const ok = await capture(() => main(['report', '--results', results, '--out', outDir, '--resamples', '500', '--allow-damaged']));
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /skipped damaged line .*regression\.jsonl:10/);
    assert.match(ok.out, /9 run\(s\), 1 experiment report\(s\)/);
    assert.ok(fs.existsSync(path.join(outDir, 'index.html')) && fs.existsSync(path.join(outDir, 'regression.html')));
    assert.equal((await capture(() => main(['report', '--results', path.join(dir, 'nope')]))).code, 2);
    assert.equal((await capture(() => main(['report', '--resamples', '5']))).code, 2);
    const help = await capture(() => main(['report', '--help']));
    assert.equal(help.code, 0);
    assert.match(help.out, /--allow-damaged/);
  });

  it('builds an index that waits for runs when the results are empty', () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    const r = buildReports({ results: empty, out: path.join(dir, 'out2'), resamples: 500 });
    assert.deepEqual(r.experiments, []);
    const index = fs.readFileSync(path.join(dir, 'out2', 'index.html'), 'utf8');
    assert.match(index, /No results found/);
    assert.ok(r.claims[0].claims.every((c) => c.verdict === 'awaiting-runs' || c.verdict === 'not-in-plan'));
    const missing = buildReports({ results: path.join(dir, 'not-yet'), out: path.join(dir, 'out3'), resamples: 500, missingOk: true });
    assert.equal(missing.runs, 0);
    assert.throws(() => buildReports({ results: path.join(dir, 'not-yet'), out: path.join(dir, 'out3') }), /results path '.*not-yet' does not exist/);
  });
});
