import assert from 'node:assert/strict';
import { main } from '../../src/cli/main';
import { statusText, studyCommand } from '../../src/cli/study';
import { makeRunConfig, runKey } from '../../src/experiments/config';
import { FIXTURE_RESULTS } from '../reports/inputs';
import { capture } from '../helpers/capture';

describe('cli: octolab study', () => {
  // On the tfjs engines (a machine with libtorch would otherwise store into <out>/torch).
  const backendBefore = process.env.OCTOLAB_BACKEND;
  before(() => {
    process.env.OCTOLAB_BACKEND = 'wasm';
  });
  after(() => {
    if (backendBefore === undefined) delete process.env.OCTOLAB_BACKEND;
    else process.env.OCTOLAB_BACKEND = backendBefore;
  });

  it('--status prints stored/planned runs per step with a total and the missing runs', async () => {
    const r = await capture(() => studyCommand.run(['--status', '--out', FIXTURE_RESULTS, '--steps', 'mnist,cifar10-20']));
    assert.equal(r.code, 0);
    const lines = r.out.split('\n');
    assert.match(lines[0], /^step\s+stored\/planned\s+core-h spent\s+core-h left \(est\.\)$/);
    assert.match(lines[1], /^mnist\s+0\/30\s+0\.00\s+unknown$/);
    assert.match(lines[2], /^cifar10-20\s+0\/20\s+0\.00\s+unknown$/);
    assert.match(lines[3], /^total\s+0\/50\s+0\.00\s+unknown$/);
    assert.match(r.out, /cifar10-20: standard projected-step 8b e20: seeds 0-9; octization projected-step 8b e20: seeds 0-9/);
  });

  it('formats finished steps without a missing-runs list', () => {
    const text = statusText([{ step: 'a', purpose: '', experiments: ['mnist'], planned: 2, stored: 2, missing: [], spentSeconds: 5400, remainingSeconds: 0 }]);
    assert.match(text, /^a\s+2\/2\s+1\.50\s+0\.00$/m);
    assert.doesNotMatch(text, /Missing runs/);
    assert.doesNotMatch(text, /Part-way/);
  });

  it('lists runs part-way through with their checkpointed epochs', () => {
    const config = makeRunConfig({ experiment: 'cifar10', method: 'octization', protocol: 'qat', seed: 3 });
    const text = statusText(
      [{ step: 'b', purpose: '', experiments: ['cifar10'], planned: 1, stored: 0, missing: [config], spentSeconds: 0, remainingSeconds: 1200 }],
      [{ key: runKey(config), config, epoch: 3, backend: 'wasm', savedAt: '2026-01-02T03:04:05.000Z' }],
    );
    assert.match(text, /\nPart-way \(resume from their epoch checkpoint\):\n  cifar10 octization 8b qat e5 seed=3: 3\/5 epochs on wasm, saved 2026-01-02T03:04:05\.000Z\n/);
  });

  it('--dry-run lists the runs still to do, in the order the steps are given', async () => {
    const r = await capture(() => studyCommand.run(['--dry-run', '--out', FIXTURE_RESULTS, '--steps', 'cifar10-20,mnist']));
    assert.equal(r.code, 0);
    const lines = r.out.split('\n');
    assert.equal(lines.length, 51);
    assert.equal(lines[0], 'cifar10-20: cifar10 standard projected-step bits=8 epochs=20 seed=0');
    assert.equal(lines[20], 'mnist: mnist float float bits=- epochs=20 seed=0');
    assert.equal(lines[50], `50 run(s) to do in 2 step(s) -> ${FIXTURE_RESULTS}`);
  });

  it('refuses an unknown step or a bad worker count with exit code 2', async () => {
    const bad = await capture(() => main(['study', '--steps', 'mnist,cifar']));
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown study step 'cifar' \(valid: regression, mnist, mnist-protocols/);
    const workers = await capture(() => main(['study', '--workers', '0', '--dry-run']));
    assert.equal(workers.code, 2);
    assert.match(workers.err, /--workers must be a positive integer, got '0'/);
  });
});
