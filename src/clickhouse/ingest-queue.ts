// The Kafka engine table (views_queue) and its view, created by the service at each start for the configured
// INGEST_GUARANTEE (issue #14), and recreated when the guarantee or a Kafka engine setting changed.
import { AppConfig } from '../config/app-config';
import { migrationParams, retryingLater } from './migrations';
import { SqlRunner } from './sql-runner';
import { SchemaLockOptions, withSchemaLock } from './schema-lock';
import { clusterQueueFile, queueFile } from './sql-files';
import { pendingIntents, zookeeperConnectString } from './keeper-intents';
import { ingestedOffsets } from './ingested-offsets';
import { splitStatements } from './sql-statements';

export type IngestGuarantee = AppConfig['kafka']['guarantee'];

/** Blocks each Kafka-fed table remembers to drop a replay; a replay is at most one block per partition in flight. */
export const DEDUPLICATION_WINDOW = 1000;

/**
 * The queue table's COMMENT in clickhouse/queue/ (and clickhouse/cluster/queue.sql): names the definition of its
 * columns, format settings and view. A queue table with another comment (an older definition) is recreated at start,
 * as when a Kafka engine setting changed.
 */
export const QUEUE_DEFINITION = 'viewrank views_queue 2: typed fields';

/**
 * A queue file's SQL for the topic's format: its fields are Dynamic for JSONEachRow (each typed as the producer sent
 * it) and String for TSV (all text). One of two constants, never input; ClickHouse takes no type as a parameter.
 */
export function queueSql(sql: string, format: AppConfig['kafka']['format']): string {
  return sql.replaceAll('VIEW_FIELD_TYPE', format === 'TSV' ? 'String' : 'Dynamic');
}

/** The queue table as ClickHouse has it now (system.tables), or undefined when there is none. */
export interface CurrentQueue {
  engineFull?: string;
  comment?: string;
  viewExists: boolean;
}

export type QueuePlan =
  | { action: 'keep'; guarantee: IngestGuarantee; keeperPath?: string; postponed?: string }
  | { action: 'view'; guarantee: IngestGuarantee; keeperPath?: string; reason: string }
  | { action: 'create'; guarantee: IngestGuarantee; keeperPath?: string; reason: string; settledInMs?: number };

/** `name = value` pairs of a Kafka engine's SETTINGS clause as system.tables.engine_full shows them. */
export function engineSettings(engineFull: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const match of engineFull.matchAll(/(\w+) = ('(?:[^'\\]|\\.)*'|[^,\s]+)/g)) {
    const value = match[2].startsWith("'") ? match[2].slice(1, -1).replace(/\\(.)/g, '$1') : match[2];
    settings.set(match[1], value);
  }
  return settings;
}

/**
 * The engine settings viewrank configures, as engine_full shows them: a difference means the table is recreated.
 * Exactly once takes KAFKA_FLUSH_INTERVAL_MS as the poll's wait and ends every block after one poll
 * (clickhouse/queue/views_queue_exactly_once.sql says why).
 */
export function configuredSettings(config: AppConfig): Map<string, string> {
  const flush: [string, string][] =
    config.kafka.guarantee === 'exactly-once'
      ? [
          ['kafka_flush_interval_ms', '1'],
          ['kafka_poll_timeout_ms', String(config.kafka.flushIntervalMs)],
        ]
      : [['kafka_flush_interval_ms', String(config.kafka.flushIntervalMs)]];
  return new Map([
    ['kafka_broker_list', config.kafka.clickhouseBrokers],
    ['kafka_topic_list', config.kafka.topic],
    ['kafka_group_name', config.kafka.group],
    ['kafka_num_consumers', String(config.kafka.consumers)],
    ['kafka_max_block_size', String(config.kafka.maxBlockSize)],
    ['kafka_format', config.kafka.format],
    ...flush,
  ]);
}

/**
 * What to do with the queue. Kept when it exists with its view, in the configured guarantee and settings. Otherwise
 * created anew, starting from the consumer group's committed offsets. In exactly-once, the Keeper path of the table
 * it replaces is kept when that table kept its offsets in Keeper too; but dropping that table (its path's last
 * replica) removes the path's nodes, so a block half-written when the service died is not replayed as itself across
 * a replacement (docs/delivery-guarantees.md: change settings after a clean stop). Switching from at-least-once takes
 * a new path (`generation`): one left from an earlier exactly-once period holds offsets older than the group's, and
 * would count that stretch again.
 */
