import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bitSweepTable as bitSweepCsv, buildReports, protocolsTable as protocolsCsv } from '../../src/reports/build';
import { analyzeExperiment } from '../../src/reports/analysis';
import { bitSweep } from '../../src/reports/bits';
import { bitSweepSection, protocolSection } from '../../src/reports/pages';
import { PROTOCOL_TARGETS, protocolSensitivity } from '../../src/reports/protocols';
import { curveRows, runRow, toCsv } from '../../src/reports/tables';
import type { Cell } from '../../src/reports/tables';
import { mergeRecords, readResultsPath } from '../../src/experiments/store';
import { armTable, bitSweepTable, comparisonTable, protocolTable } from '../../src/notebook/experiment-views';
import { bitSweepView, comparisonsView, protocolsView, storageView, summaryView, timingView } from '../../src/views/experiment';
import { tableHtml } from '../../src/notebook/html';
import { claimTable } from '../../src/notebook/experiment-views';
import { claimsView } from '../../src/views/claims';
import { cell, cellText, icell, stackedCsv, viewTableCsv, viewTableHtml, viewTableTexts } from '../../src/views/table';
import type { ViewTable } from '../../src/views/table';
import { FIXTURE_RESULTS, row } from '../reports/inputs';
import type { RunRow } from '../../src/reports/tables';
import { parseCsv } from '../helpers/csv';

/** The shown text of every body row of the table with element id `id` in `html`. */
function rowsOf(html: string, id: string): string[][] {
  const start = html.indexOf(`<table id="${id}"`);
  assert.ok(start >= 0, `no table ${id}`);
  const table = html.slice(start, html.indexOf('</table>', start));
  const body = table.slice(table.indexOf('<tbody>'));
  const unescape = (t: string): string => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) => [...r[1].matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => unescape(c[1].replace(/<[^>]+>/g, ''))));
}


