// A client we did not write reads what we wrote: kcat consumes payments.events.v1 itself and we
// check the CloudEvents headers and the JSON data against the published schemas.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EVENTS_TOPIC, eventJsonSchemas, fromKafkaMessage } from '@paystream/events';
import { expect, it } from 'vitest';
import { createKafkaBus } from '../src/index.js';
import { kafkaTestBrokers, makeEvents, runId, waitFor } from '../src/testing/index.js';

const run = promisify(execFile);

function parseKcat(out: string): { headers: Record<string, string>; value: string }[] {
  const lines = out.split('\n');
  const records: { headers: Record<string, string>; value: string }[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const headers: Record<string, string> = {};
    for (const pair of lines[i]!.split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) headers[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    records.push({ headers, value: lines[i + 1]! });
  }
  return records;
}

it('kcat reads CloudEvents from payments.events.v1', { timeout: 120_000 }, async () => {
  const brokers = kafkaTestBrokers();
  await run('kcat', ['-V']).catch(() => {
    throw new Error('kcat is not installed: apt-get install kcat (.ci/run installs it)');
  });
  const bus = await createKafkaBus({ brokers, topic: EVENTS_TOPIC, clientId: 'kcat-test' });
  const since = Date.now() - 1000;
  const prefix = runId();
  const events = makeEvents({
    prefix,
    keys: 3,
    perKey: 2,
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  });
  try {
    await bus.publish(events);
  } finally {
    await bus.close();
  }
  const ours = await waitFor('kcat to read our events', async () => {
    const { stdout } = await run(
      'kcat',
      ['-C', '-b', brokers[0]!, '-t', EVENTS_TOPIC, '-o', `s@${since}`, '-e', '-q', '-f', '%h\n%s\n'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const mine = parseKcat(stdout).filter((r) => r.headers.ce_id?.startsWith(`${prefix}:`));
    return mine.length === events.length ? mine : undefined;
  });
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  for (const r of ours) {
    expect(r.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_source: '/paystream/bus-test',
      'content-type': 'application/json',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const original = events.find((e) => e.id === r.headers.ce_id)!;
    expect(r.headers).toMatchObject({ ce_type: original.type, ce_time: original.time });
    const data = JSON.parse(r.value);
    const validate = ajv.compile(eventJsonSchemas[original.type].data);
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(fromKafkaMessage({ key: original.subject, value: r.value, headers: r.headers })).toEqual(original);
  }
});