export function planQueue(config: AppConfig, current: CurrentQueue, generation: string): QueuePlan {
  const guarantee = config.kafka.guarantee;
  const settings = current.engineFull === undefined ? undefined : engineSettings(current.engineFull);
  const currentPath = settings?.get('kafka_keeper_path');
  const keeperPath =
    guarantee === 'exactly-once' ? (currentPath ?? `/viewrank/${config.clickhouse.database}/views_queue/${generation}`) : undefined;
  if (settings === undefined) return { action: 'create', guarantee, keeperPath, reason: 'no queue table yet' };
  const currentGuarantee: IngestGuarantee = currentPath === undefined ? 'at-least-once' : 'exactly-once';
  if (currentGuarantee !== guarantee) return { action: 'create', guarantee, keeperPath, reason: `switching from ${currentGuarantee}` };
  const changed = [...configuredSettings(config)].filter(([name, value]) => settings.get(name) !== value).map(([name]) => name);
  if (changed.length > 0) return { action: 'create', guarantee, keeperPath, reason: `changed: ${changed.join(', ')}` };
  if (current.comment !== QUEUE_DEFINITION) return { action: 'create', guarantee, keeperPath, reason: 'its definition changed' };
  // The table as configured: only its view is created, so the table keeps its Keeper offsets and any block's intent.
  if (!current.viewExists) return { action: 'view', guarantee, keeperPath, reason: 'its view is missing' };
  return { action: 'keep', guarantee, keeperPath };
}

/**
 * Called between dropping the old queue table and creating the new one, with the offsets ClickHouse has written per
 * partition: hands the consumer group over (src/kafka/kafka-topic.ts handOverGroup).
 */
export type GroupHandover = (ingested: Map<number, number>) => Promise<void>;

/**
 * Reads the queue's state, and creates or recreates it per planQueue, under the schema lock: of two instances starting
 * together, the second finds the queue the first created. Returns the plan carried out.
 */
export async function ensureQueue(
  db: SqlRunner,
  config: AppConfig,
  handOver: GroupHandover,
  generation = Date.now().toString(36),
  lock: Partial<SchemaLockOptions> = {},
): Promise<QueuePlan> {
  return withSchemaLock(db, config.clickhouse.database, () => planAndCreateQueue(db, config, handOver, generation, lock.onWait), lock);
}

/** The queue table and its view as the node has them (system.tables): none, one or both. */
function queueTables(db: SqlRunner, database: string): Promise<{ name: string; engine_full: string; comment: string }[]> {
  return db.select(
    `SELECT name, engine_full, comment FROM system.tables WHERE database = {db:String} AND name IN ('views_queue', 'views_queue_mv')`,
    { db: database },
  );
}

async function planAndCreateQueue(
  db: SqlRunner,
  config: AppConfig,
  handOver: GroupHandover,
  generation: string,
  onWait?: (message: string) => void,
): Promise<QueuePlan> {
  const params = migrationParams(config);
  const tables = await queueTables(db, config.clickhouse.database);
  const queue = tables.find((t) => t.name === 'views_queue');
  const viewExists = tables.some((t) => t.name === 'views_queue_mv');
  const plan = planQueue(config, { engineFull: queue?.engine_full, comment: queue?.comment, viewExists }, generation);
  if (plan.action === 'keep') return plan;
  const window = plan.guarantee === 'exactly-once' ? DEDUPLICATION_WINDOW : 0;
  const setWindows = async () => {
    for (const statement of splitStatements(queueFile('deduplication_window'))) {
      await retryingLater(() => db.command(statement, { db: params.db, window }));
    }
  };
  const queueParams = { ...params, kafka_keeper_path: plan.keeperPath ?? '', kafka_replica_name: 'viewrank' };
  if (plan.action === 'view') {
    // Tables a migration added since get their window too.
    await setWindows();
    await db.command(queueFile('views_queue_mv'), queueParams);
    return plan;
  }

  // An exactly-once table replays a block half-written when the service died, from the intent in its Keeper path;
  // dropping the table (the path's last replica) wipes that path. So it replays first, then goes.
  const old = queue && engineSettings(queue.engine_full);
  const oldKeeperPath = old?.get('kafka_keeper_path');
  let settledInMs: number | undefined;
  if (old && oldKeeperPath !== undefined) {
    const since = Date.now();
    const topic = old.get('kafka_topic_list') ?? config.kafka.topic;
    const settled = await settleQueue(db, config, { keeperPath: oldKeeperPath, topic }, queueParams, viewExists, onWait);
    settledInMs = Date.now() - since;
    if (!settled) {
      const postponed = `${plan.reason}: not replaced yet, as the table it replaces still holds a block's intent (half-written) after ${SETTLE_TIMEOUT_MS / 1000} s`;
      onWait?.(`views_queue ${postponed}; it keeps reading with its settings until a later start replaces it`);
      return { action: 'keep', guarantee: 'exactly-once', keeperPath: oldKeeperPath, postponed };
    }
  }

  // The view first: the engine finishes the block it is writing, commits its offsets, and reads nothing more.
  await retryingLater(() => db.command('DROP VIEW IF EXISTS {db:Identifier}.views_queue_mv', { db: params.db }));
  await retryingLater(() => db.command('DROP TABLE IF EXISTS {db:Identifier}.views_queue SYNC', { db: params.db }));
  await handOver(await ingestedOffsets(db, config.clickhouse.database));
  await setWindows();
  if (plan.guarantee === 'exactly-once') {
    await db
      .command(queueSql(queueFile('views_queue_exactly_once'), config.kafka.format), queueParams, {
        allow_experimental_kafka_offsets_storage_in_keeper: 1,
      })
      .catch((error: Error) => {
        throw new Error(
          `INGEST_GUARANTEE=exactly-once: cannot create the Kafka engine table with its offsets in Keeper/ZooKeeper ` +
            `(embedded: is ZooKeeper running at ${zookeeperConnectString(config.zookeeper)}? ` +
            `npm run zookeeper:start; server: does it have <zookeeper> or <keeper_server>?): ${error.message}`,
        );
      });
  } else {
    await db.command(queueSql(queueFile('views_queue_at_least_once'), config.kafka.format), queueParams);
  }
  await db.command(queueFile('views_queue_mv'), queueParams);
  return { ...plan, settledInMs };
}

