/**
 * CloudFormation templates (YAML and JSON, incl. SAM and CDK output) -> the format-neutral model.
 *
 * Pipeline: text -> RawNode tree (cfn-raw.ts: `yaml` or `jsonc-parser`) -> model values (cfn-values.ts) ->
 * Unit (this file). When the file has syntax errors, the top-level sections and each entry under `Resources`
 * are cut out as blocks of lines (cfn-blocks.ts) and parsed alone, so damage in one resource does not hide
 * the others. The same per-resource blocks are what a later incremental re-parse can work on.
 */
import type { ConditionDef, Input, MapValue, ParseIssue, Resource, Unit } from '../model/types';
import { emptyUnit } from '../model/types';
import { LineIndex } from './lines';
import { parseJsonRaw, parseYamlRaw, type RawEntry, type RawIssue, type RawMap, type RawNode, type RawParse } from './cfn-raw';
import { mapValue, rangeOf, safeRange, toValue, type ValueContext } from './cfn-values';
import { detab, findChildBlocks, findTopBlocks, type TextBlock } from './cfn-blocks';

export { isCloudFormationTemplate } from '../shared/detect';
import { isCloudFormationTemplate } from '../shared/detect';

function isJson(path: string, text: string, start: number): boolean {
  if (/\.jsonc?$/i.test(path)) return true;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    return c === '{';
  }
  return false;
}

/**
 * Parse a CloudFormation template into a Unit. Returns undefined when the file is not a template
 * (see isCloudFormationTemplate; after parsing, the root must be a map with `AWSTemplateFormatVersion` or a
 * `Resources` entry whose `Type` is `AWS::`/`Alexa::`/`Custom::`). Never throws: syntax problems are in
 * `unit.issues` and every resource that can be read is in `unit.resources`.
 */
export function parseCloudFormation(path: string, text: string): Unit | undefined {
  if (!isCloudFormationTemplate(path, text)) return undefined;
  try {
    return parseTemplate(path, text);
  } catch (err) {
    // last-resort guard: a bug here must not take the server down
    const unit = emptyUnit('cloudformation', path);
    unit.files.push({ path, text });
    const lines = new LineIndex(text);
    unit.issues.push({ file: path, range: lines.range(0, 0), message: `Internal parser error: ${(err as Error).message}` });
    return unit;
  }
}

function parseTemplate(path: string, text: string): Unit | undefined {
  const lines = new LineIndex(text);
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let json = isJson(path, text, start);
  let full: RawParse = json ? parseJsonRaw(text, start) : parseYamlRaw(text, start);
  if (json && full.issues.length > 0 && !/\.jsonc?$/i.test(path)) {
    // a `.yaml`/`.template` file that starts with `{` may be YAML flow style (with `!Ref` tags): take
    // whichever reading has no errors
    const asYaml = parseYamlRaw(text, start);
    if (asYaml.issues.length === 0) {
      json = false;
      full = asYaml;
    }
  }
  let root = full.root;
  let issues = full.issues;
  if (full.issues.length > 0) {
    const recovered = recover(text, start, json, full.root);
    if (recovered) {
      root = recovered.root;
      issues = pointAtDamage(text, json, mergeIssues(full.issues, recovered.reparsed, recovered.leaves), recovered.leaves);
    }
  }
  if (json) issues = issues.concat(trailingCommas(text, start, issues));
  if (!root || root.kind !== 'map' || !looksLikeTemplate(root)) return undefined;

  const unit = emptyUnit('cloudformation', path);
  unit.files.push({ path, text });
  for (const i of issues) unit.issues.push({ file: path, range: safeRange(lines, text, i.start, i.end), message: i.message });
  for (const c of full.comments) unit.comments.push({ file: path, range: safeRange(lines, text, c.start, c.end), text: c.text });

  const parameters = section(root, 'Parameters');
  const ctx: ValueContext = {
    file: path,
    text,
    lines,
    parameters: new Set(parameters?.entries.map((e) => e.key) ?? []),
  };
  if (parameters) for (const e of parameters.entries) addInput(unit, ctx, e);
  const conditions = section(root, 'Conditions');
  if (conditions) {
    for (const e of conditions.entries) {
      const def: ConditionDef = { name: e.key, file: path, range: rangeOf(ctx, e.keyStart, e.value.end), value: toValue(ctx, e.value) };
      unit.conditions.set(e.key, def);
    }
  }
  const resources = section(root, 'Resources');
  if (resources) {
    for (const e of resources.entries) {
      const r = toResource(ctx, e);
      if (r) unit.resources.push(r);
    }
  }
  const sorted = unit.issues.slice().sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  unit.issues = dedupeIssues(sorted);
  return unit;
}

