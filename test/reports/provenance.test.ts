import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readRecords } from '../../src/experiments/store';
import type { RunRecord } from '../../src/experiments/record';
import { provenanceOf } from '../../src/reports/provenance';
import { FIXTURE_RESULTS } from './inputs';

describe('reports: provenance of the engines', () => {
  const records = readRecords(path.join(FIXTURE_RESULTS, 'regression.jsonl')).records.slice(0, 4);

  it('groups records of one engine whether or not they list versions of unused packages', () => {
    const copy = (r: RunRecord): RunRecord => JSON.parse(JSON.stringify(r)) as RunRecord;
    const older = records.slice(0, 2).map(copy);
    for (const r of older) {
      const v = r.environment.engine.versions as unknown as Record<string, unknown>;
      delete v.tfjsBackendWebgpu;
      delete v.dawn;
      delete (r.environment.engine as { gpuAdapter?: unknown }).gpuAdapter;
    }
    const engines = provenanceOf([...older, ...records.slice(2).map(copy)]).engines;
    assert.equal(engines.length, 1);
    assert.equal(engines[0].runs, 4);
    assert.ok(!('dawn' in engines[0].versions), 'versions of packages not in use are left out');
    assert.equal(engines[0].details['GPU adapter'], undefined);
  });

  it('names the GPU adapter of webgpu runs, software ones as such', () => {
    const gpu = JSON.parse(JSON.stringify(records[0])) as RunRecord;
    const e = gpu.environment.engine as unknown as Record<string, unknown>;
    e.backend = 'webgpu';
    e.gpuAdapter = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe', description: 'llvmpipe: Mesa 25.0.7', isFallbackAdapter: true, software: true };
    const engines = provenanceOf([gpu, records[1]]).engines;
    assert.equal(engines.length, 2);
    const web = engines.find((x) => x.backend === 'webgpu');
    assert.equal(web?.details['GPU adapter'], 'mesa software (llvmpipe: Mesa 25.0.7), software');
  });

  it('tells hosts apart by CPU signature where the records carry one', () => {
    const copy = (r: RunRecord, sig?: string): RunRecord => {
      const c = JSON.parse(JSON.stringify(r)) as RunRecord;
      if (sig !== undefined) (c.environment.engine.host as { cpuSignature?: string }).cpuSignature = sig;
      return c;
    };
    const hosts = provenanceOf([copy(records[0], 'X family 25'), copy(records[1], 'X family 26'), copy(records[2], 'X family 26'), copy(records[3])]).hosts;
    assert.deepEqual(hosts.map((h) => h.runs).sort(), [1, 1, 2]);
    assert.equal(hosts.filter((h) => h.host.includes('(X family 26)')).length, 1);
  });
});
