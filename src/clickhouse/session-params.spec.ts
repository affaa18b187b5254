import { setParams } from './session-params';

describe(setParams.name, () => {
  it('binds each parameter as @clickhouse/client writes param_<name>, quoted as a SQL string', () => {
    expect(setParams({ db: 'viewrank', hour: '2026-12-06 10:00:00', k: 5 })).toBe(
      "SET param_db = 'viewrank', param_hour = '2026-12-06 10:00:00', param_k = '5'",
    );
  });

  it('escapes twice what must be: once for the parameter text, once for the SQL string', () => {
    // The parameter text of it's\tA is it\'s\tA (escaped text); as a SQL string, each backslash and quote again.
    expect(setParams({ s: "it's\tA" })).toBe("SET param_s = 'it\\\\\\'s\\\\tA'");
    // An array of strings: each element quoted inside the array text, then the whole as one SQL string.
    expect(setParams({ videos: ['a', "b'c", 'd\\e'] })).toBe("SET param_videos = '[\\'a\\',\\'b\\\\\\'c\\',\\'d\\\\\\\\e\\']'");
  });

  it('refuses a parameter name that is not an identifier, and nothing to bind', () => {
    expect(() => setParams({ 'a = 1, max_threads': 1 })).toThrow(/identifier/);
    expect(() => setParams({})).toThrow(/no parameters/);
  });
});
