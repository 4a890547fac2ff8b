/**
 * The `octolab` command line: a table of sub-commands, each in its own module.
 * Exit codes: 0 success, 2 usage error (bad arguments), 1 runtime failure. Errors are
 * printed as one message; the stack trace only with `--verbose` or `OCTOLAB_DEBUG=1`.
 */

/** A sub-command: receives its own arguments, returns the process exit code. */
export interface Command {
  /** One-line description shown by `octolab --help`. */
  summary: string;
  /** Runs the command with the arguments after its name. */
  run(args: string[]): Promise<number>;
}

/** Error for bad command-line input: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  /** Always `'UsageError'`. */
  override name = 'UsageError';
}

/** Exit code of a usage error. */
export const EXIT_USAGE = 2;
/** Exit code of a runtime failure. */
export const EXIT_FAILURE = 1;

/** Every sub-command, loaded lazily so `octolab --help` stays fast. */
const COMMANDS: Record<string, () => Command> = {
  run: () => (require('./run') as typeof import('./run')).runCommand,
  study: () => (require('./study') as typeof import('./study')).studyCommand,
  list: () => (require('./list') as typeof import('./list')).listCommand,
  merge: () => (require('./merge') as typeof import('./merge')).mergeCommand,
  gather: () => (require('./gather') as typeof import('./gather')).gatherCommand,
  'initial-state': () => (require('./initial-state') as typeof import('./initial-state')).initialStateCommand,
  quantize: () => (require('./quantize') as typeof import('./quantize')).quantizeCommand,
  report: () => (require('./report') as typeof import('./report')).reportCommand,
  'time-inference': () => (require('./time-inference') as typeof import('./time-inference')).timeInferenceCommand,
};

function helpText(): string {
  const lines = ['Usage: octolab <command> [options]', '', 'Commands:'];
  const width = Math.max(10, ...Object.keys(COMMANDS).map((n) => n.length));
  for (const [name, load] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(width)} ${load().summary}`);
  lines.push('', 'Run `octolab <command> --help` for the options of one command.');
  lines.push('Every command also takes --verbose (or OCTOLAB_DEBUG=1): print stack traces of errors.');
  return lines.join('\n');
}

/** Whether stack traces are wanted (`OCTOLAB_DEBUG=1` or `--verbose`). */
export function debugEnabled(): boolean {
  return process.env.OCTOLAB_DEBUG === '1' || verbose;
}

let verbose = false;

/** Removes `--verbose` from the options (not after a `--`, where values begin). */
export function takeVerbose(argv: readonly string[]): { args: string[]; verbose: boolean } {
  const end = argv.indexOf('--');
  const head = end === -1 ? [...argv] : argv.slice(0, end);
  const tail = end === -1 ? [] : argv.slice(end);
  const found = head.includes('--verbose');
  return { args: [...head.filter((a) => a !== '--verbose'), ...tail], verbose: found };
}

/** Whether an error is a usage error: ours, or one of `util.parseArgs` (unknown option, missing value). */
export function isUsageError(err: unknown): boolean {
  if (err instanceof UsageError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** Prints an error as one line (plus the stack when debugging) and returns its exit code. */
export function reportError(prefix: string, err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`${prefix}: ${message}`);
  if (debugEnabled() && err instanceof Error && err.stack !== undefined) console.error(err.stack);
  return isUsageError(err) ? EXIT_USAGE : EXIT_FAILURE;
}

/** Entry point used by `bin/octolab.js`; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const taken = takeVerbose(argv);
  verbose = taken.verbose;
  const [name, ...rest] = taken.args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(helpText());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const load = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    console.error(`octolab: unknown command '${name}'\n\n${helpText()}`);
    return EXIT_USAGE;
  }
  try {
    return await load().run(rest);
  } catch (err) {
    return reportError(`octolab ${name}`, err);
  }
}
