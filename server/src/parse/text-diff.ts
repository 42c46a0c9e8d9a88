/** The one changed region between two versions of a text: common prefix and common suffix. */
export interface TextChange {
  /** Offset where the texts start to differ (same in both). */
  start: number;
  /** End of the replaced region in the old text. */
  oldEnd: number;
  /** End of the replacing region in the new text. */
  newEnd: number;
}

/** `undefined` when the texts are equal. */
export function diffText(oldText: string, newText: string): TextChange | undefined {
  if (oldText === newText) return undefined;
  const min = Math.min(oldText.length, newText.length);
  let start = 0;
  while (start < min && oldText.charCodeAt(start) === newText.charCodeAt(start)) start++;
  let oldEnd = oldText.length;
  let newEnd = newText.length;
  while (oldEnd > start && newEnd > start && oldText.charCodeAt(oldEnd - 1) === newText.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  // never split a CRLF pair or a surrogate pair: widen to whole characters
  while (start > 0 && (isLowSurrogate(newText.charCodeAt(start)) || (newText.charCodeAt(start) === 10 && newText.charCodeAt(start - 1) === 13))) start--;
  return { start, oldEnd, newEnd };
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
