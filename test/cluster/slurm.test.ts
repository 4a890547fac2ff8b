import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planConfigs, shardFile } from '../../src/cluster/shards';
import { runKey } from '../../src/experiments/config';
import { PROFILES, profiledSteps } from '../../src/experiments/profiles';
import type { RunRecord } from '../../src/experiments/record';
import { balancedShards } from '../../src/experiments/shard';
import { readRecords } from '../../src/experiments/store';
import { studySteps } from '../../src/experiments/study';
import { DATA_DIR_ENV } from '../../src/data/files';
import { pinBackend } from '../helpers/engine';

// Compiled to dist/test/cluster/: the repository root is three levels up.
const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'octolab.js');
const CLUSTER = path.join(ROOT, 'scripts', 'slurm', 'local-cluster.sh');
const SUBMIT = path.join(ROOT, 'scripts', 'slurm', 'submit.sh');
const SHARDS = 4;
const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']);

/** Why this machine cannot run a throwaway Slurm, or null when it can. */
function skipReason(): string | null {
  if (process.platform !== 'linux') return `needs Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'needs root (munged, slurmctld and slurmd are started as root)';
  const missing = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scancel'].filter(
    (b) => spawnSync('sh', ['-c', `command -v ${b}`], { encoding: 'utf8' }).status !== 0,
  );
  if (missing.length > 0) return `missing ${missing.join(', ')} (install slurmctld slurmd slurm-client munge: scripts/setup-system.sh)`;
  return null;
}

/** `$OCTOLAB_DATA_DIR`, else `../shared/data` next to the repository root, when it holds MNIST and CIFAR-10. */
function realDataDir(): string | null {
  const fromEnv = process.env[DATA_DIR_ENV];
  const dir = fromEnv !== undefined && fromEnv.trim() !== '' ? path.resolve(fromEnv) : path.resolve(ROOT, '..', 'shared', 'data');
  return fs.existsSync(path.join(dir, 'mnist')) && fs.existsSync(path.join(dir, 'cifar-10')) ? dir : null;
}

/**
 * Every field but the timing ones (wall-clock seconds, start and finish times) and the note
 * that a run continued from its epoch checkpoint (a task cancelled between a run's last
 * epoch and its record leaves one; its metrics must still be those of an unbroken run).
 */
function nonTiming(r: RunRecord): unknown {
  const { startedAt: _s, finishedAt: _f, resumed: _r, ...environment } = r.environment;
  return { ...r, timing: undefined, environment };
}

function resultsOf(dir: string): RunRecord[] {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')) : [];
  return files.flatMap((f) => {
    const r = readRecords(path.join(dir, f));
    assert.deepEqual(r.problems, [], `damaged lines in ${f}`);
    return r.records;
  });
}

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
}

describe('cluster: the smoke study as a Slurm array on a throwaway single-node Slurm', function () {
  pinBackend(); // the tasks run with OCTOLAB_BACKEND=wasm; the plan's keys here must name that engine
  this.timeout(600_000);
  const reason = skipReason();
  const dataDir = realDataDir();
  // With the real data, the whole smoke study; without it, the steps that need no data files.
  const stepNames = dataDir === null ? ['regression'] : undefined;
  const steps = profiledSteps(studySteps(stepNames), PROFILES.smoke);
  const planArgs = ['--profile', 'smoke', ...(stepNames === undefined ? [] : ['--steps', stepNames.join(',')])];
  // The kill scenario leaves CIFAR-10 out (its runs are the slowest) but keeps MNIST, so a task
  // is still busy when it is cancelled; regression runs alone finish before a cancel lands.
  const killSteps = ['regression', 'mnist', 'mnist-protocols', 'mnist-ablations', 'mnist-bits'];
  const killPlan = profiledSteps(studySteps(killSteps), PROFILES.smoke);
  const killArgs = ['--profile', 'smoke', '--steps', killSteps.join(',')];
  const timings: string[] = [];
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  let clusterDir = '';
  let t0 = 0;
  /** Stops the cluster (synchronously, so that it also works from a signal handler). */
  const stopCluster = (): void => {
    if (clusterDir === '' || !fs.existsSync(clusterDir)) return;
    const t = performance.now();
    const r = spawnSync('bash', [CLUSTER, 'stop', clusterDir], { encoding: 'utf8', env, timeout: 90_000, killSignal: 'SIGKILL' });
    if (r.status !== 0) console.error(`local Slurm stop failed: ${r.stdout}${r.stderr}`);
    mark('cluster stop', t);
  };
  // A test process stopped by a signal skips its after() hooks: stop the daemons first.
  const children = new Set<ChildProcess>();
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const c of children) c.kill('SIGKILL');
    stopCluster();
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };

  const run = (cmd: string, args: string[], timeoutSeconds: number): SpawnSyncReturns<string> =>
    spawnSync(cmd, args, { encoding: 'utf8', env, cwd: ROOT, timeout: timeoutSeconds * 1000, killSignal: 'SIGKILL' });
  /** Like {@link run} but without blocking the event loop, so that a signal handler can still stop the cluster. */
  const runAsync = (cmd: string, args: string[], timeoutSeconds: number): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(cmd, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSeconds * 1000);
      child.on('close', (status) => {
        children.delete(child);
        clearTimeout(timer);
        resolve({ status, stdout, stderr: status === null ? `${stderr}\n(killed after ${timeoutSeconds} s)` : stderr });
      });
    });
  const octolab = (args: string[], timeoutSeconds = 300): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    runAsync(process.execPath, [BIN, ...args], timeoutSeconds);
  const common = (): string[] => ['--no-download', ...(dataDir === null ? [] : ['--data-dir', dataDir])];
  const mark = (what: string, since: number): void => void timings.push(`${what} ${((performance.now() - since) / 1000).toFixed(1)} s`);

  /** Submits with the helper; returns the array job id (null when none was needed) and the merge job id. */
  const submit = async (out: string, plan: string[]): Promise<{ array: string | null; merge: string; text: string }> => {
    const r = await runAsync('bash', [SUBMIT, '--array-size', String(SHARDS), '--cpus-per-task', '1', '--time', '10:00', ...plan, '--out', out, '--no-build', ...common()], 60);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    const array = /^ARRAY_JOB=(\d+)$/m.exec(r.stdout)?.[1] ?? null;
    const merge = /^MERGE_JOB=(\d+)$/m.exec(r.stdout)?.[1];
    assert.ok(merge !== undefined, r.stdout);
    return { array, merge, text: r.stdout };
  };

  /** Job (or array task) id → state, for the jobs given (squeue keeps finished jobs for MinJobAge). */
  const states = (jobs: string[]): Map<string, string> => {
    const r = run('squeue', ['-h', '-t', 'all', '-j', jobs.join(','), '-o', '%i %T'], 10);
    assert.equal(r.status, 0, r.stderr);
    return new Map(r.stdout.trim().split('\n').filter((l) => l !== '').map((l) => l.trim().split(/\s+/) as [string, string]));
  };

  /** Waits until every task of the jobs is in a final state (deadline in seconds); returns the states. */
  const waitFor = async (jobs: string[], seconds: number): Promise<Map<string, string>> => {
    const end = performance.now() + seconds * 1000;
    for (;;) {
      const s = states(jobs);
      if (s.size > 0 && [...s.values()].every((v) => FINAL.has(v))) return s;
      assert.ok(performance.now() < end, `jobs ${jobs.join(',')} not finished after ${seconds} s: ${[...s].map(([k, v]) => `${k} ${v}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  before(function () {
    if (reason !== null) {
      console.log(`      (skipped: ${reason})`);
      this.skip();
    }
    if (dataDir === null) console.log(`      (no real MNIST/CIFAR-10 at $${DATA_DIR_ENV} or ../shared/data: the regression step only)`);
    t0 = performance.now();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-slurm-test-'));
    fs.chmodSync(dir, 0o755); // munged runs as user munge and must reach its socket below
    clusterDir = path.join(dir, 'cluster');
    // The daemons end on their own after 15 minutes even if nothing stops them.
    env = { ...process.env, OCTOLAB_BACKEND: 'wasm', OCTOLAB_SLURM_LIFETIME: '900' };
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, onSignal);
    const r = run('bash', [CLUSTER, 'start', clusterDir], 90);
    assert.equal(r.status, 0, `local Slurm did not start: ${r.stdout}${r.stderr}`);
    const conf = /^SLURM_CONF=(.+)$/m.exec(r.stdout)?.[1];
    assert.ok(conf !== undefined, r.stdout);
    env = { ...env, SLURM_CONF: conf };
    mark('cluster start', t0);
  });

  after(function () {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, onSignal);
    stopCluster();
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
    if (t0 > 0) {
      mark('total', t0);
      console.log(`      timings: ${timings.join('; ')}`);
    }
  });

  it('a 4-task array plus the dependent merge job gives the results of an unsharded local run', async () => {
    let t = performance.now();
    const base = await octolab(['study', ...planArgs, '--workers', '2', '--quiet', '--out', path.join(dir, 'local'), ...common()], 300);
    assert.equal(base.status, 0, `${base.stdout}${base.stderr}`);
    mark('local run', t);

    t = performance.now();
    const out = path.join(dir, 'array');
    const job = await submit(out, planArgs);
    assert.ok(job.array !== null);
    const s = await waitFor([job.array, job.merge], 240);
    mark('array + merge', t);
    const tasks = [...s].filter(([id]) => id.startsWith(`${job.array}_`));
    assert.deepEqual(tasks.map(([id, st]) => `${id} ${st}`).sort(), [0, 1, 2, 3].map((i) => `${job.array}_${i} COMPLETED`));
    assert.equal(s.get(job.merge), 'COMPLETED');
    // The merge job started only after the last task ended.
    const times = run('squeue', ['-h', '-t', 'all', '-j', `${job.array},${job.merge}`, '-o', '%i %S %e'], 10).stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    const lastEnd = times.filter(([id]) => id.startsWith(`${job.array}_`)).map(([, , e]) => e).sort().at(-1) as string;
    const mergeStart = times.find(([id]) => id === job.merge)?.[1] as string;
    assert.ok(mergeStart >= lastEnd, `merge started ${mergeStart}, before the last task ended ${lastEnd}`);

    const planned = planConfigs(steps).map(runKey).sort();
    const merged = resultsOf(out);
    const local = resultsOf(path.join(dir, 'local'));
    assert.equal(merged.length, planned.length, 'one record per planned run');
    assert.deepEqual(merged.map((r) => r.key).sort(), planned, 'no duplicate, no missing run');
    const localByKey = new Map(local.map((r) => [r.key, r]));
    for (const r of merged) assert.deepEqual(nonTiming(r), nonTiming(localByKey.get(r.key) as RunRecord), `run ${r.key}`);
    // Each task wrote exactly its shard's runs into its own file.
    const owners = balancedShards(planConfigs(steps), SHARDS);
    for (let i = 0; i < SHARDS; i++) {
      const keys = readRecords(shardFile(out, { index: i, count: SHARDS })).records.map((r) => r.key).sort();
      assert.deepEqual(keys, [...owners[i]].sort(), `shard ${i}`);
    }
  });

  it('a task killed mid-run: the other shards stay intact, the merge refuses, resubmitting redoes exactly the missing runs', async function () {
    if (dataDir === null) {
      console.log(`      (skipped: needs the real MNIST at $${DATA_DIR_ENV} or ../shared/data; regression-only shards end before a cancel lands)`);
      this.skip();
    }
    let t = performance.now();
    const out = path.join(dir, 'killed');
    const victim = 1;
    const victimFile = shardFile(out, { index: victim, count: SHARDS });
    const job = await submit(out, killArgs);
    assert.ok(job.array !== null);
    const task = `${job.array}_${victim}`;
    const end = performance.now() + 120_000;
    while (lines(victimFile).length === 0) {
      assert.ok(performance.now() < end, `shard ${victim} wrote no record within 120 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(run('scancel', [task], 10).status, 0);
    const s = await waitFor([job.array, job.merge], 240);
    mark('killed submission', t);
    assert.equal(s.get(task), 'CANCELLED');
    for (const i of [0, 1, 2, 3].filter((x) => x !== victim)) assert.equal(s.get(`${job.array}_${i}`), 'COMPLETED', `task ${i}`);
    assert.equal(s.get(job.merge), 'CANCELLED', 'the merge job must not run after a failed task');
    assert.deepEqual(resultsOf(out), [], 'no results file from an incomplete set');

    const owners = balancedShards(planConfigs(killPlan), SHARDS);
    const before = [0, 1, 2, 3].map((i) => lines(shardFile(out, { index: i, count: SHARDS })));
    const done = new Set(before[victim].map((l) => (JSON.parse(l) as RunRecord).key));
    const missing = owners[victim].filter((k) => !done.has(k));
    assert.ok(missing.length > 0, `shard ${victim} finished all ${owners[victim].length} runs before it was cancelled`);
    for (const i of [0, 2, 3]) assert.equal(before[i].length, owners[i].length, `shard ${i} complete`);

    // The merge step by hand: refuses, names the shard and how many runs it lacks, writes nothing.
    const refused = await octolab(['gather', '--shards', String(SHARDS), ...killArgs, '--out', out], 60);
    assert.equal(refused.status, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, new RegExp(`shard ${victim}/${SHARDS} \\(.*\\): ${missing.length} of ${owners[victim].length} run\\(s\\) missing`));
    assert.deepEqual(resultsOf(out), []);

    t = performance.now();
    const again = await submit(out, killArgs);
    assert.match(again.text, new RegExp(`shard\\(s\\) ${victim} of ${SHARDS}`));
    assert.ok(again.array !== null);
    const s2 = await waitFor([again.array, again.merge], 240);
    mark('resubmission', t);
    assert.deepEqual([...s2.values()], ['COMPLETED', 'COMPLETED']);
    const after = [0, 1, 2, 3].map((i) => lines(shardFile(out, { index: i, count: SHARDS })));
    for (const i of [0, 2, 3]) assert.deepEqual(after[i], before[i], `shard ${i} untouched`);
    assert.deepEqual(after[victim].slice(0, before[victim].length), before[victim], 'the runs done before the kill are kept as they were');
    const added = after[victim].slice(before[victim].length).map((l) => (JSON.parse(l) as RunRecord).key);
    assert.deepEqual([...added].sort(), [...missing].sort(), 'the resubmission ran exactly the missing runs, once each');

    const merged = resultsOf(out);
    assert.deepEqual(merged.map((r) => r.key).sort(), planConfigs(killPlan).map(runKey).sort());
    const local = new Map(resultsOf(path.join(dir, 'local')).map((r) => [r.key, r]));
    for (const r of merged) assert.deepEqual(nonTiming(r), nonTiming(local.get(r.key) as RunRecord), `run ${r.key}`);
  });
});
