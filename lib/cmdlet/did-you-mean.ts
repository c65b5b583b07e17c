// "Did you mean" for a mistyped name: parameters and commands (binding) and the names a topology holds
// (not-found records). One distance for all of them.

/** Levenshtein distance of `a` and `b`, or `limit + 1` as soon as it is certainly above `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, row[j]!);
    }
    if (best > limit) return limit + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/** Within two edits: a typo, not another word. */
export function similar(a: string, b: string): boolean {
  return editDistance(a, b, 2) <= 2;
}

/**
 * The known names closest to `wanted` (case-insensitively), nearest first, at most `max`: those within two
 * edits, or a third of the longer name for long names such as FQDNs (`fepool.contoso.com` for
 * `fepol.contoso.cm`). A name that differs only in case is no typo and never offered.
 */
export function closestNames(wanted: string, known: readonly string[], max = 3): string[] {
  const w = wanted.toLowerCase();
  const scored: { name: string; d: number }[] = [];
  for (const name of new Set(known)) {
    const n = name.toLowerCase();
    if (n === w) continue;
    const limit = Math.max(2, Math.floor(Math.max(n.length, w.length) / 6));
    const d = editDistance(w, n, limit);
    if (d <= limit) scored.push({ name, d });
  }
  return scored.sort((x, y) => x.d - y.d).slice(0, max).map((x) => x.name);
}
