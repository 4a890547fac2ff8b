import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PERFORMANCE_END, PERFORMANCE_START, parseBenchSummary, performanceMarkdown, replaceBetween } from '../../src/reports/bench-readme';

/** A small benchmark report with hand-checkable figures. */
function report(over: Record<string, unknown> = {}): Record<string, unknown> {
  const rates = (median: number) => ({ samplesPerSecond: { median } });
  return {
    schema: 'octolab-bench/1',
    date: '2026-11-27T11:15:44.257Z',
    mode: 'short',
    git: { commit: 'f6aa4fa031abcdef', dirty: false },
    host: { cpuModel: 'AMD EPYC', cores: 2 },
    load: { start: { loadavg: [1.35, 2.01, 2.16] }, end: { loadavg: [1.75, 1.85, 2.08] } },
    results: [
      {
        model: 'mnist-mlp',
        backend: 'wasm',
        skipped: null,
        float: rates(14059.97),
        projectedStep: rates(8322.58),
        projectionOnlyMs: 2.07,
        predict: { samplesPerSecond: 55994.5 },
        kernels: { top: [{ kernelName: 'BatchMatMul', share: 0.541 }, { kernelName: 'Add', share: 0.078 }] },
      },
      { model: 'cifar10-cnn', backend: 'cpu', skipped: 'too slow', float: null, projectedStep: null, projectionOnlyMs: null, predict: null, kernels: null },
    ],
    workers: { backend: 'wasm', rows: [{ model: 'mnist-mlp', workers: 2, aggregate: 15905.6, efficiency: 0.8187 }], skipped: null },
    torch: { available: true, version: '1.13.0a0', rows: [{ model: 'mnist-mlp', threads: 2, trainSamplesPerSecond: 23033.8 }] },
    comparisons: [
      { model: 'mnist-mlp', octolab: 'wasm, 2 workers', torch: '2 threads', train: 0.6905 },
      { model: 'mnist-mlp', octolab: 'cpu, 1 process', torch: '2 threads', train: 0.0227 },
    ],
    warnings: ['PyTorch trains mnist-mlp slower with 2 threads than with 1'],
    ...over,
  };
}

describe('reports: README performance section', () => {
  it('renders throughput, scaling, the PyTorch ratios, kernels and caveats from the JSON', () => {
    const md = performanceMarkdown(parseBenchSummary(report(), 'latest.json'), 'reports/bench/latest.json');
    assert.match(md, /^Latest run: `reports\/bench\/latest\.json`, 2026-11-27, short mode, AMD EPYC × 2 cores, commit f6aa4fa031;/);
    assert.match(md, /load average \(1\/5\/15 min\) 1\.35 \/ 2\.01 \/ 2\.16 at the start/);
    assert.doesNotMatch(md, /busy/);
    assert.match(md, /\| mnist-mlp \| wasm \| 14,060 \| 8,323 \| 55,995 \| 2\.1 \|/);
    assert.match(md, /\| cifar10-cnn \| cpu \| — \| — \| — \| skipped: too slow \|/);
    assert.match(md, /\| mnist-mlp \| 2 \| 15,906 \| 0\.82 \|/);
    assert.match(md, /\| mnist-mlp \| 2 threads \| 23,034 \| wasm, 2 workers \| 0\.69× \|/);
    assert.doesNotMatch(md, /cpu, 1 process/); // the pure-JS backend is no comparison
    assert.match(md, /- mnist-mlp on wasm: BatchMatMul 54 %, Add 8 %/);
    assert.match(md, /- PyTorch trains mnist-mlp slower/);
  });

  it('says when the machine was busy', () => {
    const md = performanceMarkdown(parseBenchSummary(report({ load: { start: { loadavg: [4.2, 5, 5] }, end: { loadavg: [1, 1, 1] } } }), 'f'), 'f');
    assert.match(md, /\*\*The machine was busy during this run/);
  });

  it('rejects a malformed report, naming the file, the field and the value', () => {
    assert.throws(() => parseBenchSummary(report({ schema: 'other' }), 'b.json'), /b\.json: field 'schema' should be 'octolab-bench\/1', got "other"/);
    const broken = report();
    (broken.results as Record<string, unknown>[])[0].float = { samplesPerSecond: { median: 'fast' } };
    assert.throws(() => parseBenchSummary(broken, 'b.json'), /field 'results\[0\]\.float\.samplesPerSecond\.median' should be a finite number, got "fast"/);
    assert.throws(() => parseBenchSummary([], 'b.json'), /field '\(root\)' should be an object/);
  });

  it('reads the committed benchmark JSON', function () {
    const file = path.join(__dirname, '..', '..', '..', 'reports', 'bench', 'latest.json');
    if (!fs.existsSync(file)) this.skip();
    const md = performanceMarkdown(parseBenchSummary(JSON.parse(fs.readFileSync(file, 'utf8')), file), 'latest.json');
    assert.match(md, /\| mnist-mlp \| wasm \| [\d,]+ \| [\d,]+ \| [\d,]+ \|/);
  });

  it('replaces only the text between the markers and refuses text without them', () => {
    const text = `a\n${PERFORMANCE_START}\nold\n${PERFORMANCE_END}\nb\n`;
    assert.equal(replaceBetween(text, PERFORMANCE_START, PERFORMANCE_END, 'new'), `a\n${PERFORMANCE_START}\nnew\n${PERFORMANCE_END}\nb\n`);
    assert.throws(() => replaceBetween('a', PERFORMANCE_START, PERFORMANCE_END, 'x'), /no generated-section markers/);
  });
});
