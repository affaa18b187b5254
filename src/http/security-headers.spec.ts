import helmet from 'helmet';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { securityHeaders } from './security-headers';

const OPTIONS = {
  hsts: false,
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"] } },
};

describe('precomputed security headers', () => {
  it('are exactly the headers helmet sets on a real answer', async () => {
    const middleware = helmet(OPTIONS);
    const server = createServer((req, res) => middleware(req, res, () => res.end('ok')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const fromHelmet = Object.fromEntries(
        [...response.headers.entries()].filter(([name]) => !['date', 'connection', 'keep-alive', 'content-length'].includes(name)),
      );
      const precomputed = Object.fromEntries(Object.entries(securityHeaders(OPTIONS)).map(([k, v]) => [k.toLowerCase(), v]));
      expect(precomputed).toEqual(fromHelmet);
      expect(precomputed['content-security-policy']).toBe("default-src 'self';frame-ancestors 'none'");
      expect(precomputed['strict-transport-security']).toBeUndefined();
    } finally {
      server.close();
    }
  });

  it('refuse options helmet refuses, at start-up rather than per request', () => {
    expect(() => securityHeaders({ contentSecurityPolicy: { directives: { defaultSrc: ["'self'", 'bad;value'] } } })).toThrow();
  });
});
