import { Writable } from 'node:stream';
import { StartupLogger } from './startup-logger';

describe(StartupLogger.name, () => {
  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    return { lines, stream: stream as unknown as ConstructorParameters<typeof StartupLogger>[1] };
  };

  it('writes JSON lines as they happen, each with its own time, and keeps Nest’s chatter for debug', async () => {
    const { lines, stream } = capture();
    const logger = new StartupLogger('info', stream);
    logger.log('Starting Nest application...', 'NestFactory');
    logger.log('applied 0015_final_lists', 'Migrations');
    await new Promise((resolve) => setTimeout(resolve, 5));
    logger.warn('slow start', 'Bootstrap');
    logger.error('cannot start', 'Error: boom\n    at x', 'Bootstrap');
    expect(lines.map((l) => [l.level, l.context, l.msg])).toEqual([
      [30, 'Migrations', 'applied 0015_final_lists'],
      [40, 'Bootstrap', 'slow start'],
      [50, 'Bootstrap', 'cannot start'],
    ]);
    expect(lines[2].stack).toBe('Error: boom\n    at x');
    expect(Date.parse(lines[1].time as string)).toBeGreaterThan(Date.parse(lines[0].time as string));
  });

  it('shows the framework lines at debug', () => {
    const { lines, stream } = capture();
    new StartupLogger('debug', stream).log('AppModule dependencies initialized', 'InstanceLoader');
    expect(lines).toMatchObject([{ level: 20, context: 'InstanceLoader', msg: 'AppModule dependencies initialized' }]);
  });
});
