// A rebalance storm: standby plugin hosts join the plugins' consumer groups and leave them again
// every few seconds while events flow, so the six partitions of payments.events.v1 move between
// hosts over and over. Each join and leave is a rebalance of every plugin's group.
import type { FleetMember } from '@paystream/fleet';
import { Kafka, logLevel } from 'kafkajs';
import type { Crash, FaultRecord } from '../history.js';
import { type FaultContext, lineOf, sleep } from './context.js';

export const STORM_GROUP = 'paystream.plugin.accounting';

/** The members of a consumer group now, as the group coordinator lists them. */
async function groupMembers(brokers: string[], group: string): Promise<number | undefined> {
  const kafka = new Kafka({ clientId: 'chaos-storm', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { groups } = await admin.describeGroups([group]);
    return groups[0]?.members.length;
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** `standby` hosts join and leave the groups in turn for `durationMs` (at least once each). */
/** Polls the group until its member count passes `test` (up to 15 s); the last count seen. */
async function membersBecome(ctx: FaultContext, test: (n: number) => boolean): Promise<number | undefined> {
  let n: number | undefined;
  for (let i = 0; i < 30; i++) {
    n = await groupMembers(ctx.cluster.brokers, STORM_GROUP);
    if (n !== undefined && test(n)) return n;
    await sleep(500);
  }
  return n;
}

export async function rebalanceStorm(
  ctx: FaultContext,
  standby: readonly FleetMember[],
  durationMs: number,
  stayMs = 3_000,
): Promise<FaultRecord> {
  const startedAt = Date.now();
  const evidence: string[] = [];
  if (standby.length === 0)
    return { kind: 'rebalance-storm', startedAt, endedAt: startedAt, evidence, crashes: [] };
  ctx.log(`fault: rebalance storm for ${durationMs} ms with ${standby.map((h) => h.name).join(', ')}`);
  let joins = 0;
  const crashes: Crash[] = [];
  let turn = 0;
  while (joins < standby.length || Date.now() - startedAt < durationMs) {
    const host: FleetMember = standby[turn++ % standby.length]!;
    const before = await groupMembers(ctx.cluster.brokers, STORM_GROUP);
    await ctx.fleet.start(host);
    await lineOf(host, (l) => l.msg === 'plugin running', 15_000);
    const joined = await membersBecome(ctx, (n) => before !== undefined && n > before);
    joins += 1;
    evidence.push(
      `${host.name} joined (pid ${host.process.child.pid}): ${STORM_GROUP} went from ${before ?? '?'} to ${joined ?? '?'} members`,
    );
    await sleep(stayMs);
    const old = host.process;
    await ctx.fleet.stop(host);
    const { code, signal } = await old.exited;
    if (code !== 0) crashes.push({ kind: 'plugin-host', member: host.name, at: Date.now() });
    const left = await membersBecome(ctx, (n) => joined !== undefined && n < joined);
    evidence.push(
      `${host.name} left: SIGTERM, exited ${code ?? signal}; ${STORM_GROUP} has ${left ?? '?'} members`,
    );
    await sleep(stayMs / 2);
  }
  ctx.log(`fault: rebalance storm done (${joins} joins and leaves)`);
  return { kind: 'rebalance-storm', startedAt, endedAt: Date.now(), evidence, crashes };
}
