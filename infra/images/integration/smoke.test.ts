// The fleet run from the images (podman, read-only roots, a non-root user, host networking) on
// PostgreSQL and a Kafka broker of its own: a payment's whole life through the round-robin proxy,
// and a gateway container stopped with SIGTERM under load, which must drain: every request
// answered without a 5xx, every order it accepted recorded, paid and booked.
//
// The broker is the suite's own (IMAGES_KAFKA_PORT, default 19192; its controller on +10): the
// gateways publish to payments.events.v1, which the broker of `make test` shares with suites that
// read it from the beginning.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  type Fleet,
  type FleetMember,
  fleetImages,
  IMAGE_DATA_DIR,
  type KafkaCluster,
  startFleet,
  startKafkaCluster,
} from '@paystream/fleet';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IMAGE_UID, imageSpecs } from '../src/images.js';

const run = promisify(execFile);
const podman = async (...args: string[]) => (await run('podman', args)).stdout.trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KAFKA_PORT = Number(process.env.IMAGES_KAFKA_PORT ?? 19192);
// Every create waits this long for the aggregator, so a SIGTERM always finds creates in flight.
const SANDBOX_LATENCY_MS = 150;

async function waitUntil(what: string, done: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(200);
  }
}

describe('the fleet from the images', () => {
  const tag = inject('imageTag');
  const revision = inject('imageRevision');
  let cluster: KafkaCluster;
  let fleet: Fleet;

  beforeAll(async () => {
    cluster = await startKafkaCluster({ name: 'images', basePort: KAFKA_PORT, nodes: 1, heap: '256m' });
    fleet = await startFleet({
      database: 'postgres',
      databasePrefix: 'paystream_images',
      gateways: 2,
      pluginHosts: 1,
      kafkaBrokers: cluster.brokers,
      images: fleetImages(tag),
      upstreamTimeoutMs: 5_000,
      sweepIntervalMs: 1_000,
      sandboxLatencyMs: SANDBOX_LATENCY_MS,
      // Both gateways migrate at once, one waiting on the other's lock: a slow start, not a failure.
      startAttempts: 2,
    });
  });
  afterAll(async () => {
    await fleet?.close();
    await cluster?.destroy();
  });

  /** One API call through the proxy, as a caller makes it. */
  async function call(method: string, path: string, body?: unknown, key?: string) {
    const res = await fetch(`${fleet.proxy.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${fleet.apiKey}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field.
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: the text says what went wrong.
    }
    return { status: res.status, body: parsed };
  }

  async function journal(no: string): Promise<{ eventType: string }[]> {
    const host = fleet.hosts[0]!;
    const res = await fetch(`${host.url}/plugins/accounting/journal?outTradeNo=${encodeURIComponent(no)}`, {
      headers: { authorization: `Bearer ${fleet.apiKey}` },
    });
    if (res.status !== 200) return [];
    return ((await res.json()) as { entries: { eventType: string }[] }).entries;
  }

  const create = (no: string, key?: string) =>
    call(
      'POST',
      '/v1/payments',
      { outTradeNo: no, amount: '10.00', currency: 'HKD', wallet: 'WECHATHK' },
      key,
    );

  const containers = (): string[] =>
    [fleet.sandbox.process, ...[...fleet.gateways, ...fleet.hosts].map((m: FleetMember) => m.process)].map(
      (p) => p.containerName ?? '',
    );

  it('runs every member as a container of the images, non-root, on a read-only root filesystem', async () => {
    const all = containers();
    expect(all.every((c) => c.startsWith('paystream-fleet-'))).toBe(true);
    for (const container of all) {
      const [user, readOnly, image] = (
        await podman(
          'inspect',
          '--format',
          '{{.Config.User}}|{{.HostConfig.ReadonlyRootfs}}|{{.ImageName}}',
          container,
        )
      ).split('|');
      expect(user).toBe(`${IMAGE_UID}:${IMAGE_UID}`);
      expect(readOnly).toBe('true');
      expect(image).toMatch(new RegExp(`^localhost/paystream/(gateway|plugin-host|sandbox):${tag}$`));
      // What the service itself sees: its uid, and the root refusing a write (also where it runs).
      const seen = JSON.parse(
        await podman(
          'exec',
          container,
          'node',
          '-e',
          `const fs = require('node:fs');
           const tryWrite = (p) => { try { fs.writeFileSync(p, 'x'); return 'written'; } catch (e) { return e.code; } };
           console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(),
             root: tryWrite('/x'), app: tryWrite('/app/x'), tmp: tryWrite('/tmp/x') }));`,
        ),
      ) as { uid: number; gid: number; root: string; app: string; tmp: string };
      expect(seen).toEqual({ uid: IMAGE_UID, gid: IMAGE_UID, root: 'EROFS', app: 'EROFS', tmp: 'written' });
    }
    // The plugin host keeps its plugins' files in the one writable folder it was given.
    const host = fleet.hosts[0]!.process.containerName!;
    expect(
      await podman('exec', host, 'node', '-e', `require('node:fs').accessSync('${IMAGE_DATA_DIR}', 2)`),
    ).toBe('');
  });

  it('carries the OCI labels and annotations: version, revision, source', async () => {
    for (const spec of imageSpecs()) {
      for (const reference of [
        `localhost/paystream/${spec.name}:${tag}`,
        `localhost/paystream/${spec.name}:containerfile`,
      ]) {
        const labels = JSON.parse(
          await podman('image', 'inspect', '--format', '{{json .Labels}}', reference),
        );
        expect(labels['org.opencontainers.image.version'], reference).toMatch(/^\d+\.\d+\.\d+/);
        expect(labels['org.opencontainers.image.revision'], reference).toBe(revision);
        expect(labels['org.opencontainers.image.source'], reference).not.toBe('');
        expect(labels['org.opencontainers.image.title'], reference).toBe(spec.title);
      }
      const annotations = JSON.parse(
        await podman(
          'image',
          'inspect',
          '--format',
          '{{json .Annotations}}',
          `localhost/paystream/${spec.name}:${tag}`,
        ),
      );
      expect(annotations['org.opencontainers.image.revision']).toBe(revision);
    }
  });

  it('builds the same image from each Containerfile (user, entrypoint, environment, working directory)', async () => {
    const config = async (reference: string) =>
      JSON.parse(
        await podman(
          'image',
          'inspect',
          '--format',
          '{{json .Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.WorkingDir}}|{{json .Config.Env}}|{{json .Config.ExposedPorts}}|{{json .Config.Volumes}}|{{json .Config.StopSignal}}'.replaceAll(
            '|',
            ',',
          ),
          reference,
        ).then((s) => `[${s}]`),
      );
    for (const spec of imageSpecs()) {
      const built = await config(`localhost/paystream/${spec.name}:${tag}`);
      expect(await config(`localhost/paystream/${spec.name}:containerfile`), spec.name).toEqual(built);
    }
    // And it runs: the sandbox from its Containerfile answers on its port (bridge networking).
    const name = `paystream-images-sandbox-cf-${process.pid}`;
    const nofile = (await run('sh', ['-c', 'ulimit -Hn'])).stdout.trim();
    await podman(
      'run',
      '--detach',
      '--rm',
      '--name',
      name,
      '--runtime',
      'runc',
      '--read-only',
      '--ulimit',
      `nofile=${nofile}:${nofile}`,
      '--ulimit',
      'nproc=32768:32768',
      '--publish',
      '127.0.0.1::8081',
      'localhost/paystream/sandbox:containerfile',
    );
    try {
      const port = (await podman('port', name, '8081')).split(':').at(-1);
      await waitUntil('the sandbox answers', async () =>
        fetch(`http://127.0.0.1:${port}/__sandbox/faults`).then(
          (r) => r.status === 200,
          () => false,
        ),
      );
    } finally {
      await podman('stop', '--time', '5', name).catch(() => undefined);
    }
  });

  it('creates, pays, refunds and reads the ledger through the fleet', async () => {
    const no = fleet.orderNo('life');
    const created = await create(no, `create-${no}`);
    expect([created.status, created.body.status]).toEqual([201, 'pending']);
    const paid = await fleet.controls.pay(no);
    expect(paid.body.notify?.status).toBe(200);
    await waitUntil(
      'the payment reads as paid',
      async () => (await call('GET', `/v1/payments/${no}`)).body.status === 'paid',
    );
    const refund = await call(
      'POST',
      `/v1/payments/${no}/refunds`,
      { refundNo: 'r1', amount: '4.00' },
      `refund-${no}`,
    );
    expect([refund.status, refund.body.status, refund.body.refundedAmount]).toEqual([
      201,
      'succeeded',
      '4.00',
    ]);
    await waitUntil(
      'the ledger books the payment and the refund',
      async () => (await journal(no)).length >= 2,
    );
    const types = (await journal(no)).map((e) => e.eventType);
    expect(types).toContain('payment.succeeded');
    expect(types.some((t) => t.startsWith('refund.'))).toBe(true);
  });

  it('drains a gateway container stopped with SIGTERM under load: nothing lost, no 5xx', async () => {
    const gateway = fleet.gateways[0]!;
    const answers: { no: string; status: number; error?: string }[] = [];
    let loadUntil = Date.now() + 60_000;
    let n = 0;
    const worker = async () => {
      while (Date.now() < loadUntil) {
        const no = fleet.orderNo(`drain-${n++}`);
        try {
          const a = await create(no, `drain-${no}`);
          answers.push({ no, status: a.status });
        } catch (err) {
          answers.push({ no, status: 0, error: (err as Error).message });
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    // Load reaches both gateways before the stop, and goes on well after it.
    const before = fleet.proxy.counts().requests[0] ?? 0;
    await waitUntil(
      'the load reaches gateway-0',
      async () => (fleet.proxy.counts().requests[0] ?? 0) > before + 20,
    );
    await fleet.stop(gateway);
    loadUntil = Date.now() + 2_000;
    await Promise.all(workers);

    const exit = fleet.exits().find((e) => e.member === gateway.name);
    // Exited by itself, drained (0), not killed by the fleet after its grace (137).
    expect(exit?.code).toBe(0);
    expect(answers.filter((a) => a.status !== 201)).toEqual([]);
    expect(answers.length).toBeGreaterThan(40);
    expect(fleet.proxy.counts().failed).toBe(0);

    // Nothing lost: every order answered is recorded, and once paid reaches the ledger.
    const nos = answers.map((a) => a.no);
    const rows = await Promise.all(nos.map((no) => fleet.records.order(no)));
    expect(nos.filter((_, i) => rows[i]?.status !== 'pending')).toEqual([]);
    for (let i = 0; i < nos.length; i += 20) {
      const paid = await Promise.all(nos.slice(i, i + 20).map((no) => fleet.controls.pay(no)));
      expect(paid.map((p) => p.body.notify?.status)).toEqual(paid.map(() => 200));
    }
    await waitUntil(
      'every order is booked in the ledger',
      async () => {
        const booked = await Promise.all(nos.map(async (no) => (await journal(no)).length > 0));
        return booked.every(Boolean);
      },
      90_000,
    );

    // Back in rotation on the same port.
    await fleet.start(gateway);
    expect((await create(fleet.orderNo('after-drain'))).status).toBe(201);
  });
});
