// A plain Server-Sent Events client over node:http, for tests: parses the stream into events and comments as the
// spec does (fields up to a blank line), without any library in between.
import { request, IncomingMessage } from 'node:http';

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  response!: IncomingMessage;
  /** The body of a non-200 answer. */
  body = '';
  private buffer = '';
  private close?: () => void;

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    await new Promise<void>((resolve, reject) => {
      const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (response) => {
        client.response = response;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (response.statusCode === 200 ? client.feed(chunk) : (client.body += chunk)));
        if (response.statusCode === 200) resolve();
        else response.on('end', resolve);
      });
      req.on('error', reject);
      client.close = () => req.destroy();
      req.end();
    });
    return client;
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event: SseEvent = { event: 'message', data: '' };
      let hasData = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        const colon = line.indexOf(':');
        const [field, value] = colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')];
        if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
        else if (field === 'data') {
          event.data += (hasData ? '\n' : '') + value;
          hasData = true;
        }
      }
      if (hasData) this.events.push(event);
    }
  }

  /** The data of the events so far, parsed. */
  lists(): { headers: Record<string, string>; body: unknown[] }[] {
    return this.events.filter((e) => e.event === 'top-k').map((e) => JSON.parse(e.data));
  }

  destroy(): void {
    this.close?.();
  }
}
