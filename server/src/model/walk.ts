/** Depth-first walk over a model value: maps, lists, both branches of conditionals, and the references and
 * arguments of computed values. */
import type { Value } from './types';

export function walkValue(v: Value | undefined, visit: (v: Value) => void): void {
  if (!v) return;
  visit(v);
  if (v.kind === 'map') for (const e of v.entries) walkValue(e.value, visit);
  else if (v.kind === 'list') for (const i of v.items) walkValue(i, visit);
  else if (v.kind === 'if') {
    walkValue(v.then, visit);
    walkValue(v.else, visit);
  } else if (v.kind === 'expr') {
    for (const r of v.refs) walkValue(r, visit);
    for (const a of v.args ?? []) walkValue(a, visit);
  }
}
