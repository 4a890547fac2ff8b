/**
 * Bad input, faults and concurrency against the real `octolab` command line, as a table.
 * Every case runs the CLI in child processes and checks the exit code, the message and
 * what is on disk afterwards. A case that fails is classed as: `lost` (records lost,
 * duplicated or half-written), `wrong` (a silently wrong result: success where an error
 * belongs, or wrong data), `crash` (a stack trace or an unclear message for a user error)
 * or `unclear` (wrong exit code or message). The tally is printed and must be all `ok`.
 *
 * OCTOLAB_BIN=<path to another build's bin/octolab.js> runs the same table against that
 * build (its library is used for the set-up steps), to measure a tally before a change.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');
const BIN = process.env.OCTOLAB_BIN !== undefined ? path.resolve(process.env.OCTOLAB_BIN) : path.join(REPO, 'bin', 'octolab.js');
const ROOT = path.resolve(path.dirname(BIN), '..');
const FIXTURES = path.join(REPO, 'test', 'fixtures', 'results');
const SMOKE = ['--profile', 'smoke', '--workers', '1', '--quiet', '--no-download'];

/** What one CLI call did. */
interface Outcome {
  code: number | null;
  out: string;
  err: string;
}

/** How a failing case is counted. */
type Failure = 'lost' | 'wrong' | 'crash' | 'unclear';

/** One row of the table. */
interface Case {
  /** Issue item. */
  item: number;
  /** What is tried. */
  what: string;
  /** How a failure of this case is counted (a stack trace always counts as `crash`). */
  failure: Exclude<Failure, 'crash'>;
  /** Prepares `dir` (optional). */
  setup?: (dir: string) => unknown;
  /** Runs the case; default: the CLI with `args(dir)`. */
  run?: (dir: string) => Promise<Outcome>;
  /** CLI arguments. */
  args?: (dir: string) => string[];
  /** Expected exit code. */
  code: number;
  /** Must match stdout + stderr. */
  message?: RegExp;
  /** Checks the files afterwards; returns a problem or null. Problems count as `lost` when they start with 'lost:'. */
  check?: (dir: string, o: Outcome) => string | null;
  /** Needs root (a tmpfs to fill). */
  root?: boolean;
  /** Seconds before the CLI is killed (a hang). */
  timeout?: number;
}

/**
 * The cases exercise the store and the command line on the engine of the committed runs
 * (wasm): with the torch addon built, the automatic engine would be torch, whose runs are
 * stored in <out>/torch.
 */
const CASE_ENV: NodeJS.ProcessEnv = { OCTOLAB_DEBUG: '', CI: '', OCTOLAB_BACKEND: 'wasm' };

function cli(args: string[], timeoutSec = 120, env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: os.tmpdir(),
      env: { ...process.env, ...CASE_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      err += `\n[killed after ${timeoutSec} s]`;
      child.kill('SIGKILL');
    }, timeoutSec * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const STACK = /^\s+at .+:\d+:\d+\)?$/m;
const UNCLEAR = /Cannot read properties of|is not a function|undefined \(reading|Maximum call stack|heap out of memory|\[killed after/;

/** The library of the build under test (for set-up steps that need a checkpoint). */
function lib(): {
  experiments: {
    makeRunConfig(a: Record<string, unknown>): { epochs: number };
    runOne(c: unknown, a: Record<string, unknown>): Promise<unknown>;
    runKey(c: unknown): string;
    checkpointPath(dir: string, key: string): string;
    readRunCheckpoint(file: string): { checkpoint: { weights: Float32Array[] }; meta: Record<string, unknown> };
    saveRunCheckpoint(file: string, checkpoint: unknown, meta: unknown): void;
  };
  engine: { prepareEngine(args?: { backend?: string }): Promise<unknown> };
} {
  return {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    experiments: require(path.join(ROOT, 'dist', 'src', 'experiments')),
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    engine: require(path.join(ROOT, 'dist', 'src', 'engine')),
  };
}

/** The smoke config `run regression --profile smoke --epochs 2 --methods <method> --seeds 0` trains. */
function smokeConfig(method: string): unknown {
  return lib().experiments.makeRunConfig({ experiment: 'regression', method, seed: 0, epochs: 2, limitTrain: 256, limitTest: 128, inferenceRepeats: 1 });
}

/** Leaves a checkpoint after epoch 1 of that config in `<out>/.checkpoints`; returns its path. */
async function leaveCheckpoint(out: string, method: string): Promise<string> {
  const { experiments, engine } = lib();
  await engine.prepareEngine({ backend: 'wasm' }); // the engine the CLI cases run on (CASE_ENV)
  const config = smokeConfig(method);
  const dir = path.join(out, '.checkpoints');
  await assert.rejects(
    experiments.runOne(config, {
      dataDir: os.tmpdir(),
      checkpointDir: dir,
      onStep: (done: number) => {
        if (done === 5) throw new Error('simulated stop');
      },
    }),
    /simulated stop/,
  );
  const file = experiments.checkpointPath(dir, experiments.runKey(config));
  assert.ok(fs.existsSync(file), 'a checkpoint was left');
  return file;
}

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '') : [];
}

