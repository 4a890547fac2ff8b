/**
 * The bottom line in words: a few generated sentences that answer the study in
 * absolute numbers, each number linked to the table or chart it comes from. One
 * list of text segments, rendered to HTML (index) and Markdown (README).
 */
import type { ArmValues } from '../analysis/claims';
import type { BottomLine, HeadlineRow } from '../analysis/bottom-line';
import { formatNumber, formatPercent } from '../reports/format';
import { CODE_LABELS } from './table';
import { escapeHtml } from '../reports/html';

/** A piece of a sentence, optionally linked. */
export interface Segment {
  /** Text. */
  text: string;
  /** Link target (relative to the index page), or undefined. */
  href?: string;
}

/** A paragraph: segments in order. */
export type Paragraph = Segment[];

/** A block of the bottom line: a paragraph, or one item of a list (consecutive items form one list). */
export interface Block {
  /** `p` a paragraph, `li` a list item. */
  kind: 'p' | 'li';
  /** Its text. */
  segments: Paragraph;
}

const NAMES: Record<string, string> = { regression: 'the regression toy', mnist: 'MNIST', cifar10: 'CIFAR-10' };

function value(metric: string, x: number): string {
  return metric === 'testAccuracy' ? formatPercent(x) : formatNumber(x, 4);
}

function armText(h: HeadlineRow, a: ArmValues | null, name: string): string {
  if (a === null) return '';
  const chance = a.atChance !== null && a.atChance > 0 ? ` (at chance in ${a.atChance} of ${a.n} seeds)` : '';
  return `${name} ${value(h.metric, a.mean)}${chance}`;
}

