import { LookupBatches } from './lookup-batches';

describe(LookupBatches.name, () => {
  /** A lookup that records its batches and answers each key with its length, when released (or fails on 'bad'). */
  function recording() {
    const batches: string[][] = [];
    const releases: (() => void)[] = [];
    const lookUp = (keys: string[]) => {
      batches.push(keys);
      return new Promise<Map<string, number>>((resolve, reject) =>
        releases.push(() => (keys.includes('bad') ? reject(new Error('engine down')) : resolve(new Map(keys.map((k) => [k, k.length]))))),
      );
    };
    const release = async () => {
      releases.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    };
    return { batches, lookUp, release };
  }

  it('looks the first key up at once, alone, and the keys asked for meanwhile together next, each once', async () => {
    const { batches, lookUp, release } = recording();
    const sut = new LookupBatches(lookUp, 10);
    const first = sut.get('a');
    expect(batches).toEqual([['a']]);
    const rest = [sut.get('bb'), sut.get('ccc'), sut.get('bb')];
    expect(batches).toHaveLength(1);
    await release();
    expect(await first).toBe(1);
    expect(batches).toEqual([['a'], ['bb', 'ccc']]);
    await release();
    expect(await Promise.all(rest)).toEqual([2, 3, 2]);
  });

  it('takes at most maxBatch keys a lookup', async () => {
    const { batches, lookUp, release } = recording();
    const sut = new LookupBatches(lookUp, 2);
    const all = ['a', 'b', 'c', 'd', 'e'].map((k) => sut.get(k));
    await release();
    await release();
    await release();
    expect(await Promise.all(all)).toEqual([1, 1, 1, 1, 1]);
    expect(batches).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('fails the keys of a failed lookup only, and goes on with the next', async () => {
    const { batches, lookUp, release } = recording();
    const sut = new LookupBatches(lookUp, 10);
    const first = sut.get('x');
    const failed = [sut.get('bad'), sut.get('yy')].map((p) => expect(p).rejects.toThrow('engine down'));
    await release();
    expect(await first).toBe(1);
    const later = sut.get('zzz');
    await release();
    await Promise.all(failed);
    const again = sut.get('yy');
    await release();
    expect(await later).toBe(3);
    await release();
    expect(await again).toBe(2);
    expect(batches).toEqual([['x'], ['bad', 'yy'], ['zzz'], ['yy']]);
  });

  it('fails a key the lookup did not answer', async () => {
    const sut = new LookupBatches(async () => new Map<string, number>(), 10);
    await expect(sut.get('a')).rejects.toThrow('the lookup returned nothing for a');
  });
});
