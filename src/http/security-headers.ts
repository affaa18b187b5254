// The security headers every answer carries, computed once by helmet at start-up and set by one hook per request.
// @fastify/helmet builds a new helmet middleware for every request (re-parsing the content security policy): 13% of
// the event loop under 10 connections of GET /views/top-k (CPU profile, 2026-12-02). The headers here never depend
// on the request, so helmet runs once against a recording response (as helmetjs/helmet#430 proposes).
import helmet, { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Runs helmet's middleware once and returns the headers it set; throws on a header it would remove or a failure. */
export function securityHeaders(options: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    // helmet removes X-Powered-By, which Fastify never sets.
    removeHeader(name: string) {
      delete headers[name];
    },
  };
  let failure: unknown;
  let finished = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously; its headers cannot be precomputed');
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return headers;
}
