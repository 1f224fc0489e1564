// infra/docker-compose.yml cannot run here (no Docker), so its wiring is checked as data: every
// mounted file exists, and each component points at the service that is really there.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const infra = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const yaml = (p: string) => parse(readFileSync(infra(p), 'utf8'));

interface Service {
  image: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
}
const compose = yaml('docker-compose.yml') as { services: Record<string, Service> };
const services = compose.services;

describe('docker-compose wiring', () => {
  it('has Kafka, PostgreSQL, Prometheus, Alertmanager, Grafana, Tempo, the collector and the platform', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'alertmanager',
        'grafana',
        'kafka',
        'otel-collector',
        'paystream',
        'postgres',
        'prometheus',
        'tempo',
      ].sort(),
    );
  });

  it('mounts only files and folders that exist in the checkout', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0] as string;
        if (!source.startsWith('.')) continue; // a named volume
        expect(existsSync(infra(source)), `${name}: ${source}`).toBe(true);
      }
    }
  });

  it('points each component at the service that serves it', () => {
    const env = services.paystream?.environment ?? {};
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
    expect(env.KAFKA_BROKERS).toBe('kafka:19092');
    expect(env.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(env.ALERTMANAGER_URL).toBe('http://alertmanager:9093');

    const prom = yaml('prometheus/prometheus.yml');
    const job = prom.scrape_configs.find((j: { job_name: string }) => j.job_name === 'paystream');
    // The job name is the one the PaystreamGatewayDown rule watches.
    expect(readFileSync(infra('prometheus/rules/paystream.rules.yml'), 'utf8')).toContain(
      'up{job="paystream"}',
    );
    expect(job.static_configs[0].targets).toEqual(['paystream:8080']);
    expect(prom.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
    expect(services.prometheus?.command).toContain('--enable-feature=exemplar-storage');

    const collector = yaml('otel-collector/config.yaml');
    expect(collector.exporters['otlp/tempo'].endpoint).toBe('tempo:4317');
    expect(collector.service.pipelines.traces.exporters).toEqual(['otlp/tempo']);

    const datasources = yaml('grafana/provisioning/datasources/paystream.yml').datasources as {
      uid: string;
      url: string;
      jsonData?: { exemplarTraceIdDestinations?: { name: string; datasourceUid: string }[] };
    }[];
    const byUid = Object.fromEntries(datasources.map((d) => [d.uid, d]));
    expect(byUid.prometheus?.url).toBe('http://prometheus:9090');
    expect(byUid.tempo?.url).toBe('http://tempo:3200');
    expect(byUid.alertmanager?.url).toBe('http://alertmanager:9093');
    // One click from a latency exemplar to its trace: the exemplar label the gateway writes.
    expect(byUid.prometheus?.jsonData?.exemplarTraceIdDestinations).toEqual([
      { name: 'trace_id', datasourceUid: 'tempo' },
    ]);
    const dashboards = yaml('grafana/provisioning/dashboards/paystream.yml');
    const mounted = services.grafana?.volumes?.find((v) => v.startsWith('./grafana/dashboards'));
    expect(mounted?.split(':')[1]).toBe(dashboards.providers[0].options.path);
  });
});