/** Problems of a results file: lines that are not JSON, and keys stored more than once. */
function damage(file: string): string | null {
  const ls = lines(file);
  const keys = new Set<string>();
  for (const [i, l] of ls.entries()) {
    let r: { key?: string };
    try {
      r = JSON.parse(l) as { key?: string };
    } catch {
      return `lost: ${file}:${i + 1} is a torn line`;
    }
    if (keys.has(String(r.key))) return `lost: run ${String(r.key)} is stored twice`;
    keys.add(String(r.key));
  }
  if (fs.existsSync(file) && fs.statSync(file).size > 0 && !fs.readFileSync(file, 'utf8').endsWith('\n')) return `lost: ${file} ends in a torn line`;
  return null;
}

function metricsOf(file: string): string {
  return lines(file)
    .map((l) => JSON.stringify((JSON.parse(l) as { metrics: unknown }).metrics))
    .join('\n');
}

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

function sameFiles(before: Map<string, string>, after: Map<string, string>): string | null {
  for (const [f, h] of before) if (after.get(f) !== h) return `lost: ${f} was ${after.has(f) ? 'changed' : 'removed'} by a failed build`;
  for (const f of after.keys()) if (!before.has(f)) return `lost: ${f} was left by a failed build`;
  return null;
}

/** Mounts a tmpfs of `kib` KiB at `dir`; false when that is not possible (not root). */
function mountTmpfs(dir: string, kib: number): boolean {
  fs.mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0 || process.platform !== 'linux') return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir]).status === 0;
}

/** Fills the file system of `dir` until `leaveBytes` are free. */
function fill(dir: string, leaveBytes: number): void {
  const s = fs.statfsSync(dir);
  const free = s.bavail * s.bsize;
  fs.writeFileSync(path.join(dir, 'filler'), Buffer.alloc(Math.max(0, free - leaveBytes)));
}

const mounts: string[] = [];

function fixtureLine(n: number): Record<string, unknown> {
  return JSON.parse(lines(path.join(FIXTURES, 'regression.jsonl'))[n]) as Record<string, unknown>;
}

