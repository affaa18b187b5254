// Every video id the pipeline accepts survives every path of the top-K refresh unchanged (real embedded ClickHouse):
// arbitrary Unicode ids (control characters, NUL, quotes, backslashes, tabs and newlines, emoji, 256 bytes) are
// counted, looked up by the incremental refresh (the ids travel back to ClickHouse as query parameters) and ranked
// exactly as the full computation and a recount in this process rank them. Bytes that are not UTF-8 never get this
// far: the pipeline dead-letters them (test/dead-letters.int-spec.ts).
import fc from 'fast-check';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { loadConfig } from '../src/config/app-config';
import { videoIdProblem } from '../src/ingest/view-events';
import { topK } from '../src/top-k/ranking';
import { TopKRepository } from '../src/top-k/top-k.repository';
import { insertParsedViews, migratedDatabase, rollUp, topInInterval } from './support/clickhouse';
import type { IncrementalOptions } from '../src/top-k/incremental';
import { WindowRefresher } from '../src/top-k/window-refresher';
import type { GrowingWindow } from '../src/top-k/windows';
import { ALL_TIME, MAX_K } from '../src/top-k/windows';
import { TEST_CHDB_PATH } from './support/app';

const WINDOWS: GrowingWindow[] = ['hour', 'day', 'month', 'all-time'];
const HOUR_MS = 3_600_000;
/** `ms`, or a minute earlier when it is within a minute of its hour's end (every day and month ends on one). */
const clearOfHourEnd = (ms: number) => (HOUR_MS - (ms % HOUR_MS) < 60_000 ? ms - 60_000 : ms);

/** Ids as the pipeline accepts them: any Unicode text of 1 to 256 UTF-8 bytes. */
const idArb = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
    fc.string({
      unit: fc.constantFrom(
        '\0',
        '\\',
        '"',
        "'",
        '\t',
        '\n',
        '\r',
        ' ',
        '{',
        '}',
        '[',
        ']',
        '%',
        '&',
        '=',
        '?',
        '#',
        'é',
        '\u{1F3AC}',
        '\u2028',
      ),
      minLength: 1,
      maxLength: 8,
    }),
    fc.string({ unit: 'binary', minLength: 60, maxLength: 64 }),
  )
  .filter((id) => Buffer.byteLength(id, 'utf8') <= 256 && videoIdProblem(id) === undefined);

describe('video ids through the incremental and full refresh (real ClickHouse)', () => {
  let base: ClickHouseService;
  const baseConfig = loadConfig({ CHDB_PATH: TEST_CHDB_PATH });
  /** No margin (the test writes between refreshes, never during one), no periodic full, a narrow shadow: more to prove. */
  const TUNING: IncrementalOptions = { marginMs: 0, fullEveryMs: 86_400_000, tracked: 1000 };

  beforeAll(() => {
    base = new ClickHouseService(baseConfig);
  });
  afterAll(() => base.onApplicationShutdown());

  it('ranks every accepted id the same way incrementally, in full, and in a recount', async () => {
    let incremental = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(idArb, { minLength: 5, maxLength: 40 }),
        fc.array(fc.array(fc.nat(39), { maxLength: 30 }), { minLength: 3, maxLength: 6 }),
        async (ids, steps) => {
          const { database, config, clickhouse } = await migratedDatabase(base, baseConfig, 'ids');
          const repository = new TopKRepository(clickhouse);
          const refresher = new WindowRefresher(repository, TUNING);
          const counts = new Map<string, number>();
          // Views are stamped `now` and the windows read up to 6 s later: an hour (and so a day or month) ending in
          // between would hold none of them (it failed CI once at 01:00 UTC). So `now` keeps a minute clear of it.
          const now = clearOfHourEnd(Date.now());
          try {
            for (const [s, picks] of [ids.map((_, i) => i), ...steps].entries()) {
              const chosen = picks.map((p) => ids[p % ids.length]);
              if (chosen.length) {
                await insertParsedViews(
                  clickhouse,
                  database,
                  chosen.map((videoId) => ({ videoId, at: new Date(now) })),
                );
                for (const id of chosen) counts.set(id, (counts.get(id) ?? 0) + 1);
              }
              const at = new Date(now + s * 1000);
              await rollUp(clickhouse, config);
              const serverNowMs = await repository.serverNowMs();
              const seen: string[] = [];
              for await (const { window, interval, entries, mode } of refresher.refreshAll(at, serverNowMs)) {
                seen.push(window);
                if (mode === 'incremental') incremental++;
                const full = await topInInterval(clickhouse, interval ?? ALL_TIME, MAX_K);
                expect({ window, step: s, mode, list: entries }).toEqual({ window, step: s, mode, list: full });
                expect({ window, step: s, list: entries }).toEqual({ window, step: s, list: topK(counts, MAX_K) });
              }
              expect(seen).toEqual(WINDOWS);
            }
          } finally {
            await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
          }
        },
      ),
      { numRuns: 25, endOnFailure: true },
    );
    expect(incremental).toBeGreaterThan(100); // the lookups by id really ran
  }, 600_000);
});
