/**
 * Checks that the charts of report pages actually render: opens each HTML file
 * in headless Chromium, dumps the DOM after scripts ran, and verifies that every
 * chart the page declares (`<body data-charts="N">`, one `data-chart` div each)
 * holds a Plotly `main-svg` element.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where Chromium is looked for, in order (after `$CHROMIUM`). */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The Chromium executable: `$CHROMIUM` if set, else the first candidate that exists, else null. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env.CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') return fs.existsSync(fromEnv) ? fromEnv : null;
  return CHROMIUM_CANDIDATES.find((c) => fs.existsSync(c)) ?? null;
}

/** The flags of a headless, offline, throw-away Chromium run. */
export function chromiumFlags(userDataDir: string, extra: readonly string[] = []): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--virtual-time-budget=5000',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--disable-dev-shm-usage',
    `--user-data-dir=${userDataDir}`,
    ...extra,
  ];
}

/** Number of charts a page declares in `<body data-charts="N">` (0 when absent). */
export function declaredCharts(html: string): number {
  const m = /<body[^>]*\sdata-charts="(\d+)"/.exec(html);
  return m === null ? 0 : Number(m[1]);
}

/** What the dumped DOM shows about a page's charts. */
export interface DomChartCount {
  /** Chart divs found (`data-chart="..."`). */
  charts: number;
  /** Ids of chart divs that hold a `main-svg` element. */
  rendered: string[];
  /** Ids of chart divs without one. */
  missing: string[];
  /** All `class="main-svg"` elements in the DOM. */
  mainSvg: number;
}

/**
 * Counts rendered charts in a dumped DOM: the text from one `data-chart="id"`
 * to the next belongs to chart `id`; a chart rendered when that text has a
 * `class="main-svg"` element.
 */
export function countRenderedCharts(dom: string): DomChartCount {
  const marker = /data-chart="([^"]*)"/g;
  const hits: { id: string; at: number }[] = [];
  let m: RegExpExecArray | null;
  while ((m = marker.exec(dom)) !== null) hits.push({ id: m[1], at: m.index });
  const rendered: string[] = [];
  const missing: string[] = [];
  hits.forEach((h, i) => {
    const end = i + 1 < hits.length ? hits[i + 1].at : dom.length;
    const part = dom.slice(h.at, end);
    (/class="main-svg"/.test(part) ? rendered : missing).push(h.id);
  });
  return { charts: hits.length, rendered, missing, mainSvg: (dom.match(/class="main-svg"/g) ?? []).length };
}

/** The result of checking one file. */
export interface RenderCheck {
  /** The HTML file. */
  file: string;
  /** Charts declared by the page. */
  declared: number;
  /** What the rendered DOM holds. */
  dom: DomChartCount;
  /** Whether every declared chart rendered. */
  ok: boolean;
  /** Why not, or null. */
  problem: string | null;
}

/** Options of {@link checkRender}. */
export interface CheckRenderArgs {
  /** Chromium executable. Default {@link findChromium}(). */
  chromium?: string;
  /** Seconds before a Chromium run is killed. Default 120. */
  timeoutSeconds?: number;
}

/** Renders one HTML file in headless Chromium and checks its charts. */
export function checkRender(file: string, args: CheckRenderArgs = {}): RenderCheck {
  const chromium = args.chromium ?? findChromium();
  if (chromium === null) throw new Error('chromium not found (install Debian chromium or set $CHROMIUM)');
  if (!fs.existsSync(file)) throw new Error(`render check: file '${file}' does not exist`);
  const html = fs.readFileSync(file, 'utf8');
  const declared = declaredCharts(html);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-chromium-'));
  try {
    const res = spawnSync(chromium, [...chromiumFlags(profile), '--dump-dom', pathToFileURL(path.resolve(file)).href], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: (args.timeoutSeconds ?? 120) * 1000,
    });
    if (res.error !== undefined) throw new Error(`render check: chromium failed on '${file}': ${res.error.message}`);
    if (res.status !== 0) throw new Error(`render check: chromium exited with ${res.status} on '${file}': ${(res.stderr ?? '').slice(-500)}`);
    const dom = countRenderedCharts(res.stdout);
    let problem: string | null = null;
    if (dom.charts !== declared) problem = `declares ${declared} chart(s) but the DOM has ${dom.charts} chart div(s)`;
    else if (dom.missing.length > 0) problem = `${dom.missing.length} of ${declared} chart(s) did not render: ${dom.missing.join(', ')}`;
    return { file, declared, dom, ok: problem === null, problem };
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Takes a screenshot of an HTML file (PNG) with headless Chromium. */
export function screenshot(file: string, png: string, width = 1200, height = 2400, chromium: string | null = findChromium()): void {
  if (chromium === null) throw new Error('chromium not found (install Debian chromium or set $CHROMIUM)');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-chromium-'));
  try {
    const res = spawnSync(chromium, [...chromiumFlags(profile, ['--hide-scrollbars']), `--screenshot=${path.resolve(png)}`, `--window-size=${width},${height}`, pathToFileURL(path.resolve(file)).href], {
      encoding: 'utf8',
      timeout: 120000,
    });
    if (res.error !== undefined || res.status !== 0) throw new Error(`screenshot of '${file}' failed: ${res.error?.message ?? (res.stderr ?? '').slice(-500)}`);
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** The HTML files to check for command-line arguments: files as given, directories expanded to their `*.html` (not recursive). */
export function htmlFilesOf(targets: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of targets) {
    if (!fs.existsSync(t)) throw new Error(`render check: '${t}' does not exist`);
    if (fs.statSync(t).isDirectory()) {
      out.push(...fs.readdirSync(t).filter((f) => f.endsWith('.html')).sort().map((f) => path.join(t, f)));
    } else out.push(t);
  }
  return out;
}
