#!/usr/bin/env node
// Operators' dead-letter commands, through the host's authenticated admin routes:
//   paystream-plugin-host dead-letters <plugin>   lists what waits for a redrive
//   paystream-plugin-host redrive <plugin>        hands it to the plugin again (after the fix)
//   paystream-plugin-host status                  every plugin's lag, dead letters, last error
// PAYSTREAM_HOST_URL (default http://127.0.0.1:8080, the all-in-one) and PAYSTREAM_API_KEY (a key
// with the plugins:admin scope) say where and who.
//
// Node.js is checked first, and alone, like every entry point's (see main.ts).
import { exitUnlessSupportedNode } from '@paystream/config/node-version';

exitUnlessSupportedNode();
const { runCli } = await import('@paystream/plugin-runtime');
process.exitCode = await runCli(process.argv.slice(2), process.env, (line) =>
  process.stdout.write(`${line}\n`),
);
