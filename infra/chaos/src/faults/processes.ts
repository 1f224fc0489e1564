// Faults on processes: a gateway or a plugin host SIGKILLed (as a crash or the OOM killer would)
// and started again, and a rolling restart of every gateway and host, one at a time, as a
// deployment does it: out of the load balancer's rotation, SIGTERM, drain, start, back in.
import type { FleetMember } from '@paystream/fleet';
import type { Crash, FaultRecord } from '../history.js';
import { type FaultContext, lineOf, sleep } from './context.js';

const crashKind = (m: FleetMember): Crash['kind'] => (m.kind === 'gateway' ? 'gateway' : 'plugin-host');
const readyLine = (m: FleetMember) => (m.kind === 'gateway' ? 'gateway listening' : 'plugin host listening');

/**
 * SIGKILL of `member`; the record is returned once it is dead. After `downMs` it is started again
 * on the same port, beside the next faults (ctx.defer), and the restart adds its evidence: the
 * ready line, then the gateway's start-up sweep or the host's plugins running again.
 */
export async function killAndRestart(
  ctx: FaultContext,
  member: FleetMember,
  downMs = 1_000,
): Promise<FaultRecord> {
  const startedAt = Date.now();
  const pid = member.process.child.pid;
  ctx.log(`fault: SIGKILL ${member.name} (pid ${pid})`);
  await ctx.fleet.kill(member);
  const { signal, code } = await member.process.exited;
  const evidence = [`${member.name} pid ${pid} exited on ${signal ?? `code ${code}`}`];
  const record: FaultRecord = {
    kind: member.kind === 'gateway' ? 'gateway-kill' : 'host-kill',
    target: member.name,
    startedAt,
    endedAt: Date.now(),
    evidence,
    crashes: signal === 'SIGKILL' ? [{ kind: crashKind(member), member: member.name, at: startedAt }] : [],
  };
  ctx.defer(
    (async () => {
      await sleep(downMs);
      await ctx.fleet.start(member);
      evidence.push(`${member.name} started again: pid ${member.process.child.pid}`);
      const ready = await lineOf(member, (l) => l.msg === readyLine(member));
      if (ready) evidence.push(ready);
      const after =
        member.kind === 'gateway'
          ? await lineOf(member, (l) => l.msg === 'intent sweep' && l.startup === true, 5_000)
          : await lineOf(member, (l) => l.msg === 'plugin running', 15_000);
      if (after) evidence.push(after);
      record.endedAt = Date.now();
      ctx.log(`fault: ${member.name} is back (pid ${member.process.child.pid})`);
    })(),
  );
  return record;
}

/** Each of `members` (every gateway, then every plugin host) restarted one at a time with SIGTERM. */
export async function rollingRestart(
  ctx: FaultContext,
  members: readonly FleetMember[],
): Promise<FaultRecord> {
  const startedAt = Date.now();
  const evidence: string[] = [];
  const crashes: Crash[] = [];
  ctx.log(`fault: rolling restart of ${members.map((m) => m.name).join(', ')}`);
  for (const member of members) {
    const old = member.process;
    const stoppedAt = Date.now();
    await ctx.fleet.stop(member);
    const { code, signal } = await old.exited;
    const drain = old.lines.find((l) => l.msg === 'draining' || String(l.msg).startsWith('shutting down'));
    evidence.push(
      `${member.name} pid ${old.child.pid}: SIGTERM, ${drain ? `logged "${drain.msg}", ` : ''}exited ${code ?? signal} after ${Date.now() - stoppedAt} ms`,
    );
    // A process that had to be cut short (a forced exit, at the end of its drain) may have left a
    // batch sent but not marked: the moment that counts is the exit.
    if (code !== 0) crashes.push({ kind: crashKind(member), member: member.name, at: Date.now() });
    await ctx.fleet.start(member);
    const ready = await lineOf(member, (l) => l.msg === readyLine(member));
    if (ready) evidence.push(ready);
    if (member.kind === 'plugin-host') await lineOf(member, (l) => l.msg === 'plugin running', 15_000);
  }
  ctx.log('fault: rolling restart done');
  return { kind: 'rolling-restart', startedAt, endedAt: Date.now(), evidence, crashes };
}
