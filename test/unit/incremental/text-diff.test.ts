/** diffText finds the one changed region, as a character-by-character scan would. */
import assert from 'node:assert/strict';
import { diffText } from '../../../server/src/parse/text-diff';
import { prng } from './support';

function naive(a: string, b: string) {
  if (a === b) return undefined;
  let s = 0;
  const m = Math.min(a.length, b.length);
  while (s < m && a[s] === b[s]) s++;
  let oe = a.length;
  let ne = b.length;
  while (oe > s && ne > s && a[oe - 1] === b[ne - 1]) {
    oe--;
    ne--;
  }
  return { start: s, oldEnd: oe, newEnd: ne };
}

describe('diffText', () => {
  it('equals a naive scan on 1,000 random single edits (seeded)', () => {
    const rnd = prng(11);
    for (let i = 0; i < 1000; i++) {
      const n = Math.floor(rnd() * 12000);
      let a = '';
      for (let k = 0; k < n; k++) a += 'ab\n'[Math.floor(rnd() * 3)];
      const at = Math.floor(rnd() * (n + 1));
      const b = a.slice(0, at) + 'ab\n'.slice(0, Math.floor(rnd() * 3)) + a.slice(at + Math.floor(rnd() * 3));
      assert.deepStrictEqual(diffText(a, b), naive(a, b), `case ${i}`);
    }
  });

  it('never splits a CRLF pair', () => {
    assert.deepStrictEqual(diffText('a\r\nb', 'a\r\r\nb'), { start: 1, oldEnd: 2, newEnd: 3 });
    const c = diffText('x\r\ny', 'x\r\nzy');
    assert.ok(c && c.start === 3);
  });
});