/** The blocks of the bottom line: the study's reading per experiment as a list, then the other protocols and the reason. `claimsHref(experiment)`, `panelsHref(experiment)` and `mechanismHref` give link targets. */
export function bottomLineParagraphs(b: BottomLine, claimsHref: (experiment: string) => string, panelsHref: (experiment: string) => string, mechanismHref = 'mechanism.html#why'): Block[] {
  const out: Block[] = [];
  if (b.headlines.length === 0) return [{ kind: 'p', segments: [{ text: "No run of the study's headline claims is stored yet: the bottom line is written from stored runs only." }] }];
  out.push({ kind: 'p', segments: [{ text: "Under the study's own reading (weights put back on the 8-bit grid after every optimizer step, Adam at lr 0.001), octolab's runs against the study's single runs:" }] });
  for (const h of b.headlines) {
    const what = h.metric === 'testAccuracy' ? 'test accuracy' : 'test MSE of the quantized model';
    const elsewhere = h.floatElsewhere === null ? '' : `float ${value(h.metric, h.floatElsewhere.mean)} on ${h.floatElsewhere.engine} (n = ${h.floatElsewhere.n}; another engine, not paired)`;
    const parts = [armText(h, h.octization, 'Octization'), armText(h, h.standard, 'standard'), h.float === null ? elsewhere : `float ${value(h.metric, h.float.mean)}`].filter((x) => x !== '');
    const study = h.study === null ? 'the study reports no figure' : `the study reports ${value(h.metric, h.study.a)} vs ${value(h.metric, h.study.b)}${h.metric === 'testAccuracy' ? '' : ' (its training loss)'}`;
    out.push({
      kind: 'li',
      segments: [
        { text: `${NAMES[h.experiment] ?? h.experiment}, ${h.epochs} epochs (${what}, n = ${h.octization?.n ?? 0}): ` },
        { text: parts.join(', '), href: claimsHref(h.experiment) },
        { text: `; ${study}: ${CODE_LABELS[h.verdict] ?? h.verdict}.` },
      ],
    });
  }
  const eq = b.protocols.filter((p) => p.verdict === 'equivalent');
  if (eq.length > 0) {
    const p: Paragraph = [{ text: 'Trained any other way (quantized once after training, at the end of each epoch, or with a straight-through estimator), the two are equivalent within the stated margin in these cases: ' }];
    eq.forEach((e, i) => {
      const metric = e.claimId.startsWith('regression') ? 'testLoss' : 'testAccuracy';
      p.push({ text: `${i === 0 ? '' : '; '}${NAMES[e.experiment] ?? e.experiment} under ${e.protocol} ` });
      p.push({ text: `${value(metric, e.octization ?? NaN)} vs ${value(metric, e.standard ?? NaN)} (n = ${e.n})`, href: claimsHref(e.experiment) });
    });
    const other = b.protocols.filter((x) => x.verdict !== 'equivalent');
    p.push({ text: '.' });
    if (other.length > 0) p.push({ text: ` Not equivalent: ${other.map((o) => `${NAMES[o.experiment] ?? o.experiment} under ${o.protocol} (${CODE_LABELS[o.verdict] ?? o.verdict})`).join('; ')}.` });
    out.push({ kind: 'p', segments: p });
  }
  const why: Paragraph = [{ text: 'Why: the two methods differ in the rounding mode only, not in the octal encoding. ' }];
  const ids = b.identities.filter((x) => x.pairs > 0);
  if (ids.length > 0) {
    why.push({ text: 'Re-encoding changes no number: ' });
    ids.forEach((x, i) => {
      why.push({ text: `${i === 0 ? '' : '; '}${x.a} and ${x.b} on ${NAMES[x.experiment] ?? x.experiment} are bit-identical runs in ` });
      why.push({ text: `${x.identical} of ${x.pairs} seed pairs`, href: panelsHref(x.experiment) });
    });
    why.push({ text: '. ' });
  }
  const codes = b.codes.filter((c) => c.experiment !== 'regression');
  if (codes.length > 0) {
    why.push({ text: "Adam's nominal step at lr 0.001 is lr·255 ≈ 0.26 of the grid step 1/255, and most of its proposals are smaller still (" });
    why.push({ text: 'their recorded distribution', href: mechanismHref });
    why.push({ text: '): rounding to nearest sends almost every updated weight back to the code it left, while truncation turns every update toward zero into a full step toward zero and erases every update away from it. Recorded: ' });
    codes.forEach((c, i) => {
      why.push({ text: `${i === 0 ? '' : '; '}${NAMES[c.experiment] ?? c.experiment} ${c.method} changes ` });
      why.push({ text: `${formatNumber(c.stepChangeFirst * 100, 3)} % of its codes per step in epoch 1 and ends with ${formatPercent(c.zeroShareLast, 1)} of its codes at 0`, href: panelsHref(c.experiment) });
    });
    why.push({ text: '.' });
  }
  if (ids.length > 0 || codes.length > 0) out.push({ kind: 'p', segments: why });
  return out;
}

function segmentsHtml(p: Paragraph): string {
  return p.map((s) => (s.href === undefined ? escapeHtml(s.text) : `<a href="${escapeHtml(s.href)}">${escapeHtml(s.text)}</a>`)).join('');
}

/** The blocks as HTML: `<p>` per paragraph, one `<ul>` per run of list items, links kept. */
export function paragraphsHtml(blocks: readonly Block[]): string {
  const out: string[] = [];
  blocks.forEach((b, i) => {
    if (b.kind === 'p') out.push(`<p>${segmentsHtml(b.segments)}</p>`);
    else {
      const open = blocks[i - 1]?.kind !== 'li' ? '<ul>' : '';
      const close = blocks[i + 1]?.kind !== 'li' ? '</ul>' : '';
      out.push(`${open}<li>${segmentsHtml(b.segments)}</li>${close}`);
    }
  });
  return out.join('\n');
}

/** The blocks as Markdown: paragraphs apart, list items as `- ` lines, links kept. */
export function paragraphsMarkdown(blocks: readonly Block[]): string {
  const text = (p: Paragraph): string => p.map((s) => (s.href === undefined ? s.text : `[${s.text}](${s.href})`)).join('');
  return blocks.map((b, i) => (b.kind === 'li' ? `- ${text(b.segments)}${blocks[i + 1]?.kind === 'li' ? '\n' : '\n\n'}` : `${text(b.segments)}\n\n`)).join('').trimEnd();
}
