/**
 * The `octolab` command line: a table of sub-commands, each in its own module.
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

/** Every sub-command, loaded lazily so `octolab --help` stays fast. */
const COMMANDS: Record<string, () => Command> = {
  run: () => (require('./run') as typeof import('./run')).runCommand,
  study: () => (require('./study') as typeof import('./study')).studyCommand,
  list: () => (require('./list') as typeof import('./list')).listCommand,
  merge: () => (require('./merge') as typeof import('./merge')).mergeCommand,
  gather: () => (require('./gather') as typeof import('./gather')).gatherCommand,
  quantize: () => (require('./quantize') as typeof import('./quantize')).quantizeCommand,
  report: () => (require('./report') as typeof import('./report')).reportCommand,
};

function helpText(): string {
  const lines = ['Usage: octolab <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${load().summary}`);
  lines.push('', 'Run `octolab <command> --help` for the options of one command.');
  return lines.join('\n');
}

/** Entry point used by `bin/octolab.js`; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(helpText());
    return name === undefined ? 2 : 0;
  }
  const load = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    console.error(`octolab: unknown command '${name}'\n\n${helpText()}`);
    return 2;
  }
  try {
    return await load().run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`octolab ${name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
