import fc from 'fast-check';
import { decodeUtf8Keeping, JsonNumber, parseStrictJson, StrictJsonError } from './strict-json';

/** The bytes back from decodeUtf8Keeping's text: each kept byte (U+DC80–U+DCFF) as itself. */
function encodeKeeping(text: string): Buffer {
  const parts: Buffer[] = [];
  for (const piece of text.split(/((?<![\ud800-\udbff])[\udc80-\udcff])/)) {
    if (piece.length === 1 && piece.charCodeAt(0) >= 0xdc80 && piece.charCodeAt(0) <= 0xdcff)
      parts.push(Buffer.from([piece.charCodeAt(0) - 0xdc00]));
    else parts.push(Buffer.from(piece, 'utf8'));
  }
  return Buffer.concat(parts);
}

describe(decodeUtf8Keeping.name, () => {
  it('decodes UTF-8 as Node does', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => expect(decodeUtf8Keeping(Buffer.from(s, 'utf8'))).toBe(s)));
  });

  it('keeps every byte of any input: no U+FFFD stands for bytes the client sent', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = decodeUtf8Keeping(Buffer.from(bytes));
        expect(encodeKeeping(text)).toEqual(Buffer.from(bytes));
        if (!text.includes('\ufffd')) expect(Buffer.from(bytes).includes(Buffer.from('\ufffd'))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    [[0x61, 0xff, 0xfe, 0xc3], 'a\udcff\udcfe\udcc3'],
    [[0xed, 0xa0, 0x80], '\udced\udca0\udc80'], // an encoded surrogate is not UTF-8
    [[0xf4, 0x90, 0x80, 0x80], '\udcf4\udc90\udc80\udc80'], // past U+10FFFF
    [[0xc0, 0xaf], '\udcc0\udcaf'], // overlong
    [[0xe2, 0x82, 0xac], '€'],
  ])('decodes %p as %p', (bytes, text) => expect(decodeUtf8Keeping(Buffer.from(bytes))).toBe(text));
});

describe(parseStrictJson.name, () => {
  it('parses what JSON.parse parses, the same, when numbers are safe integers', () => {
    const value = fc.jsonValue().filter((v) => !JSON.stringify(v).match(/[.eE]|\d{16,}/));
    fc.assert(fc.property(value, (v) => expect(parseStrictJson(JSON.stringify(v))).toEqual(JSON.parse(JSON.stringify(v)))));
  });

  it('refuses a key twice, naming where', () => {
    expect(() => parseStrictJson('{"views":[{"video_id":"a","video_id":"a","ts":1}]}')).toThrow(
      new StrictJsonError('views.0.video_id appears twice'),
    );
    expect(() => parseStrictJson('{"a":1,"a":2}')).toThrow('a appears twice');
  });

  it('keeps a number that is not a safe integer written as one as its text', () => {
    expect(parseStrictJson('[1795822862500, -0, 1.7e12, 1795822862500.0, 12345678901234567891, 9.09e2]')).toEqual([
      1795822862500,
      -0,
      new JsonNumber('1.7e12'),
      new JsonNumber('1795822862500.0'),
      new JsonNumber('12345678901234567891'),
      new JsonNumber('9.09e2'),
    ]);
  });

  it('marks a string that held bytes that are not UTF-8 with a lone surrogate that nothing pairs', () => {
    const text = decodeUtf8Keeping(Buffer.concat([Buffer.from('["\\ud83d'), Buffer.from([0xb0]), Buffer.from('", "ok"]')]));
    const [kept, ok] = parseStrictJson(text) as string[];
    expect(kept.startsWith('\udc00')).toBe(true);
    expect(/\p{Cs}/u.test(kept)).toBe(true);
    expect(ok).toBe('ok');
  });

  it('makes __proto__ an own key, not a prototype', () => {
    const value = parseStrictJson('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['{"a":1,}', '{"a":01}', '{"a":1} // c', '{"a":NaN}', '{"a":"\u0001"}', "{'a':1}", '', '{"a":1}x'])('refuses %p', (text) =>
    expect(() => parseStrictJson(text)).toThrow(/^Body is not valid JSON: \w+ at character \d+$/),
  );

  it('refuses nesting past the limit without exhausting the stack', () => {
    expect(() => parseStrictJson('['.repeat(100_000) + ']'.repeat(100_000))).toThrow('body is nested deeper than 32 levels');
    expect(parseStrictJson('['.repeat(32) + ']'.repeat(32))).toBeDefined();
  });
});
