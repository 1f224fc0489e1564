// SIGKILL the ledger's host process while it books a live stream of payments on Kafka and
// PostgreSQL (in batches, one transaction each): a second process takes the group over, and the
// ledger ends with exactly one entry, one outbox record and one processed mark per event's effect,
// balances equal to the postings, and every order's sequence at its last event. Nothing is lost
// and nothing is doubled.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Ledger, type LedgerSchema } from '@paystream/accounting';
import { createKafkaBus } from '@paystream/bus';
import { kafkaTestBrokers, runId, uniqueTopic, waitFor } from '@paystream/bus/testing';
import { type Kysely, openDatabase, sql } from '@paystream/db';
import { createPostgresTestDatabase } from '@paystream/db/testing';
import { orderEvents } from '@paystream/plugin-testing';
import { expect, it } from 'vitest';

function startHost(env: Record<string, string>): ChildProcess & { output: () => string } {
  const child = spawn(
    process.execPath,
    ['--no-warnings', join(import.meta.dirname, 'fixtures', 'ledger-host.ts')],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  return Object.assign(child, { output: () => output });
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((res) => child.once('exit', () => res()));

it('a killed ledger host is replaced without losing or doubling a booking', {
  timeout: 240_000,
}, async () => {
  const brokers = kafkaTestBrokers();
  const topic = uniqueTopic('ledger-crash');
  const testDb = await createPostgresTestDatabase('paystream_ledger_crash');
  const env = {
    KAFKA_BROKERS: brokers.join(','),
    TOPIC: topic,
    LEDGER_TOPIC: `${topic}.ledger`,
    DATABASE_URL: testDb.url,
  };
  const database = openDatabase({ url: testDb.url });
  const db = database.db as Kysely<LedgerSchema>;
  const ledger = new Ledger(db);
  const bus = await createKafkaBus({ brokers, topic, partitions: 3, clientId: 'ledger-crash-test' });
  const hosts: ReturnType<typeof startHost>[] = [];
  const start = async () => {
    const host = startHost(env);
    hosts.push(host);
    await waitFor('the host to be ready', () => host.output().includes('ready'), { timeoutMs: 60_000 }).catch(
      (err) => {
        throw new Error(`${err}\n${host.output()}`);
      },
    );
    return host;
  };
  const count = async (table: string) =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]!.n);
  try {
    const first = await start();
    // A booked and committed first order: the group has a position, so what the second process
    // reads resumes there (a group without one would start at the end).
    const prefix = runId();
    await bus.publish(orderEvents(`${prefix}-warmup`));
    await waitFor(
      'the warm-up order to be committed',
      async () => (await bus.lag('paystream.plugin.accounting')) === 0,
    );

    const orders = 3000;
    const events = Array.from({ length: orders }, (_, i) =>
      orderEvents(`${prefix}-${i}`, { amountMinor: 100 + i }),
    ).flat();
    let killedAt = -1;
    for (let i = 0; i < events.length; i += 200) {
      await bus.publish(events.slice(i, i + 200));
      if (i === 2000) {
        // Mid-stream: the host is booking what came so far while more keeps arriving.
        await waitFor('some bookings', async () => (await count('ledger_entries')) > 1, {
          timeoutMs: 60_000,
        });
        first.kill('SIGKILL');
        await exited(first);
        killedAt = await count('ledger_entries');
      }
    }
    expect(killedAt).toBeGreaterThan(1);
    expect(killedAt).toBeLessThan(orders + 1);

    const second = await start();
    await waitFor('every order booked', async () => (await count('ledger_entries')) >= orders + 1, {
      timeoutMs: 180_000,
    }).catch((err) => {
      throw new Error(`${err}\n${second.output()}`);
    });
    await waitFor(
      'the group to commit the end',
      async () => (await bus.lag('paystream.plugin.accounting')) === 0,
    );
    second.kill('SIGTERM');
    await exited(second);

    const paid = 1000 + orders * 100 + (orders * (orders - 1)) / 2;
    expect(await ledger.trialBalance()).toEqual([{ currency: 'HKD', debitMinor: paid, creditMinor: paid }]);
    expect(await ledger.balances()).toEqual(await ledger.totalsFromPostings());
    expect(await count('ledger_entries')).toBe(orders + 1);
    expect(await count('ledger_postings')).toBe(2 * (orders + 1));
    expect(await count('ledger_orders')).toBe(orders + 1);
    expect(await count('paystream_plugin_outbox')).toBe(orders + 1);
    expect(await count('paystream_processed_events')).toBe(2 * (orders + 1));
    const sequences = await sql<{ last: number; n: string }>`
      select last_sequence as last, count(*) as n from paystream_plugin_sequences group by last_sequence`.execute(
      db,
    );
    expect(sequences.rows.map((r) => [r.last, Number(r.n)])).toEqual([[2, orders + 1]]);
  } finally {
    for (const h of hosts) {
      h.kill('SIGKILL');
      await exited(h);
    }
    await bus.close();
    await database.destroy();
    await testDb.drop();
  }
});
