/**
 * The refresh period is a period: a refresh starts every `periodMs`, not `periodMs` after the previous one ended,
 * so a list is at most about one period plus one refresh old when the next one is served. A refresh that overran the
 * period is followed after a short pause (a tenth of the period) rather than at once, so that a slow engine is not
 * handed refreshes back to back and ingestion keeps its share.
 */
export function nextRefreshDelay(periodMs: number, elapsedMs: number): number {
  return Math.round(Math.max(periodMs - elapsedMs, periodMs / 10));
}
