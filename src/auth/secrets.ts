import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** True when `given` equals one of `secrets`; compares fixed-size digests in constant time, so timing tells nothing. */
export function matchesSecret(given: string | undefined, secrets: readonly string[]): boolean {
  if (given === undefined) return false;
  const candidate = digest(given);
  let match = false;
  for (const secret of secrets) match = timingSafeEqual(candidate, digest(secret)) || match;
  return match;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(value ?? '');
  return match?.[1];
}

/** A short, non-reversible client name for a token (rate-limit keys and logs), never the token itself. */
export function clientKey(token: string): string {
  return `token:${digest(token).toString('hex').slice(0, 16)}`;
}
