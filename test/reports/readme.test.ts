import assert from 'node:assert/strict';
import { FINDINGS_END, FINDINGS_START, findingsMarkdown, progressLine, replaceFindings } from '../../src/reports/readme';
import type { ClaimResult } from '../../src/reports/claims';

function claim(over: Partial<ClaimResult>): ClaimResult {
  return {
    id: 'x',
    experiment: 'cifar10',
    statement: 'Octization | beats standard',
    seedText: '+11.26 pp',
    measure: 'accuracy difference',
    protocol: 'projected-step',
    bits: 8,
    setting: null,
    estimate: 2.5,
    ci: { lower: 1, upper: 4 },
    bca: null,
    n: 10,
    design: 'paired',
    p: 0.01,
    pHolm: 0.02,
    estimateText: '+2.50 pp',
    ciText: '[1.00, 4.00]',
    verdict: 'supported',
    reason: 'ci above 0',
    notes: [],
    ...over,
  };
}

describe('reports: README findings', () => {
  it('renders the claims table with estimates, CIs, n and verdicts, escaping pipes', () => {
    const md = findingsMarkdown(
      {
        runs: 12,
        experiments: ['cifar10'],
        claims: [{ protocol: 'projected-step', claims: [claim({}), claim({ estimate: null, verdict: 'no results yet', reason: 'no results yet: missing cifar10 runs', n: 0 })] }],
      },
      'reports',
    );
    assert.match(md, /Built from 12 stored run\(s\)/);
    assert.match(md, /\[cifar10\]\(reports\/cifar10\.html\)/);
    assert.match(md, /\| cifar10 \| Octization \\\| beats standard \| \+11\.26 pp \| \+2\.50 pp \[1\.00, 4\.00\] \| 10 \| \*\*supported\*\*: ci above 0 \|/);
    assert.match(md, /\| — \| 0 \| no results yet: missing cifar10 runs \|/);
    assert.doesNotMatch(md, /no results yet: no results yet/);
  });

  it('shows a deterministic estimate without an interval on its own, with no stray dash', () => {
    const md = findingsMarkdown(
      {
        runs: 4,
        experiments: ['cifar10'],
        claims: [{ protocol: 'projected-step', claims: [claim({ estimate: 282250, ci: null, estimateText: '282,250 parameters', ciText: '–', design: 'deterministic' })] }],
      },
      'reports',
    );
    assert.match(md, /\| \+11\.26 pp \| 282,250 parameters \| 10 \|/);
    assert.doesNotMatch(md, /parameters –/);
  });

  it('says how much of the study is stored, which steps are incomplete and the compute left', () => {
    const step = (name: string, planned: number, stored: number, remainingSeconds: number | null) => ({
      step: name, purpose: '', experiments: ['mnist'], planned, stored, missing: [], spentSeconds: 0, remainingSeconds,
    });
    const md = findingsMarkdown({ runs: 12, experiments: [], claims: [], progress: [step('a', 10, 10, 0), step('b', 20, 5, 5400), step('c', 4, 0, 1800)] }, 'reports');
    assert.match(md, /Study progress: 15 of 34 planned runs are stored; incomplete steps: b 5\/20, c 0\/4; the missing runs need about 2\.0 core-hours \(estimate\) \(\[details\]\(reports\/index\.html#progress\)\)\./);
    assert.match(progressLine([step('a', 3, 3, 0)], 'x'), /^Study progress: all 3 planned runs are stored \(\[details\]\(x\)\)\.$/);
    assert.match(progressLine([step('a', 3, 1, null)], 'x'), /an unknown number of core-hours/);
  });

  it('adds one line per experiment on protocol sensitivity, linked to its section', () => {
    const md = findingsMarkdown({ runs: 1, experiments: ['mnist'], claims: [], protocols: [{ experiment: 'mnist', summary: 'Closest: ptq.' }] }, 'reports');
    assert.match(md, /\*\*Protocol sensitivity\*\*/);
    assert.match(md, /^- \[mnist\]\(reports\/mnist\.html#protocols\): Closest: ptq\.$/m);
    assert.doesNotMatch(findingsMarkdown({ runs: 1, experiments: [], claims: [], protocols: [] }, 'reports'), /Protocol sensitivity/);
  });

  it('adds one line per experiment on the bit-width sweep, linked to its section', () => {
    const md = findingsMarkdown({ runs: 1, experiments: ['mnist'], claims: [], bitSweeps: [{ experiment: 'mnist', summary: 'Octization is ahead at 8 bits.' }] }, 'reports');
    assert.match(md, /\*\*Bit-width sweep\*\*/);
    assert.match(md, /^- \[mnist\]\(reports\/mnist\.html#bits\): Octization is ahead at 8 bits\.$/m);
    assert.doesNotMatch(findingsMarkdown({ runs: 1, experiments: [], claims: [], bitSweeps: [] }, 'reports'), /Bit-width sweep/);
  });

  it('states how many epoch-prefix pairs agree, per experiment, linked to the check', () => {
    const md = findingsMarkdown(
      { runs: 1, experiments: ['mnist'], claims: [], reproducibility: [{ experiment: 'mnist', pairs: 10, agreeing: 9 }, { experiment: 'cifar10', pairs: 1, agreeing: 1 }] },
      'reports',
    );
    assert.match(md, /\*\*Reproducibility\*\*/);
    assert.match(md, /\[mnist\]\(reports\/mnist\.html#reproducibility\) 9 of 10 pairs agree; \[cifar10\]\(reports\/cifar10\.html#reproducibility\) 1 of 1 pair agree\.$/m);
    assert.doesNotMatch(findingsMarkdown({ runs: 1, experiments: [], claims: [], reproducibility: [] }, 'reports'), /Reproducibility/);
  });

  it('lists every claim under the default protocol and only claims with runs under the others', () => {
    const md = findingsMarkdown(
      {
        runs: 3,
        experiments: ['mnist'],
        claims: [
          { protocol: 'projected-step', claims: [claim({ estimate: null, verdict: 'no results yet', reason: 'missing', n: 0 })] },
          { protocol: 'ptq', claims: [claim({ estimate: null, verdict: 'no results yet', reason: 'missing', n: 0 }), claim({ statement: 'ptq claim' })] },
          { protocol: 'qat', claims: [claim({ estimate: null, verdict: 'no results yet', reason: 'missing', n: 0 })] },
        ],
      },
      'reports',
    );
    assert.match(md, /projected-step protocol\*\*/);
    assert.match(md, /ptq protocol \(claims with runs only\)/);
    assert.equal((md.match(/\| cifar10 \|/g) ?? []).length, 2);
    assert.doesNotMatch(md, /qat protocol/);
  });

  it('replaces only the text between the markers and refuses a README without them', () => {
    const readme = `# T\n\n${FINDINGS_START}\nold\n${FINDINGS_END}\n\nrest\n`;
    const out = replaceFindings(readme, 'new');
    assert.equal(out, `# T\n\n${FINDINGS_START}\nnew\n${FINDINGS_END}\n\nrest\n`);
    assert.equal(replaceFindings(out, 'new'), out);
    assert.throws(() => replaceFindings('# T\n', 'x'), /no findings markers/);
  });
});