describe('views: one table, three writers', () => {
  it('shows each unit as documented (hand cases)', () => {
    assert.equal(cellText(cell(0.4040, 'percent')), '40.40%');
    assert.equal(cellText(cell(0.1126, 'pp')), '+11.26 pp');
    assert.equal(cellText(cell(Math.log(0.5), 'change')), '−50%');
    assert.equal(cellText(cell(-0.03242, 'signed')), '−0.03242');
    assert.equal(cellText(cell(0.00001, 'p')), '< 0.0001');
    assert.equal(cellText(cell('not-reproduced', 'code')), 'not reproduced');
    assert.equal(cellText(cell(null, 'percent')), '–');
  });

  it('HTML and CSV hold the same rows; a short row is an error naming the table', () => {
    const t: ViewTable = { id: 't', title: 'T', columns: [{ key: 'a', label: 'A' }, { key: 'b', label: 'B' }], rows: [[cell('x'), cell(0.5, 'percent')]] };
    assert.deepEqual(viewTableCsv(t), { columns: ['a', 'b'], rows: [['x', 0.5]] });
    assert.deepEqual(rowsOf(viewTableHtml(t), 'table-t'), [['x', '50.00%']]);
    assert.throws(() => viewTableHtml({ ...t, rows: [[cell('x')]] }), /view table 't': row 0 has 1 cells for 2 columns/);
  });

  it('the claims table of the index, its CSV and the notebook display have identical rows', function () {
    this.timeout(120000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-views-'));
    try {
      const built = buildReports({ results: FIXTURE_RESULTS, out: dir, resamples: 500 });
      const group = built.claims[0];
      const view = claimsView(group.claims, { id: `claims-${group.protocol}`, title: '' });
      const page = rowsOf(fs.readFileSync(path.join(dir, 'index.html'), 'utf8'), `table-claims-${group.protocol}`);
      assert.equal(page.length, group.claims.length);
      assert.deepEqual(page, viewTableTexts(view));
      const notebook = rowsOf(tableHtml(claimTable(group.claims, `claims-${group.protocol}`)), `table-claims-${group.protocol}`);
      assert.deepEqual(notebook, page);
      const csv = parseCsv(fs.readFileSync(path.join(dir, 'tables', 'claims.csv'), 'utf8'));
      const head = csv[0];
      const protocolCol = head.indexOf('protocol');
      const mine = csv.slice(1).filter((r) => r[protocolCol] === group.protocol);
      const raw = viewTableCsv(view).rows.map((r) => r.map((v) => (v === null ? '' : String(v))));
      assert.deepEqual(head, view.columns.map((c) => c.key));
      assert.deepEqual(mine, raw);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('interval columns show "value [lo, hi]" and write value, Lower and Upper to CSV', () => {
    const t: ViewTable = {
      id: 'i',
      title: 'I',
      columns: [{ key: 'm', label: 'mean', interval: 'with-value' }, { key: 'r', label: 'range', interval: 'only' }],
      rows: [[icell(0.5, 'percent', { lower: 0.25, upper: 0.75 }), icell(null, 'pp', { lower: -0.01, upper: 0.02 })], [icell(0.5, 'percent', null), icell(null, 'pp', null)]],
    };
    assert.deepEqual(viewTableTexts(t), [['50.00% [25.00%, 75.00%]', '[−1.00 pp, +2.00 pp]'], ['50.00% –', '–']]);
    assert.deepEqual(viewTableCsv(t), { columns: ['m', 'mLower', 'mUpper', 'rLower', 'rUpper'], rows: [[0.5, 0.25, 0.75, -0.01, 0.02], [0.5, null, null, null, null]] });
    const stacked = stackedCsv([{ keys: [['panel', 1]], table: t }, { keys: [['panel', 2]], table: { ...t, id: 'j', rows: [t.rows[1]] } }]);
    assert.deepEqual(stacked.columns, ['panel', 'm', 'mLower', 'mUpper', 'rLower', 'rUpper']);
    assert.deepEqual(stacked.rows.map((r) => r[0]), [1, 1, 2]);
    assert.throws(() => stackedCsv([{ keys: [['panel', 1]], table: t }, { keys: [['panel', 2]], table: { ...t, id: 'k', columns: [t.columns[0], { key: 'x', label: 'x' }] } }]), /table 'k' has other columns than 'i'/);
  });

  it('every panel table of an experiment page, its CSV and the notebook display have identical rows', function () {
    this.timeout(120000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-views-'));
    try {
      buildReports({ results: FIXTURE_RESULTS, out: dir, resamples: 500 });
      const { records } = mergeRecords([readResultsPath(FIXTURE_RESULTS)]);
      const rows = records.map(runRow);
      const curves = records.flatMap(curveRows);
      let checked = 0;
      for (const exp of [...new Set(rows.map((r) => r.experiment))]) {
        const an = analyzeExperiment(exp, rows.filter((r) => r.experiment === exp), curves, { resamples: 500 });
        const page = fs.readFileSync(path.join(dir, `${exp}.html`), 'utf8');
        const csvOf = (name: string): string[][] => parseCsv(fs.readFileSync(path.join(dir, 'tables', `${exp}-${name}.csv`), 'utf8'));
        an.panels.forEach((p, i) => {
          const views: [string, ViewTable][] = [
            ['summary', summaryView(p, an.primaryMetric, `summary-p${i}`)],
            ['comparisons', comparisonsView(p, `comparisons-p${i}`)],
            ['storage', storageView(p, `storage-p${i}`)],
            ['timing', timingView(p, `timing-p${i}`)],
          ];
          for (const [name, view] of views) {
            if (view.rows.length === 0) continue;
            assert.deepEqual(rowsOf(page, `table-${view.id}`), viewTableTexts(view), `${exp} ${view.id}`);
            const csv = csvOf(name);
            const keys: Cell[] = [p.experiment, p.setting, p.epochs, p.protocol, p.bits];
            const want = parseCsv(toCsv({ columns: [], rows: viewTableCsv(view).rows.map((r) => [...keys, ...r]) })).slice(1);
            const key = (r: string[]): string => r.slice(0, 5).join('\u0000');
            assert.deepEqual(csv.slice(1).filter((r) => key(r) === key(want[0])), want, `${exp} ${name}.csv panel ${i}`);
            checked++;
          }
          const nbSummary = rowsOf(tableHtml(armTable(p, an.primaryMetric, `summary-p${i}`)), `table-summary-p${i}`);
          assert.deepEqual(nbSummary, rowsOf(page, `table-summary-p${i}`));
          if (p.comparisons.length > 0) assert.deepEqual(rowsOf(tableHtml(comparisonTable(p, `comparisons-p${i}`)), `table-comparisons-p${i}`), rowsOf(page, `table-comparisons-p${i}`));
        });
      }
      assert.ok(checked >= 4, `checked ${checked} tables`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the bit-sweep and protocol tables: section, CSV and notebook hold the same rows', () => {
    const mk = (method: string, seed: number, over: Partial<RunRow>): RunRow => row({ experiment: 'mnist', method, seed, epochs: 20, ...over });
    const widths: RunRow[] = [2, 8].flatMap((bits) => [0, 1, 2].flatMap((seed) => [mk('standard', seed, { bits, testAccuracy: 0.1 + 0.3 * seed * (bits / 8) }), mk('octization', seed, { bits, testAccuracy: 0.2 + 0.25 * seed * (bits / 8) })]));
    const sweep = bitSweep(widths, 'mnist');
    assert.ok(sweep !== null);
    const sec = rowsOf(bitSweepSection('mnist', widths).html, 'table-bits');
    assert.equal(sec.length, 2);
    assert.deepEqual(sec, viewTableTexts(bitSweepView(sweep)));
    assert.deepEqual(rowsOf(tableHtml(bitSweepTable(sweep)), 'table-bits'), sec);
    const csv = bitSweepCsv(sweep);
    assert.deepEqual(csv.rows.map((r) => r.slice(5)), viewTableCsv(bitSweepView(sweep)).rows);
    assert.deepEqual(csv.rows.map((r) => r[csv.columns.indexOf('bits')]), [2, 8]);

    const protocols: RunRow[] = ['projected-step', 'ptq'].flatMap((protocol) => [0, 1, 2].flatMap((seed) => [mk('standard', seed, { protocol, testAccuracy: 0.1 + 0.01 * seed }), mk('octization', seed, { protocol, testAccuracy: 0.8 + 0.01 * seed })]));
    const s = protocolSensitivity(protocols, PROTOCOL_TARGETS.mnist);
    assert.ok(s !== null);
    const psec = rowsOf(protocolSection('mnist', protocols), 'table-protocols');
    assert.deepEqual(psec, viewTableTexts(protocolsView(s)));
    assert.deepEqual(rowsOf(tableHtml(protocolTable(s)), 'table-protocols'), psec);
    const pcsv = protocolsCsv('mnist', s);
    assert.deepEqual(pcsv.rows.map((r) => r.slice(5)), viewTableCsv(protocolsView(s)).rows);
    assert.deepEqual(pcsv.rows.map((r) => r[pcsv.columns.indexOf('protocol')]), ['projected-step', 'ptq']);
    assert.deepEqual(bitSweepCsv(null), { columns: ['experiment', 'setting', 'epochs', 'protocol', 'metric'], rows: [] });
  });
});
