import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('engine: the offline device bundle', function () {
  this.timeout(300_000);

  it('holds everything a training run needs, and nothing close to node_modules in size', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-bundle-'));
    try {
      const bundle = path.join(tmp, 'bundle');
      execFileSync('bash', [path.join(ROOT, 'scripts', 'device-bundle.sh'), bundle], {
        cwd: ROOT,
        env: { ...process.env, DEVICE_BUNDLE_NO_BUILD: '1' },
        stdio: 'pipe',
      });
      // Outside the checkout: every package must come from the bundle's own node_modules.
      const out = path.join(tmp, 'results');
      execFileSync('node', ['bin/octolab.js', 'run', 'regression', '--profile', 'smoke', '--seeds', '0', '--methods', 'octization', '--workers', '1', '--out', out, '--quiet'], {
        cwd: bundle,
        env: { ...process.env, OCTOLAB_BACKEND: 'wasm' },
        stdio: 'pipe',
      });
      const record = JSON.parse(fs.readFileSync(path.join(out, 'regression.jsonl'), 'utf8').trim()) as {
        environment: { engine: { backend: string } };
        metrics: { testLoss: number };
      };
      assert.equal(record.environment.engine.backend, 'wasm');
      assert.ok(Number.isFinite(record.metrics.testLoss));
      const size = execFileSync('du', ['-sm', bundle]).toString().split('\t')[0];
      assert.ok(Number(size) < 64, `the bundle takes ${size} MB`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
