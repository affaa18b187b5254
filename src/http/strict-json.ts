// Request bodies parsed strictly, so that what POST /views counts is what the client sent, byte for byte, and what
// the Kafka engine would read from the same text (docs/ingest-and-security.md, "One definition of a valid view"):
// - bytes that are not UTF-8 are kept, each as the lone surrogate U+DC80–U+DCFF (as Python's surrogateescape), never
//   replaced by U+FFFD; a string holding one is not valid UTF-8, and the view checks refuse it by that name;
// - a key twice in one object is an error (JSON.parse keeps the last; ClickHouse refuses the message);
// - a number is a JavaScript number only when it is written as an integer and is a safe one; any other (1.7e12,
//   1795822862500.0, 12345678901234567891) is a JsonNumber holding its text, so no check sees a rounded value;
// - `__proto__` is an ordinary own key (as JSON.parse makes it), which the checks then name.
// The tokenizer is jsonc-parser's (Microsoft; the parser of VS Code), with comments and trailing commas refused.
import { isUtf8 } from 'node:buffer';
import { ParseErrorCode, printParseErrorCode, visit } from 'jsonc-parser';
import { MAX_BODY_DEPTH } from './http-guards';

/** A JSON number that is not a safe integer written as one: its text, as sent. */
export class JsonNumber {
  constructor(readonly literal: string) {}
  toJSON(): string {
    return this.literal;
  }
}

/** Why a body is not strict JSON: the message names the place (`views.3.video_id appears twice`). */
export class StrictJsonError extends Error {}

const INTEGER_LITERAL = /^-?(0|[1-9][0-9]*)$/;
/** A byte decodeUtf8Keeping kept: U+DC80–U+DCFF not closing a surrogate pair (an astral character's low half may be one). */
const KEPT_BYTE = /(?<![\ud800-\udbff])[\udc80-\udcff]/;

/** UTF-8 text of the bytes, each byte of an ill-formed sequence kept as U+DC00 + its value. */
export function decodeUtf8Keeping(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let text = '';
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    text += bytes.toString('utf8', start, i) + String.fromCharCode(0xdc00 + bytes[i]);
    start = ++i;
  }
  return text + bytes.toString('utf8', start);
}

/** Length of the well-formed UTF-8 sequence at i (Unicode's table 3-7), or 0 when the byte there starts none. */
function sequenceLength(b: Buffer, i: number): number {
  const c = b[i];
  const next = (k: number, low = 0x80, high = 0xbf) => i + k < b.length && b[i + k] >= low && b[i + k] <= high;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return next(1) ? 2 : 0;
  if (c === 0xe0) return next(1, 0xa0) && next(2) ? 3 : 0;
  if (c === 0xed) return next(1, 0x80, 0x9f) && next(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return next(1) && next(2) ? 3 : 0;
  if (c === 0xf0) return next(1, 0x90) && next(2) && next(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return next(1) && next(2) && next(3) ? 4 : 0;
  if (c === 0xf4) return next(1, 0x80, 0x8f) && next(2) && next(3) ? 4 : 0;
  return 0;
}

type Container = { value: Record<string, unknown> | unknown[]; key?: string; path: string };

/** The value of a JSON text, by the rules above; throws StrictJsonError. */
export function parseStrictJson(text: string, maxDepth = MAX_BODY_DEPTH): unknown {
  const stack: Container[] = [];
  let root: unknown;
  let error: string | undefined;
  const fail = (message: string) => {
    error ??= message;
  };
  const childPath = (top: Container | undefined): string => {
    if (!top) return '';
    const name = Array.isArray(top.value) ? String(top.value.length) : (top.key ?? '');
    return top.path ? `${top.path}.${name}` : name;
  };
  const put = (value: unknown) => {
    const top = stack[stack.length - 1];
    if (!top) root = value;
    else if (Array.isArray(top.value)) top.value.push(value);
    else if (top.key !== undefined) {
      if (Object.prototype.hasOwnProperty.call(top.value, top.key)) fail(`${childPath(top)} appears twice`);
      Object.defineProperty(top.value, top.key, { value, enumerable: true, writable: true, configurable: true });
    }
  };
  const open = (value: Record<string, unknown> | unknown[]) => {
    // Thrown from inside the tokenizer, which recurses per level: a body of 100,000 levels stops here, not at the stack.
    if (stack.length >= maxDepth) throw new StrictJsonError(`body is nested deeper than ${maxDepth} levels`);
    const path = childPath(stack[stack.length - 1]);
    put(value);
    stack.push({ value, path });
  };
  visit(
    text,
    {
      onObjectBegin: () => open({}),
      onObjectProperty: (key) => {
        stack[stack.length - 1].key = key;
      },
      onObjectEnd: () => void stack.pop(),
      onArrayBegin: () => open([]),
      onArrayEnd: () => void stack.pop(),
      onLiteralValue: (value: unknown, offset: number, length: number) => {
        // A string that held bytes that are not UTF-8 starts with a lone U+DC00: after an escaped high surrogate
        // ("\ud83d" then byte B0) a kept byte would otherwise pair into a character the client never sent (💰).
        if (typeof value === 'string') return put(KEPT_BYTE.test(text.slice(offset, offset + length)) ? `\udc00${value}` : value);
        if (typeof value !== 'number') return put(value);
        const literal = text.slice(offset, offset + length);
        put(INTEGER_LITERAL.test(literal) && Number.isSafeInteger(value) ? value : new JsonNumber(literal));
      },
      onError: (code: ParseErrorCode, offset: number) =>
        fail(`Body is not valid JSON: ${printParseErrorCode(code)} at character ${offset}`),
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  if (error) throw new StrictJsonError(error);
  return root;
}
