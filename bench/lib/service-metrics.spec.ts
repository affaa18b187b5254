import { loopDelayP99Ms, quantileBoundMs, routeBuckets } from './service-metrics';

const metrics = (top: number[], other: number[]) =>
  [
    '# TYPE viewrank_http_request_duration_seconds histogram',
    ...['0.001', '0.0025', '0.005', '+Inf'].flatMap((le, i) => [
      `viewrank_http_request_duration_seconds_bucket{le="${le}",method="GET",route="/views/top-k",status_code="200"} ${top[i]}`,
      `viewrank_http_request_duration_seconds_bucket{le="${le}",method="GET",route="/views/top-k",status_code="503"} 1`,
      `viewrank_http_request_duration_seconds_bucket{le="${le}",method="GET",route="/metrics",status_code="200"} ${other[i]}`,
    ]),
    'nodejs_eventloop_lag_p99_seconds 0.0231',
  ].join('\n');

describe('service metrics around a run', () => {
  it("sums one route's buckets over status codes", () => {
    expect(routeBuckets(metrics([5, 8, 9, 10], [0, 0, 0, 7]), '/views/top-k')).toEqual(
      new Map([
        [0.001, 6],
        [0.0025, 9],
        [0.005, 10],
        [Infinity, 11],
      ]),
    );
  });

  it('gives the bound of the bucket holding the quantile of the requests counted between two readings', () => {
    const before = routeBuckets(metrics([5, 8, 9, 10], [0, 0, 0, 0]), '/views/top-k');
    // 1,000 more requests: 900 within 1 ms, 990 within 2.5 ms, all within 5 ms.
    const after = routeBuckets(metrics([905, 998, 1009, 1010], [0, 0, 0, 0]), '/views/top-k');
    expect(quantileBoundMs(before, after, 0.5)).toBe(1);
    expect(quantileBoundMs(before, after, 0.99)).toBe(2.5);
    expect(quantileBoundMs(before, after, 0.999)).toBe(5);
    expect(quantileBoundMs(after, after, 0.99)).toBeUndefined();
    const slow = routeBuckets(metrics([905, 998, 1000, 1020], [0, 0, 0, 0]), '/views/top-k');
    expect(quantileBoundMs(before, slow, 0.999)).toBe(Infinity);
  });

  it("reads the event loop's p99 delay less the monitor's 10 ms interval", () => {
    expect(loopDelayP99Ms(metrics([0, 0, 0, 0], [0, 0, 0, 0]))).toBe(13.1);
    expect(loopDelayP99Ms('nodejs_eventloop_lag_p99_seconds 0.0099')).toBe(0);
    expect(loopDelayP99Ms('')).toBeUndefined();
  });
});
