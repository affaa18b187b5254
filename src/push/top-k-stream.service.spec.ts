import { loadConfig } from '../config/app-config';
import { PreviousList } from '../top-k/movement';
import { PrecomputeService } from '../top-k/precompute.service';
import { PreviousListsService } from '../top-k/previous-lists.service';
import { TopKSnapshot } from '../top-k/snapshot';
import { listEventData, sseEvent } from './sse';
import { SLOW_CLIENT_BYTES, StreamOutput, TopKStreamHub } from './top-k-stream.service';

/** An output that records what was written and queues it all: `taken` is what the socket took so far. */
class FakeOutput implements StreamOutput {
  chunks: string[] = [];
  taken = 0;
  ended = false;
  destroyed = false;
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get writableLength(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0) - this.taken;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

describe('TopKStreamHub', () => {
  const now = new Date('2026-12-03T14:41:06Z');
  let publish: (snapshot: TopKSnapshot) => void = () => undefined;
  const snapshots = new Map<string, TopKSnapshot>();
  const precompute = {
    onPublish: (listener: (s: TopKSnapshot) => void) => {
      publish = listener;
      return () => undefined;
    },
    snapshot: (window: string) => snapshots.get(window),
  } as unknown as PrecomputeService;
  /** The list movement compares with, once "loaded" by ready(). */
  let previous: PreviousList | undefined;
  let loadPrevious: () => void = () => undefined;
  const previousLists = {
    get: () => previous,
    ready: () =>
      new Promise<void>((resolve) => {
        loadPrevious = () => {
          previous = { key: 'hour/2026-12-03T13:00:00.000Z', computedAt: now, ranks: new Map([['b', 1]]), final: true };
          resolve();
        };
      }),
  } as unknown as PreviousListsService;
  const hour = { start: new Date('2026-12-03T14:00:00Z'), end: new Date('2026-12-03T15:00:00Z') };
  const list = (entries: [string, number][], computedAt = now): TopKSnapshot => ({
    window: 'hour',
    interval: hour,
    computedAt,
    entries: entries.map(([videoId, views]) => ({ videoId, views })),
  });
  const hub = (env: Record<string, string> = {}) => {
    const h = new TopKStreamHub(precompute, previousLists, { now: () => now }, loadConfig(env));
    h.onModuleInit();
    return h;
  };

  it('sends the current list at once, then only when the first k entries change', () => {
    const h = hub();
    snapshots.set(
      'hour',
      list([
        ['a', 3],
        ['b', 2],
        ['c', 1],
      ]),
    );
    const out = new FakeOutput();
    h.add({ window: 'hour', k: 2, out });
    expect(out.chunks).toEqual([
      sseEvent(
        'top-k',
        now.toISOString(),
        listEventData(
          {
            Age: '0',
            'X-Window': 'hour',
            'X-Window-Start': hour.start.toISOString(),
            'X-Window-End': hour.end.toISOString(),
            'X-Computed-At': now.toISOString(),
          },
          '[{"videoId":"a","views":3},{"videoId":"b","views":2}]',
        ),
      ),
    ]);
    // The third entry changed: nothing for k = 2. The second changed: an event.
    publish(
      list([
        ['a', 3],
        ['b', 2],
        ['d', 2],
      ]),
    );
    expect(out.chunks).toHaveLength(1);
    publish(
      list([
        ['b', 4],
        ['a', 3],
      ]),
    );
    expect(out.chunks).toHaveLength(2);
    expect(JSON.parse(out.chunks[1].split('data: ')[1]).body).toEqual([
      { videoId: 'b', views: 4 },
      { videoId: 'a', views: 3 },
    ]);
    // Another window's list is not this client's.
    publish({ ...list([['z', 9]]), window: 'day' });
    expect(out.chunks).toHaveLength(2);
    h.beforeApplicationShutdown();
    expect(out.ended).toBe(true);
  });

  it('drops a client that leaves more than 1 MiB unread, and keeps one that reads', () => {
    const h = hub();
    snapshots.delete('hour');
    const slow = new FakeOutput();
    const reader = new FakeOutput();
    h.add({ window: 'hour', k: 1000, out: slow });
    h.add({ window: 'hour', k: 1000, out: reader });
    const entries: [string, number][] = Array.from({ length: 1000 }, (_, i) => [`video-${i}`, 100_000 - i]);
    let round = 0;
    while (!slow.destroyed && round < 100) {
      entries[0][1]++;
      publish(list(entries.map(([id, v]) => [id, v])));
      reader.taken = reader.chunks.reduce((n, c) => n + c.length, 0);
      round++;
    }
    expect(slow.destroyed).toBe(true);
    expect(slow.writableLength).toBeGreaterThan(SLOW_CLIENT_BYTES);
    expect(h.dropped).toBe(1);
    expect(reader.destroyed).toBe(false);
    expect(h.size).toBe(1);
    h.beforeApplicationShutdown();
  });

  it('is full at STREAM_MAX_CLIENTS', () => {
    const h = hub({ STREAM_MAX_CLIENTS: '2' });
    h.add({ window: 'day', k: 1, out: new FakeOutput() });
    expect(h.full).toBe(false);
    h.add({ window: 'day', k: 1, out: new FakeOutput() });
    expect(h.full).toBe(true);
    h.beforeApplicationShutdown();
  });

  it('with movement, waits for the list to compare with, then sends each entry with its previousRank', async () => {
    const h = hub();
    snapshots.set(
      'hour',
      list([
        ['a', 3],
        ['b', 2],
      ]),
    );
    const out = new FakeOutput();
    h.add({ window: 'hour', k: 2, movement: true, out });
    expect(out.chunks).toEqual([]);
    loadPrevious();
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.chunks).toHaveLength(1);
    const data = JSON.parse(out.chunks[0].split('\ndata: ')[1]);
    expect(data.headers['X-Previous-Computed-At']).toBe(now.toISOString());
    expect(data.body).toEqual([
      { videoId: 'a', views: 3, previousRank: null },
      { videoId: 'b', views: 2, previousRank: 1 },
    ]);
    previous = undefined;
    h.beforeApplicationShutdown();
  });
});

describe('sseEvent', () => {
  it('frames one event, and refuses a field with a line break', () => {
    expect(sseEvent('top-k', '1', '{"a":1}')).toBe('event: top-k\nid: 1\ndata: {"a":1}\n\n');
    expect(() => sseEvent('top-k', '1', '{\n}')).toThrow('single line');
  });
});
