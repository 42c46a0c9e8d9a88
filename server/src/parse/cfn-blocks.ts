/**
 * Line-based layout of a CloudFormation template: the top-level sections (`Parameters:`, `Resources:`, ...)
 * and the entries of one section (each resource), found from indentation alone, without a parser.
 *
 * Used to recover from syntax errors (each block is parsed alone, so a broken resource does not hide the
 * others), and meant for a later incremental re-parse (an edit inside one resource re-parses that block).
 */

export interface TextBlock {
  /** The key as written, unquoted (`Resources`, a logical ID). */
  key: string;
  keyStart: number;
  keyEnd: number;
  /** Start of the block: the line start (YAML) or the key's opening quote (JSON). */
  start: number;
  /** End of the block (exclusive): where the next block at the same level starts, or the section's end. */
  end: number;
  /** Column of the key. */
  indent: number;
}

interface Line {
  start: number;
  /** End of the line content (before `\r\n` / `\n`). */
  end: number;
  /** Start of the next line. */
  next: number;
}

function* linesOf(text: string, from: number, to: number): Generator<Line> {
  let s = from;
  while (s < to) {
    let nl = text.indexOf('\n', s);
    if (nl < 0 || nl >= to) nl = to;
    let e = nl;
    if (e > s && text.charCodeAt(e - 1) === 13) e--;
    yield { start: s, end: e, next: Math.min(nl + 1, to) };
    if (nl >= to) break;
    s = nl + 1;
  }
}

/** Index of the first character that is not a space or tab, from `s` up to `e`. */
function firstNonBlank(text: string, s: number, e: number): number {
  let i = s;
  while (i < e && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

/** A YAML block-mapping key at `i`: returns [key, keyEnd] or undefined. */
export function yamlKeyAt(text: string, i: number, lineEnd: number): [string, number] | undefined {
  const line = text.slice(i, lineEnd);
  const m = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#:'"{}[\],&*!|>%@`?-](?:[^:#]|:(?![ \t]|$))*?|-[^\s:#](?:[^:#]|:(?![ \t]|$))*?))[ \t]*:(?=[ \t]|$)/.exec(line);
  if (!m) return undefined;
  let key: string;
  let len: number;
  if (m[1] !== undefined) {
    try {
      key = JSON.parse(`"${m[1]}"`) as string;
    } catch {
      key = m[1];
    }
    len = m[1].length + 2;
  } else if (m[2] !== undefined) {
    key = m[2].replace(/''/g, "'");
    len = m[2].length + 2;
  } else {
    key = m[3].trimEnd();
    len = key.length;
  }
  return [key, i + len];
}

/** A JSON key (`"..."` followed by `:`) at `i`: returns [key, keyEnd] or undefined. */
function jsonKeyAt(text: string, i: number, limit: number): [string, number] | undefined {
  if (text[i] !== '"') return undefined;
  let j = i + 1;
  while (j < limit && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
  if (j >= limit || text[j] !== '"') return undefined;
  const keyEnd = j + 1;
  let k = keyEnd;
  while (k < limit && (text[k] === ' ' || text[k] === '\t')) k++;
  if (text[k] !== ':') return undefined;
  let key: string;
  try {
    key = JSON.parse(text.slice(i, keyEnd)) as string;
  } catch {
    key = text.slice(i + 1, keyEnd - 1);
  }
  return [key, keyEnd];
}

function closeBlocks(blocks: TextBlock[], end: number): TextBlock[] {
  for (let i = 0; i < blocks.length; i++) blocks[i].end = i + 1 < blocks.length ? blocks[i + 1].start : end;
  return blocks;
}

/** Top-level sections of a template. Empty when the layout is not recognised (flow style, minified JSON). */
export function findTopBlocks(text: string, start: number, json: boolean): TextBlock[] {
  return json ? jsonTopBlocks(text, start) : yamlTopBlocks(text, start);
}

function yamlTopBlocks(text: string, start: number): TextBlock[] {
  const blocks: TextBlock[] = [];
  let end = text.length;
  for (const l of linesOf(text, start, text.length)) {
    const c = text[l.start];
    if (l.start === l.end || c === ' ' || c === '\t' || c === '#') continue;
    if (text.startsWith('---', l.start) || text.startsWith('...', l.start)) {
      if (blocks.length > 0) {
        end = l.start;
        break;
      }
      continue;
    }
    const k = yamlKeyAt(text, l.start, l.end);
    if (k) blocks.push({ key: k[0], keyStart: l.start, keyEnd: k[1], start: l.start, end: 0, indent: 0 });
  }
  return closeBlocks(blocks, end);
}

function jsonTopBlocks(text: string, start: number): TextBlock[] {
  let i = start;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] !== '{') return [];
  const braceLineEnd = text.indexOf('\n', i);
  // first key after the brace
  let j = i + 1;
  while (j < text.length && /\s/.test(text[j])) j++;
  if (text[j] !== '"' || braceLineEnd < 0 || j < braceLineEnd) return [];
  const lineStart = text.lastIndexOf('\n', j - 1) + 1;
  const indent = j - lineStart;
  return jsonBlocksAtIndent(text, lineStart, text.length, indent);
}

function jsonBlocksAtIndent(text: string, from: number, to: number, indent: number): TextBlock[] {
  const blocks: TextBlock[] = [];
  for (const l of linesOf(text, from, to)) {
    const f = firstNonBlank(text, l.start, l.end);
    if (f - l.start !== indent || text[f] !== '"') continue;
    const k = jsonKeyAt(text, f, l.end);
    if (k) blocks.push({ key: k[0], keyStart: f, keyEnd: k[1], start: f, end: 0, indent });
  }
  return closeBlocks(blocks, to);
}

/** The entries of one section (e.g. each resource under `Resources`). Empty when not laid out one per line. */
export function findChildBlocks(text: string, parent: TextBlock, json: boolean): TextBlock[] {
  const nl = text.indexOf('\n', parent.keyEnd);
  if (nl < 0 || nl >= parent.end) return [];
  const from = nl + 1;
  if (json) {
    // `"Resources": {` (or `"Resources":` with the brace missing, being typed), then one entry per line
    if (!/^[ \t]*:[ \t]*\{?[ \t]*$/.test(text.slice(parent.keyEnd, nl).replace(/\r$/, ''))) return [];
    for (const l of linesOf(text, from, parent.end)) {
      const f = firstNonBlank(text, l.start, l.end);
      if (f === l.end || text.startsWith('//', f)) continue;
      if (f - l.start <= parent.indent) return [];
      // the first line that starts with a key sets the entries' indentation (a damaged line before it is skipped)
      if (text[f] !== '"' || !jsonKeyAt(text, f, l.end)) continue;
      return jsonBlocksAtIndent(text, l.start, parent.end, f - l.start);
    }
    return [];
  }
  const rest = text.slice(parent.keyEnd, nl).replace(/#.*$/, '').trim();
  if (rest !== ':') return [];
  let indent = -1;
  const blocks: TextBlock[] = [];
  for (const l of linesOf(text, from, parent.end)) {
    let f = l.start;
    while (f < l.end && text[f] === ' ') f++;
    if (f === l.end || text[f] === '#' || text[f] === '\t') continue;
    const col = f - l.start;
    if (indent < 0) {
      if (col <= parent.indent) return [];
      indent = col;
    }
    if (col !== indent) continue;
    const k = yamlKeyAt(text, f, l.end);
    if (k) blocks.push({ key: k[0], keyStart: f, keyEnd: k[1], start: l.start, end: 0, indent });
  }
  return closeBlocks(blocks, parent.end);
}
