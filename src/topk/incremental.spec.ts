import { planRefresh, WindowState } from './incremental';

const options = { marginMs: 10_000, fullEveryMs: 600_000 };
const state: WindowState = {
  windowStartMs: 1_000_000,
  entries: [{ videoId: 'a', views: 3 }, { videoId: 'b', views: 1 }],
  serverTimeMs: 5_000_000,
  fullAtServerMs: 4_800_000,
};

describe(planRefresh.name, () => {
  it('computes in full at start-up, at a roll-over, periodically, and when the server clock went back', () => {
    expect(planRefresh(undefined, 1_000_000, 5_005_000, options)).toEqual({ mode: 'full', reason: 'start-up' });
    expect(planRefresh(state, 2_000_000, 5_005_000, options)).toEqual({ mode: 'full', reason: 'window rolled over' });
    expect(planRefresh(state, 1_000_000, 5_400_000, options)).toEqual({ mode: 'full', reason: 'periodic full' });
    expect(planRefresh(state, 1_000_000, 4_999_999, options)).toEqual({ mode: 'full', reason: 'server clock moved back' });
    expect(planRefresh(state, 1_000_000, 5_005_000, { ...options, fullEveryMs: 0 })).toEqual({ mode: 'full', reason: 'incremental disabled' });
  });

  it('otherwise ranks the previous list and what was touched since the previous refresh, with a margin', () => {
    expect(planRefresh(state, 1_000_000, 5_005_000, options)).toEqual({ mode: 'incremental', previous: ['a', 'b'], sinceMs: 4_990_000 });
  });

  it('treats all-time (no window start) as one window that never rolls over', () => {
    expect(planRefresh({ ...state, windowStartMs: null }, null, 5_005_000, options).mode).toBe('incremental');
  });
});
