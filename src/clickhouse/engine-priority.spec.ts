import { engineThreads, processThreads } from './engine-priority';

describe('engine thread priority', () => {
  it("picks the engine's threads by name, never the main thread, V8's workers or libuv's pool", () => {
    const threads = [
      { tid: 100, name: 'node' },
      { tid: 101, name: 'node' },
      { tid: 102, name: 'libuv-worker' },
      { tid: 103, name: 'ThreadPool' },
      { tid: 104, name: 'MergeMutate' },
      { tid: 105, name: 'rdk:broker1' },
    ];
    expect(engineThreads(threads, 100)).toEqual([103, 104, 105]);
    // Another executable's name: its V8 workers carry it too.
    const other = [
      { tid: 7, name: 'viewrank-servic' },
      { tid: 8, name: 'viewrank-servic' },
      { tid: 9, name: 'Collector' },
    ];
    expect(engineThreads(other, 7)).toEqual([9]);
  });

  it('lists this process: its main thread among them, by the name Linux gives it', () => {
    if (process.platform !== 'linux') return;
    const main = processThreads().find((t) => t.tid === process.pid);
    expect(main?.name).toBeTruthy();
  });
});