function dedupeIssues(issues: ParseIssue[]): ParseIssue[] {
  // one issue per position: a parser often reports two or three at the same spot ("Value expected",
  // "Closing bracket ] expected"); keep the one that says what is missing
  const byPos = new Map<string, number>();
  const out: ParseIssue[] = [];
  for (const i of issues) {
    const k = `${i.range.start.line}:${i.range.start.character}`;
    const at = byPos.get(k);
    if (at === undefined) {
      byPos.set(k, out.length);
      out.push(i);
    } else if (/closing/i.test(i.message) && !/closing/i.test(out[at].message)) {
      out[at] = i;
    }
  }
  return out;
}

function section(root: RawMap, name: string): RawMap | undefined {
  const e = root.entries.find((x) => x.key === name);
  return e && e.value.kind === 'map' && !e.value.tag ? e.value : undefined;
}

function entry(m: RawMap, key: string): RawNode | undefined {
  return m.entries.find((e) => e.key === key)?.value;
}

function plainString(n: RawNode | undefined): string | undefined {
  if (!n || n.kind !== 'scalar' || n.tag || n.value === null) return undefined;
  return String(n.value);
}

function looksLikeTemplate(root: RawMap): boolean {
  if (root.entries.some((e) => e.key === 'AWSTemplateFormatVersion')) return true;
  const res = section(root, 'Resources');
  if (!res) return false;
  return res.entries.some((e) => {
    if (e.value.kind !== 'map') return false;
    const t = plainString(entry(e.value, 'Type'));
    return t !== undefined && /^(AWS|Alexa|Custom)::/.test(t);
  });
}

function addInput(unit: Unit, ctx: ValueContext, e: RawEntry): void {
  const input: Input = {
    name: e.key,
    file: ctx.file,
    range: rangeOf(ctx, e.keyStart, e.value.end),
    nameRange: rangeOf(ctx, e.keyStart, e.keyEnd),
  };
  if (e.value.kind === 'map') {
    const m = e.value;
    const type = plainString(entry(m, 'Type'));
    if (type !== undefined) input.type = type;
    const def = entry(m, 'Default');
    if (def) input.default = toValue(ctx, def);
    const allowed = entry(m, 'AllowedValues');
    if (allowed) {
      const v = toValue(ctx, allowed);
      input.allowedValues = v.kind === 'list' ? v.items : [v];
    }
    const noEcho = entry(m, 'NoEcho');
    if (noEcho && noEcho.kind === 'scalar' && (noEcho.value === true || String(noEcho.value).toLowerCase() === 'true')) {
      input.sensitive = true;
    }
    const desc = plainString(entry(m, 'Description'));
    if (desc !== undefined) input.description = desc;
  }
  unit.inputs.set(e.key, input);
}

export function toResource(ctx: ValueContext, e: RawEntry): Resource | undefined {
  if (e.value.kind !== 'map' || e.value.tag) return undefined;
  const m = e.value;
  const nameRange = rangeOf(ctx, e.keyStart, e.keyEnd);
  const propsNode = entry(m, 'Properties');
  let properties: MapValue;
  if (propsNode && propsNode.kind === 'map' && !propsNode.tag) {
    properties = mapValue(ctx, propsNode);
  } else if (propsNode) {
    // `Properties:` with nothing (being typed) or an intrinsic: an empty map on the value
    properties = { kind: 'map', entries: [], file: ctx.file, range: rangeOf(ctx, propsNode.tagStart ?? propsNode.start, propsNode.end) };
  } else {
    properties = { kind: 'map', entries: [], file: ctx.file, range: nameRange };
  }
  const r: Resource = {
    mode: 'managed',
    type: plainString(entry(m, 'Type')) ?? '',
    name: e.key,
    address: e.key,
    file: ctx.file,
    range: rangeOf(ctx, e.keyStart, m.end),
    nameRange,
    properties,
    hasProperties: propsNode !== undefined,
  };
  const meta = entry(m, 'Metadata');
  if (meta && meta.kind === 'map' && !meta.tag) r.metadata = mapValue(ctx, meta);
  const cond = plainString(entry(m, 'Condition'));
  if (cond !== undefined) r.condition = cond;
  return r;
}

/**
 * Error recovery: cut the file into top-level sections and `Resources` entries by their lines, and parse
 * again, alone, each block that the full parse did not read cleanly (its entry is missing at that place or
 * runs past the block's end). Returns undefined when the layout cannot be recognised.
 */
interface Reparsed {
  start: number;
  end: number;
  issues: RawIssue[];
}

/**
 * The issues to report after recovery: those of the full parse before the first re-parsed block (after it,
 * the full parse's errors are mostly echoes of the damage: jsonc's "End of file expected", yaml's unclosed
 * quote reported at the end of the file), and those each re-parsed block found itself. Alias errors of a
 * block parsed alone are artefacts and dropped.
 */
