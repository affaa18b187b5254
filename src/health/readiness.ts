// Pure readiness rules, unit-tested in readiness.spec.ts.

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
