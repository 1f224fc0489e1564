// A database fault: every PostgreSQL backend of one gateway terminated (pg_terminate_backend, found
// by the application_name its connections carry), as an administrator or a failover would. Requests
// and the relay's transaction on those connections fail; the pool opens new ones.
import type { FleetMember } from '@paystream/fleet';
import type { FaultRecord } from '../history.js';
import { type FaultContext, sleep } from './context.js';

export async function terminateConnections(ctx: FaultContext, member: FleetMember): Promise<FaultRecord> {
  const startedAt = Date.now();
  const evidence: string[] = [];
  let terminated = 0;
  // An idle pool may hold no connection at the very moment: try again shortly.
  for (let i = 0; i < 20 && terminated === 0; i++) {
    terminated = await ctx.fleet.terminateBackends(member);
    if (terminated === 0) await sleep(250);
  }
  ctx.log(`fault: terminated ${terminated} PostgreSQL backends of ${member.applicationName}`);
  if (terminated > 0) {
    evidence.push(
      `pg_terminate_backend ended ${terminated} backends with application_name ${member.applicationName}`,
    );
  }
  const at = Date.now();
  await sleep(2_000);
  // What the gateway logged about a request or the relay losing its connection, if anything.
  const lost = member.process.lines.find(
    (l) =>
      Number(l.time ?? 0) >= startedAt &&
      /terminating connection|Connection terminated/i.test(JSON.stringify(l)),
  );
  if (lost) evidence.push(`${member.name} log: ${JSON.stringify(lost).slice(0, 300)}`);
  return {
    kind: 'pg-terminate',
    target: member.name,
    startedAt,
    endedAt: Date.now(),
    evidence,
    // The relay's transaction (holding the outbox lock) may have died between send and mark-sent.
    crashes: terminated > 0 ? [{ kind: 'gateway', member: member.name, at }] : [],
  };
}
