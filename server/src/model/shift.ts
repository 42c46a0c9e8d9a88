/** Moving model fragments when lines are inserted or removed above them (incremental re-parsing). */

/** A deep copy of a model fragment with every position moved by `lines` lines. */
export function shiftLines<T>(v: T, lines: number): T {
  if (lines === 0 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => shiftLines(x, lines)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    out[k] = k === 'line' && typeof x === 'number' ? x + lines : shiftLines(x, lines);
  }
  return out as T;
}
