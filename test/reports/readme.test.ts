import assert from 'node:assert/strict';
import { FINDINGS_END, FINDINGS_START, findingsMarkdown, progressLine, replaceFindings } from '../../src/reports/readme';
import type { ClaimResult } from '../../src/reports/claims';

function claim(over: Partial<ClaimResult>): ClaimResult {
  return {
    id: 'x', experiment: 'cifar10', statement: 'Octization | beats standard', quote: '', metric: 'testAccuracy', scale: 'difference',
    seed: { a: 0.404, b: 0.2914 }, claimedSize: 0.1126, a: 'octization', b: 'standard', protocol: 'projected-step', bits: 8, setting: null,
    arms: [
      { method: 'octization', epochs: 5, n: 10, mean: 0.4, median: 0.4, min: 0.3, max: 0.5, atChance: 0 },
      { method: 'standard', epochs: 5, n: 10, mean: 0.375, median: 0.37, min: 0.3, max: 0.45, atChance: 0 },
    ],
    estimate: 0.025, medianDiff: 0.02, ci: { lower: 0.01, upper: 0.04 }, bca: null, n: 10, design: 'paired', p: 0.01, pPermutation: 0.012, pHolm: 0.02,
    family: 'claims/projected-step', mde: 0.01,
    judgement: { code: 'not-reproduced', size: 'smaller', direction: 'claimed', difference: { code: 'a-higher', pEquivalence: 0.9, margin: 0.01 } },
    verdict: 'not-reproduced', caveats: [], missing: null, notes: [],
    ...over,
  };
}

const waiting = (over: Partial<ClaimResult> = {}): ClaimResult =>
  claim({ estimate: null, ci: null, arms: [], judgement: null, verdict: 'awaiting-runs', n: 0, missing: { kind: 'awaiting-runs', runs: 2, detail: 'still missing: cifar10 runs' }, ...over });

describe('reports: README findings', () => {
  it('renders the claims table with estimates, CIs, n and verdicts, escaping pipes', () => {
    const md = findingsMarkdown(
      {
        runs: 12,
        experiments: ['cifar10'],
        claims: [{ protocol: 'projected-step', claims: [claim({}), waiting()], facts: [] }],
      },
      'reports',
    );
    assert.match(md, /Built from 12 stored run\(s\)/);
    assert.match(md, /\[cifar10\]\(reports\/cifar10\.html\)/);
    assert.match(md, /\| cifar10 \| Octization \\\| beats standard \| 40\.40% \/ 29\.14% \| 40\.00% \/ 37\.50% \| \+2\.50 pp \[\+1\.00 pp, \+4\.00 pp\] \| 10 \| \*\*not reproduced\*\*/);
    assert.match(md, /\| — \| — \| – \| \*\*awaiting runs\*\*: still missing: cifar10 runs \|/);
    assert.match(md, /protocol\*\*: 1 not reproduced, 1 awaiting runs/);
  });

  it('lists checked facts apart from the verdicts, with their caveats', () => {
    const fact = { id: 'f', experiment: 'mnist', statement: 'Both MNIST models have the same size.', quote: '', protocol: 'projected-step', n: 30, holds: true, measured: [101770], study: 101870, caveats: [{ code: 'study-count-mismatch' as const, values: { study: 101870, measured: 101770, difference: 100 } }] };
    const md = findingsMarkdown({ runs: 4, experiments: ['mnist'], claims: [{ protocol: 'projected-step', claims: [claim({})], facts: [fact] }] }, 'reports');
    assert.match(md, /Checked facts \(deterministic, not counted as support\): mnist: Both MNIST models have the same size\. holds in 30 runs \(.*off by 100\)/);
    assert.doesNotMatch(md, /supported/);
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
          { protocol: 'projected-step', claims: [waiting()], facts: [] },
          { protocol: 'ptq', claims: [waiting(), claim({ statement: 'ptq claim' })], facts: [] },
          { protocol: 'qat', claims: [waiting({ verdict: 'not-in-plan' })], facts: [] },
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
