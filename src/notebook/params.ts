/**
 * Notebook parameters: every notebook reads its settings from environment
 * variables in its first cell, so that one driver can run all of them headlessly
 * with the same settings.
 *
 * - `OCTOLAB_PROFILE`: `smoke` (tiny live runs, for tests) or `full` (the default:
 *   the settings that regenerate the committed HTML exports).
 * - `OCTOLAB_RESULTS`: stored results (a `.jsonl` file or a folder of them);
 *   default `reports/results` under the repository root.
 * - `OCTOLAB_DATA_DIR`: the MNIST / CIFAR-10 data directory (see `resolveDataDir`);
 *   default `data` under the repository root.
 * - `OCTOLAB_EXPORT`: `1` when the run is exported as HTML (the export driver sets it):
 *   the notebooks then leave out what differs from one execution to the next (wall-clock
 *   timings of live runs), so the same results and data rebuild the same HTML.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { relativeDataPath, resolveDataDir } from '../data/files';

/** How much live computation a notebook does. */
export type NotebookProfile = 'smoke' | 'full';

/** Every valid {@link NotebookProfile}. */
export const NOTEBOOK_PROFILES: readonly NotebookProfile[] = ['smoke', 'full'];

/** Environment variable choosing the profile. */
export const PROFILE_ENV = 'OCTOLAB_PROFILE';

/** Environment variable naming the stored results. */
export const RESULTS_ENV = 'OCTOLAB_RESULTS';

/** Environment variable that marks an HTML export run (`1`) or an interactive one (unset, `0`). */
export const EXPORT_ENV = 'OCTOLAB_EXPORT';

/** Default stored-results location, relative to the repository root. */
export const DEFAULT_RESULTS = path.join('reports', 'results');

/** Settings of one notebook run, resolved to absolute paths. */
export interface NotebookParams {
  /** `smoke` or `full`. */
  profile: NotebookProfile;
  /** Absolute path of the stored results (file or folder; it may not exist). */
  resultsPath: string;
  /** The results path for display: relative to the repository root when inside it, so printed paths do not depend on the clone's location. */
  resultsLabel: string;
  /** Absolute data directory for MNIST and CIFAR-10 (it may not exist). */
  dataDir: string;
  /** The data directory for display: relative to the repository root (`data`, `../shared/data`), so printed output does not depend on the clone's location. */
  dataDirLabel: string;
  /** Absolute path of the repository root the relative defaults are resolved against. */
  repoRoot: string;
  /** True in an HTML export run (`OCTOLAB_EXPORT=1`): leave out wall-clock timings of live runs. */
  exportRun: boolean;
}

/** Options of {@link readNotebookParams}. */
export interface NotebookParamsArgs {
  /** Environment to read. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. Default: {@link repoRoot}. */
  root?: string;
}

/**
 * The repository root: the folder holding `package.json` above this module
 * (`dist/src/notebook` → three levels up once compiled, two from `src/notebook`).
 * @throws Error when no `package.json` is found within four levels.
 */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (let i = 0; i < 4; i++) {
    dir = path.dirname(dir);
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`repoRoot: no package.json within four levels above ${from}`);
}

/**
 * Reads and validates the notebook settings from the environment.
 * @throws Error naming `OCTOLAB_PROFILE` (or `OCTOLAB_EXPORT`) and its value when it is not
 * `smoke` or `full` (`0` or `1`).
 */
export function readNotebookParams(args: NotebookParamsArgs = {}): NotebookParams {
  const env = args.env ?? process.env;
  const root = path.resolve(args.root ?? repoRoot());
  const rawProfile = (env[PROFILE_ENV] ?? '').trim();
  const profile = rawProfile === '' ? 'full' : rawProfile;
  if (!(NOTEBOOK_PROFILES as readonly string[]).includes(profile)) {
    throw new Error(`${PROFILE_ENV} must be one of ${NOTEBOOK_PROFILES.join(', ')}, got '${rawProfile}'`);
  }
  const rawExport = (env[EXPORT_ENV] ?? '').trim();
  if (!['', '0', '1'].includes(rawExport)) throw new Error(`${EXPORT_ENV} must be 0 or 1 (or unset), got '${rawExport}'`);
  const rawResults = (env[RESULTS_ENV] ?? '').trim();
  const resultsPath = path.resolve(root, rawResults === '' ? DEFAULT_RESULTS : rawResults);
  const dataDir = resolveDataDir(undefined, env, root);
  return {
    profile: profile as NotebookProfile,
    resultsPath,
    resultsLabel: relativeDataPath(root, resultsPath),
    dataDir,
    dataDirLabel: displayPath(root, dataDir),
    repoRoot: root,
    exportRun: rawExport === '1',
  };
}

/** `target` relative to `root` with `/` separators (`.` for the root itself); absolute only when no relative path exists (another drive). */
export function displayPath(root: string, target: string): string {
  const rel = path.relative(root, target);
  if (path.isAbsolute(rel)) return target;
  return rel === '' ? '.' : rel.split(path.sep).join('/');
}

/**
 * `text` (a loader's message, say) with the absolute data directory written as
 * {@link NotebookParams.dataDirLabel} and the repository root as `.`, so that printed
 * messages do not depend on where the clone is.
 */
export function relabelPaths(text: string, params: Pick<NotebookParams, 'dataDir' | 'dataDirLabel' | 'repoRoot'>): string {
  const out = text.split(params.dataDir).join(params.dataDirLabel);
  return out.split(params.repoRoot + path.sep).join(`.${path.sep}`).split(params.repoRoot).join('.');
}

/**
 * Picks the value for the current profile: `byProfile(params, { smoke: 300, full: 2000 })`.
 * @throws Error when the entry for the profile is missing.
 */
export function byProfile<T>(params: Pick<NotebookParams, 'profile'>, values: Readonly<Record<NotebookProfile, T>>): T {
  const v = values[params.profile];
  if (v === undefined) throw new Error(`byProfile: no value for profile '${params.profile}'`);
  return v;
}
