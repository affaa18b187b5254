import { parameterText, quoteString } from './sql-string';

describe(quoteString.name, () => {
  it('escapes the backslash, the quote and control characters as ClickHouse does', () => {
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('a\\b')).toBe("'a\\\\b'");
    expect(quoteString("\\'; SELECT file('/etc/passwd') --")).toBe("'\\\\\\'; SELECT file(\\'/etc/passwd\\') --'");
    expect(quoteString('\n\r\t\0')).toBe("'\\n\\r\\t\\0'");
  });

  it('quotes alike with or without a control byte (its two paths), for any mix of the characters it escapes', () => {
    const slow = (value: string) => `'${[...value].map((c) => ({ '\\': '\\\\', "'": "\\'" })[c] ?? c).join('')}'`;
    const alphabet = ['a', '\\', "'", 'é', '😀', ' ', ',', '['];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 500; n++) {
      const value = Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join('');
      expect(quoteString(value)).toBe(slow(value));
      // With a control byte, the other path: the same escapes, and the control byte's own.
      expect(quoteString(`${value}\n`)).toBe(`${slow(value).slice(0, -1)}\\n'`);
    }
  });
});

describe(parameterText.name, () => {
  it('escapes what ends or changes a parameter text: backslash, tab, line feed', () => {
    expect(parameterText("SELECT 1\nFROM t\twhere a = '\\'")).toBe("SELECT 1\\nFROM t\\twhere a = '\\\\'");
  });
});
