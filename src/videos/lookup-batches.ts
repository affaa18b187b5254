// Keys looked up in batches, as a data loader does: the embedded engine runs parameterized queries one at a time, and
// a lookup of many keys costs about what a lookup of one does (a granule a table each), so the keys asked for while a
// lookup runs wait for the next one, which takes them all.

interface Waiting<V> {
  promise: Promise<V>;
  resolve(value: V): void;
  reject(reason: unknown): void;
}

function waiting<V>(): Waiting<V> {
  let resolve!: (value: V) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<V>((res, rej) => ([resolve, reject] = [res, rej]));
  return { promise, resolve, reject };
}

/**
 * One lookup at a time: a key asked for while none runs is looked up at once, alone; keys asked for meanwhile (each
 * once, however often) go together into the next lookup, at most `maxBatch` of them. A failed lookup fails its keys only.
 */
export class LookupBatches<K, V> {
  private readonly waiting = new Map<K, Waiting<V>>();
  private running = false;

  constructor(
    private readonly lookUp: (keys: K[]) => Promise<Map<K, V>>,
    private readonly maxBatch: number,
  ) {}

  get(key: K): Promise<V> {
    let entry = this.waiting.get(key);
    if (!entry) {
      entry = waiting<V>();
      this.waiting.set(key, entry);
    }
    this.next();
    return entry.promise;
  }

  private next(): void {
    if (this.running || this.waiting.size === 0) return;
    this.running = true;
    const batch = [...this.waiting].slice(0, this.maxBatch);
    for (const [key] of batch) this.waiting.delete(key);
    this.lookUp(batch.map(([key]) => key))
      .then(
        (values) => {
          for (const [key, entry] of batch)
            if (values.has(key)) entry.resolve(values.get(key)!);
            else entry.reject(new Error(`the lookup returned nothing for ${String(key)}`));
        },
        (error: unknown) => batch.forEach(([, entry]) => entry.reject(error)),
      )
      .finally(() => {
        this.running = false;
        this.next();
      });
  }
}
