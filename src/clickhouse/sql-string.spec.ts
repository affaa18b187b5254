import { parameterText, quoteString } from './sql-string';

describe(quoteString.name, () => {
  it('escapes the backslash, the quote and control characters as ClickHouse does', () => {
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('a\\b')).toBe("'a\\\\b'");
    expect(quoteString("\\'; SELECT file('/etc/passwd') --")).toBe("'\\\\\\'; SELECT file(\\'/etc/passwd\\') --'");
    expect(quoteString('\n\r\t\0')).toBe("'\\n\\r\\t\\0'");
  });
});

describe(parameterText.name, () => {
  it('escapes what ends or changes a parameter text: backslash, tab, line feed', () => {
    expect(parameterText("SELECT 1\nFROM t\twhere a = '\\'")).toBe("SELECT 1\\nFROM t\\twhere a = '\\\\'");
  });
});
