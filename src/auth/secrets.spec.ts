import { bearerToken, clientKey, matchesSecret } from './secrets';

describe('secrets', () => {
  it('matches only an exact secret', () => {
    const secrets = ['alpha-0123456789abcdef', 'beta-0123456789abcdef'];
    expect(matchesSecret('beta-0123456789abcdef', secrets)).toBe(true);
    for (const given of [undefined, '', 'beta-0123456789abcde', 'beta-0123456789abcdefX', 'BETA-0123456789abcdef']) {
      expect({ given, match: matchesSecret(given, secrets) }).toEqual({ given, match: false });
    }
    expect(matchesSecret('anything', [])).toBe(false);
  });

  it('reads a bearer token, and nothing else', () => {
    expect(bearerToken('Bearer abc.def-123')).toBe('abc.def-123');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken(['Bearer first', 'Bearer second'])).toBe('first');
    for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'Bearer a b', 'Bearer é'])
      expect(bearerToken(header)).toBeUndefined();
  });

  it('names a client without revealing its token', () => {
    const key = clientKey('alpha-0123456789abcdef');
    expect(key).toMatch(/^token:[0-9a-f]{16}$/);
    expect(key).not.toContain('alpha');
    expect(clientKey('alpha-0123456789abcdef')).toBe(key);
    expect(clientKey('beta-0123456789abcdef')).not.toBe(key);
  });
});
