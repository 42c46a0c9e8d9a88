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
  /**
   * Set on a YAML entry found where the full parse cannot read it: its key line is indented with tabs (read by
   * taking each leading tab as one indentation step; `detab` it before parsing it alone) or at a column between
   * the entries' and the previous entry's content. The message says what is wrong, at the key line's indentation.
   */
  misplaced?: { tabs: boolean; message: string };
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

/** The top-level sections of a template. */
const SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
]);

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
  let braceLineEnd = text.indexOf('\n', i);
  if (braceLineEnd < 0) return [];
  // first key after the brace
  let j = i + 1;
  while (j < text.length && /\s/.test(text[j])) j++;
  if (text[j] !== '"') return [];
  if (j > braceLineEnd) {
    // `{` alone on its line, then one key per line
    const lineStart = text.lastIndexOf('\n', j - 1) + 1;
    return jsonBlocksAtIndent(text, lineStart, text.length, j - lineStart);
  }
  return jsonTopBlocksAfterBraceLine(text, i, braceLineEnd);
}

/**
 * `{"Resources": {` or `{ "AWSTemplateFormatVersion": "2010-09-09",` (the first key on the brace's line), then
 * one entry per line. The keys on the brace's line are blocks; when that line leaves the last key's value open
 * (`{"Resources": {`), the lines that follow are its entries (see findChildBlocks) until a key line left of them
 * sets the column of the next sections. The brace line's keys get that line's indentation as `indent`.
 */
function jsonTopBlocksAfterBraceLine(text: string, brace: number, lineEndNl: number): TextBlock[] {
  const lineStart = text.lastIndexOf('\n', brace - 1) + 1;
  let lineEnd = lineEndNl;
  if (text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  const lineIndent = firstNonBlank(text, lineStart, lineEnd) - lineStart;
  const blocks: TextBlock[] = [];
  let depth = 0;
  for (let k = brace + 1; k < lineEnd; k++) {
    const c = text[k];
    if (c === '"') {
      if (depth === 0) {
        const key = jsonKeyAt(text, k, lineEnd);
        if (key) blocks.push({ key: key[0], keyStart: k, keyEnd: key[1], start: k, end: 0, indent: lineIndent });
      }
      k++;
      while (k < lineEnd && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      if (--depth < 0) return []; // the whole template on one line
    } else if (c === '/' && text[k + 1] === '/') {
      break;
    }
  }
  if (blocks.length === 0 || depth > 1) return [];
  // the next line that starts with a key
  const keyLine = (from: number, accept: (col: number) => boolean): { start: number; col: number } | undefined => {
    for (const l of linesOf(text, from, text.length)) {
      const f = firstNonBlank(text, l.start, l.end);
      if (text[f] === '"' && jsonKeyAt(text, f, l.end) && accept(f - l.start)) return { start: l.start, col: f - l.start };
    }
    return undefined;
  };
  const next = keyLine(lineEndNl + 1, () => true);
  if (!next) return [];
  if (depth === 0) return closeBlocks(blocks.concat(jsonBlocksAtIndent(text, next.start, text.length, next.col)), text.length);
  // the last key's value is open: `next` is its first entry; sections after it are left of the entries, or
  // (`{"Parameters": {` with everything at one indentation) at their column but named like a section
  const sibling = keyLine(next.start, (col) => col < next.col);
  let rest = sibling ? jsonBlocksAtIndent(text, sibling.start, text.length, sibling.col) : [];
  if (!sibling) rest = jsonBlocksAtIndent(text, next.start, text.length, next.col).filter((b) => SECTIONS.has(b.key));
  return closeBlocks(blocks.concat(rest), text.length);
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
  /** Column of the current entry's content (its first line after the key), -1 before it is seen. */
  let body = -1;
  const blocks: TextBlock[] = [];
  for (const l of linesOf(text, from, parent.end)) {
    let f = l.start;
    while (f < l.end && (text[f] === ' ' || text[f] === '\t')) f++;
    if (f === l.end || text[f] === '#') continue;
    let tabs = 0;
    for (let k = l.start; k < f; k++) if (text[k] === '\t') tabs++;
    // a tab counts as one indentation step (the entries' offset from their section; 2 before it is known)
    const col = f - l.start - tabs + tabs * (indent < 0 ? 2 : Math.max(1, indent - parent.indent));
    if (indent < 0) {
      if (col <= parent.indent) return [];
      indent = col;
    }
    const misaligned = col > indent && body > indent && col < body;
    if (col === indent || misaligned) {
      const k = yamlKeyAt(text, f, l.end);
      // a resource's key line ends with the colon: `Name:`; anything else there is not taken as one
      const bare = k !== undefined && /^[ \t]*(#.*)?$/.test(text.slice(k[1] + 1, l.end));
      if (k && (tabs === 0 ? col === indent || bare : bare)) {
        const b: TextBlock = { key: k[0], keyStart: f, keyEnd: k[1], start: l.start, end: 0, indent: f - l.start };
        if (tabs > 0) b.misplaced = { tabs: true, message: 'Tabs are not allowed as indentation in YAML; indent with spaces' };
        else if (misaligned) b.misplaced = { tabs: false, message: `This entry starts at column ${col + 1}; the others start at column ${indent + 1}` };
        blocks.push(b);
        body = -1;
        continue;
      }
    }
    if (blocks.length > 0 && body < 0 && col > indent) body = col;
  }
  return closeBlocks(blocks, parent.end);
}

/** `text` with the tabs that indent the lines of [from, to) replaced by single spaces (same length). */
export function detab(text: string, from: number, to: number): string {
  const part = text.slice(from, to).replace(/^[ \t]+/gm, (ws) => ws.replace(/\t/g, ' '));
  return text.slice(0, from) + part + text.slice(to);
}
