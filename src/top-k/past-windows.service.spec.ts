import { loadConfig } from '../config/app-config';
import { FinalListRepository, PastList } from './final-list.repository';
import { RollupService } from '../rollup/rollup.service';
import { IngestWatermark } from './ingest-watermark';
import { PAST_WINDOW_QUEUE, PastWindowsBusy, PastWindowsService } from './past-windows.service';
import { WindowRef } from './top-k.reader';
import { TopKRepository } from './top-k.repository';
import { Interval } from './windows';

const hourOf = (iso: string): Interval => ({ start: new Date(iso), end: new Date(new Date(iso).getTime() + 3_600_000) });

/** The service over fake counting tables, final-list store and watermark, with computations released by the test. */
function setup(env: Record<string, string> = {}) {
  let now = new Date('2026-12-03T12:00:00Z');
  const computing: { ref: WindowRef; release: () => void }[] = [];
  let active = 0;
  let maxActive = 0;
  const stored: PastList[] = [];
  let ingestedThrough = Infinity;
  /** What happened, in order: 'watermark', 'rollup', 'read'. */
  const steps: string[] = [];
  const repository = {
    top: (ref: WindowRef) =>
      new Promise((resolve) => {
        steps.push('read');
        active++;
        maxActive = Math.max(maxActive, active);
        computing.push({
          ref,
          release: () => {
            active--;
            resolve([{ videoId: `top-of-${ref.interval!.start.toISOString()}`, views: 1 }]);
          },
        });
      }),
  } as unknown as TopKRepository;
  const finalLists = {
    save: async (list: PastList) => void stored.push(list),
    read: async (window: string, interval: Interval) =>
      stored.find((l) => l.window === window && l.interval.start.getTime() === interval.start.getTime()),
  } as unknown as FinalListRepository;
  const watermark = {
    newestIngested: async ([instant]: number[]) => {
      steps.push('watermark');
      return instant <= ingestedThrough ? instant : -Infinity;
    },
  } as IngestWatermark;
  const rollup = { run: async () => void steps.push('rollup') } as unknown as RollupService;
  const config = loadConfig({ PAST_WINDOW_CACHE: '2', REFRESH_INTERVAL_MS: '1000', ...env });
  const service = new PastWindowsService(repository, finalLists, watermark, rollup, { now: () => now }, config);
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    service,
    computing,
    stored,
    steps,
    maxActive: () => maxActive,
    setNow: (d: Date) => (now = d),
    setIngestedThrough: (t: number) => (ingestedThrough = t),
    /** Releases computations as they start, until none is left. */
    async drain() {
      for (;;) {
        await settle();
        const next = computing.shift();
        if (!next) return;
        next.release();
      }
    },
  };
}

describe('PastWindowsService', () => {
  const nine = hourOf('2026-12-03T09:00:00Z');
  const ten = hourOf('2026-12-03T10:00:00Z');
  const eleven = hourOf('2026-12-03T11:00:00Z');
  const finalFrom = (i: Interval) => new Date(i.end.getTime() + 30_000);

  it('computes a window once however many ask at once, one window at a time', async () => {
    const t = setup();
    const asks = [
      t.service.list('hour', nine, finalFrom(nine)),
      t.service.list('hour', nine, finalFrom(nine)),
      t.service.list('hour', ten, finalFrom(ten)),
    ];
    await t.drain();
    const [a, b, c] = await Promise.all(asks);
    expect(a).toBe(b);
    expect(c.entries[0].videoId).toBe('top-of-2026-12-03T10:00:00.000Z');
    expect(t.maxActive()).toBe(1);
    expect(t.stored.map((l) => l.interval.start.toISOString())).toEqual(['2026-12-03T09:00:00.000Z', '2026-12-03T10:00:00.000Z']);
  });

  it('refuses one more window than the queue holds, and takes it again once the queue drained', async () => {
    const t = setup();
    // The queue's windows: hours before nine, then nine itself.
    const earlier = Array.from({ length: PAST_WINDOW_QUEUE - 1 }, (_, i) =>
      hourOf(new Date(nine.start.getTime() - (i + 1) * 3_600_000).toISOString()),
    );
    const queued = [...earlier, nine].map((hour) => t.service.list('hour', hour, finalFrom(hour)));
    await expect(t.service.list('hour', eleven, finalFrom(eleven))).rejects.toBeInstanceOf(PastWindowsBusy);
    // Asking again for a window already queued joins it rather than counting twice.
    const again = t.service.list('hour', nine, finalFrom(nine));
    await t.drain();
    await Promise.all([...queued, again]);
    const third = t.service.list('hour', eleven, finalFrom(eleven));
    await t.drain();
    expect((await third).entries[0].videoId).toBe('top-of-2026-12-03T11:00:00.000Z');
  });

  it('serves a final list from memory, then from its store once evicted: the same list every time', async () => {
    const t = setup();
    const list = t.service.list('hour', nine, finalFrom(nine));
    await t.drain();
    const first = await list;
    expect(await t.service.list('hour', nine, finalFrom(nine))).toBe(first);
    for (const other of [ten, eleven]) {
      const p = t.service.list('hour', other, finalFrom(other));
      await t.drain();
      await p;
    }
    // The cache holds two: nine was evicted, and is read back from the store, not recomputed.
    const reread = t.service.list('hour', nine, finalFrom(nine));
    await t.drain();
    expect(await reread).toEqual(first);
    expect(t.computing).toEqual([]);
  });

  it('a window closed too recently, or not yet ingested past its end plus the tolerance, is not final and is computed again later', async () => {
    const t = setup();
    t.setNow(new Date('2026-12-03T12:00:10Z'));
    const eleven1 = t.service.list('hour', eleven, finalFrom(eleven));
    await t.drain();
    expect((await eleven1).final).toBe(false);
    // Within the refresh period, the same list; after it, a new computation.
    expect(await t.service.list('hour', eleven, finalFrom(eleven))).toBe(await eleven1);
    t.setNow(new Date('2026-12-03T12:00:40Z'));
    t.setIngestedThrough(new Date('2026-12-03T12:00:00Z').getTime());
    const lagging = t.service.list('hour', eleven, finalFrom(eleven));
    await t.drain();
    expect(await lagging).toMatchObject({ final: false, computedAt: new Date('2026-12-03T12:00:40Z') });
    expect(t.stored).toEqual([]);
    t.setNow(new Date('2026-12-03T12:00:42Z'));
    t.setIngestedThrough(Infinity);
    const caughtUp = t.service.list('hour', eleven, finalFrom(eleven));
    await t.drain();
    expect(await caughtUp).toMatchObject({ final: true });
    expect(t.stored).toHaveLength(1);
  });

  it('rolls the grains up after the watermark and before reading a list that will be final, and only then', async () => {
    const t = setup();
    t.setNow(new Date('2026-12-03T12:00:40Z'));
    t.setIngestedThrough(new Date('2026-12-03T12:00:00Z').getTime());
    const lagging = t.service.list('hour', eleven, finalFrom(eleven));
    await t.drain();
    expect(await lagging).toMatchObject({ final: false });
    expect(t.steps).toEqual(['watermark', 'read']);
    t.steps.length = 0;
    t.setNow(new Date('2026-12-03T12:00:42Z'));
    t.setIngestedThrough(Infinity);
    const final = t.service.list('hour', eleven, finalFrom(eleven));
    await t.drain();
    expect(await final).toMatchObject({ final: true });
    expect(t.steps).toEqual(['watermark', 'rollup', 'read']);
  });
});
