import { RollupService } from '../rollup/rollup.service';
import { settleFinal } from './finality';
import { IngestWatermark } from './ingest-watermark';

describe('settleFinal', () => {
  function setup(ingestedThrough: number) {
    const steps: string[] = [];
    const watermark = {
      newestIngested: async ([instant]: number[]) => {
        steps.push(`watermark ${instant}`);
        return ingestedThrough;
      },
    } as unknown as IngestWatermark;
    const rollup = { run: async () => void steps.push('rollup') } as unknown as RollupService;
    return { steps, watermark, rollup };
  }

  it('not final before finalFrom, without asking the watermark', async () => {
    const t = setup(5000);
    expect(await settleFinal(2000, new Date(1999), t.watermark, t.rollup)).toBe(false);
    expect(t.steps).toEqual([]);
  });

  it('not final while ingestion is behind finalFrom, and nothing rolled up', async () => {
    const t = setup(1999);
    expect(await settleFinal(2000, new Date(3000), t.watermark, t.rollup)).toBe(false);
    expect(t.steps).toEqual(['watermark 2000']);
  });

  it('final once ingestion reached finalFrom: rolled up after the watermark was read, if asked', async () => {
    const t = setup(2000);
    expect(await settleFinal(2000, new Date(2000), t.watermark, t.rollup)).toBe(true);
    expect(t.steps).toEqual(['watermark 2000', 'rollup']);
    const minutes = setup(2000);
    expect(await settleFinal(2000, new Date(2000), minutes.watermark)).toBe(true);
    expect(minutes.steps).toEqual(['watermark 2000']);
  });
});
