// A small suite result for the summary's and the goals' unit specs.
import type { SuiteResult } from '../result';
import { SIZES } from '../parts/context';

export const step = (targetPerSecond: number, countedPerSecond: number, keptUp: boolean, settings: Record<string, string> = {}) => ({
  viewsPerMessage: 100,
  settings,
  targetPerSecond,
  producedPerSecond: targetPerSecond,
  countedPerSecond,
  behindAtEnd: 0,
  keptUp,
  cores: {},
});

export const suiteResult = (): SuiteResult => ({
  benchmark: 'test',
  date: '2026-11-28T06:00:00.000Z',
  machine: '2 × cpu, 24 GiB',
  clickhouse: 'chDB',
  size: 'smoke',
  sizes: SIZES.smoke,
  ingest: {
    drain: [
      {
        viewsPerMessage: 100,
        settings: {},
        views: 1000,
        drainSeconds: 1,
        viewsPerSecond: 400_000,
        cores: { service: 1.2, broker: 0.1 },
        serviceMiB: 300,
        servicePeakMiB: 400,
        diskMiB: 10,
      },
    ],
    steady: [
      step(100_000, 99_000, true),
      step(200_000, 190_000, true),
      step(300_000, 150_000, false),
      step(100_000, 98_000, true, { KAFKA_CONSUMERS: '2' }),
    ],
  },
  physical: [],
  reads: [{ system: 'viewrank', k: 1000, ingest: false, requestsPerSecond: 3000, p50Ms: 2, p99Ms: 7, maxMs: 9, errors: 0 }],
  peers: [
    {
      system: 'Redis sorted sets',
      views: 1000,
      seconds: 10,
      viewsPerSecond: 40_000,
      cores: { server: 0.3, consumer: 1 },
      memoryMiB: 15,
      dataMiB: 11,
      sameTopAsViewrank: true,
    },
  ],
});
