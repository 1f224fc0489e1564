/** One alert as a channel is told about it: its current state and version. */
export interface AlertNotice {
  fingerprint: string;
  rule: string;
  status: 'firing' | 'resolved';
  /** Changes when the alert fires, resolves or fires again; a retry carries the same version. */
  version: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Milliseconds since the epoch. */
  startsAt: number;
  endsAt: number | null;
}

/** Where alerts go. `send` resolves when the channel accepted every notice, or throws. */
export interface AlertChannel {
  readonly name: string;
  /** Notices per call: Alertmanager takes a list, a webhook one alert per delivery. */
  readonly batch: boolean;
  /**
   * When set, a firing alert is sent again this often even without a change (Alertmanager forgets
   * an alert whose `endsAt` passed; re-posting with a future `endsAt` keeps it active).
   */
  readonly resendMs?: number;
  send(notices: readonly AlertNotice[], signal: AbortSignal): Promise<void>;
}

/** A channel answered in a way that retrying will not change (kept retrying, but logged loudly). */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
}