/** How long an old exactly-once queue may take to replay the intents in its Keeper path before it is replaced. */
export const SETTLE_TIMEOUT_MS = 60_000;

/**
 * Lets the exactly-once queue table about to be replaced read until its Keeper path holds no intent (keeper-intents.ts):
 * it replays a block half-written when the service died, which its replacement could not. Its view is created first if
 * a migration dropped it. True when there is nothing left to replay, or nothing can replay it (the view cannot be
 * created, ZooKeeper cannot be read: replaced as before, with a warning); false on timeout.
 */
async function settleQueue(
  db: SqlRunner,
  config: AppConfig,
  old: { keeperPath: string; topic: string },
  queueParams: Record<string, unknown>,
  viewExists: boolean,
  onWait?: (message: string) => void,
): Promise<boolean> {
  const pending = () => pendingIntents(config.zookeeper, old.keeperPath, old.topic);
  let intents: number[];
  try {
    intents = await pending();
  } catch (error) {
    onWait?.(
      `views_queue: cannot read ${old.keeperPath} in ZooKeeper to let the table it replaces replay first (${(error as Error).message})`,
    );
    return true;
  }
  if (intents.length === 0) return true;
  onWait?.(`views_queue: the table it replaces replays partitions ${intents.join(', ')} first (a block half-written before the restart)`);
  if (!viewExists) {
    try {
      await db.command(queueFile('views_queue_mv'), queueParams);
    } catch (error) {
      onWait?.(
        `views_queue: cannot give the table it replaces its view to replay a block first (${(error as Error).message.split('\n')[0]})`,
      );
      return true;
    }
  }
  for (const started = Date.now(); ;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if ((await pending().catch(() => intents)).length === 0) return true;
    if (Date.now() - started > SETTLE_TIMEOUT_MS) return false;
  }
}

/** The Keeper path where a cluster's Kafka engine tables keep their offsets: one for the whole cluster. */
export function clusterKeeperPath(config: AppConfig): string {
  return `/viewrank/${config.clickhouse.database}/views_queue/cluster`;
}

/**
 * On a cluster (CLICKHOUSE_CLUSTER): the Kafka engine table and its view on every node (clickhouse/cluster/queue.sql),
 * created once for the cluster under its schema lock, and kept as they are once there. Exactly once only (the
 * configuration refuses the other guarantee on a cluster). Changing a Kafka engine setting on a cluster is an
 * operator's step (docs/cluster.md): the single-node recreation, with its hand-over of the consumer group, is not
 * carried over.
 */
export async function ensureClusterQueue(db: SqlRunner, config: AppConfig, lock: Partial<SchemaLockOptions> = {}): Promise<QueuePlan> {
  const params = { ...migrationParams(config), kafka_keeper_path: clusterKeeperPath(config) };
  return withSchemaLock(
    db,
    config.clickhouse.database,
    async () => {
      const existing = await queueTables(db, config.clickhouse.database);
      if (existing.length === 2) return { action: 'keep', guarantee: 'exactly-once', keeperPath: params.kafka_keeper_path };
      for (const statement of splitStatements(queueSql(clusterQueueFile(), config.kafka.format))) {
        await retryingLater(() => db.command(statement, params, { allow_experimental_kafka_offsets_storage_in_keeper: 1 }));
      }
      return { action: 'create', guarantee: 'exactly-once', keeperPath: params.kafka_keeper_path, reason: 'on every node of the cluster' };
    },
    { onCluster: true, ...lock },
  );
}