function mergeIssues(full: RawIssue[], reparsed: Reparsed[], leaves: TextBlock[]): RawIssue[] {
  const firstBlock = reparsed.length > 0 ? Math.min(...reparsed.map((b) => b.start)) : Infinity;
  const out = dropKnockOns(
    full.filter((i) => i.start < firstBlock),
    (i) => leaves.findIndex((b) => i.start >= b.start && i.start < b.end),
  );
  for (const b of reparsed) out.push(...dropKnockOns(b.issues.filter((i) => !/alias/i.test(i.message)), () => 0));
  return out.length > 0 ? out : full;
}

/**
 * One syntax error per block (a resource, or a section that is not cut into entries): after the first, a
 * parser's next errors in the same block are mostly echoes of it (jsonc's "Comma expected" on every later
 * token, yaml's "Nested mappings are not allowed"). Issues that are not syntax errors (duplicate keys, unknown
 * tags, nesting caps) are kept. `blockOf` gives an issue's block, -1 for none (then it is kept).
 */
function dropKnockOns(issues: RawIssue[], blockOf: (i: RawIssue) => number): RawIssue[] {
  const seen = new Set<number>();
  const out: RawIssue[] = [];
  for (const i of issues.slice().sort((a, b) => a.start - b.start)) {
    if (/^Duplicate key|tag|nested deeper|YAML document/i.test(i.message)) {
      out.push(i);
      continue;
    }
    const b = blockOf(i);
    if (b >= 0 && seen.has(b)) continue;
    seen.add(b);
    out.push(i);
  }
  return out;
}

/**
 * Move issues that parsers report after the damage onto it: yaml reports an unclosed `[` / `{` where the next
 * key starts; jsonc reports a `}` where a `]` belongs as "Comma expected". Both are found by matching brackets
 * from the start of the issue's block.
 */
function pointAtDamage(text: string, json: boolean, issues: RawIssue[], leaves: TextBlock[]): RawIssue[] {
  const blockStart = (at: number): number => {
    let s = -1;
    // strictly before: an issue reported where the next block starts belongs to the one before it
    for (const b of leaves) if (b.start < at && b.start > s) s = b.start;
    return s;
  };
  return issues.map((i) => {
    const from = blockStart(i.start);
    if (from < 0) return i;
    if (!json && /^Flow (sequence|map) in block collection/.test(i.message)) {
      const open = openBrackets(text, from, i.start, false).pop();
      if (open === undefined) return i;
      let end = text.indexOf('\n', open);
      if (end < 0) end = text.length;
      if (text[end - 1] === '\r') end--;
      const [what, close] = text[open] === '[' ? ['sequence', ']'] : ['map', '}'];
      return { start: open, end, message: `Unclosed ${text[open]}: end the flow ${what} with ${close}` };
    }
    const c = text[i.start];
    if (json && i.message === 'Comma expected' && (c === '}' || c === ']' || c === ':')) {
      const open = openBrackets(text, from, i.start, true).pop();
      if (open === undefined) return i;
      const want = text[open] === '[' ? ']' : '}';
      const where = `the ${text[open]} opened on line ${lineOf(text, open) + 1}`;
      if (c === ':') {
        // `"Key":` inside a list: the list before it was not closed; point at the key
        if (want !== ']') return i;
        let k = i.start - 1;
        while (k > from && /\s/.test(text[k])) k--;
        const keyStart = text[k] === '"' ? text.lastIndexOf('"', k - 1) : -1;
        const s = keyStart >= from ? keyStart : i.start;
        return { start: s, end: i.start + 1, message: `Closing bracket ] expected: ${where} is not closed` };
      }
      if (want === c) return i;
      return { start: i.start, end: i.start + 1, message: `Expected ${want} to close ${where}, found ${c}` };
    }
    return i;
  });
}

function lineOf(text: string, at: number): number {
  let n = 0;
  for (let k = text.indexOf('\n'); k >= 0 && k < at; k = text.indexOf('\n', k + 1)) n++;
  return n;
}