function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const CASES: Case[] = [
  // 1. Short writes on a full disk.
  {
    item: 1,
    what: 'a full disk while appending a record',
    failure: 'lost',
    root: true,
    setup: (d) => {
      if (!mountTmpfs(path.join(d, 'fs'), 256)) throw new Error('skip');
      mounts.push(path.join(d, 'fs'));
      fs.mkdirSync(path.join(d, 'fs', 'res'));
      fill(path.join(d, 'fs'), 8192);
    },
    args: (d) => ['run', 'regression', ...SMOKE, '--methods', 'standard', '--seeds', '0-1', '--no-checkpoints', '--out', path.join(d, 'fs', 'res')],
    code: 1,
    message: /regression\.jsonl: no space left on the device/,
    check: (d, o) => damage(path.join(d, 'fs', 'res', 'regression.jsonl')) ?? (/[12] run\(s\) completed/.test(o.out) ? 'lost: a run is reported completed' : null),
  },
  {
    item: 1,
    what: 'a full disk while writing a checkpoint',
    failure: 'lost',
    root: true,
    setup: (d) => {
      if (!mountTmpfs(path.join(d, 'fs'), 256)) throw new Error('skip');
      mounts.push(path.join(d, 'fs'));
      fs.mkdirSync(path.join(d, 'fs', 'res', '.checkpoints'), { recursive: true });
      fill(path.join(d, 'fs'), 8192);
    },
    args: (d) => ['run', 'regression', ...SMOKE, '--methods', 'standard', '--seeds', '0', '--out', path.join(d, 'fs', 'res')],
    code: 1,
    message: /\.ckpt: no space left on the device/,
    check: (d) => {
      const dir = path.join(d, 'fs', 'res', '.checkpoints');
      for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ckpt'))) {
        try {
          lib().experiments.readRunCheckpoint(path.join(dir, f));
        } catch (err) {
          return `lost: a damaged checkpoint is in place (${(err as Error).message})`;
        }
      }
      return damage(path.join(d, 'fs', 'res', 'regression.jsonl'));
    },
  },
  // 2. Two runs on one results file.
  {
    item: 2,
    what: 'two run processes on the same --out',
    failure: 'lost',
    run: async (d) => {
      const args = ['run', 'regression', ...SMOKE, '--methods', 'float,standard', '--seeds', '0-3', '--out', path.join(d, 'res')];
      const [a, b] = await Promise.all([cli(args), cli(args)]);
      // Either both succeed (one found the other's runs done) or one refuses, saying why.
      const refusedClearly = (x: Outcome): boolean => x.code === 1 && /in use by/.test(x.err);
      const ok = (a.code === 0 && (b.code === 0 || refusedClearly(b))) || (b.code === 0 && refusedClearly(a));
      return { code: ok ? 0 : 9, out: a.out + b.out, err: a.err + b.err };
    },
    code: 0,
    check: (d) => {
      const file = path.join(d, 'res', 'regression.jsonl');
      if (lines(file).length > 8) return `lost: ${lines(file).length} lines for 8 runs`;
      return damage(file);
    },
  },
  // 3. merge while a run appends.
  {
    item: 3,
    what: 'merge into the file a run is appending to',
    failure: 'lost',
    setup: async (d) => {
      const o = await cli(['run', 'regression', ...SMOKE, '--methods', 'float', '--seeds', '100', '--out', path.join(d, 'other')]);
      assert.equal(o.code, 0, o.err);
    },
    run: async (d) => {
      const file = path.join(d, 'res', 'regression.jsonl');
      let finished = false;
      const running = cli(['run', 'regression', ...SMOKE, '--methods', 'float,standard,octization', '--seeds', '0-9', '--out', path.join(d, 'res')]).then((o) => {
        finished = true;
        return o;
      });
      const t0 = Date.now();
      while (lines(file).length < 2 && Date.now() - t0 < 60_000) await sleep(20);
      // Merge again and again while the run appends.
      const merges: Outcome[] = [];
      while (!finished && merges.length < 20) merges.push(await cli(['merge', '--out', file, path.join(d, 'other', 'regression.jsonl')]));
      const run = await running;
      // A merge while the run holds the file must refuse, saying why; one after the run ended may succeed.
      const clear = merges.every((m) => m.code === 0 || (m.code === 1 && /in use by/.test(m.err)));
      return { code: run.code === 0 && clear ? 0 : 9, out: run.out + merges.map((m) => m.out).join(''), err: run.err + merges.map((m) => m.err).join('') };
    },
    code: 0,
    check: (d, o) => {
      const completed = Number(/(\d+) run\(s\) completed/.exec(o.out)?.[1] ?? -1);
      // Records of the run itself (the merged input holds seed 100 only).
      const n = lines(path.join(d, 'res', 'regression.jsonl')).filter((l) => (JSON.parse(l) as { config: { seed: number } }).config.seed !== 100).length;
      return n < completed ? `lost: the run completed ${completed} run(s), the file holds ${n}` : damage(path.join(d, 'res', 'regression.jsonl'));
    },
  },
  // 4. report on a full disk / with an output in the way.
  {
    item: 4,
    what: 'report on a full disk keeps the previous build whole',
    failure: 'lost',
    root: true,
    setup: async (d) => {
      if (!mountTmpfs(path.join(d, 'fs'), 24 * 1024)) throw new Error('skip');
      mounts.push(path.join(d, 'fs'));
      const o = await cli(['report', '--results', path.join(FIXTURES, 'regression.jsonl'), '--out', path.join(d, 'fs', 'rep'), '--resamples', '100', '--quiet']);
      assert.equal(o.code, 0, o.err);
      fs.writeFileSync(path.join(d, 'before.json'), JSON.stringify([...snapshot(path.join(d, 'fs', 'rep'))]));
      fill(path.join(d, 'fs'), 256 * 1024);
    },
    args: (d) => ['report', '--results', FIXTURES, '--out', path.join(d, 'fs', 'rep'), '--resamples', '100', '--quiet'],
    code: 1,
    message: /no space left on the device/,
    check: (d) => sameFiles(new Map(JSON.parse(fs.readFileSync(path.join(d, 'before.json'), 'utf8')) as [string, string][]), snapshot(path.join(d, 'fs', 'rep'))),
  },
  {
    item: 4,
    what: 'report with one output blocked by a directory writes nothing',
    failure: 'lost',
    setup: async (d) => {
      const o = await cli(['report', '--results', path.join(FIXTURES, 'regression.jsonl'), '--out', path.join(d, 'rep'), '--resamples', '100', '--quiet']);
      assert.equal(o.code, 0, o.err);
      fs.rmSync(path.join(d, 'rep', 'tables', 'claims.csv'));
      fs.mkdirSync(path.join(d, 'rep', 'tables', 'claims.csv'));
      fs.writeFileSync(path.join(d, 'before.json'), JSON.stringify([...snapshot(path.join(d, 'rep'))]));
    },
    args: (d) => ['report', '--results', FIXTURES, '--out', path.join(d, 'rep'), '--resamples', '100', '--quiet'],
    code: 1,
    message: /claims\.csv: it is a directory/,
    check: (d) => sameFiles(new Map(JSON.parse(fs.readFileSync(path.join(d, 'before.json'), 'utf8')) as [string, string][]), snapshot(path.join(d, 'rep'))),
  },
  // 5. Seeds alias every 2^32.
  { item: 5, what: 'a seed of 2^32', failure: 'wrong', args: () => ['run', 'regression', '--seeds', '0,4294967296', '--dry-run'], code: 2, message: /seed 4294967296 .*out of range/ },
  { item: 5, what: 'a seed range ending past 2^32-1', failure: 'wrong', args: () => ['run', 'regression', '--seeds', '4294967290-4294967300', '--dry-run'], code: 2, message: /4294967300/ },
  // 6. Corrupted checkpoints.
  {
    item: 6,
    what: 'a checkpoint with flipped low bits in its weights',
    failure: 'wrong',
    setup: async (d) => {
      const file = await leaveCheckpoint(path.join(d, 'res'), 'float');
      const buf = fs.readFileSync(file);
      const blobStart = 17 + buf.readUInt32LE(13);
      const values = Math.floor((buf.length - blobStart - 32) / 4);
      for (let i = 0; i < Math.min(1000, values); i++) buf[blobStart + 4 * i] ^= 1;
      fs.writeFileSync(file, buf);
      const clean = await cli(['run', 'regression', ...SMOKE, '--epochs', '2', '--methods', 'float', '--seeds', '0', '--out', path.join(d, 'clean')]);
      assert.equal(clean.code, 0, clean.err);
    },
    args: (d) => ['run', 'regression', ...SMOKE, '--epochs', '2', '--methods', 'float', '--seeds', '0', '--out', path.join(d, 'res')],
    code: 0,
    message: /checksum mismatch.*starting the run from scratch/,
    check: (d) => (metricsOf(path.join(d, 'res', 'regression.jsonl')) === metricsOf(path.join(d, 'clean', 'regression.jsonl')) ? null : 'the resumed record differs from a clean run'),
  },
  {
    item: 6,
    what: 'a checkpoint (valid checksum) whose weights give impossible codes',
    failure: 'unclear',
    setup: async (d) => {
      const file = await leaveCheckpoint(path.join(d, 'res'), 'standard');
      const { experiments } = lib();
      const c = experiments.readRunCheckpoint(file);
      c.checkpoint.weights[0][0] = 1e30;
      experiments.saveRunCheckpoint(file, c.checkpoint, c.meta);
      const clean = await cli(['run', 'regression', ...SMOKE, '--epochs', '2', '--methods', 'standard', '--seeds', '0', '--out', path.join(d, 'clean')]);
      assert.equal(clean.code, 0, clean.err);
    },
    args: (d) => ['run', 'regression', ...SMOKE, '--epochs', '2', '--methods', 'standard', '--seeds', '0', '--out', path.join(d, 'res')],
    code: 0,
    message: /cannot be trained on.*starting the run from scratch/,
    check: (d) => (metricsOf(path.join(d, 'res', 'regression.jsonl')) === metricsOf(path.join(d, 'clean', 'regression.jsonl')) ? null : 'the record differs from a clean run'),
  },
  // 7. Divergence.
  {
    item: 7,
    what: 'a diverged run (--lr 1e30): stored once, not retrained, reported',
    failure: 'lost',
    run: async (d) => {
      const args = ['run', 'regression', ...SMOKE, '--methods', 'float', '--lr', '1e30', '--seeds', '0', '--out', path.join(d, 'res')];
      const a = await cli(args);
      const b = await cli(args);
      const r = await cli(['report', '--results', path.join(d, 'res'), '--out', path.join(d, 'rep'), '--resamples', '100']);
      const ok = a.code === 0 && b.code === 0 && /0 run\(s\) completed, 1 already in/.test(b.out) && r.code === 0;
      return { code: ok ? 0 : 9, out: a.out + b.out + r.out, err: a.err + b.err + r.err };
    },
    code: 0,
    message: /diverged/,
    check: (d) => {
      const ls = lines(path.join(d, 'res', 'regression.jsonl'));
      if (ls.length !== 1) return `lost: ${ls.length} records for one run`;
      const m = (JSON.parse(ls[0]) as { metrics: { diverged?: { epoch: number } } }).metrics;
      if (m.diverged?.epoch !== 1) return 'the record does not say it diverged in epoch 1';
      return fs.existsSync(path.join(d, 'rep', 'tables', 'diverged.csv')) ? null : 'the reports do not list the diverged run';
    },
  },
  // 8. Key = hash(config).
  {
    item: 8,
    what: 'a record whose config.seed was edited under its old key',
    failure: 'wrong',
    setup: (d) => {
      const ls = lines(path.join(FIXTURES, 'regression.jsonl'));
      const r = JSON.parse(ls[0]) as { config: { seed: number } };
      r.config.seed = 999;
      ls[0] = JSON.stringify(r);
      fs.mkdirSync(path.join(d, 'res'));
      fs.writeFileSync(path.join(d, 'res', 'regression.jsonl'), `${ls.join('\n')}\n`);
    },
    args: (d) => ['report', '--results', path.join(d, 'res'), '--out', path.join(d, 'rep'), '--resamples', '100'],
    code: 1,
    message: /regression\.jsonl:1.*does not match its config/,
  },
  // 9. Conflicting duplicates.
  ...[false, true].map(
    (swap): Case => ({
      item: 9,
      what: `merge of two records of one key with different metrics${swap ? ' (other order)' : ''}`,
      failure: 'wrong',
      setup: (d) => {
        const r = fixtureLine(0) as { metrics: { testLoss: number } };
        fs.writeFileSync(path.join(d, 'a.jsonl'), `${JSON.stringify(r)}\n`);
        r.metrics.testLoss += 1;
        fs.writeFileSync(path.join(d, 'b.jsonl'), `${JSON.stringify(r)}\n`);
      },
      args: (d) => ['merge', '--out', path.join(d, 'm.jsonl'), ...(swap ? ['b.jsonl', 'a.jsonl'] : ['a.jsonl', 'b.jsonl']).map((f) => path.join(d, f))],
      code: 1,
      message: /different metrics in .*[ab]\.jsonl:1 and .*[ab]\.jsonl:1/,
      check: (d) => (fs.existsSync(path.join(d, 'm.jsonl')) ? 'wrong: a merged file was written' : null),
    }),
  ),
  // 10. Accepted although wrong.
  { item: 10, what: 'merge of a file that does not exist', failure: 'wrong', args: (d) => ['merge', '--out', path.join(d, 'x.jsonl'), path.join(d, 'nonexist.jsonl')], code: 2, message: /nonexist\.jsonl does not exist/ },
  { item: 10, what: "--bits ''", failure: 'wrong', args: () => ['run', 'regression', '--bits', '', '--dry-run'], code: 2, message: /--bits has an empty item/ },
  { item: 10, what: '--bits 4,,8', failure: 'wrong', args: () => ['run', 'regression', '--bits', '4,,8', '--dry-run'], code: 2, message: /--bits has an empty item/ },
  ...['constructor', 'toString', '__proto__'].map((p): Case => ({ item: 10, what: `--profile ${p}`, failure: 'wrong', args: () => ['run', 'regression', '--profile', p, '--dry-run'], code: 2, message: new RegExp(`unknown --profile '${p}'`) })),
  { item: 10, what: '--protocols nope with --methods float', failure: 'wrong', args: () => ['run', 'regression', '--methods', 'float', '--protocols', 'nope', '--dry-run'], code: 2, message: /unknown --protocols value 'nope'/ },
  { item: 10, what: '--split on regression', failure: 'wrong', args: () => ['run', 'regression', '--split', 'train1-4/test5', '--dry-run'], code: 2, message: /--split applies to cifar10 only/ },
  ...[' 0/2', '00/2', '0/02'].map((s): Case => ({ item: 10, what: `--shard '${s}'`, failure: 'wrong', args: () => ['run', 'regression', '--shard', s, '--dry-run'], code: 2, message: /bad shard/ })),
  { item: 10, what: 'study --status --out a missing directory', failure: 'wrong', args: (d) => ['study', '--status', '--out', path.join(d, 'nonexistent')], code: 2, message: /nonexistent' does not exist/ },
  { item: 10, what: 'quantize absmax --json 1e300', failure: 'wrong', args: () => ['quantize', '--scheme', 'absmax-per-tensor', '--json', '1e300'], code: 2, message: /1e300/ },
  // 11. Object.prototype names.
  ...['constructor', 'toString', '__proto__', 'hasOwnProperty'].map((n): Case => ({ item: 11, what: `run ${n}`, failure: 'unclear', args: () => ['run', n, '--dry-run'], code: 2, message: new RegExp(`unknown experiment '${n}'`) })),
  { item: 11, what: '--methods constructor', failure: 'unclear', args: () => ['run', 'regression', '--methods', 'constructor', '--dry-run'], code: 2, message: /unknown quantizer preset 'constructor'/ },
  { item: 11, what: 'study --steps constructor', failure: 'unclear', args: () => ['study', '--steps', 'constructor', '--dry-run'], code: 2, message: /unknown study step 'constructor'/ },
  // 12. Unbounded seed lists.
  { item: 12, what: '--seeds 100000000000000000000', failure: 'unclear', timeout: 30, args: () => ['run', 'regression', '--seeds', '100000000000000000000', '--dry-run'], code: 2, message: /out of range/ },
  { item: 12, what: '--seeds 0-99999999999 --dry-run', failure: 'unclear', timeout: 30, args: () => ['run', 'regression', '--seeds', '0-99999999999', '--dry-run'], code: 2, message: /out of range/ },
  { item: 12, what: '--seeds 0-4000000000 --dry-run', failure: 'unclear', timeout: 30, args: () => ['run', 'regression', '--seeds', '0-4000000000', '--dry-run'], code: 2, message: /more than 10000 seeds/ },
  // 13. Non-finite numbers.
  { item: 13, what: '--lr Infinity', failure: 'unclear', args: (d) => ['run', 'regression', ...SMOKE, '--methods', 'float', '--lr', 'Infinity', '--out', path.join(d, 'res')], code: 2, message: /--lr must be a finite positive number/ },
  { item: 13, what: '--lr NaN', failure: 'unclear', args: () => ['run', 'regression', '--lr', 'NaN', '--dry-run'], code: 2, message: /--lr/ },
  { item: 13, what: '--repeat -1', failure: 'unclear', args: () => ['run', 'regression', '--repeat=-1', '--dry-run'], code: 2, message: /--repeat must be an integer from 0 to 1000, got '-1'/ },
  { item: 13, what: '--repeat 5000', failure: 'unclear', args: () => ['run', 'regression', '--repeat', '5000', '--dry-run'], code: 2, message: /--repeat must be an integer from 0 to 1000, got '5000'/ },
  { item: 13, what: '--epochs 1e300', failure: 'unclear', args: () => ['run', 'regression', '--epochs', '1e300', '--dry-run'], code: 2, message: /--epochs must be a positive integer/ },
  // 14. System errors with context, before training.
  {
    item: 14,
    what: '--out under a regular file (ENOTDIR)',
    failure: 'unclear',
    setup: (d) => fs.writeFileSync(path.join(d, 'file'), 'x'),
    args: (d) => ['run', 'regression', ...SMOKE, '--methods', 'float', '--seeds', '0', '--out', path.join(d, 'file', 'sub')],
    code: 1,
    message: /file.*(not a directory|a part of the path is a file)/,
    check: (_d, o) => (/\[1\/1\]/.test(o.out) ? 'trained before finding that the output cannot be written' : null),
  },
  {
    item: 14,
    what: '--out is a regular file (EEXIST)',
    failure: 'unclear',
    setup: (d) => fs.writeFileSync(path.join(d, 'file'), 'x'),
    args: (d) => ['run', 'regression', ...SMOKE, '--methods', 'float', '--seeds', '0', '--out', path.join(d, 'file')],
    code: 1,
    message: /file/,
    check: (_d, o) => (/\[1\/1\]/.test(o.out) ? 'trained before finding that the output cannot be written' : null),
  },
  {
    item: 14,
    what: 'the results file is a directory (EISDIR)',
    failure: 'unclear',
    setup: (d) => fs.mkdirSync(path.join(d, 'res', 'regression.jsonl'), { recursive: true }),
    args: (d) => ['run', 'regression', ...SMOKE, '--methods', 'float', '--seeds', '0', '--out', path.join(d, 'res')],
    code: 1,
    message: /regression\.jsonl: it is a directory/,
  },
  // 15. Messages and exit codes.
  {
    item: 15,
    what: 'a run whose data files are missing (1 worker)',
    failure: 'unclear',
    setup: (d) => fs.mkdirSync(path.join(d, 'empty')),
    args: (d) => ['run', 'mnist', ...SMOKE, '--methods', 'float', '--seeds', '0', '--data-dir', path.join(d, 'empty'), '--out', path.join(d, 'res')],
    code: 1,
    message: /train-images/,
  },
  {
    item: 15,
    what: 'a run whose data files are missing (2 workers)',
    failure: 'unclear',
    setup: (d) => fs.mkdirSync(path.join(d, 'empty')),
    args: (d) => ['run', 'mnist', '--profile', 'smoke', '--quiet', '--no-download', '--workers', '2', '--methods', 'float,standard', '--seeds', '0', '--data-dir', path.join(d, 'empty'), '--out', path.join(d, 'res')],
    code: 1,
    message: /train-images/,
  },
  ...['run', 'study', 'merge', 'report', 'quantize'].map((c): Case => ({ item: 15, what: `${c} with an unknown option`, failure: 'unclear', args: () => [c, '--nope'], code: 2, message: /--nope/ })),
  { item: 15, what: 'report --results that does not exist', failure: 'unclear', args: (d) => ['report', '--results', path.join(d, 'none'), '--out', path.join(d, 'rep')], code: 2, message: /does not exist/ },
  { item: 15, what: 'run without an experiment', failure: 'unclear', args: () => ['run'], code: 2, message: /expected one experiment name/ },
  // 16. Orphaned workers.
  {
    item: 16,
    what: 'kill -9 of the parent of 2 workers',
    failure: 'unclear',
    run: async (d) => {
      if (process.platform !== 'linux') throw new Error('skip');
      const child = spawn(process.execPath, [BIN, 'run', 'regression', '--methods', 'float', '--seeds', '0-3', '--epochs', '5000', '--workers', '2', '--quiet', '--no-checkpoints', '--out', path.join(d, 'res')], {
        cwd: os.tmpdir(),
        env: { ...process.env, ...CASE_ENV },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      let workers: number[] = [];
      const t0 = Date.now();
      while (workers.length < 2 && Date.now() - t0 < 60_000) {
        await sleep(200);
        workers = childPids(child.pid as number);
      }
      await sleep(1500);
      child.kill('SIGKILL');
      const t1 = Date.now();
      while (workers.some(alive) && Date.now() - t1 < 30_000) await sleep(100);
      const orphans = workers.filter(alive);
      for (const p of orphans) process.kill(p, 'SIGKILL');
      return { code: workers.length === 2 && orphans.length === 0 ? 0 : 9, out: `${workers.length} workers, ${orphans.length} still running 30 s after the parent was killed`, err };
    },
    code: 0,
  },
  // 17. CSV formula injection.
  {
    item: 17,
    what: 'a CSV cell starting with =',
    failure: 'wrong',
    setup: (d) => {
      const ls = lines(path.join(FIXTURES, 'regression.jsonl'));
      const r = JSON.parse(ls[0]) as { environment: { engine: { backend: string } } };
      r.environment.engine.backend = '=HYPERLINK("http://example.invalid","x")';
      ls[0] = JSON.stringify(r);
      fs.mkdirSync(path.join(d, 'res'));
      fs.writeFileSync(path.join(d, 'res', 'regression.jsonl'), `${ls.join('\n')}\n`);
    },
    args: (d) => ['report', '--results', path.join(d, 'res'), '--out', path.join(d, 'rep'), '--resamples', '100', '--quiet'],
    code: 0,
    check: (d) => {
      const csv = fs.readFileSync(path.join(d, 'rep', 'tables', 'regression-runs.csv'), 'utf8');
      if (/(^|,)"?[=+@]/m.test(csv)) return 'wrong: a cell starts with a formula character';
      return csv.includes(`"'=HYPERLINK(""http://example.invalid"",""x"")"`) ? null : 'wrong: the neutralised cell is missing';
    },
  },
];

/** Runs one case; returns its class ('ok' or a failure) and why. */
async function classify(c: Case, dir: string): Promise<{ result: 'ok' | Failure; why: string }> {
  if (c.setup !== undefined) await c.setup(dir);
  const o = c.run !== undefined ? await c.run(dir) : await cli((c.args as (d: string) => string[])(dir), c.timeout ?? 120);
  const text = `${o.out}\n${o.err}`;
  const problem = c.check?.(dir, o) ?? null;
  if (problem !== null && problem.startsWith('lost:')) return { result: 'lost', why: problem };
  if (o.code === null || STACK.test(o.err) || UNCLEAR.test(text)) return { result: 'crash', why: `stack trace or unclear message: ${o.err.slice(0, 400)}` };
  if (o.code !== c.code) return { result: c.code !== 0 && o.code === 0 ? 'wrong' : c.failure, why: `exit ${String(o.code)}, expected ${c.code}: ${text.slice(0, 400)}` };
  if (c.message !== undefined && !c.message.test(text)) return { result: c.failure, why: `message does not match ${c.message}: ${text.slice(0, 400)}` };
  if (problem !== null) return { result: problem.startsWith('wrong:') ? 'wrong' : c.failure, why: problem };
  return { result: 'ok', why: '' };
}

describe('cli: bad input, faults and concurrency (table)', function () {
  this.timeout(240_000);
  const tally = new Map<string, number>();
  let base: string;
  before(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-bad-input-'));
  });
  after(() => {
    for (const m of mounts.splice(0)) spawnSync('umount', [m]);
    fs.rmSync(base, { recursive: true, force: true });
  });

  CASES.forEach((c, i) => {
    it(`#${c.item} ${c.what}`, async function () {
      const dir = path.join(base, String(i));
      fs.mkdirSync(dir);
      let r: { result: 'ok' | Failure; why: string };
      try {
        r = await classify(c, dir);
      } catch (err) {
        if ((err as Error).message === 'skip') {
          tally.set('skipped', (tally.get('skipped') ?? 0) + 1);
          this.skip();
        }
        throw err;
      } finally {
        for (const m of mounts.splice(0)) spawnSync('umount', [m]);
      }
      tally.set(r.result, (tally.get(r.result) ?? 0) + 1);
      assert.equal(r.result, 'ok', r.why);
    });
  });

  it('tally: nothing lost, nothing silently wrong, no stack trace', () => {
    const get = (k: string): number => tally.get(k) ?? 0;
    console.log(
      `      bad-input tally (${BIN}): ${CASES.length} cases: ${get('ok')} ok, ${get('lost')} lost/duplicated, ${get('wrong')} silently wrong, ${get('crash')} stack traces/crashes, ${get('unclear')} unclear, ${get('skipped')} skipped`,
    );
    assert.deepEqual({ lost: get('lost'), wrong: get('wrong'), crash: get('crash'), unclear: get('unclear') }, { lost: 0, wrong: 0, crash: 0, unclear: 0 });
  });
});

describe('cli: stack traces only on request', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octolab-verbose-'));
    fs.writeFileSync(path.join(dir, 'file'), 'x');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const args = (): string[] => ['run', 'regression', ...SMOKE, '--methods', 'float', '--seeds', '0', '--out', path.join(dir, 'file', 'sub')];

  it('#15 prints one message without a stack trace by default, exit 1', async () => {
    const o = await cli(args());
    assert.equal(o.code, 1);
    assert.equal(STACK.test(o.err), false, o.err);
  });

  it('#15 prints the stack trace with --verbose or OCTOLAB_DEBUG=1, same exit code', async () => {
    for (const o of [await cli([...args(), '--verbose']), await cli(args(), 60, { OCTOLAB_DEBUG: '1' })]) {
      assert.equal(o.code, 1);
      assert.ok(STACK.test(o.err), o.err);
    }
    const usage = await cli(['run', 'regression', '--verbose', '--seeds', 'x', '--dry-run']);
    assert.equal(usage.code, 2);
  });
});
