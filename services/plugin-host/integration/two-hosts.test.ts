// Two standalone plugin hosts (real processes: `node dist/main.js`) run the ledger on ONE fresh
// PostgreSQL database and one Kafka broker, sharing the accounting group's partitions. Both relays
// see the same plugin outbox, yet every journal entry reaches ledger.entries.v1 exactly once; no
// sequence gap is reported although the ledger does not subscribe to refund.failed, which takes a
// sequence number between payment.succeeded and refund.succeeded. Then one host is SIGKILLed while
// orders still arrive: the other takes its partitions over and books the rest, nothing lost and
// nothing booked twice; the topic holds every entry, a re-send of the batch the dead relay had in
// flight at most.
//
// The hosts read and write topics of this run's own (PLUGIN_HOST_EVENTS_TOPIC and _LEDGER_TOPIC):
// the real ones are read from their start by other suites.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createKafkaBus } from '@paystream/bus';
import { kafkaTestBrokers, uniqueTopic } from '@paystream/bus/testing';
import { openDatabase, sql } from '@paystream/db';
import { createPostgresTestDatabase } from '@paystream/db/testing';
import { readLedgerKafkaMessage } from '@paystream/events';
import { freePort, orderEvents, runId, waitFor } from '@paystream/plugin-testing';
import { expect, it } from 'vitest';

const here = import.meta.dirname;
const accountingPlugin = resolve(here, '../../../plugins/accounting/dist/index.js');

interface HostProcess {
  name: string;
  child: ChildProcess;
  url: string;
  output(): string;
}

