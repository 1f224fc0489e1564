#!/usr/bin/env bash
# Called by new-package.sh for plugins/<name>: writes the plugin's factory, a unit test on the test
# kit's mocks, a startTestHost test and its README; new-package.sh writes its package.json (with the
# SDK and the test kit), adds the shared configs, installs and formats.
set -euo pipefail
root="$1"; dir="$2"; desc="${3:-}"
id="$(basename "$dir")"
if ! [[ "$id" =~ ^[a-z][a-z0-9-]{0,39}$ ]]; then
  echo "plugin id '$id' must be lower-case letters, digits and dashes (max 40)" >&2; exit 2
fi
name="@paystream/$id"
metric="paystream_plugin_${id//-/_}_handled_total"
factory="create$(echo "$id" | sed -E 's/(^|-)([a-z0-9])/\U\2/g')Plugin"
cd "$root/$dir"
mkdir -p src integration
[ -f src/index.ts ] || cat > src/index.ts <<TS
import { coreServices, definePlugin } from '@paystream/plugin-sdk';
import { z } from 'zod';

/** ${desc:-A Paystream plugin}. */
export const $factory = definePlugin({
  id: '$id',
  subscribes: { types: ['payment.succeeded', 'refund.succeeded'] },
  options: z.object({}).strict(),
  deps: { metrics: coreServices.metrics },
  setup({ metrics }) {
    const help = 'Events $id handled, by type';
    return { handled: metrics.counter({ name: '$metric', help, labelNames: ['type'] }) };
  },
  async handle(event, { logger, state }) {
    if (event.type === 'refund.succeeded') logger.info({ refundNo: event.data.refundNo }, 'refund');
    state.handled.inc({ type: event.type });
  },
});
export default $factory;
TS
[ -f integration/plugin.test.ts ] || cat > integration/plugin.test.ts <<TS
import { makeEvents, startTestHost } from '@paystream/plugin-testing';
import { expect, it } from 'vitest';
import $factory from '../src/index.js';

it('counts the succeeded payments and refunds it handles', async () => {
  const t = await startTestHost({ plugins: [$factory({})] });
  try {
    await t.publish([...makeEvents({ type: 'refund.succeeded' }), ...makeEvents({ type: 'payment.failed' })]);
    expect(await t.registry.metrics()).toContain('${metric}{type="refund.succeeded"} 1');
  } finally {
    await t.close();
  }
});
TS
[ -f src/index.test.ts ] || cat > src/index.test.ts <<TS
import { lifecycle, mockLogger, mockMetrics } from '@paystream/plugin-testing';
import { expect, it } from 'vitest';
import $factory from './index.js';

it('counts what it handles, without a host', async () => {
  const plugin = $factory({});
  const deps = { metrics: mockMetrics(), logger: mockLogger() };
  const state = await plugin.spec.setup!(deps, {});
  const [, paid] = lifecycle('O1', ['payment.created', 'payment.succeeded']);
  await plugin.spec.handle(paid!, { logger: deps.logger, signal: AbortSignal.timeout(1000), attempt: 1, state, deps });
  expect(await deps.metrics.registry.metrics()).toContain('${metric}{type="payment.succeeded"} 1');
});
TS
[ -f README.md ] || cat > README.md <<MD
# $name

## What it does

${desc:-A Paystream plugin}. Consumer group \`paystream.plugin.$id\`, routes under \`/plugins/$id/\`.

## How to use it

Install: add \`{ "package": "$name", "options": {} }\` to the plugin host's config file.

## Options

None yet (\`z.object({}).strict()\`: unknown options are refused).

## Events consumed and emitted

Consumes \`payment.succeeded\`, \`refund.succeeded\`. Emits nothing.

## Metrics and spans

\`$metric{type}\`; each event runs in the host's \`process payments.events.v1\` span.
MD
