/** One file to edit, with the style facts the writers need, read from the file itself. */
import { LineIndex } from '../parse/lines';
import type { Position, Range, Unit } from '../model/types';
import { detectEol, detectIndentUnit, lineText } from './text';
import type { TextEdit } from './types';

export class Doc {
  readonly idx: LineIndex;
  readonly eol: string;
  readonly unit: string;
  readonly tabSize: number;
  readonly insertSpaces: boolean;
  private _yaml?: YamlStyle;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.idx = new LineIndex(text);
    this.eol = detectEol(text);
    const u = detectIndentUnit(text);
    this.unit = u.unit;
    this.tabSize = u.tabSize;
    this.insertSpaces = u.insertSpaces;
  }

  line(n: number): string {
    return lineText(this.text, this.idx, n);
  }

  get lineCount(): number {
    return this.idx.lineCount;
  }

  offset(p: Position): number {
    return this.idx.offset(p);
  }

  pos(offset: number): Position {
    return this.idx.position(offset);
  }

  slice(r: Range): string {
    return this.text.slice(this.offset(r.start), this.offset(r.end));
  }

  edit(start: number, end: number, newText: string): TextEdit {
    return { file: this.file, range: this.idx.range(start, end), newText };
  }

  insertAt(offset: number, newText: string): TextEdit {
    return this.edit(offset, offset, newText);
  }

  /** Last line holding content of a range (a range ending at column 0 ends on the line before; trailing blank lines skipped). */
  lastContentLine(r: Range): number {
    let l = r.end.line;
    if (r.end.character === 0 && l > r.start.line) l--;
    while (l > r.start.line && /^\s*$/.test(this.line(l))) l--;
    return l;
  }

  /** Offset just after the line break of line `n` (or the end of the text). */
  afterLine(n: number): number {
    return n + 1 < this.idx.lineCount ? this.idx.lineStart(n + 1) : this.text.length;
  }

  /** Offset at the end of line `n`, before its line break. */
  endOfLine(n: number): number {
    return this.idx.lineStart(n) + this.line(n).length;
  }

  get yaml(): YamlStyle {
    return (this._yaml ??= detectYamlStyle(this.text));
  }
}

export interface YamlStyle {
  /** Quote for new quoted scalars. */
  quote: "'" | '"';
  /** `!Ref X` (true) or `Ref: X` (false). */
  shortTags: boolean;
  /** Block sequences under a key are indented (`key:\n  - a`) rather than indentless (`key:\n- a`). */
  seqIndented: boolean;
}

export function detectYamlStyle(text: string): YamlStyle {
  const single = (text.match(/(^|[\s:\[,-])'[^'\n]*'/g) ?? []).length;
  const double = (text.match(/(^|[\s:\[,-])"[^"\n]*"/g) ?? []).length;
  const short = /!(Ref|GetAtt|Sub|If|Join|Select|Split|FindInMap|ImportValue|Base64|Equals|Not|And|Or|Condition)\b/.test(text);
  const long = /(^|[\s{,])"?(Ref|Fn::\w+)"?\s*:/m.test(text);
  let indented = 0;
  let indentless = 0;
  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i + 1 < lines.length; i++) {
    const m = /^(\s*)(- )?[^\s#-][^#]*:\s*$/.exec(lines[i]);
    const n = /^(\s*)- /.exec(lines[i + 1]);
    if (!m || !n) continue;
    const keyCol = m[1].length + (m[2] ? 2 : 0);
    if (n[1].length > keyCol) indented++;
    else if (n[1].length === keyCol) indentless++;
  }
  return { quote: double > single ? '"' : "'", shortTags: short || !long, seqIndented: indented >= indentless };
}

/** The documents of a unit by path. */
export function docsOf(unit: Unit): Map<string, Doc> {
  const m = new Map<string, Doc>();
  for (const f of unit.files) m.set(f.path, new Doc(f.path, f.text));
  return m;
}