/** Offsets of the `[` / `{` still open at `to`, scanning from `from` (quotes and comments skipped). */
function openBrackets(text: string, from: number, to: number, json: boolean): number[] {
  const stack: number[] = [];
  for (let k = from; k < to; k++) {
    const c = text[k];
    const p = k > from ? text[k - 1] : '\n';
    if (c === '"' && (json || /[\s[{,:]/.test(p))) {
      k++;
      while (k < to && text[k] !== '"' && text[k] !== '\n') k += text[k] === '\\' ? 2 : 1;
    } else if (c === "'" && !json && /[\s[{,:]/.test(p)) {
      k++;
      while (k < to && !(text[k] === "'" && text[k + 1] !== "'")) k += text[k] === "'" ? 2 : 1;
    } else if ((c === '#' && !json && /\s/.test(p)) || (c === '/' && json && text[k + 1] === '/')) {
      while (k < to && text[k] !== '\n') k++;
    } else if (c === '[' || c === '{') {
      stack.push(k);
    } else if (c === ']' || c === '}') {
      stack.pop();
    }
  }
  return stack;
}

/**
 * Trailing commas (`"a": 1, }`): jsonc-parser accepts them, CloudFormation does not. Reported where no other
 * issue already sits.
 */
function trailingCommas(text: string, start: number, known: RawIssue[]): RawIssue[] {
  if (!/,\s*[}\]]/.test(text)) return [];
  const out: RawIssue[] = [];
  let lastComma = -1;
  for (let k = start; k < text.length; k++) {
    const c = text[k];
    if (c === '"') {
      k++;
      while (k < text.length && text[k] !== '"' && text[k] !== '\n') k += text[k] === '\\' ? 2 : 1;
      lastComma = -1;
    } else if (c === '/' && text[k + 1] === '/') {
      while (k < text.length && text[k] !== '\n') k++;
    } else if (c === '/' && text[k + 1] === '*') {
      const e = text.indexOf('*/', k + 2);
      k = e < 0 ? text.length : e + 1;
    } else if (c === ',') {
      lastComma = k;
    } else if (c === '}' || c === ']') {
      if (lastComma >= 0 && !known.some((i) => i.start <= k && i.end >= lastComma)) {
        out.push({ start: lastComma, end: lastComma + 1, message: `Trailing comma before ${c}: CloudFormation rejects it` });
      }
      lastComma = -1;
    } else if (c !== ' ' && c !== '\t' && c !== '\r' && c !== '\n') {
      lastComma = -1;
    }
  }
  return out;
}

function recover(
  text: string,
  start: number,
  json: boolean,
  full: RawNode | undefined,
): { root: RawMap; reparsed: Reparsed[]; leaves: TextBlock[] } | undefined {
  const reparsed: Reparsed[] = [];
  /** The blocks the file was cut into: each entry of Resources, and the other sections whole. */
  const leaves: TextBlock[] = [];
  const tops = findTopBlocks(text, start, json);
  if (tops.length === 0) return undefined;
  const fullRoot = full && full.kind === 'map' ? full : undefined;
  const entries: RawEntry[] = [];
  const reuse = (b: TextBlock, m: RawMap | undefined): RawEntry | undefined => {
    const e = m?.entries.find((x) => x.keyStart === b.keyStart && x.key === b.key);
    return e && e.value.end <= b.end ? e : undefined;
  };
  const parseBlock = (b: TextBlock): RawEntry | undefined => {
    const src = b.misplaced?.tabs ? detab(text, b.start, b.end) : text;
    const p = json ? parseJsonRaw(src, b.start, b.end, true) : parseYamlRaw(src, b.start, b.end);
    // a JSON block parsed alone ends with the closing braces of the objects around it: not an error
    const issues = json ? p.issues.filter((i) => i.message !== 'End of file expected') : p.issues;
    if (b.misplaced) issues.unshift({ start: b.start, end: b.keyEnd, message: b.misplaced.message });
    reparsed.push({ start: b.start, end: b.end, issues });
    if (!p.root || p.root.kind !== 'map') return undefined;
    return p.root.entries.find((x) => x.keyStart === b.keyStart) ?? p.root.entries[0];
  };
  for (const top of tops) {
    if (top.key !== 'Resources') {
      const done = reuse(top, fullRoot);
      if (done) {
        leaves.push(top);
        entries.push(done);
        continue;
      }
    } else {
      const children = findChildBlocks(text, top, json);
      if (children.length > 0) {
        leaves.push(...children);
        const fullSection = fullRoot?.entries.find((x) => x.keyStart === top.keyStart)?.value;
        const fullResources = fullSection && fullSection.kind === 'map' ? fullSection : undefined;
        const resEntries: RawEntry[] = [];
        for (const c of children) {
          const e = (c.misplaced ? undefined : reuse(c, fullResources)) ?? parseBlock(c);
          if (e) resEntries.push(e);
        }
        const first = resEntries[0];
        const last = resEntries[resEntries.length - 1];
        const value: RawMap = {
          kind: 'map',
          entries: resEntries,
          start: first ? first.keyStart : top.keyEnd,
          end: last ? last.value.end : top.keyEnd,
        };
        entries.push({ key: top.key, keyStart: top.keyStart, keyEnd: top.keyEnd, value });
        continue;
      }
    }
    leaves.push(top);
    const e = parseBlock(top);
    if (e) entries.push(e);
  }
  if (entries.length === 0) return undefined;
  const root: RawMap = { kind: 'map', entries, start: entries[0].keyStart, end: entries[entries.length - 1].value.end };
  return { root, reparsed, leaves };
}
