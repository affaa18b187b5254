// Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html), for the lists pushed
// by GET /views/top-k/stream. Pure.

/**
 * One event: `data` is one line of JSON (JSON never holds a raw line break, so one data field carries it whole).
 * `id` lets a client see which list it holds.
 */
export function sseEvent(event: string, id: string, data: string): string {
  if (/[\r\n]/.test(data) || /[\r\n]/.test(event) || /[\r\n]/.test(id)) throw new Error('an SSE field must be a single line');
  return `event: ${event}\nid: ${id}\ndata: ${data}\n\n`;
}

/** A comment line, which clients ignore: keeps an idle connection (and every proxy on the way) open. */
export const SSE_HEARTBEAT = ': heartbeat\n\n';

/** The data of a list event: the GET's window headers and body, as {"headers":{…},"body":[…]}. */
export function listEventData(headers: Record<string, string>, bodyText: string): string {
  return `{"headers":${JSON.stringify(headers)},"body":${bodyText}}`;
}
