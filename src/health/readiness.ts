// Pure readiness rules, unit-tested in readiness.spec.ts.

/**
 * Readiness fails while any window's list is older than a minute, or missing (was READY_MAX_LIST_AGE_MS): a minute is
 * sixty refresh periods, past any slow refresh or engine pause, and soon enough that a load balancer takes a node whose
 * refresh is broken out of service long before its lists stop being served (MAX_STALENESS_MS, 2 h).
 */
export const READY_MAX_LIST_AGE_MS = 60_000;

/** Why the lists are not fresh enough to call the service ready: one message per window missing or too old. */
export function listAgeProblems(computedAt: Record<string, Date | undefined>, now: Date, maxAgeMs: number): string[] {
  const problems: string[] = [];
  for (const [window, at] of Object.entries(computedAt)) {
    if (!at) problems.push(`${window}: no list yet`);
    else if (now.getTime() - at.getTime() > maxAgeMs)
      problems.push(`${window}: list is ${Math.round((now.getTime() - at.getTime()) / 1000)} s old (max ${maxAgeMs / 1000} s)`);
  }
  return problems;
}
