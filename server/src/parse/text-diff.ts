/** The one changed region between two versions of a text: common prefix and common suffix. */
export interface TextChange {
  /** Offset where the texts start to differ (same in both). */
  start: number;
  /** End of the replaced region in the old text. */
  oldEnd: number;
  /** End of the replacing region in the new text. */
  newEnd: number;
}

const CHUNK = 4096;

/** `undefined` when the texts are equal. */
export function diffText(oldText: string, newText: string): TextChange | undefined {
  if (oldText === newText) return undefined;
  const min = Math.min(oldText.length, newText.length);
  // compare in chunks first (string equality is a memory compare), then character by character
  let start = 0;
  for (let step = CHUNK; step >= 1; step = step === 1 ? 0 : Math.max(1, step >> 4)) {
    while (start + step <= min && oldText.substr(start, step) === newText.substr(start, step)) start += step;
  }
  let oldEnd = oldText.length;
  let newEnd = newText.length;
  for (let step = CHUNK; step >= 1; step = step === 1 ? 0 : Math.max(1, step >> 4)) {
    while (oldEnd - step >= start && newEnd - step >= start && oldText.substr(oldEnd - step, step) === newText.substr(newEnd - step, step)) {
      oldEnd -= step;
      newEnd -= step;
    }
  }
  // never split a CRLF pair or a surrogate pair: widen to whole characters
  const splits = (t: string, o: number) => isLowSurrogate(t.charCodeAt(o)) || (t.charCodeAt(o) === 10 && t.charCodeAt(o - 1) === 13);
  while (start > 0 && (splits(newText, start) || splits(oldText, start))) start--;
  return { start, oldEnd, newEnd };
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
