/**
 * The engines page: the replication of study arms on libtorch against the tfjs wasm runs
 * that every other page is built from. Engines are compared statistically (projected
 * training amplifies float differences), per arm and per claim, never mixed in one paired
 * comparison.
 */
import type { EngineComparison } from '../cross-engine';
import type { RunRecord } from '../experiments/record';
import { engineArmsView, engineClaimsView } from '../views/engines';
import { viewTableHtml } from '../views/table';
import { forestChart } from './charts';
import type { ChartSpec } from './charts';
import { formatNumber, formatPp } from './format';
import { chartGrid, escapeHtml, htmlPage, keyValueTable } from './html';
import { provenanceOf } from './provenance';

/** The numbers the engines summary states. */
export interface EnginesSummary {
  /** Arms run on both engines. */
  arms: number;
  /** Arms whose 95 % interval of torch − wasm holds 0. */
  armsHoldingZero: number;
  /** Largest |mean torch − wasm| over accuracy arms, as a fraction (null without one). */
  largestAccuracyDiff: number | null;
  /** Claims judged on both engines. */
  claims: number;
  /** Of those, claims with the same verdict on both. */
  claimsSame: number;
  /** Runs on torch and on the tfjs engine in the comparison. */
  runsTorch: number;
  /** See {@link runsTorch}. */
  runsWasm: number;
}

/** The summary numbers of a comparison (pure). */
export function enginesSummary(cmp: EngineComparison): EnginesSummary {
  const acc = cmp.arms.filter((a) => a.metric === 'testAccuracy' && a.diff !== null).map((a) => Math.abs(a.diff as number));
  const judged = cmp.claims.filter((c) => c.agreement !== 'not-comparable');
  return {
    arms: cmp.arms.length,
    armsHoldingZero: cmp.arms.filter((a) => a.ciHoldsZero === true).length,
    largestAccuracyDiff: acc.length === 0 ? null : Math.max(...acc),
    claims: judged.length,
    claimsSame: judged.filter((c) => c.agreement === 'same').length,
    runsTorch: cmp.arms.reduce((s, a) => s + a.nTorch, 0),
    runsWasm: cmp.arms.reduce((s, a) => s + a.nWasm, 0),
  };
}

/** One sentence stating the summary (for the index and the README). */
export function enginesSentence(s: EnginesSummary): string {
  if (s.arms === 0) return 'No arm has been run on both engines yet.';
  const largest = s.largestAccuracyDiff === null ? '' : `; the largest mean difference in test accuracy is ${formatPp(s.largestAccuracyDiff)}`;
  return `${s.arms} arms were rerun on libtorch (${s.runsTorch} runs, the same seeds as ${s.runsWasm} wasm runs): in ${s.armsHoldingZero} of ${s.arms} the 95% interval of torch − wasm holds 0${largest}, and ${s.claimsSame} of ${s.claims} claims judged on both engines get the same verdict.`;
}

/** What {@link enginesPage} needs. */
export interface EnginesPageArgs {
  /** The comparison. */
  comparison: EngineComparison;
  /** The torch runs compared (for their engine description). */
  torchRecords: readonly RunRecord[];
  /** Where the torch results were read from (shown). */
  resultsPath: string;
  /** Links to the CSV files of the two tables. */
  csv: { arms: string; claims: string };
}

/** The forest chart of torch − wasm per arm. */
function diffChart(cmp: EngineComparison): ChartSpec | null {
  const rows = cmp.arms
    .filter((a) => a.metric === 'testAccuracy' && a.diff !== null && a.ci !== null)
    .map((a) => ({ label: `${a.experiment} ${a.epochs} ep · ${a.method}`, estimate: a.diff as number, lower: (a.ci as [number, number])[0], upper: (a.ci as [number, number])[1] }));
  return rows.length === 0 ? null : forestChart('engines-diff', 'test accuracy, torch − wasm per arm: mean of the per-seed differences ± 95% t interval (pp)', rows, 'torch − wasm (pp)', 100);
}

/** A self-contained page: summary, engine descriptions, the per-arm and per-claim tables, and the difference chart. */
export function enginesPage(args: EnginesPageArgs): string {
  const cmp = args.comparison;
  const summary = enginesSummary(cmp);
  const chart = diffChart(cmp);
  const engines = provenanceOf(args.torchRecords as RunRecord[]).engines;
  const notCompared = cmp.claims.filter((c) => c.agreement === 'not-comparable').map((c) => c.id);
  const body = `<header>
<h1>octolab: the torch engine against wasm</h1>
<p class="muted">The same study arms trained on libtorch (the native engine) and on the tfjs WebAssembly engine, from the same seeded initial weights and the same batches. Every other page is built from the wasm runs only.</p>
<p class="note">Built from <code>${escapeHtml(args.resultsPath)}</code> without training. <a href="index.html">All reports</a>.</p>
</header>
<section id="summary"><h2>Summary</h2>
<p>${escapeHtml(enginesSentence(summary))}</p>
<p class="note">Projected training decides codes by rounding, so float differences between engines (summation order, fused kernels) can change a code and the runs then part; the engines are therefore compared statistically, seed against seed, not bit for bit. A paired comparison of methods never mixes engines: the claims below are judged on each engine's runs separately.</p>
</section>
<section id="arms"><h2>Per arm</h2>
${viewTableHtml(engineArmsView(cmp), 'wide')}
${chart === null ? '' : chartGrid([chart], true)}
<p class="note"><a href="${escapeHtml(args.csv.arms)}">As CSV</a>. Means and medians are over the runs on each engine; the difference is paired by seed.</p>
</section>
<section id="claims"><h2>Per claim</h2>
${viewTableHtml(engineClaimsView(cmp), 'wide')}
<p class="note"><a href="${escapeHtml(args.csv.claims)}">As CSV</a>.${notCompared.length === 0 ? '' : ` Not compared (no torch runs of their arms): ${escapeHtml(notCompared.join(', '))}.`}</p>
</section>
<section id="engine"><h2>Engines</h2>
${engines.map((e) => keyValueTable([['backend', e.backend], ['runs', formatNumber(e.runs)], ...Object.entries(e.details)])).join('\n')}
</section>
<footer>generated from stored results only.</footer>`;
  return htmlPage({ title: 'octolab: torch vs wasm', body, charts: chart === null ? [] : [chart] });
}
