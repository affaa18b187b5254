// docker/: there is no Docker engine on the machines this project is built on, so the files are checked here for
// what can be checked without one: structure, health checks, a non-root runtime, and settings the service knows.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { SETTING_NAMES } from '../src/config/app-config';

const root = join(__dirname, '..');
const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
const compose = parse(readFileSync(join(root, 'docker/docker-compose.yml'), 'utf8'));
// Anchors and merge keys (<<) resolved, as compose resolves them.
const cluster = parse(readFileSync(join(root, 'docker/compose.cluster.yml'), 'utf8'), { merge: true });

/**
 * The compose-spec JSON schema (compose-spec/compose-spec's compose-spec.json) as dclint ships it, compiled by Ajv.
 * Its $schema names draft-07 by a URL Ajv does not carry, and draft-07 is Ajv's own default: so it is left out.
 */
function composeSpecValidator() {
  const { $schema: _, ...schema } = JSON.parse(readFileSync(join(root, 'node_modules/dclint/schemas/compose.schema.json'), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('the compose files, against the compose-spec schema', () => {
  const validate = composeSpecValidator();

  it.each(['docker-compose.yml', 'compose.cluster.yml'])('docker/%s is valid', (file) => {
    const document = parse(readFileSync(join(root, 'docker', file), 'utf8'), { merge: true });
    validate(document);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('refuses what the specification does not allow (so a pass means something)', () => {
    const broken = structuredClone(cluster);
    broken.services['keeper-1'].healthcheck.interval = 5;
    broken.services['viewrank-1'].restart_policy = 'always';
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/services/keeper-1/healthcheck/interval', '/services/viewrank-1']),
    );
  });
});

describe('docker/compose.cluster.yml', () => {
  interface Service {
    image?: string;
    hostname?: string;
    environment: Record<string, string>;
    volumes?: string[];
    depends_on?: Record<string, { condition: string }>;
    healthcheck?: { test?: unknown };
  }
  const services = cluster.services as Record<string, Service>;
  const named = (prefix: string) => Object.keys(services).filter((n) => n.startsWith(prefix));
  const clickhouseXml = readFileSync(join(root, 'docker/cluster/clickhouse.xml'), 'utf8');
  const keeperXml = readFileSync(join(root, 'docker/cluster/keeper.xml'), 'utf8');

  it('runs 3 Keeper nodes, 2 shards x 2 replicas of ClickHouse, 3 Kafka brokers and 2 viewrank instances, each with a health check', () => {
    expect([named('keeper-'), named('clickhouse-'), named('kafka-'), named('viewrank-')].map((n) => n.length)).toEqual([3, 4, 3, 2]);
    for (const [name, service] of Object.entries(services))
      expect({ name, test: Array.isArray(service.healthcheck?.test) }).toEqual({ name, test: true });
    const macros = named('clickhouse-').map((n) => [services[n].environment.CLICKHOUSE_SHARD, services[n].environment.CLICKHOUSE_REPLICA]);
    expect(macros).toEqual([
      ['01', 'clickhouse-01'],
      ['01', 'clickhouse-02'],
      ['02', 'clickhouse-03'],
      ['02', 'clickhouse-04'],
    ]);
  });

  it('names the same servers in remote_servers, shard by shard, and the same Keeper nodes in <zookeeper> and the Raft group', () => {
    const shards = [...clickhouseXml.matchAll(/<shard>([\s\S]*?)<\/shard>/g)].map((m) =>
      [...m[1].matchAll(/<host>([^<]+)<\/host>/g)].map((h) => h[1]),
    );
    expect(shards).toEqual([
      ['clickhouse-01', 'clickhouse-02'],
      ['clickhouse-03', 'clickhouse-04'],
    ]);
    const keepers = named('keeper-').map((n) => services[n].hostname);
    expect([...clickhouseXml.matchAll(/<node><host>([^<]+)<\/host>/g)].map((m) => m[1])).toEqual(keepers);
    expect([...keeperXml.matchAll(/<hostname>([^<]+)<\/hostname>/g)].map((m) => m[1])).toEqual(keepers);
    expect(named('keeper-').map((n) => services[n].environment.KEEPER_SERVER_ID)).toEqual(['1', '2', '3']);
  });

  it('pins the ClickHouse server and Keeper to the release of docker-compose.yml', () => {
    const release = (compose.services.clickhouse.image as string).split(':')[1];
    for (const name of [...named('clickhouse-'), ...named('keeper-')]) expect(services[name].image?.split(':')[1]).toBe(release);
  });

  it('runs the topic at replication factor 3 and min.insync.replicas 2, on a three-controller KRaft quorum', () => {
    for (const name of named('kafka-')) {
      const env = services[name].environment;
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093');
      expect([env.KAFKA_DEFAULT_REPLICATION_FACTOR, env.KAFKA_MIN_INSYNC_REPLICAS, env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR]).toEqual([
        '3',
        '2',
        '3',
      ]);
    }
    expect(new Set(named('kafka-').map((n) => services[n].environment.KAFKA_NODE_ID)).size).toBe(3);
  });

  it('starts each viewrank instance in cluster mode on a server of its own shard, after everything is healthy, with settings it knows', () => {
    const clusterName = /<remote_servers>\s*<(\w+)>/.exec(clickhouseXml)?.[1];
    expect(clickhouseXml).toContain(`<cluster>${clusterName}</cluster>`);
    const urls = named('viewrank-').map((name) => {
      const { environment: env, depends_on } = services[name];
      for (const key of Object.keys(env)) expect({ key, known: SETTING_NAMES.includes(key) }).toEqual({ key, known: true });
      expect(env.CLICKHOUSE_CLUSTER).toBe(clusterName);
      expect(env.INGEST_GUARANTEE).toBe('exactly-once');
      expect(env.CLICKHOUSE_PASSWORD).toMatch(/^\$\{CLICKHOUSE_PASSWORD:\?[^}]+\}$/);
      expect(Object.keys(depends_on ?? {}).sort()).toEqual([...named('clickhouse-'), ...named('kafka-')].sort());
      return env.CLICKHOUSE_URL;
    });
    expect(urls).toEqual(['http://clickhouse-01:8123', 'http://clickhouse-03:8123']);
  });

  it('keeps data in named volumes, and mounts files that exist', () => {
    const volumes = Object.keys(cluster.volumes);
    for (const name of [...named('keeper-'), ...named('clickhouse-'), ...named('kafka-')]) {
      const mounts = services[name].volumes ?? [];
      expect({ name, data: mounts.some((v) => volumes.includes(v.split(':')[0])) }).toEqual({ name, data: true });
      for (const source of mounts.map((v) => v.split(':')[0]).filter((s) => s.startsWith('.')))
        expect({ source, exists: existsSync(join(root, 'docker', source)) }).toEqual({ source, exists: true });
    }
  });
});

describe('docker/Dockerfile', () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1];

  it('builds in one stage and runs from a second, as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/^USER root$/m);
    expect(runtime).toMatch(/^COPY --from=build .*\/app\/dist/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/main.js"\]$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
  });

  it('copies only paths that exist, including what the service reads at run time', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((m) => m[1].split(' '));
    for (const source of sources) expect({ source, exists: existsSync(join(root, source)) }).toEqual({ source, exists: true });
    expect(sources).toEqual(expect.arrayContaining(['clickhouse', 'public', 'package-lock.json']));
  });

  it('sends as build context only what it copies (.dockerignore: everything, but those)', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((m) => m[1].split(' '));
    const rules = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(rules[0]).toBe('*');
    const kept = rules.filter((rule) => rule.startsWith('!')).map((rule) => rule.slice(1).replace(/\/$/, ''));
    expect([...new Set(sources)].sort()).toEqual([...kept].sort());
  });

  it('builds an embedded variant by default and a server variant without the engine', () => {
    expect(dockerfile).toMatch(/^ARG ENGINE=embedded$/m);
    expect(dockerfile).toMatch(/if \[ "\$ENGINE" = server \]; then rm -rf node_modules\/@chdb;/);
  });

  it('runs on a Node version still supported: 22 LTS or later', () => {
    for (const stage of stages) expect(stage).toMatch(/^node:(2[2-9]|[3-9][0-9])\b/);
  });
});

