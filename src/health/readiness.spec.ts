import { listAgeProblems } from './readiness';

describe(listAgeProblems.name, () => {
  const now = new Date('2026-11-28T10:00:00Z');
  const ago = (s: number) => new Date(now.getTime() - s * 1000);

  it('is empty when every list is at most the maximum age', () => {
    expect(listAgeProblems({ hour: ago(0), day: ago(60) }, now, 60_000)).toEqual([]);
  });

  it('names each window with no list or one too old', () => {
    expect(listAgeProblems({ hour: ago(61), day: undefined, month: ago(5) }, now, 60_000)).toEqual([
      'hour: list is 61 s old (max 60 s)',
      'day: no list yet',
    ]);
  });
});
