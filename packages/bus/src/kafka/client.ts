import { Kafka, type LogEntry, logLevel } from 'kafkajs';
import type { BusLogger } from '../types.js';
import { fixRequestQueuePolling } from './request-queue.js';

/** Connection settings of the Kafka transport. */
export interface KafkaClientOptions {
  brokers: string[];
  clientId?: string;
  /** Client-level retries (connects, metadata, produce). Default 10 attempts, 200 ms → 5 s. */
  retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number };
  connectionTimeoutMs?: number;
}

// kafkajs logs transient states (coordinator loading, leader moves during a broker restart) at
// ERROR; they are retried, so they go to our logger one level down.
function logCreator(logger: BusLogger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const obj = { kafkajs: true, ...extra };
      if (level <= logLevel.ERROR) logger.warn(obj, message);
      else if (level === logLevel.WARN) logger.info(obj, message);
      else logger.debug(obj, message);
    };
}

/** Builds the kafkajs client (the only place the transport configures kafkajs itself). */
export function kafkaClient(opts: KafkaClientOptions, logger: BusLogger): Kafka {
  fixRequestQueuePolling();
  return new Kafka({
    clientId: opts.clientId ?? 'paystream',
    brokers: opts.brokers,
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    logLevel: logLevel.WARN,
    logCreator: logCreator(logger),
    retry: {
      retries: opts.retry?.retries ?? 10,
      initialRetryTime: opts.retry?.initialRetryTime ?? 200,
      maxRetryTime: opts.retry?.maxRetryTime ?? 5000,
    },
  });
}
