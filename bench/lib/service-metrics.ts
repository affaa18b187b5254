// Figures the service reports about itself at GET /metrics, read around a benchmark run: how long the service took
// to handle a route's requests, and how late its event loop ran. Beside the client's latency they tell apart the
// time a request spent being handled from the time it waited for the event loop.

/** Cumulative request counts of one route by bucket bound (seconds; +Inf is Infinity), summed over status codes. */
export type Buckets = Map<number, number>;

const BUCKET = /^viewrank_http_request_duration_seconds_bucket\{([^}]*)\} (\S+)$/;

/** The route's buckets in a /metrics text (Prometheus exposition format), GET requests only. */
export function routeBuckets(metrics: string, route: string): Buckets {
  const buckets: Buckets = new Map();
  for (const line of metrics.split('\n')) {
    const match = BUCKET.exec(line);
    if (!match) continue;
    const labels = new Map([...match[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (labels.get('route') !== route || labels.get('method') !== 'GET') continue;
    const le = labels.get('le') === '+Inf' ? Infinity : Number(labels.get('le'));
    buckets.set(le, (buckets.get(le) ?? 0) + Number(match[2]));
  }
  return buckets;
}

/**
 * The bound (ms) of the smallest bucket that holds the q-quantile of the requests counted between two readings:
 * "at most this long", as coarse as the buckets. Undefined when no request was counted.
 */
export function quantileBoundMs(before: Buckets, after: Buckets, q: number): number | undefined {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counted = (le: number) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const total = counted(Infinity);
  if (!(total > 0)) return undefined;
  const bound = bounds.find((le) => counted(le) >= q * total);
  return bound === undefined || bound === Infinity ? Infinity : bound * 1000;
}

/** prom-client samples the event loop's delay with a 10 ms timer (its default), and reports the timer's interval. */
const LOOP_MONITOR_RESOLUTION_MS = 10;

/**
 * The event loop's 99th-percentile delay (ms) since the previous reading of /metrics (prom-client resets the
 * histogram at each), less the monitor's own interval.
 */
export function loopDelayP99Ms(metrics: string): number | undefined {
  const match = /^nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(metrics);
  if (!match) return undefined;
  return Math.max(0, Math.round((Number(match[1]) * 1000 - LOOP_MONITOR_RESOLUTION_MS) * 10) / 10);
}
