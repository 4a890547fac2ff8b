/**
 * `octolab report`: builds the HTML reports and CSV tables from stored results
 * (no training): one page per experiment plus `index.html`.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from './main';
import { UsageError } from './main';
import { verdictTally } from '../views/claims';

const HELP = `Usage: octolab report [options]

Builds one self-contained HTML report per experiment found in the results, plus
index.html and the CSV of every table (under <out>/tables/), from stored results
only. Damaged result lines are an error unless --allow-damaged.

Options:
  --results PATH     results directory (every *.jsonl) or one file (default reports/results;
                     when the default does not exist yet, the index says that no runs exist)
  --out DIR          output directory (default reports)
  --allow-damaged    build despite damaged result lines and list them in the reports
  --resamples N      bootstrap resamples of the BCa intervals (default 10000)
  --readme FILE      also rewrite the Findings section of FILE (between its findings markers) and,
                     if it has performance markers, its Performance tables from <out>/bench/latest.json
  --quiet            print nothing but errors
`;

/** The `report` command. */
export const reportCommand: Command = {
  summary: 'build HTML reports and CSV tables from stored results (no training)',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        results: { type: 'string' },
        out: { type: 'string', default: 'reports' },
        'allow-damaged': { type: 'boolean', default: false },
        resamples: { type: 'string' },
        readme: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${HELP}`);
    let resamples: number | undefined;
    if (values.resamples !== undefined) {
      resamples = Number(values.resamples);
      if (!Number.isInteger(resamples) || resamples < 100) throw new UsageError(`--resamples must be an integer >= 100, got '${values.resamples}'`);
    }
    // The default location may not exist yet (no runs): then the index says so. A path given explicitly must exist.
    const results = values.results ?? path.join('reports', 'results');
    const out = values.out as string;
    // Loaded here so that \`octolab --help\` does not load danfojs and tfjs.
    const { buildReports, DamagedResultsError } = require('../reports/build') as typeof import('../reports/build');
    let built;
    try {
      built = buildReports({ results, out, allowDamaged: values['allow-damaged'], resamples, missingOk: values.results === undefined });
    } catch (err) {
      if (err instanceof DamagedResultsError) {
        console.error(`octolab report: ${err.message}`);
        return 1;
      }
      if (err instanceof Error && /^results path '.*' does not exist$/.test(err.message)) throw new UsageError(err.message);
      throw err;
    }
    if (values.readme !== undefined) {
      const { findingsMarkdown, replaceFindings } = require('../reports/readme') as typeof import('../reports/readme');
      const fs = require('node:fs') as typeof import('node:fs');
      if (!fs.existsSync(values.readme)) throw new UsageError(`--readme file '${values.readme}' does not exist`);
      const rel = path.relative(path.dirname(path.resolve(values.readme)), path.resolve(out)) || '.';
      let text = replaceFindings(fs.readFileSync(values.readme, 'utf8'), findingsMarkdown(built, rel.split(path.sep).join('/')));
      const perf = require('../reports/bench-readme') as typeof import('../reports/bench-readme');
      const benchJson = path.join(out, 'bench', 'latest.json');
      let perfNote = '';
      if (text.includes(perf.PERFORMANCE_START)) {
        if (fs.existsSync(benchJson)) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(fs.readFileSync(benchJson, 'utf8'));
          } catch (err) {
            throw new Error(`${benchJson}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
          }
          const summary = perf.parseBenchSummary(parsed, benchJson);
          const shown = path.relative(path.dirname(path.resolve(values.readme)), path.resolve(benchJson)).split(path.sep).join('/');
          text = perf.replaceBetween(text, perf.PERFORMANCE_START, perf.PERFORMANCE_END, perf.performanceMarkdown(summary, shown));
          perfNote = ` and its performance section (from ${benchJson})`;
        } else {
          perfNote = `; no ${benchJson}, so its performance section is left as it was`;
        }
      }
      const { writeFileAtomic } = require('../io/atomic') as typeof import('../io/atomic');
      writeFileAtomic(values.readme, text);
      if (!values.quiet) console.log(`updated the findings section of ${values.readme}${perfNote}`);
    }
    if (!values.quiet) {
      if (built.runs === 0) console.log(`no results in ${results}: index.html lists the claims as waiting for runs`);
      for (const d of built.damaged) console.log(`warning: skipped damaged line ${d.file}:${d.line} (${d.reason})`);
      if (built.duplicates > 0) console.log(`dropped ${built.duplicates} duplicate run(s)`);
      if (built.diverged > 0) console.log(`${built.diverged} diverged run(s), listed in ${path.join(out, 'tables', 'diverged.csv')} and not in the statistics`);
      const html = built.files.filter((f) => f.endsWith('.html'));
      console.log(`${built.runs} run(s), ${built.experiments.length} experiment report(s): ${html.join(', ')}; ${built.files.length - html.length} CSV table(s) in ${path.join(out, 'tables')}`);
      console.log(`claims (${built.claims[0]?.protocol ?? 'projected-step'}): ${verdictTally(built.claims[0]?.claims ?? [])}`);
    }
    return 0;
  },
};
