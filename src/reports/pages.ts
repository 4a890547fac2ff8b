/**
 * The two kinds of report page: one per experiment (what was run, claims,
 * per-panel summaries, charts and paired comparisons, storage, timing, the
 * methods note) and the index across experiments.
 */
import { EXPERIMENTS } from '../experiments/config';
import type { RunRecord } from '../results/schema';
import { describeMissing } from '../experiments/study';
import type { StepProgress } from '../experiments/study';
import type { ExperimentName } from '../experiments/config';
import { PROTOCOL_DEFINITIONS } from '../training/protocols';
import type { ProtocolName } from '../training/protocols';
import { METRICS } from './analysis';
import type { Arm, CurveMetric, ExperimentAnalysis, Panel, PairComparison, RunMetric } from './analysis';
import { bitSweep, bitSweepChart, bitSweepSummary } from './bits';
import { bandChart, barChart, distributionChart, forestChart, seedLinesChart } from './charts';
import type { ChartSpec } from './charts';
import type { ExperimentWhy } from './mechanism';
import type { ClaimsByProtocol } from '../analysis/claims';
import type { VerdictRule } from '../analysis/verdict';
import { caveatText, claimsView, describeRule, factsView, verdictTally } from '../views/claims';
import { viewTableHtml } from '../views/table';
import { bitSweepView, comparisonsView, panelLabel, protocolsView, STORAGE_ROWS, storageView, summaryView, timingView } from '../views/experiment';
import type { BottomLine } from '../analysis/bottom-line';
import { bottomLineParagraphs, paragraphsHtml } from '../views/bottom-line';
import {
  MISSING,
  formatNumber,
  formatPercent,
  formatPp,
  formatSeconds,
  formatSeedList,
  isFiniteNumber,
} from './format';
import { chartGrid, escapeHtml, htmlPage, htmlTable, keyValueTable, raw } from './html';
import { reproducibilityHtml } from './reproducibility';
import type { PrefixCheck } from './reproducibility';
import type { Html } from './html';
import { methodsNoteHtml, methodsNoteNumbers } from './methods-note';
import { provenanceOf } from './provenance';
import type { Provenance } from './provenance';
import { PROTOCOL_TARGETS, protocolSensitivity, protocolSummary } from './protocols';
import type { CurveRow, RunRow } from './tables';

/** A damaged line of a results file, as the store reports it. */
export interface DamagedLine {
  /** File. */
  file: string;
  /** 1-based line. */
  line: number;
  /** Why it could not be used. */
  reason: string;
}

/** A link to a CSV table written beside the report. */
export interface TableLink {
  /** What the table holds. */
  label: string;
  /** Relative href. */
  href: string;
}

export type { ClaimsByProtocol } from '../analysis/claims';

/** Inputs of {@link experimentPage}. */
export interface ExperimentPageArgs {
  /** The computed analysis. */
  analysis: ExperimentAnalysis;
  /** The experiment's records (deduplicated). */
  records: readonly RunRecord[];
  /** Claims of this experiment, first protocol first (the default, projected-step). */
  claims: readonly ClaimsByProtocol[];
  /** Verdict rule used. */
  rule: VerdictRule;
  /** Damaged lines accepted with `--allow-damaged`. */
  damaged: readonly DamagedLine[];
  /** Duplicate records (same run key) dropped. */
  duplicates: number;
  /** The epoch-prefix agreement of the experiment's records ({@link checkEpochPrefixes}). */
  reproducibility: PrefixCheck;
  /** CSV tables of this report. */
  tables: readonly TableLink[];
  /** Results path read, for the page header. */
  resultsPath: string;
  /** Bootstrap resamples behind the BCa intervals (for the text). Default 10,000. */
  resamples?: number;
  /** The experiment's notebook export (relative href), if there is one. */
  notebook?: string;
  /** The "why" section (mechanism evidence of this experiment), shown first when present. */
  why?: ExperimentWhy;
}

/** A value of a run metric for display. */
export function formatMetric(metric: RunMetric, x: number | null | undefined): string {
  switch (METRICS[metric].unit) {
    case 'fraction':
      return formatPercent(x);
    case 'seconds':
      return formatSeconds(x);
    case 'rate':
      return isFiniteNumber(x) ? `${formatNumber(x, 4)}/s` : MISSING;
    default:
      return formatNumber(x, 4);
  }
}

/** A difference of a run metric (A − B) for display: pp for fractions, else `digits` significant digits with a sign. */
export function formatMetricDiff(metric: RunMetric, x: number | null | undefined, digits = 4): string {
  if (METRICS[metric].unit === 'fraction') return formatPp(x);
  if (!isFiniteNumber(x)) return MISSING;
  const t = formatNumber(x, digits);
  return x > 0 ? `+${t}` : t;
}


function comparisonLabel(p: Panel, c: PairComparison): string {
  return `${p.epochs} ep · ${p.protocol}${p.bits === null ? '' : ` ${p.bits}b`}: ${c.a} − ${c.b}`;
}

