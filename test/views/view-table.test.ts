import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildReports } from '../../src/reports/build';
import { claimTable } from '../../src/notebook/experiment-views';
import { tableHtml } from '../../src/notebook/html';
import { claimsView } from '../../src/views/claims';
import { cell, cellText, viewTableCsv, viewTableHtml, viewTableTexts } from '../../src/views/table';
import type { ViewTable } from '../../src/views/table';
import { FIXTURE_RESULTS } from '../reports/inputs';

/** The shown text of every body row of the table with element id `id` in `html`. */
function rowsOf(html: string, id: string): string[][] {
  const start = html.indexOf(`<table id="${id}"`);
  assert.ok(start >= 0, `no table ${id}`);
  const table = html.slice(start, html.indexOf('</table>', start));
  const body = table.slice(table.indexOf('<tbody>'));
  const unescape = (t: string): string => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) => [...r[1].matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => unescape(c[1].replace(/<[^>]+>/g, ''))));
}

/** RFC 4180 rows of a CSV text (quoted fields with commas and doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += ch;
  }
  return rows;
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
});
