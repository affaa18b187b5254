// One instance at a time changes the schema: a lock on the database, so that instances starting together against one
// ClickHouse server never both run the same migration or both recreate the Kafka engine table.
import { hostname } from 'node:os';
import { SqlRunner } from './sql-runner';
import { namedQuery } from './sql-files';
import { sql } from './sql-query';

const TAKE = sql('schema_lock_take', {});
const BEAT = sql('schema_lock_beat', { holder: 'String' });
const STATE = sql('schema_lock_state', {}).rows<{
  holder: string;
  last_beat: number | string | null;
  created: number | string;
  now: number | string;
}>();
const RELEASE = sql('schema_lock_release', {});
// On a cluster (CLICKHOUSE_CLUSTER): the same lock, on every node through the distributed DDL queue.
const TAKE_CLUSTER = sql('schema_lock_take_cluster', {});
const RELEASE_CLUSTER = sql('schema_lock_release_cluster', {});

export interface SchemaLockOptions {
  /** A lock whose holder has not renewed it for this long is taken to be left by a dead holder, and broken. */
  leaseMs: number;
  /** How often the holder renews it. */
  heartbeatMs: number;
  /** How often a waiting instance tries again. */
  pollMs: number;
  /** How long to wait for a live holder before giving up. */
  waitMs: number;
  /** Told when the lock is held by another, and when a dead holder's lock is broken. */
  onWait?: (message: string) => void;
  /** The lock of a cluster (CLICKHOUSE_CLUSTER), on every node, rather than of one server. */
  onCluster?: boolean;
}

export const SCHEMA_LOCK_DEFAULTS: SchemaLockOptions = { leaseMs: 60_000, heartbeatMs: 10_000, pollMs: 250, waitMs: 600_000 };

/** This process, as a lock holder: host, process id and a random part, so that a restarted process is another. */
export function lockHolder(): string {
  return `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Whether a lock is left by a dead holder: its newest heartbeat (or, with none yet, the table's creation) is older than
 * the lease, both by ClickHouse's own clock. Pure.
 */
export function isStale(lastBeatMs: number | undefined, createdMs: number, serverNowMs: number, leaseMs: number): boolean {
  return serverNowMs - (lastBeatMs ?? createdMs) > leaseMs;
}

const TABLE_ALREADY_EXISTS = /\b(57|TABLE_ALREADY_EXISTS)\b|already exists/;

/**
 * Runs `work` holding the schema lock of `database` (which exists): the table `<db>.schema_lock`, created without IF NOT EXISTS (one
 * CREATE of a name succeeds on a server, every other fails with TABLE_ALREADY_EXISTS) and dropped when the work ends.
 * The holder writes a heartbeat row into it while it works; a lock whose heartbeat is older than the lease is broken.
 * ClickHouse has no advisory lock. On a cluster the table is created ON CLUSTER: Keeper's DDL queue orders the
 * CREATEs, so the same rule holds for the whole cluster.
 */
export async function withSchemaLock<T>(
  db: SqlRunner,
  database: string,
  work: () => Promise<T>,
  options: Partial<SchemaLockOptions> = {},
): Promise<T> {
  const { leaseMs, heartbeatMs, pollMs, waitMs, onWait, onCluster } = { ...SCHEMA_LOCK_DEFAULTS, ...options };
  const take = namedQuery((onCluster ? TAKE_CLUSTER : TAKE).name);
  const release = namedQuery((onCluster ? RELEASE_CLUSTER : RELEASE).name);
  const holder = lockHolder();
  const since = Date.now();
  for (let announced = false; ;) {
    try {
      await db.command(take, { db: database });
      break;
    } catch (error) {
      if (!TABLE_ALREADY_EXISTS.test((error as Error).message)) throw error;
    }
    const current = await lockState(db, database);
    if (current && isStale(current.lastBeatMs, current.createdMs, current.nowMs, leaseMs)) {
      onWait?.(
        `schema lock of ${database} held by ${current.holder || 'a holder that never wrote'} with no heartbeat for ${leaseMs} ms: broken`,
      );
      await db.command(release, { db: database });
      continue;
    }
    if (Date.now() - since > waitMs) throw new Error(`schema lock of ${database} still held by ${current?.holder} after ${waitMs} ms`);
    if (!announced && current) onWait?.(`waiting for the schema lock of ${database}, held by ${current.holder || 'an instance starting'}`);
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const beat = () => db.command(namedQuery(BEAT.name), { db: database, holder });
  await beat();
  const heartbeat = setInterval(() => void beat().catch(() => undefined), heartbeatMs);
  heartbeat.unref();
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    await db.command(release, { db: database });
  }
}

interface LockState {
  holder: string;
  lastBeatMs?: number;
  createdMs: number;
  nowMs: number;
}

/** The lock as it stands, or undefined once it is gone (released in between). */
async function lockState(db: SqlRunner, database: string): Promise<LockState | undefined> {
  const rows = await db.select<NonNullable<typeof STATE.rowType>>(namedQuery(STATE.name), { db: database }).catch((error: Error) => {
    // Released between the failed CREATE and this read. @clickhouse/client puts the code and its name on the error
    // (code '60', type UNKNOWN_TABLE), not always in the message ("Unknown table expression identifier …").
    const { code, type } = error as Error & { code?: string; type?: string };
    if (code === '60' || type === 'UNKNOWN_TABLE' || /\b(60|UNKNOWN_TABLE)\b/.test(error.message)) return [];
    throw error;
  });
  const row = rows[0];
  if (!row) return undefined;
  return {
    holder: row.holder,
    lastBeatMs: row.last_beat === null ? undefined : Number(row.last_beat),
    createdMs: Number(row.created),
    nowMs: Number(row.now),
  };
}
