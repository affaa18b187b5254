// Every window's list of a running service, once ingestion settled, against a recount of what is on the topic: the
// comparison of the fault and guarantee-switch tests.
import { closingInstant, minuteStart } from '../../src/top-k/last-hour';
import { waitFor } from './app';
import { readTopic, TopicMessage, viewsIn } from './kafka';
import { ServiceProcess, TopKResponse } from './service-process';

export const WINDOWS = ['hour', 'day', 'month', 'all-time', 'last-hour'] as const;

type Listed = { videoId: string; views: number }[];

export interface WindowFigures {
  /** Views in the window on the topic (the recount). */
  onTopic: number;
  counted: number;
  /** Views of the recount missing from the list. */
  lost: number;
  /** Views in the list beyond the recount. */
  countedTwice: number;
}

/**
 * Every window's list (k = 1000) once the last minute views were sent in has closed for last-hour and no list moves
 * any more. Call it after the consumer group caught up with everything produced.
 */
export async function settledLists(running: ServiceProcess, lateToleranceMs: number, lastSent = Date.now()): Promise<TopKResponse[]> {
  await waitFor(
    'the last minute of the run to close',
    async () => Date.now() > closingInstant(minuteStart(lastSent), lateToleranceMs) + 2000,
    3 * 60_000,
    1000,
  );
  const read = async () => Promise.all(WINDOWS.map((window) => running.topK(window, 1000)));
  let previous = '';
  let lists = await read();
  await waitFor(
    'the lists to settle',
    async () => {
      lists = await read();
      const totals = lists.map((r) => (r.status === 200 ? total(r.body as Listed) : -1)).join(',');
      const settled = totals === previous && !totals.includes('-1');
      previous = totals;
      return settled;
    },
    120_000,
    3000,
  );
  return lists;
}

export function total(list: Listed): number {
  return list.reduce((sum, v) => sum + v.views, 0);
}

/**
 * Each window's list against the recount of the topic's views in that window's interval (the X-Window-* headers;
 * last-hour: only views whose message reached Kafka by the end of their minute plus the late tolerance).
 */
export function compareWindows(lists: TopKResponse[], messages: TopicMessage[], lateToleranceMs: number): Record<string, WindowFigures> {
  const views = viewsIn(messages);
  const figures: Record<string, WindowFigures> = {};
  WINDOWS.forEach((window, i) => {
    const list = lists[i].body as Listed;
    if (list.length >= 1000) throw new Error(`${window}: the list is cut at k = 1000; the recount needs every video`);
    const start = lists[i].headers['x-window-start'] ? Date.parse(lists[i].headers['x-window-start']) : -Infinity;
    const end = lists[i].headers['x-window-end'] ? Date.parse(lists[i].headers['x-window-end']) : Infinity;
    const expected = new Map<string, number>();
    for (const v of views) {
      if (v.t < start || v.t >= end) continue;
      if (window === 'last-hour' && v.appendedAt > closingInstant(minuteStart(v.t), lateToleranceMs)) continue;
      expected.set(v.videoId, (expected.get(v.videoId) ?? 0) + 1);
    }
    figures[window] = compare(new Map(list.map((v) => [v.videoId, v.views])), expected);
  });
  return figures;
}

function compare(counted: Map<string, number>, expected: Map<string, number>): WindowFigures {
  let lost = 0;
  let countedTwice = 0;
  for (const id of new Set([...counted.keys(), ...expected.keys()])) {
    const difference = (counted.get(id) ?? 0) - (expected.get(id) ?? 0);
    if (difference > 0) countedTwice += difference;
    else lost -= difference;
  }
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return { onTopic: sum(expected), counted: sum(counted), lost, countedTwice };
}

/**
 * The check of the fault-style tests: once `running` has consumed everything, every window's settled list against
 * the recount of `topic`, printed under `label`; none may lose a view or count one twice. Returns the figures.
 */
export async function expectEveryWindowExact(
  running: ServiceProcess,
  brokers: string,
  topic: string,
  lateToleranceMs: number,
  label: string,
): Promise<Record<string, WindowFigures>> {
  await running.consumedEverything();
  const lists = await settledLists(running, lateToleranceMs);
  const figures = compareWindows(lists, await readTopic(brokers, topic), lateToleranceMs);
  console.log(`${label}; ${JSON.stringify(figures)}`);
  for (const window of WINDOWS) {
    expect({ window, lost: figures[window].lost, countedTwice: figures[window].countedTwice }).toEqual({
      window,
      lost: 0,
      countedTwice: 0,
    });
  }
  return figures;
}
