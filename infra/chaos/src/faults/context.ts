import type { Fleet, FleetMember, KafkaCluster, LogLine } from '@paystream/fleet';

/** What a fault acts on, and where it says what it did. */
export interface FaultContext {
  fleet: Fleet;
  cluster: KafkaCluster;
  /** One line of the run's log. */
  log(line: string): void;
  /** Work a fault leaves running (a broker restarting) while the next fault begins. */
  defer(work: Promise<unknown>): void;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A log line of the member's current process, rendered for a fault's evidence. */
export function evidenceLine(member: FleetMember, line: LogLine): string {
  const { msg, time, level: _l, pid: _p, hostname: _h, name: _n, ...rest } = line;
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const at = typeof time === 'number' ? new Date(time).toISOString() : '';
  return `${member.name} log${at ? ` ${at}` : ''}: ${msg}${extra}`;
}

/** Waits (up to `ms`) for a line of the member's current process; undefined when none came. */
export async function lineOf(
  member: FleetMember,
  match: (line: LogLine) => boolean,
  ms = 10_000,
): Promise<string | undefined> {
  const found = await Promise.race([
    member.process.waitFor(match).catch(() => undefined),
    sleep(ms).then(() => undefined),
  ]);
  return found ? evidenceLine(member, found) : undefined;
}