/**
 * The claims section: per protocol, the claims table and the checked facts (both view
 * tables, the same objects the CSV files and notebooks show), then the rule once.
 */
export function claimsSection(groups: readonly ClaimsByProtocol[], rule: VerdictRule, withExperiment: boolean, idPrefix = 'claims'): string {
  if (groups.every((g) => g.claims.length === 0 && g.facts.length === 0)) return '<p class="muted">The seed makes no claim about this experiment that octolab checks.</p>';
  const parts = groups.map((g, i) => {
    const claims = i === 0 ? g.claims : g.claims.filter((c) => c.verdict !== 'awaiting-runs' && c.verdict !== 'not-in-plan');
    const hidden = g.claims.length - claims.length;
    const facts = g.facts.filter((f) => f.holds !== null);
    const href = withExperiment ? (e: string): string => `${e}.html#claims` : undefined;
    return `<h3 id="${escapeHtml(idPrefix)}-${escapeHtml(g.protocol)}">Verdicts under protocol <code>${escapeHtml(g.protocol)}</code>${i === 0 ? ' (default)' : ''}</h3>
<p class="note">${escapeHtml(PROTOCOL_DEFINITIONS[g.protocol as ProtocolName] ?? '')}${hidden > 0 ? ` ${hidden} claim${hidden === 1 ? ' has' : 's have'} no runs under this protocol (not in the study plan) and ${hidden === 1 ? 'is' : 'are'} left out.` : ''}</p>
<p>${escapeHtml(claims.length === 0 ? 'No claim has runs under this protocol.' : `Verdicts: ${verdictTally(claims)}.`)}</p>
${claims.length === 0 ? '' : viewTableHtml(claimsView(claims, { id: `${idPrefix}-${g.protocol}`, title: `Claims of the study under ${g.protocol}`, rule, experimentHref: href }), 'wide claims')}
${facts.length === 0 ? '' : `<h4>Checked facts (deterministic; not statistical support, not in the tally)</h4>
${viewTableHtml(factsView(facts, { id: `${idPrefix}-facts-${g.protocol}`, title: `Checked facts under ${g.protocol}` }))}`}`;
  });
  return `${parts.join('\n')}\n<p class="note"><strong>Verdict rule.</strong> ${escapeHtml(describeRule(rule))}
Differences are Octization − standard (or as stated); ratios are geometric means of per-seed ratios with the interval from the mean log-ratio.</p>`;
}

function provenanceHtml(p: Provenance, records: readonly RunRecord[]): string {
  const kv: [string, string | Html][] = [
    ['runs', String(p.runs)],
    ['date range', p.firstStart === null ? MISSING : `${p.firstStart} → ${p.lastFinish}`],
    ['compute spent', `${formatNumber(p.coreHours, 3)} core-hours (${formatSeconds(p.totalSeconds)} of whole-run time; one core per worker process)`],
    ['octolab version', p.versions.join(', ') || MISSING],
    [
      'git commit',
      raw(
        p.commits
          .map((c) => `<code>${escapeHtml(c.commit ?? 'unknown')}</code>${c.dirty === true ? ' (uncommitted changes)' : c.dirty === null ? ' (state unknown)' : ''} — ${c.runs} run${c.runs === 1 ? '' : 's'}`)
          .join('<br>') || MISSING,
      ),
    ],
    ['hosts', raw(p.hosts.map((h) => `${escapeHtml(h.host)} — ${h.runs} run${h.runs === 1 ? '' : 's'}`).join('<br>') || MISSING)],
  ];
  const engines = htmlTable(
    [{ label: 'backend' }, { label: 'versions' }, { label: 'details' }, { label: 'runs', align: 'right' }],
    p.engines.map((e) => [
      raw(`<strong>${escapeHtml(e.backend)}</strong>`),
      Object.entries(e.versions)
        .map(([k, v]) => `${k} ${v ?? '–'}`)
        .join(', '),
      Object.entries(e.details)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; '),
      String(e.runs),
    ]),
  );
  const protocols = p.protocols
    .map((name) => `<li><code>${escapeHtml(name)}</code>: ${escapeHtml(PROTOCOL_DEFINITIONS[name as ProtocolName] ?? 'unknown protocol')}</li>`)
    .join('');
  const dataParts = p.data.map((d) => {
    const v = d.provenance;
    const rows: [string, string | Html][] = [
      ['dataset', `${v.dataset} — ${v.source}`],
      ['split', `${v.split}: ${v.splitDescription}`],
      ['examples', `train ${v.limitTrain === null ? 'all' : `first ${v.limitTrain}`} of ${formatNumber(v.nTrainAvailable)}; test ${v.limitTest === null ? 'all' : `first ${v.limitTest}`} of ${formatNumber(v.nTestAvailable)}`],
      ['layout, normalisation', `${v.layout}; ${v.normalisation}`],
      ['checksums', v.checksums],
      ['runs', String(d.runs)],
    ];
    if (v.generator !== null) {
      const g = v.generator;
      rows.push([
        'generator',
        `${g.kind}; data seed ${g.seed}; ${g.nFeatures} features, ${g.nTrain} train / ${g.nTest} test; noise sd ${formatNumber(g.noiseStd)}, irreducible MSE ${formatNumber(g.irreducibleMse)}; MSE of always predicting 0 on train ${formatNumber(g.trainZeroPredictorMse)}`,
      ]);
    }
    const files =
      v.files.length === 0
        ? '<p class="note">No files: the data are generated.</p>'
        : htmlTable(
            [{ label: 'file' }, { label: 'role' }, { label: 'bytes', align: 'right' }, { label: 'SHA-256' }],
            v.files.map((f) => [raw(`<code>${escapeHtml(f.path)}</code>`), f.role, formatNumber(f.bytes), raw(`<code>${escapeHtml(f.sha256)}</code>`)]),
          );
    return `${keyValueTable(rows)}\n${files}`;
  });
  const arms = new Map<string, { r: RunRecord; seeds: number[] }>();
  for (const r of records) {
    const c = r.config;
    const k = JSON.stringify([c.method, c.protocol, c.scheme?.bits ?? null, c.epochs, c.data, c.batchSize, c.optimizer]);
    const cur = arms.get(k);
    if (cur === undefined) arms.set(k, { r, seeds: [c.seed] });
    else cur.seeds.push(c.seed);
  }
  const armRows = [...arms.values()]
    .sort((x, y) => x.r.config.epochs - y.r.config.epochs || (x.r.config.method < y.r.config.method ? -1 : 1))
    .map(({ r, seeds }) => {
      const c = r.config;
      return [
        raw(`<strong>${escapeHtml(c.method)}</strong>`),
        c.scheme === null ? 'float32 (no quantization)' : `${c.scheme.bits} bits, scale ${c.scheme.scale}, rounding ${c.scheme.rounding}, encoding ${c.scheme.encoding}`,
        c.protocol,
        String(c.epochs),
        `${c.model}; batch ${c.batchSize}; ${c.optimizer.name} lr ${c.optimizer.learningRate}`,
        formatSeedList(seeds),
        String(seeds.length),
      ];
    });
  return `${keyValueTable(kv)}
<h3>Configurations</h3>
${htmlTable([{ label: 'method' }, { label: 'quantizer' }, { label: 'protocol' }, { label: 'epochs', align: 'right' }, { label: 'model and optimizer' }, { label: 'seeds' }, { label: 'n', align: 'right' }], armRows)}
<h3>Protocols</h3>
<ul>${protocols}</ul>
<h3>Data</h3>
${dataParts.join('\n')}
<h3>Engine actually used</h3>
${engines}`;
}