describe('docker/docker-compose.yml', () => {
  /** The parts of a compose service these tests read (parsed YAML, so checked by the assertions, not by types). */
  interface ComposeService {
    image?: string;
    environment: Record<string, string>;
    healthcheck?: { test?: unknown };
    volumes: string[];
    depends_on?: unknown;
    build?: unknown;
    [key: string]: unknown;
  }
  const services = compose.services as Record<string, ComposeService>;

  it('runs Kafka in KRaft mode, a ClickHouse server, the service, Prometheus and Grafana, each with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['clickhouse', 'grafana', 'kafka', 'prometheus', 'viewrank']);
    expect(services.kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services.clickhouse.image).toMatch(/^clickhouse\/clickhouse-server:\d+\.\d+/);
    for (const [name, service] of Object.entries(services))
      expect({ name, test: Array.isArray(service.healthcheck?.test) }).toEqual({ name, test: true });
  });

  it('pins the ClickHouse server to the release the embedded engine runs (what every migration and query is tested on)', () => {
    // In a child process: the engine is loaded there only, not in this test worker.
    const run = spawnSync(process.execPath, ['-e', "process.stdout.write(require('chdb').query('SELECT version()', 'TSV'))"], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const engine = run.stdout.trim().split('.').slice(0, 2).join('.');
    expect(engine).toMatch(/^\d+\.\d+$/);
    expect(services.clickhouse.image).toBe(`clickhouse/clickhouse-server:${engine}`);
  });

  it('publishes no default password: compose refuses to start without CLICKHOUSE_PASSWORD and GRAFANA_ADMIN_PASSWORD', () => {
    for (const name of ['clickhouse', 'viewrank']) {
      expect({ name, password: services[name].environment.CLICKHOUSE_PASSWORD }).toEqual({
        name,
        password: expect.stringMatching(/^\$\{CLICKHOUSE_PASSWORD:\?[^}]+\}$/),
      });
    }
    expect(services.grafana.environment.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?[^}]+\}$/);
  });

  it('has Prometheus scrape the service, and Grafana provision that Prometheus and the dashboard', () => {
    const prometheus = parse(readFileSync(join(root, 'docker/prometheus.yml'), 'utf8'));
    expect(prometheus.scrape_configs).toEqual([
      expect.objectContaining({ metrics_path: '/metrics', static_configs: [{ targets: ['viewrank:3000'] }] }),
    ]);
    const mounted = (service: string, target: string) =>
      services[service].volumes.find((v) => v.split(':')[1] === target)?.split(':')[0] ?? `nothing mounted at ${target}`;
    expect(mounted('prometheus', '/etc/prometheus/prometheus.yml')).toBe('./prometheus.yml');
    const datasources = parse(
      readFileSync(join(root, 'docker', mounted('grafana', '/etc/grafana/provisioning/datasources'), 'prometheus.yml'), 'utf8'),
    );
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    const providers = parse(
      readFileSync(join(root, 'docker', mounted('grafana', '/etc/grafana/provisioning/dashboards'), 'viewrank.yml'), 'utf8'),
    );
    expect(providers.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
    const dashboard = JSON.parse(
      readFileSync(join(root, 'docker', mounted('grafana', '/var/lib/grafana/dashboards'), 'viewrank.json'), 'utf8'),
    );
    // Every panel queries the provisioned data source.
    const panels = dashboard.panels.filter((p: { type: string }) => p.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of panels)
      expect({ title: panel.title, uid: panel.datasource.uid }).toEqual({ title: panel.title, uid: 'prometheus' });
  });

  it('keeps data in named volumes', () => {
    const named = Object.keys(compose.volumes);
    for (const service of ['kafka', 'clickhouse', 'prometheus', 'grafana']) {
      const volumes: string[] = services[service].volumes;
      expect(volumes.some((v) => named.includes(v.split(':')[0]))).toBe(true);
    }
  });

  it('starts the service in server mode, after its dependencies are healthy, with settings it knows', () => {
    const env = services.viewrank.environment as Record<string, string>;
    for (const key of Object.keys(env)) expect({ key, known: SETTING_NAMES.includes(key) }).toEqual({ key, known: true });
    expect(env.CLICKHOUSE_URL).toBe('http://clickhouse:8123');
    expect(env.CLICKHOUSE_KAFKA_BROKERS).toBe('kafka:9092');
    expect(services.viewrank.depends_on).toEqual({ kafka: { condition: 'service_healthy' }, clickhouse: { condition: 'service_healthy' } });
    // The server variant: no embedded engine in the image (the Dockerfile's ENGINE argument).
    expect(services.viewrank.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile', args: { ENGINE: 'server' } });
  });

  it('mounts files that exist', () => {
    for (const volume of ['clickhouse', 'prometheus', 'grafana'].flatMap((name) => services[name].volumes)) {
      const source = volume.split(':')[0];
      if (source.startsWith('.')) expect({ source, exists: existsSync(join(root, 'docker', source)) }).toEqual({ source, exists: true });
    }
  });
});
