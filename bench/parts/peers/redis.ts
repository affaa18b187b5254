// Redis sorted sets: ZINCRBY per view into one sorted set per tumbling window (hour, day, month, all-time), pipelined;
// ZREVRANGE 0 k-1 WITHSCORES to read. Debian's redis-server, on loopback.
import { spawn } from 'node:child_process';
import Redis from 'ioredis';
import { freePort } from '../../../test/support/service-process';
import { waitForPort } from '../../lib/service';
import { Peer, running, stopChild } from './peer';

const windowKeys = (ts: number) => {
  const iso = new Date(ts).toISOString();
  return [`hour:${iso.slice(0, 13)}`, `day:${iso.slice(0, 10)}`, `month:${iso.slice(0, 7)}`, 'all-time'];
};

export async function startRedis(): Promise<Peer> {
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  running.set(server, () => server.kill('SIGKILL'));
  await waitForPort(port, 'redis-server');
  const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null });
  return {
    name: 'Redis sorted sets',
    concurrency: 4,
    pid: server.pid!,
    async apply(views) {
      const pipeline = redis.pipeline();
      for (const view of views) for (const key of windowKeys(view.ts)) pipeline.zincrby(key, 1, view.id);
      await pipeline.exec();
    },
    async settle() {},
    async top(k) {
      const flat = await redis.zrevrange('all-time', 0, k - 1, 'WITHSCORES');
      return Array.from({ length: flat.length / 2 }, (_, i) => ({ videoId: flat[2 * i], views: Number(flat[2 * i + 1]) }));
    },
    async dataMiB() {
      return Math.round(Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]) / 2 ** 20);
    },
    async stop() {
      redis.disconnect();
      await stopChild(server);
      running.delete(server);
    },
  };
}
