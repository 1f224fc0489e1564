import { createEmbeddedBus, type EmbeddedBusOptions } from './embedded/bus.js';
import { createKafkaBus, type KafkaBusOptions } from './kafka/bus.js';
import type { CommonBusOptions, EventBus } from './types.js';

/** Options of {@link createBus}: Kafka when brokers are given, the embedded SQLite log otherwise. */
export interface CreateBusOptions extends CommonBusOptions {
  /** Unset or empty = embedded: a developer runs everything without a broker. */
  kafkaBrokers?: string[];
  /** The embedded bus's SQLite file. */
  embeddedFile?: string;
  clientId?: string;
  /** Extra Kafka settings (partitions, retention, timeouts). */
  kafka?: Omit<KafkaBusOptions, 'brokers' | keyof CommonBusOptions | 'clientId'>;
  /** Extra embedded settings. */
  embedded?: Omit<EmbeddedBusOptions, 'file' | keyof CommonBusOptions>;
}

/** Creates the process's bus from configuration. */
export async function createBus(opts: CreateBusOptions = {}): Promise<EventBus & { readonly topic: string }> {
  const common: CommonBusOptions = {
    ...(opts.topic ? { topic: opts.topic } : {}),
    ...(opts.registry ? { registry: opts.registry } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  };
  if (opts.kafkaBrokers && opts.kafkaBrokers.length > 0) {
    return createKafkaBus({
      ...opts.kafka,
      ...common,
      brokers: opts.kafkaBrokers,
      ...(opts.clientId ? { clientId: opts.clientId } : {}),
    });
  }
  return createEmbeddedBus({
    ...opts.embedded,
    ...common,
    ...(opts.embeddedFile ? { file: opts.embeddedFile } : {}),
  });
}