/** A panel's per-method summary (the view table) and its warnings: diverged arms and arms that are bimodal across seeds. */
function summaryHtml(panel: Panel, idx: number, primary: RunMetric): string {
  const warn = panel.arms
    .filter((a) => a.diverged > 0)
    .map((a) => `<li><strong>${escapeHtml(a.method)} diverges</strong>: its training loss rises from epoch 1 to the last epoch in ${a.diverged} of ${a.runs.length} seeds${a.method === 'absmax' ? ' (the absmax scale is recalibrated after every step, so its grid moves with the weights)' : ''}.</li>`);
  const bimodal = panel.arms
    .filter((a) => a.atChance !== null && a.atChance > 0 && a.atChance < a.runs.length)
    .map((a) => `<li><strong>${escapeHtml(a.method)}</strong> escapes chance in ${a.runs.length - (a.atChance as number)} of ${a.runs.length} seeds and stays at chance in ${a.atChance}: a mean ± t band matches no seed, see the per-seed curves.</li>`);
  return `${viewTableHtml(summaryView(panel, primary, `summary-p${idx}`), 'wide')}${warn.length + bimodal.length === 0 ? '' : `<ul class="warn">${[...warn, ...bimodal].join('')}</ul>`}`;
}

/** What epoch 0 of the panel's curves is, by protocol (empty when no run of the panel has its initial state). */
function epochZeroNote(panel: Panel, curves: readonly CurveRow[]): string {
  const keys = new Set(panel.arms.flatMap((a) => a.runs.map((r) => r.key)));
  const withZero = new Set(curves.filter((c) => c.epoch === 0 && keys.has(c.key)).map((c) => c.key));
  if (withZero.size === 0) return '';
  const what: Record<string, string> = {
    float: 'the float initial weights',
    'projected-step': 'the initial weights after the first projection, where training starts',
    'projected-epoch': 'the initial weights after the first projection, where training starts',
    ptq: 'the float initial weights (ptq’s curves are the float model’s; it quantizes once at the end)',
    qat: 'the quantized initial weights that its forward pass uses',
  };
  const missing = keys.size - withZero.size;
  return `<p class="note">Epoch 0 is the model before the first optimizer step: ${escapeHtml(what[panel.protocol] ?? 'the initial model')}; test set only, so the training-loss and code-change curves start at epoch 1.${missing > 0 ? ` ${missing} of ${keys.size} runs have no epoch-0 state and start at epoch 1.` : ''}</p>`;
}

