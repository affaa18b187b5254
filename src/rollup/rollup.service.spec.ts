import { AppConfig } from '../config/app-config';
import { RollupRange, RollupState } from './rollup';
import { RollupRepository } from './rollup.repository';
import { RollupService } from './rollup.service';

/** views_recent and views_rollup in memory: blocks arrive with `arrive`; each apply waits until released. */
class FakeRepository {
  log: RollupState = { intent: 0, done: 0 };
  newest = 0;
  applied: RollupRange[] = [];
  private gate?: () => void;
  held = false;

  hold(): void {
    this.held = true;
  }
  release(): void {
    this.held = false;
    this.gate?.();
  }
  async state() {
    return this.log;
  }
  async newestBlock() {
    return this.newest;
  }
  async intend(range: RollupRange) {
    if (this.log.intent <= range.from) this.log = { ...this.log, intent: range.upto };
  }
  async apply(range: RollupRange) {
    if (this.held) await new Promise<void>((resolve) => (this.gate = resolve));
    this.applied.push(range);
  }
  async recordDone(upto: number) {
    this.log = { ...this.log, done: upto };
  }
  async dropExpired() {
    return [];
  }
}

const config = (cluster?: string) => ({ clickhouse: { cluster }, refreshIntervalMs: 1000 }) as unknown as AppConfig;

describe(RollupService.name, () => {
  it('rolls up, for a caller who came while one ran, what arrived before the call: in a rollup started after it', async () => {
    const repository = new FakeRepository();
    const service = new RollupService(repository as unknown as RollupRepository, config());
    repository.log = { intent: 0, done: 0 };
    repository.newest = 3;
    repository.hold();
    const first = service.run();
    await new Promise((r) => setImmediate(r));
    repository.newest = 5; // blocks 4 and 5 arrive while the first rollup (up to 3) runs
    const second = service.run();
    const third = service.run(); // shares the second
    repository.release();
    expect(await first).toEqual({ from: 0, upto: 3 });
    expect(await second).toEqual({ from: 3, upto: 5 });
    expect(await third).toEqual({ from: 3, upto: 5 });
    expect(repository.applied).toEqual([
      { from: 0, upto: 3 },
      { from: 3, upto: 5 },
    ]);
  });

  it('runs again a rollup cut short, before any new one, and nothing on a cluster', async () => {
    const repository = new FakeRepository();
    repository.log = { intent: 7, done: 4 };
    repository.newest = 9;
    const service = new RollupService(repository as unknown as RollupRepository, config());
    expect(await service.run()).toEqual({ from: 4, upto: 7 });
    expect(await service.run()).toEqual({ from: 7, upto: 9 });
    expect(await service.run()).toBeUndefined();
    const clustered = new FakeRepository();
    clustered.newest = 9;
    expect(await new RollupService(clustered as unknown as RollupRepository, config('c')).run()).toBeUndefined();
    expect(clustered.applied).toEqual([]);
  });
});
