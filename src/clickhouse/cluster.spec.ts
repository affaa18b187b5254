import { loadConfig } from '../config/app-config';
import { viewsTopic } from '../kafka/kafka-topic';
import { clusterProblem } from './cluster';
import { CLUSTER_BASE } from './cluster-ddl';
import { layoutMigrationFiles } from './migrations';
import { namedQuery } from './sql-files';

describe(clusterProblem.name, () => {
  const ok = { macro: 'viewrank', shards: '2', hosts: '4' };

  it('accepts the server of the configured cluster', () => {
    expect(clusterProblem('viewrank', ok)).toBeUndefined();
  });

  it('names what is wrong: no such cluster, or another macro', () => {
    expect(clusterProblem('viewrank', { ...ok, shards: 0, hosts: 0 })).toBe(
      'CLICKHOUSE_CLUSTER=viewrank: the server has no such cluster in remote_servers',
    );
    expect(clusterProblem('viewrank', { ...ok, macro: 'other' })).toBe(
      `CLICKHOUSE_CLUSTER=viewrank: the server's macro cluster is "other", not viewrank`,
    );
  });
});

describe(layoutMigrationFiles.name, () => {
  it("takes clickhouse/cluster/migrations/ on a cluster, whose every statement is ON CLUSTER, and one node's otherwise", () => {
    const single = layoutMigrationFiles(loadConfig({}));
    const cluster = layoutMigrationFiles(loadConfig({ CLICKHOUSE_URL: 'http://clickhouse-01:8123', CLICKHOUSE_CLUSTER: 'viewrank' }));
    expect(single.length).toBeGreaterThanOrEqual(15);
    // 0001, the schema as of CLUSTER_BASE; then each later single-node migration's own, by version and name.
    expect(cluster.map((f) => f.name)).toEqual(['cluster_schema', ...single.filter((f) => f.version > CLUSTER_BASE).map((f) => f.name)]);
    expect(cluster.slice(1).map((f) => f.version)).toEqual(single.filter((f) => f.version > CLUSTER_BASE).map((f) => f.version));
    expect(cluster[0].text).toMatch(/ON CLUSTER '\{cluster\}'/);
    expect(single.some((f) => /ON CLUSTER/.test(f.text))).toBe(false);
  });
});

describe(viewsTopic.name, () => {
  it("leaves copies and min.insync.replicas to the brokers' defaults, and has the broker stamp each message", () => {
    expect(viewsTopic('v', 8)).toEqual({
      topic: 'v',
      numPartitions: 8,
      replicationFactor: -1,
      configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
    });
  });
});

describe('kafka_consumers_cluster.sql', () => {
  const body = (name: string) => namedQuery(name).replace(/^--[^\n]*\n/gm, '');

  it('is kafka_consumers.sql over every node: its two system tables through clusterAllReplicas, nothing else changed', () => {
    const everyNode = body('kafka_consumers').replace(/\bFROM system\.(\w+)/g, 'FROM clusterAllReplicas({cluster:String}, system.$1)');
    expect(everyNode).not.toBe(body('kafka_consumers'));
    expect(body('kafka_consumers_cluster')).toBe(everyNode);
  });
});