function panelCharts(panel: Panel, idx: number, primary: RunMetric, curves: readonly CurveRow[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const series = (m: CurveMetric): { method: string; points: NonNullable<Arm['bands'][CurveMetric]> }[] =>
    panel.arms.filter((a) => a.bands[m] !== undefined).map((a) => ({ method: a.method, points: a.bands[m] as NonNullable<Arm['bands'][CurveMetric]> }));
  const testMetric: CurveMetric = primary === 'testAccuracy' ? 'testAccuracy' : 'testLoss';
  const scale = primary === 'testAccuracy' ? 100 : 1;
  const yPrimary = primary === 'testAccuracy' ? 'test accuracy (%)' : 'test loss (MSE)';
  const t = series(testMetric);
  const bimodal = panel.arms.some((a) => a.atChance !== null && a.atChance > 0 && a.atChance < a.runs.length);
  if (bimodal) {
    const keyOf = new Map(panel.arms.flatMap((a) => a.runs.map((r) => [r.key, a.method] as const)));
    const perSeed = panel.arms.map((a) => ({
      method: a.method,
      seeds: a.runs.map((r) => ({
        seed: r.seed,
        points: curves.filter((c) => c.key === r.key && keyOf.has(c.key) && c[testMetric] !== null).sort((p, q) => p.epoch - q.epoch).map((c) => ({ epoch: c.epoch, value: c[testMetric] as number })),
      })),
    }));
    charts.push(seedLinesChart(`p${idx}-seeds`, `${yPrimary} per epoch, every seed (thin) and the median (thick): the arms are bimodal, so no mean band is drawn`, perSeed, yPrimary, scale));
  } else if (t.length > 0) charts.push(bandChart(`p${idx}-test`, `${yPrimary} per epoch: mean ± 95% t interval across seeds`, t, yPrimary, scale));
  if (primary === 'testAccuracy') {
    const tl = series('testLoss');
    if (tl.length > 0) charts.push(bandChart(`p${idx}-testloss`, 'test loss per epoch: mean ± 95% t interval', tl, 'test loss'));
  }
  const tr = series('trainLoss');
  if (tr.length > 0) charts.push(bandChart(`p${idx}-train`, 'training loss per epoch (mean over the epoch’s batches): mean ± 95% t interval', tr, 'training loss'));
  const dist = panel.arms
    .filter((a) => a.runs.every((r) => isFiniteNumber(r[primary])))
    .map((a) => ({ method: a.method, points: a.runs.map((r) => ({ seed: r.seed, value: r[primary] as number })) }));
  if (dist.length > 0) charts.push(distributionChart(`p${idx}-dist`, `final ${METRICS[primary].label}: every seed (box: quartiles, dashed: mean)`, dist, yPrimary, scale));
  const steps = series('stepChangeFraction');
  if (steps.length > 0) charts.push(bandChart(`p${idx}-codes`, 'fraction of codes changed per optimizer step (mean over the epoch)', steps, 'fraction of codes changed'));
  else {
    const ep = series('epochChangeFraction');
    if (ep.length > 0) charts.push(bandChart(`p${idx}-codes`, 'fraction of codes changed during the epoch', ep, 'fraction of codes changed'));
  }
  const zero = series('zeroCodeFraction');
  if (zero.length > 0) charts.push(bandChart(`p${idx}-zero`, 'fraction of weights whose code is 0', zero, 'zero-code fraction'));
  const abs = series('meanAbsWeight');
  if (abs.length > 0 && (steps.length > 0 || zero.length > 0)) charts.push(bandChart(`p${idx}-meanabs`, 'mean |w| over all trainable weights', abs, 'mean |w|'));
  return charts;
}

/** Short labels of the serialisations in the storage chart. */
const STORAGE_SHORT: Readonly<Record<string, string>> = { float32Bytes: 'float32', packedBytes: 'packed', intArrayBytes: 'int array', octalTextBytes: 'octal text', octalJsonBytes: 'octal JSON' };

function storageHtml(panel: Panel, idx: number): { html: string; chart: ChartSpec | null } {
  const view = storageView(panel, `storage-p${idx}`);
  if (view.rows.length === 0) return { html: '', chart: null };
  const arms = panel.arms.filter((a) => Object.keys(a.storage).length > 0);
  const cats = STORAGE_ROWS.filter((s) => STORAGE_SHORT[s.bytes] !== undefined && arms.some((a) => a.storage[s.bytes] !== undefined));
  const chart = barChart(
    `p${idx}-storage`,
    'raw bytes of the final weights by serialisation (mean over seeds)',
    cats.map((s) => STORAGE_SHORT[s.bytes]),
    arms.map((a) => ({ name: a.method, values: cats.map((s) => a.storage[s.bytes] ?? null) })),
    'bytes',
  );
  return { html: `${viewTableHtml(view, 'wide')}<p class="note">b/w: bits per weight. Means over seeds; the gzipped sizes vary slightly with the trained weights.</p>`, chart };
}

/**
 * The protocol-sensitivity section: per protocol, each method's mean with the 95%
 * prediction interval of a single run, the paired gap, and whether the seed's
 * single-run figures fall inside those intervals.
 */
export function protocolSection(experiment: string, runs: readonly RunRow[]): string {
  const target = (PROTOCOL_TARGETS as Record<string, (typeof PROTOCOL_TARGETS)[string] | undefined>)[experiment];
  if (target === undefined) return '<p class="muted">The seed reports no figures for this experiment.</p>';
  const s = protocolSensitivity(runs, target);
  if (s === null) {
    return '<p class="muted">No protocol comparison yet: it needs standard and octization runs (full data, 8 bits) under at least two protocols in one setting.</p>';
  }
  return `<p>${escapeHtml(protocolSummary(s))}</p>
<p class="note">Setting: ${escapeHtml(s.setting)}. The seed reports one run per method, so its figures are compared with what one run gives: the range [min, max]
of the n runs measured, an order-statistics interval that holds one new run with probability (n − 1)/(n + 1) (${escapeHtml(s.rows.map((r) => `${r.protocol}: n = ${r.n}, ${Math.round(((r.n - 1) / (r.n + 1)) * 100)} %`).join('; '))})
whatever the distribution. Unlike mean ± t·sd it never leaves the bounds of the metric and does not bridge the gap between the modes of a bimodal arm. Protocols: ${s.rows.map((r) => `${escapeHtml(r.protocol)}: ${escapeHtml(PROTOCOL_DEFINITIONS[r.protocol as ProtocolName] ?? r.protocol)}`).join(' ')}</p>
${viewTableHtml(protocolsView(s), 'wide')}`;
}

/**
 * The bit-width sweep section: standard vs octization at each width with 95% t
 * intervals, the paired gap and Holm-adjusted p-values, and a chart; the chart
 * (if any) is returned for the page to draw.
 */
export function bitSweepSection(experiment: string, runs: readonly RunRow[], curves: readonly CurveRow[] = []): { html: string; chart: ChartSpec | null } {
  const s = bitSweep(runs, experiment, { curves });
  if (s === null) {
    return { html: '<p class="muted">No bit-width sweep yet: it needs standard and octization runs of the same seed (full data, projected-step) at two or more widths.</p>', chart: null };
  }
  const chart = bitSweepChart(s);
  const html = `<p>${escapeHtml(bitSweepSummary(s))}</p>
<p class="note">Setting: ${escapeHtml(s.setting)}. Pairs are the seeds run with both methods at a width; Holm's correction runs across the widths.</p>
${viewTableHtml(bitSweepView(s), 'wide')}
${s.rows.some((r) => r.caveats.length > 0) ? `<ul class="note">${s.rows.flatMap((r) => r.caveats.map((c) => `<li>${r.bits} bits: ${escapeHtml(caveatText(c))}</li>`)).join('')}</ul>` : ''}
${chartGrid([chart])}`;
  return { html, chart };
}

/** Builds the HTML of one experiment's report. */
export function experimentPage(args: ExperimentPageArgs): string {
  const { analysis: an } = args;
  const spec = (EXPERIMENTS as Record<string, (typeof EXPERIMENTS)[ExperimentName] | undefined>)[an.experiment];
  const prov = provenanceOf(args.records);
  const charts: ChartSpec[] = [...(args.why?.charts ?? [])];
  const primary = an.primaryMetric;
  const family = an.panels.flatMap((p) => p.comparisons.filter((c) => c.inFamily && c.result !== null).map((c) => ({ p, c })));
  let overview = '<p class="muted">No comparison could be made (each needs at least 2 runs of both methods).</p>';
  if (family.length > 0) {
    const forest = forestChart(
      'overview-forest',
      `${METRICS[primary].label}: mean difference A − B with 95% t interval`,
      family.map(({ p, c }) => ({ label: comparisonLabel(p, c), estimate: c.result!.meanDiff, lower: c.result!.tCI.lower, upper: c.result!.tCI.upper })),
      primary === 'testAccuracy' ? 'difference (percentage points)' : 'difference',
      primary === 'testAccuracy' ? 100 : 1,
    );
    charts.push(forest);
    overview = `${chartGrid([forest], true)}
<p class="note">The Holm family of this report: the ${an.familySize} comparison${an.familySize === 1 ? '' : 's'} on ${escapeHtml(METRICS[primary].label)}
below (every panel). Secondary metrics are shown for Octization vs standard without adjustment.</p>`;
  }
  const panelsHtml = an.panels.map((p, i) => {
    const pc = panelCharts(p, i, primary, an.curves);
    charts.push(...pc);
    return `<section class="panel" id="panel-${i}">
<h3>${escapeHtml(panelLabel(p, false))}</h3>
<p class="note">Setting: ${escapeHtml(p.setting)}.${p.protocol !== 'float' ? ` Protocol: ${escapeHtml(PROTOCOL_DEFINITIONS[p.protocol as ProtocolName] ?? p.protocol)}` : ''}</p>
${summaryHtml(p, i, primary)}
${chartGrid(pc)}
${epochZeroNote(p, an.curves)}
<h4>Paired comparisons</h4>
${p.comparisons.length === 0 ? '<p class="muted">No pair of methods to compare in this panel.</p>' : viewTableHtml(comparisonsView(p, `comparisons-p${i}`), 'wide cmp')}
</section>`;
  });
  const storageParts = an.panels.map((p, i) => {
    const s = storageHtml(p, i);
    if (s.chart !== null) charts.push(s.chart);
    return s.html === '' ? '' : `<h3>${escapeHtml(panelLabel(p, false))}</h3>\n${s.html}\n${s.chart === null ? '' : chartGrid([s.chart])}`;
  });
  const timingParts = an.panels.map((p, i) => `<h3>${escapeHtml(panelLabel(p, false))}</h3>\n${viewTableHtml(timingView(p, `timing-p${i}`), 'wide')}`);
  const sweep = bitSweepSection(an.experiment, an.runs, an.curves);
  if (sweep.chart !== null) charts.push(sweep.chart);
  const note = methodsNoteHtml(methodsNoteNumbers(args.records.map((r) => r.config.optimizer.learningRate)));
  const damaged =
    args.damaged.length === 0 && args.duplicates === 0
      ? '<p class="muted">Every line of the results was read; no duplicate runs.</p>'
      : `${args.damaged.length === 0 ? '' : `<div class="warn"><p><strong>${args.damaged.length} damaged result line${args.damaged.length === 1 ? ' was' : 's were'} skipped</strong> (report built with --allow-damaged):</p><ul>${args.damaged.map((d) => `<li><code>${escapeHtml(d.file)}:${d.line}</code>: ${escapeHtml(d.reason)}</li>`).join('')}</ul></div>`}
${args.duplicates === 0 ? '' : `<p>${args.duplicates} duplicate record${args.duplicates === 1 ? '' : 's'} (same run key) dropped; the first was kept.</p>`}`;
  const body = `<header>
<h1>octolab report: ${escapeHtml(an.experiment)}</h1>
<p class="muted">${escapeHtml(spec?.description ?? 'An experiment not in the seed study.')}</p>
<p class="note">Built from ${an.runs.length} run${an.runs.length === 1 ? '' : 's'} in <code>${escapeHtml(args.resultsPath)}</code>${prov.lastFinish === null ? '' : ` (${asOf(prov.lastFinish)})`}, without training. <a href="index.html">All reports</a>${args.notebook === undefined ? '' : ` · <a href="${escapeHtml(args.notebook)}">the notebook of this experiment</a>`}.</p>
<nav class="toc">${args.why === undefined ? '' : '<a href="#why">Why</a>'}<a href="#claims">Claims</a><a href="#protocols">Protocols</a><a href="#bits">Bit widths</a><a href="#run">What was run</a><a href="#overview">Comparisons</a><a href="#results">Results</a><a href="#storage">Storage</a><a href="#timing">Timing</a><a href="#methods">Methods note</a><a href="#quality">Data quality</a><a href="#tables">Tables (CSV)</a></nav>
</header>
${args.why?.html ?? ''}
<section id="claims"><h2>Claims of the seed study</h2>
${claimsSection(args.claims, args.rule, false)}
</section>
<section id="protocols"><h2>Protocol sensitivity</h2>
${protocolSection(an.experiment, an.runs)}
</section>
<section id="bits"><h2>Bit-width sweep</h2>
${sweep.html}
</section>
<section id="run"><h2>What was run</h2>
${provenanceHtml(prov, args.records)}
</section>
<section id="overview"><h2>Comparisons at a glance</h2>
${overview}
</section>
<section id="results"><h2>Results</h2>
<p class="note">One panel per setting, epoch count, protocol and bit width; the float baseline of the same setting appears in every panel.
Intervals are 95% Student t intervals of the mean across seeds unless marked BCa (bias-corrected and accelerated bootstrap, ${formatNumber(args.resamples ?? 10000)} resamples).
Differences are paired by seed when both methods ran the same seeds (design "paired"); otherwise Welch's unpaired test is used.</p>
${panelsHtml.join('\n')}
</section>
<section id="storage"><h2>Storage of the final weights</h2>
<p class="note">The same numbers written down in different ways; scales are not counted. Octal strings are text: larger than the packed codes they spell.</p>
${storageParts.join('\n') || '<p class="muted">No storage sizes recorded.</p>'}
</section>
<section id="timing"><h2>Training and inference time</h2>
<p class="note">Training time covers the optimizer steps (projection included); inference is timed separately after training as the median of the timed passes over the test split.</p>
${timingParts.join('\n')}
</section>
<section id="methods"><h2>Methods note</h2>
${note}
</section>
<section id="quality"><h2>Data quality</h2>
${damaged}
<h3 id="reproducibility">Reproducibility across separate runs</h3>
${reproducibilityHtml(args.reproducibility)}
</section>
<section id="tables"><h2>Tables (CSV)</h2>
<ul>${args.tables.map((t) => `<li><a href="${escapeHtml(t.href)}">${escapeHtml(t.label)}</a></li>`).join('')}</ul>
</section>
<footer>octolab ${escapeHtml(prov.versions.join(', '))} · generated from stored results only.</footer>`;
  return htmlPage({ title: `octolab report: ${an.experiment}`, body, charts });
}

/** One experiment as listed on the index. */
export interface IndexEntry {
  /** Experiment name. */
  experiment: string;
  /** Report file name (relative). */
  href: string;
  /** Number of runs. */
  runs: number;
  /** Methods present. */
  methods: string[];
  /** Epoch settings present. */
  epochs: number[];
  /** Protocols present. */
  protocols: string[];
}

/** Inputs of {@link indexPage}. */
export interface IndexPageArgs {
  /** The answer in numbers, shown first. */
  bottomLine?: BottomLine;
  /** Experiment reports. */
  entries: readonly IndexEntry[];
  /** Notebook exports found (relative hrefs). */
  notebooks: readonly string[];
  /** Claims across experiments, default protocol first. */
  claims: readonly ClaimsByProtocol[];
  /** Verdict rule used. */
  rule: VerdictRule;
  /** Every record reported (for the provenance summary). */
  records: readonly RunRecord[];
  /** Damaged lines accepted with `--allow-damaged`. */
  damaged: readonly DamagedLine[];
  /** Duplicates dropped. */
  duplicates: number;
  /** CSV of the claims (relative href). */
  claimsCsv: string;
  /** Progress of the study plan, step by step. */
  progress: readonly StepProgress[];
  /** CSV of the progress (relative href). */
  progressCsv: string;
  /** Results path read. */
  resultsPath: string;
  /** The cross-engine replication: its one-sentence summary and its page (absent without torch runs). */
  engines?: { sentence: string; href: string; csv: string };
  /** The mechanism evidence and the sweeps: the why and the boundary paragraphs and their page (absent without sweep runs). */
  mechanism?: { why: string; boundary: string[]; href: string; csv: string };
}

/**
 * `newest run finished <ISO time>`: the pages date themselves by their results, not by
 * the clock, so the same results always build byte-identical pages.
 */
function asOf(lastFinish: string): string {
  return `newest run finished ${escapeHtml(lastFinish)}`;
}

/** Core-hours with two decimals, or "unknown". */
function coreHours(seconds: number | null): string {
  return seconds === null ? 'unknown' : (seconds / 3600).toFixed(2);
}

/** The study-progress section: stored/planned runs per step, compute spent and left, the missing runs. */
export function progressSection(progress: readonly StepProgress[], csvHref: string): string {
  const planned = progress.reduce((n, p) => n + p.planned, 0);
  const stored = progress.reduce((n, p) => n + p.stored, 0);
  const unknown = progress.some((p) => p.remainingSeconds === null);
  const left = progress.reduce((s, p) => s + (p.remainingSeconds ?? 0), 0);
  const summary =
    stored === planned
      ? `All ${planned} planned runs are stored.`
      : `${stored} of ${planned} planned runs are stored; the missing ones need ${unknown ? 'an unknown number of' : `about ${coreHours(left)}`} core-hours (estimate: epochs × the median seconds per epoch of the stored runs of the same experiment).`;
  const rows = progress.map((p) => [
    raw(`<code>${escapeHtml(p.step)}</code>`),
    p.purpose,
    `${p.stored}/${p.planned}`,
    coreHours(p.spentSeconds),
    p.missing.length === 0 ? '–' : coreHours(p.remainingSeconds),
    p.missing.length === 0 ? 'none' : describeMissing(p.missing),
  ]);
  return `<p>${escapeHtml(summary)} The plan is <code>src/experiments/study.ts</code>; <code>octolab study</code> runs what is missing. <a href="${escapeHtml(csvHref)}">Progress as CSV</a>.</p>
${htmlTable(
  [{ label: 'step' }, { label: 'what it answers' }, { label: 'stored/planned', align: 'right' }, { label: 'core-h spent', align: 'right' }, { label: 'core-h left (est.)', align: 'right' }, { label: 'missing runs' }],
  rows,
)}`;
}

/** Builds the HTML of the index page (no charts, so no plotly). */
export function indexPage(args: IndexPageArgs): string {
  const prov = provenanceOf(args.records);
  const reports =
    args.entries.length === 0
      ? '<p class="warn">No results found: run <code>octolab run &lt;experiment&gt;</code> first. The claims below all wait for runs.</p>'
      : htmlTable(
          [{ label: 'experiment' }, { label: 'runs', align: 'right' }, { label: 'methods' }, { label: 'epochs', align: 'right' }, { label: 'protocols' }],
          args.entries.map((e) => [raw(`<a href="${escapeHtml(e.href)}">${escapeHtml(e.experiment)}</a>`), String(e.runs), e.methods.join(', '), e.epochs.join(', '), e.protocols.join(', ')]),
        );
  const notebooks =
    args.notebooks.length === 0
      ? '<p class="muted">No notebook exports in <code>notebooks/</code>.</p>'
      : `<ul>${args.notebooks.map((n) => `<li><a href="${escapeHtml(n)}">${escapeHtml(n.replace(/^notebooks\//, ''))}</a></li>`).join('')}</ul>`;
  const tally = verdictTally(args.claims[0]?.claims ?? []);
  const dataRows = prov.data.map((d) => [
    d.provenance.dataset,
    `${d.provenance.split}`,
    d.provenance.files.length === 0 ? 'generated' : d.provenance.files.map((f) => `${f.path} ${f.sha256.slice(0, 12)}…`).join('; '),
    d.provenance.checksums,
    String(d.runs),
  ]);
  const body = `<header>
<h1>octolab reports</h1>
<p class="muted">A reproduction and review of the study comparing standard weight quantization with "Octization".
Built from <code>${escapeHtml(args.resultsPath)}</code> (${prov.runs} runs${prov.lastFinish === null ? '' : `; ${asOf(prov.lastFinish)}`}), without training.</p>
<nav class="toc"><a href="#bottom-line">Bottom line</a>${args.mechanism === undefined ? '' : '<a href="#why">Why</a>'}<a href="#claims">Claims</a><a href="#reports">Experiment reports</a>${args.engines === undefined ? '' : '<a href="#engines">Engines</a>'}<a href="#progress">Study progress</a><a href="#provenance">Provenance</a><a href="#notebooks">Notebooks</a></nav>
</header>
${args.bottomLine === undefined ? '' : `<section id="bottom-line" class="bottom-line"><h2>Bottom line</h2>
${paragraphsHtml(bottomLineParagraphs(args.bottomLine, (e) => `${e}.html#claims`, (e) => `${e}.html#results`))}
</section>`}
${args.mechanism === undefined ? '' : `<section id="why"><h2>Why, and where the answer flips</h2>
<p>${escapeHtml(args.mechanism.why)} <a href="${escapeHtml(args.mechanism.href)}#why">The evidence charts</a>.</p>
<ul>${args.mechanism.boundary.map((s) => `<li>${escapeHtml(s)}</li>`).join('\n')}</ul>
<p><a href="${escapeHtml(args.mechanism.href)}#boundary">The boundary, cell by cell</a> · <a href="${escapeHtml(args.mechanism.csv)}">as CSV</a>.</p>
</section>`}
<section id="claims"><h2>Claims of the seed study</h2>
<p>${escapeHtml(tally === '' ? 'No claims.' : `Under the default protocol: ${tally} (checked facts are listed apart and not counted).`)} <a href="${escapeHtml(args.claimsCsv)}">Claims as CSV</a>.</p>
${claimsSection(args.claims, args.rule, true)}
</section>
<section id="reports"><h2>Experiment reports</h2>
${reports}
<p class="note">Engine: ${escapeHtml(prov.engines.map((e) => `${e.backend} (${e.runs} runs)`).join(', ') || MISSING)}. Every figure on these pages and the experiment pages comes from these runs; a paired comparison never mixes engines.</p>
</section>
${args.engines === undefined ? '' : `<section id="engines"><h2>Engines: torch against wasm</h2>
<p>${escapeHtml(args.engines.sentence)} <a href="${escapeHtml(args.engines.href)}">The comparison, arm by arm and claim by claim</a> · <a href="${escapeHtml(args.engines.csv)}">as CSV</a>.</p>
</section>`}
<section id="progress"><h2>Study progress</h2>
${progressSection(args.progress, args.progressCsv)}
</section>
<section id="provenance"><h2>Provenance</h2>
${keyValueTable([
  ['runs', String(prov.runs)],
  ['date range', prov.firstStart === null ? MISSING : `${prov.firstStart} → ${prov.lastFinish}`],
  ['compute spent', `${formatNumber(prov.coreHours, 3)} core-hours (one core per worker process)`],
  ['engines', prov.engines.map((e) => `${e.backend} (${e.runs} runs)`).join(', ') || MISSING],
  ['git commits', prov.commits.map((c) => `${c.commit === null ? 'unknown' : c.commit.slice(0, 12)}${c.dirty === true ? ' (dirty)' : ''} (${c.runs})`).join(', ') || MISSING],
  ['octolab', prov.versions.join(', ') || MISSING],
  ['damaged lines skipped', String(args.damaged.length)],
  ['duplicate runs dropped', String(args.duplicates)],
])}
${dataRows.length === 0 ? '' : htmlTable([{ label: 'dataset' }, { label: 'split' }, { label: 'files (SHA-256 prefix)' }, { label: 'checksums' }, { label: 'runs', align: 'right' }], dataRows)}
${args.damaged.length === 0 ? '' : `<div class="warn"><p><strong>Damaged lines skipped (--allow-damaged):</strong></p><ul>${args.damaged.map((d) => `<li><code>${escapeHtml(d.file)}:${d.line}</code>: ${escapeHtml(d.reason)}</li>`).join('')}</ul></div>`}
</section>
<section id="notebooks"><h2>Notebooks</h2>
${notebooks}
</section>
<footer>octolab ${escapeHtml(prov.versions.join(', '))} · generated from stored results only.</footer>`;
  return htmlPage({ title: 'octolab reports', body });
}
