import { structureProblem } from './http-guards';

describe(structureProblem.name, () => {
  it('accepts ordinary bodies and queries', () => {
    expect(structureProblem({ views: [{ video_id: 'a', ts: 1 }] }, 32)).toBeUndefined();
    expect(structureProblem({ window: 'day', k: ['1', '2'] }, 2)).toBeUndefined();
    expect(structureProblem(undefined, 32)).toBeUndefined();
    expect(structureProblem('text', 32)).toBeUndefined();
  });

  it('names the depth limit, at any depth past it, without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(structureProblem({ views: deep }, 32)).toBe('body is nested deeper than 32 levels');
    let exactly: unknown = 1;
    for (let i = 0; i < 31; i++) exactly = [exactly];
    expect(structureProblem({ views: exactly }, 32)).toBeUndefined();
  });

  it('names a key every object inherits, with its path', () => {
    expect(structureProblem({ window: 'day', constructor: '1' }, 2)).toBe('property constructor should not exist');
    expect(structureProblem(JSON.parse('{"views":[{"video_id":"a","__proto__":{}}]}'), 32)).toBe(
      'property views.0.__proto__ should not exist',
    );
    expect(structureProblem({ views: [{ toString: 1 }] }, 32)).toBe('property views.0.toString should not exist');
  });
});
