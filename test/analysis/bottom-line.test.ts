import assert from 'node:assert/strict';
import { bottomLine } from '../../src/analysis/bottom-line';
import type { ArmValues, ClaimResult, ClaimsByProtocol } from '../../src/analysis/claims';
import { bottomLineParagraphs, paragraphsHtml, paragraphsMarkdown } from '../../src/views/bottom-line';
import type { CurveRow } from '../../src/reports/tables';
import { SETTING, row } from '../reports/inputs';

const arm = (method: string, mean: number, atChance: number | null): ArmValues => ({ method, epochs: 20, n: 10, mean, median: mean, min: mean, max: mean, atChance });

/** Only the fields the bottom line reads; the rest of a claim does not enter it. */
function claim(id: string, experiment: string, protocol: string, verdict: ClaimResult['verdict'], arms: ArmValues[], seed: { a: number; b: number } | null): ClaimResult {
  return { id, experiment, protocol, metric: 'testAccuracy', a: 'octization', b: 'standard', arms, verdict, seed, n: 10 } as unknown as ClaimResult;
}

function curve(key: string, epoch: number, zero: number, step: number): CurveRow {
  return { key, epoch, zeroCodeFraction: zero, stepChangeFraction: step } as unknown as CurveRow;
}

describe('analysis: the bottom line', () => {
  const groups: ClaimsByProtocol[] = [
    { protocol: 'projected-step', facts: [], claims: [claim('mnist-accuracy', 'mnist', 'projected-step', 'not-reproduced', [arm('octization', 0.8053, 0), arm('standard', 0.098, 9), arm('float', 0.978, 0)], { a: 0.9693, b: 0.9673 })] },
    { protocol: 'ptq', facts: [], claims: [claim('mnist-accuracy', 'mnist', 'ptq', 'equivalent', [arm('octization', 0.97, 0), arm('standard', 0.971, 0)], null)] },
  ];
  const rows = [0, 1].flatMap((seed) => [
    row({ experiment: 'mnist', method: 'standard', seed, epochs: 20, key: `s${seed}` }),
    row({ experiment: 'mnist', method: 'octization', seed, epochs: 20, key: `o${seed}` }),
  ]);
  const curves = [curve('s0', 1, 0.1, 0.0001), curve('s0', 2, 0.2, 0), curve('s1', 1, 0.1, 0.0003), curve('s1', 2, 0.4, 0), curve('o0', 1, 0.5, 0.01), curve('o0', 2, 0.8, 0), curve('o1', 1, 0.5, 0.03), curve('o1', 2, 0.6, 0)];

  it('takes the headline arms, the study figures and the verdict from the default protocol', () => {
    const b = bottomLine(groups, rows, curves);
    assert.equal(b.headlines.length, 1);
    const h = b.headlines[0];
    assert.deepEqual([h.octization?.mean, h.standard?.mean, h.standard?.atChance, h.float?.mean, h.verdict], [0.8053, 0.098, 9, 0.978, 'not-reproduced']);
    assert.deepEqual(h.study, { a: 0.9693, b: 0.9673 });
    assert.deepEqual(b.protocols.map((p) => [p.protocol, p.verdict, p.octization, p.standard]), [['ptq', 'equivalent', 0.97, 0.971]]);
  });

  it('takes float from another engine, marked and unpaired, only where the claims have no float arm', () => {
    const noFloat: ClaimsByProtocol[] = [
      { protocol: 'projected-step', facts: [], claims: [{ ...claim('cifar10-accuracy-20', 'cifar10', 'projected-step', 'contradicted', [arm('octization', 0.0997, 10), arm('standard', 0.4094, 1)], { a: 0.5189, b: 0.3332 }), setting: SETTING } as ClaimResult] },
    ];
    const torch = [0.7, 0.72, 0.74].map((testAccuracy, seed) => row({ experiment: 'cifar10', method: 'float', seed, epochs: 20, testAccuracy }));
    const other = [row({ experiment: 'cifar10', method: 'float', seed: 0, epochs: 5, testAccuracy: 0.1 }), row({ experiment: 'mnist', method: 'float', seed: 0, epochs: 20, testAccuracy: 0.1 })];
    const [h] = bottomLine(noFloat, [], [], { engine: 'torch', rows: [...torch, ...other] }).headlines;
    assert.equal(h.float, null);
    assert.deepEqual([h.floatElsewhere?.engine, h.floatElsewhere?.n, h.floatElsewhere?.median, h.floatElsewhere?.atChance], ['torch', 3, 0.72, 0]);
    assert.ok(Math.abs((h.floatElsewhere?.mean ?? 0) - 0.72) < 1e-12);
    assert.equal(bottomLine(noFloat, [], []).headlines[0].floatElsewhere, null);
    // A float arm of the claims' own engine wins: the other engine is not consulted.
    assert.equal(bottomLine(groups, rows, curves, { engine: 'torch', rows: [row({ experiment: 'mnist', method: 'float', seed: 0, epochs: 20, testAccuracy: 0.5 })] }).headlines[0].floatElsewhere, null);
  });

  it('averages the last-epoch zero-code share and the epoch-1 step-change share over seeds', () => {
    const codes = bottomLine(groups, rows, curves).codes;
    const std = codes.find((c) => c.method === 'standard');
    const oct = codes.find((c) => c.method === 'octization');
    assert.ok(std !== undefined && oct !== undefined);
    assert.ok(Math.abs(std.zeroShareLast - 0.3) < 1e-12 && Math.abs(std.stepChangeFirst - 0.0002) < 1e-12);
    assert.ok(Math.abs(oct.zeroShareLast - 0.7) < 1e-12 && Math.abs(oct.stepChangeFirst - 0.02) < 1e-12);
    assert.equal(std.n, 2);
  });

  it('renders one list item per headline, linked, in HTML and Markdown', () => {
    const blocks = bottomLineParagraphs(bottomLine(groups, rows, curves), (e) => `${e}.html#claims`, (e) => `${e}.html#results`);
    assert.deepEqual(blocks.map((x) => x.kind), ['p', 'li', 'p', 'p']);
    const html = paragraphsHtml(blocks);
    assert.equal(html.split('<ul>').length - 1, 1);
    assert.equal(html.split('<li>').length - 1, 1);
    assert.ok(html.includes('href="mnist.html#claims"'));
    const md = paragraphsMarkdown(blocks).split('\n');
    assert.equal(md.filter((l) => l.startsWith('- ')).length, 1);
    assert.ok(md.some((l) => l.includes('](mnist.html#claims)')));
  });

  it('says that nothing is stored instead of an empty answer', () => {
    const blocks = bottomLineParagraphs(bottomLine([], [], []), (e) => e, (e) => e);
    assert.deepEqual(blocks.map((x) => x.kind), ['p']);
    assert.equal(blocks[0].segments.some((x) => x.href !== undefined), false);
  });
});
