/**
 * Test-only crash points. `PAYSTREAM_FAILPOINT=<operation>:<point>` (e.g. `refund:after-upstream`),
 * armed by the gateway's start from its configuration, makes the process SIGKILL itself when a request reaches that point, so the crash-point suite can
 * prove that every intent is settled after a restart. Unset (the default), it does nothing.
 *
 * Points: `before-upstream` (the intent is committed, the upstream call not sent),
 * `after-upstream` (the upstream answered, nothing recorded yet), `after-commit` (the result is
 * recorded, the HTTP answer not sent).
 */
export type CrashPoint = 'before-upstream' | 'after-upstream' | 'after-commit';

let armed: string | undefined;

/** Arms one crash point for this process (config.failpoint); undefined disarms. */
export function armFailpoint(point: string | undefined): void {
  armed = point;
}

/** Dies here when the environment armed this exact point; otherwise returns at once. */
export function failpoint(operation: 'create' | 'refund' | 'cancel' | 'close', point: CrashPoint): void {
  if (armed === undefined || armed !== `${operation}:${point}`) return;
  process.kill(process.pid, 'SIGKILL');
}