function startHost(name: string, port: number, env: Record<string, string>): HostProcess {
  const child = spawn(process.execPath, [resolve(here, '../dist/main.js')], {
    env: { ...process.env, ...env, PLUGIN_HOST_PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return { name, child, url: `http://127.0.0.1:${port}`, output: () => output };
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((res) => child.once('exit', () => res()));

/** The host's `/readyz` answer once it is ready. */
async function readyz(h: HostProcess) {
  const r = await fetch(`${h.url}/readyz`).catch(() => undefined);
  return r?.status === 200
    ? ((await r.json()) as { plugins: { id: string; sequenceGaps: number }[] })
    : undefined;
}

/** Journal entries this host process booked (`paystream_ledger_entries_total`, summed). */
async function bookedBy(h: HostProcess): Promise<number> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('paystream_ledger_entries_total{'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** `orders` orders of the run: a payment each; refunds on some, declined once first on others. */
function ordersOf(prefix: string, orders: number) {
  let entries = 0;
  const events = Array.from({ length: orders }, (_, i) => {
    const refund = i % 2 === 0 || i % 3 === 0;
    entries += refund ? 2 : 1;
    return orderEvents(`${prefix}-${i}`, {
      amountMinor: 100 + i,
      ...(refund ? { refundMinor: 50, refundFailsFirst: i % 4 === 0 } : {}),
    });
  });
  return { events, entries };
}

it('two hosts on one database publish every ledger entry once; a SIGKILLed host loses nothing', async () => {
  if (!existsSync(accountingPlugin))
    throw new Error(`${accountingPlugin} is missing: build the accounting plugin first (make build)`);
  const brokers = kafkaTestBrokers();
  const dir = mkdtempSync(join(tmpdir(), 'paystream-two-hosts-'));
  const config = join(dir, 'plugin-host.json');
  writeFileSync(
    config,
    JSON.stringify({ plugins: [{ package: accountingPlugin, options: { reconcileIntervalMs: 0 } }] }),
  );
  const testDb = await createPostgresTestDatabase('paystream_two_hosts');
  const database = openDatabase({ url: testDb.url });
  const topic = uniqueTopic('two-hosts');
  const ledgerTopic = `${topic}.ledger`;
  const bus = await createKafkaBus({ brokers, topic, clientId: 'two-hosts-test' });
  const env = {
    KAFKA_BROKERS: brokers.join(','),
    PLUGIN_HOST_EVENTS_TOPIC: topic,
    PLUGIN_HOST_LEDGER_TOPIC: ledgerTopic,
    PLUGIN_HOST_CONFIG: config,
    DATABASE_URL: testDb.url,
  };
  const hosts = [startHost('a', await freePort(), env), startHost('b', await freePort(), env)] as const;
  const [a, b] = hosts;
  const outputs = () => hosts.map((h) => `--- host ${h.name}\n${h.output().slice(-4000)}`).join('\n');
  const failWithOutput = (err: unknown) => {
    throw new Error(`${err}\n${outputs()}`);
  };
  const entriesOf = async (prefix: string) => {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from ledger_entries where out_trade_no like ${`${prefix}-%`}`.execute(database.db);
    return Number(rows[0]!.n);
  };
  const outboxPending = async () => {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from paystream_plugin_outbox where sent_at is null`.execute(database.db);
    return Number(rows[0]!.n);
  };
  /** Waits until the ledger booked `entries` of the run and the plugin outbox is sent. */
  const booked = async (prefix: string, entries: number) => {
    await waitFor('the ledger to book every entry', async () => (await entriesOf(prefix)) === entries, {
      timeoutMs: 45_000,
    }).catch(failWithOutput);
    await waitFor('the plugin outbox to be sent', async () => (await outboxPending()) === 0).catch(
      failWithOutput,
    );
  };

  try {
    for (const h of hosts) await waitFor(`host ${h.name} to be ready`, () => readyz(h)).catch(failWithOutput);

    // 1. Both hosts running. Orders arrive in small waves until each host has booked some (the
    // second to join the group gets partitions at the rebalance), then the rest at once.
    const first = `th1-${runId()}`;
    const one = ordersOf(first, 300);
    let sent = 0;
    await waitFor(
      'both hosts to book entries',
      async () => {
        if ((await bookedBy(a)) > 0 && (await bookedBy(b)) > 0) return true;
        if (sent < one.events.length) {
          await bus.publish(one.events.slice(sent, sent + 5).flat());
          sent += 5;
        }
        return false;
      },
      { timeoutMs: 40_000, intervalMs: 300 },
    ).catch(failWithOutput);
    await bus.publish(one.events.slice(sent).flat());
    await booked(first, one.entries);

    // 2. Host b dies (SIGKILL: no shutdown, its transactions die with its connections) while
    // orders are still being published; host a gets its partitions after the session timeout.
    const second = `th2-${runId()}`;
    const two = ordersOf(second, 300);
    const bBefore = await bookedBy(b);
    const publishing = (async () => {
      for (let i = 0; i < two.events.length; i += 10) {
        await bus.publish(two.events.slice(i, i + 10).flat());
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await waitFor('host b to book entries of the second run', async () => (await bookedBy(b)) > bBefore, {
      intervalMs: 10,
    }).catch(failWithOutput);
    b.child.kill('SIGKILL');
    await exited(b.child);
    await publishing;
    await booked(second, two.entries);

    // Every entry id of the journal, and every ledger entry record of the topic.
    const journal = await sql<{ id: string; out_trade_no: string }>`
      select id, out_trade_no from ledger_entries`.execute(database.db);
    const reader = await createKafkaBus({
      brokers,
      topic: ledgerTopic,
      clientId: 'two-hosts-reader',
    });
    const group = `two-hosts-reader-${runId()}`;
    const records: { id: string; subject: string }[] = [];
    try {
      const sub = await reader.subscribe(
        group,
        async (e) => {
          records.push({ id: e.id, subject: e.subject });
        },
        { fromBeginning: true, read: readLedgerKafkaMessage },
      );
      await waitFor('the whole ledger topic to be read', async () => (await reader.lag(group)) === 0);
      await sub.close();
    } finally {
      await reader.close();
    }
    const copies = (prefix: string) => {
      const n = new Map<string, number>();
      for (const r of records) if (r.subject.startsWith(`${prefix}-`)) n.set(r.id, (n.get(r.id) ?? 0) + 1);
      return n;
    };
    const compare = (prefix: string) => {
      const journalIds = journal.rows.filter((r) => r.out_trade_no.startsWith(`${prefix}-`)).map((r) => r.id);
      const onTopic = copies(prefix);
      const inJournal = new Set(journalIds);
      return {
        journal: journalIds.length,
        notOnTopic: journalIds.filter((id) => !onTopic.has(id)).length,
        notInJournal: [...onTopic.keys()].filter((id) => !inJournal.has(id)).length,
        copies: [...onTopic.values()].filter((n) => n > 1),
      };
    };
    const bothRunning = compare(first);
    const afterKill = compare(second);
    const gapLines = hosts.flatMap((h) => h.output().split('\n')).filter((l) => l.includes('sequence gap'));
    const total = one.entries + two.entries;
    expect({
      // The topic holds the journal's entries, no other, and as many records as entries (plus the
      // re-sends checked below).
      whole: {
        journal: journal.rows.length,
        onTopic: new Set(records.map((r) => r.id)).size,
        records: records.length - afterKill.copies.length,
      },
      // Both hosts running: every entry of the journal on the topic exactly once, nothing else.
      bothRunning: { ...bothRunning, copies: bothRunning.copies.length },
      // After the kill: the journal is whole (the database refuses a second booking anyway), every
      // entry is on the topic, and nothing but the journal's.
      afterKill: { ...afterKill, copies: undefined },
      // refund.failed sits between payment.succeeded and refund.succeeded: not a gap.
      sequenceGaps: (await readyz(a))?.plugins[0]?.sequenceGaps,
      gapLines: gapLines.length,
    }).toEqual({
      whole: { journal: total, onTopic: total, records: total },
      bothRunning: { journal: one.entries, notOnTopic: 0, notInJournal: 0, copies: 0 },
      afterKill: { journal: two.entries, notOnTopic: 0, notInJournal: 0, copies: undefined },
      sequenceGaps: 0,
      gapLines: 0,
    });
    // The only copies allowed after the kill: a re-send of what the dead relay had sent and not
    // marked sent yet when it died (one batch of at most 500 rows).
    expect(afterKill.copies.every((n) => n === 2)).toBe(true);
    expect(afterKill.copies.length).toBeLessThanOrEqual(500);
    console.info(
      `two hosts: ${one.entries} + ${two.entries} entries; host b booked ${bBefore} of the first run, ` +
        `${afterKill.copies.length} re-sent after its SIGKILL`,
    );
  } finally {
    // SIGTERM leaves the group at once; SIGKILL if a host does not stop in time.
    for (const h of hosts) h.child.kill('SIGTERM');
    const stopping = setTimeout(() => {
      for (const h of hosts) h.child.kill('SIGKILL');
    }, 10_000);
    await Promise.all(hosts.map((h) => exited(h.child)));
    clearTimeout(stopping);
    await bus.close();
    await database.destroy();
    await testDb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
