/** Paths as results record them: never a machine's absolute path. */
import * as path from 'node:path';

/** The folder holding this package (its package.json). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * A directory as results record it: relative to the package root with `/` separators
 * (`data`, `../shared/data`, `node_modules/...`), so that no machine's absolute path is stored.
 */
export function portableDir(dir: string, root: string = PACKAGE_ROOT): string {
  const rel = path.relative(root, path.resolve(dir));
  return rel === '' ? '.' : rel.split(path.sep).join('/');
}
