/**
 * Where results came from: configurations, data files with SHA-256, the split,
 * the engine actually used, versions, commits, dates and compute spent,
 * gathered from the records themselves.
 */
import { describeMethod, stableStringify } from '../experiments/config';
import type { RunRecord } from '../results/schema';
import type { DatasetProvenance } from '../data/types';
import { describeAdapter } from '../engine/webgpu';
import type { GpuAdapterInfo } from '../engine/webgpu';

/** One distinct data provenance and the runs that used it. */
export interface DataSource {
  /** The provenance as recorded. */
  provenance: DatasetProvenance;
  /** Number of runs that used it. */
  runs: number;
}

/** One distinct engine description (backend, versions, wasm details) and its run count. */
export interface EngineUse {
  /** Backend reported by tfjs (`wasm`, `cpu`, `tensorflow`, ...). */
  backend: string;
  /** Package versions as recorded. */
  versions: Record<string, string | null>;
  /** Other engine facts (wasm SIMD and threads, native package, GPU). */
  details: Record<string, string>;
  /** Runs on this engine. */
  runs: number;
}

/** Everything the "what was run" section shows. */
export interface Provenance {
  /** Number of records. */
  runs: number;
  /** Distinct method descriptions with their protocols and run counts. */
  methods: { method: string; description: string; runs: number }[];
  /** Protocols used. */
  protocols: string[];
  /** Distinct data sources. */
  data: DataSource[];
  /** Distinct engines. */
  engines: EngineUse[];
  /** octolab versions. */
  versions: string[];
  /** Git commits with their dirty flags and run counts. */
  commits: { commit: string | null; dirty: boolean | null; runs: number }[];
  /** Host descriptions with run counts. */
  hosts: { host: string; runs: number }[];
  /** Earliest start (ISO), or null without runs. */
  firstStart: string | null;
  /** Latest finish (ISO), or null. */
  lastFinish: string | null;
  /** Sum of whole-run seconds. */
  totalSeconds: number;
  /** Core-hours: each run occupies one worker process on one core, so the sum of run seconds / 3600. */
  coreHours: number;
}

function countBy<T>(items: readonly T[], keyOf: (t: T) => string): Map<string, { item: T; n: number }> {
  const m = new Map<string, { item: T; n: number }>();
  for (const it of items) {
    const k = keyOf(it);
    const cur = m.get(k);
    if (cur === undefined) m.set(k, { item: it, n: 1 });
    else cur.n++;
  }
  return m;
}

/** Gathers the provenance of a set of records (pure). */
export function provenanceOf(records: readonly RunRecord[]): Provenance {
  const methods = [...countBy(records, (r) => describeMethod(r.config)).entries()]
    .map(([description, { item, n }]) => ({ method: item.config.method, description, runs: n }))
    .sort((a, b) => (a.description < b.description ? -1 : 1));
  const data = [...countBy(records, (r) => stableStringify(r.data)).values()].map(({ item, n }) => ({ provenance: item.data, runs: n }));
  // Versions of packages not in use are null (or absent in older records): leave them out.
  const versionsOf = (v: unknown): Record<string, string | null> =>
    Object.fromEntries(Object.entries((v ?? {}) as Record<string, string | null | undefined>).filter(([, x]) => x !== null && x !== undefined)) as Record<string, string | null>;
  const adapterOf = (e: RunRecord['environment']['engine']): GpuAdapterInfo | null => (e as { gpuAdapter?: GpuAdapterInfo | null }).gpuAdapter ?? null;
  const engines = [
    ...countBy(records, (r) => {
      const e = r.environment.engine;
      return stableStringify([e.backend, versionsOf(e.versions), e.wasm, e.nativePackage, e.nativeGpu, adapterOf(e), (e.host as { node?: string } | undefined)?.node ?? null]);
    }).values(),
  ].map(({ item, n }) => {
    const e = item.environment.engine;
    const details: Record<string, string> = {};
    const adapter = adapterOf(e);
    if (adapter !== null) details['GPU adapter'] = describeAdapter(adapter);
    if (e.wasm !== undefined && e.wasm !== null) {
      const w = e.wasm as unknown as Record<string, unknown>;
      if ('simd' in w) details['wasm SIMD'] = String(w.simd);
      if ('threads' in w) details['wasm threads'] = `${String(w.threads)}${'threadsCount' in w ? ` (${String(w.threadsCount)})` : ''}`;
      if (Array.isArray(w.customKernels) && w.customKernels.length > 0) details['custom wasm kernels'] = (w.customKernels as string[]).join(', ');
    }
    const torch = (e as { torch?: { version?: string; threads?: number; build?: string[] } }).torch;
    if (torch !== undefined && torch !== null) {
      const cap = (torch.build ?? []).find((l) => l.startsWith('CPU capability usage'));
      details.libtorch = `${String(torch.version)}, ${String(torch.threads)} thread(s)${cap === undefined ? '' : `, ${cap.replace('CPU capability usage: ', '')}`}`;
    }
    details['native package'] = e.nativePackage ?? 'none';
    details['native GPU'] = e.nativeGpu === null || e.nativeGpu === undefined ? 'n/a' : String(e.nativeGpu);
    details.requested = `${String(e.requested)} (${String(e.requestedBy)})`;
    const host = e.host as unknown as Record<string, unknown> | undefined;
    if (host !== undefined && host !== null && typeof host.node === 'string') details.node = host.node;
    if (Array.isArray(e.warnings) && e.warnings.length > 0) details.warnings = e.warnings.join('; ');
    return { backend: e.backend, versions: versionsOf(e.versions), details, runs: n };
  });
  const commits = [...countBy(records, (r) => stableStringify(r.environment.git)).values()].map(({ item, n }) => ({
    commit: item.environment.git.commit,
    dirty: item.environment.git.dirty,
    runs: n,
  }));
  const hosts = [
    ...countBy(records, (r) => {
      const h = r.environment.host;
      const sig = r.environment.engine?.host?.cpuSignature;
      return `${h.hostname}: ${h.cpus} × ${h.cpuModel}${sig === undefined ? '' : ` (${sig})`}, ${h.totalMemGiB} GiB`;
    }).entries(),
  ].map(([host, { n }]) => ({ host, runs: n }));
  const starts = records.map((r) => r.environment.startedAt).sort();
  const ends = records.map((r) => r.environment.finishedAt).sort();
  const totalSeconds = records.reduce((s, r) => s + r.timing.totalSeconds, 0);
  return {
    runs: records.length,
    methods,
    protocols: [...new Set(records.map((r) => r.config.protocol))].sort(),
    data,
    engines,
    versions: [...new Set(records.map((r) => r.environment.octolab))].sort(),
    commits,
    hosts,
    firstStart: starts[0] ?? null,
    lastFinish: ends[ends.length - 1] ?? null,
    totalSeconds,
    coreHours: totalSeconds / 3600,
  };
}
