/**
 * Element ids that are unique within one kernel: the first use of a base id keeps it
 * (`octolab-fig-ab12`), later uses get a suffix (`octolab-fig-ab12-2`). A figure shown
 * twice then draws into its own `<div>` both times, and a notebook run from the start
 * still produces the same ids every time.
 */

const uses = new Map<string, number>();

/** `base` on its first use in this process, `base-<n>` on its n-th. */
export function uniqueElementId(base: string): string {
  const n = (uses.get(base) ?? 0) + 1;
  uses.set(base, n);
  return n === 1 ? base : `${base}-${n}`;
}

/** Forgets every id handed out (for tests). */
export function resetElementIds(): void {
  uses.clear();
}
