// Loads the plugins a config file names. The file is JSON:
//   { "plugins": [ { "package": "@paystream/accounting", "options": { ... } } ] }
// Packages are resolved from the file's folder, so a deployment installs plugins beside its config.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type PaystreamPlugin, PluginDefinitionError } from '@paystream/plugin-sdk';
import { z } from 'zod';

const fileSchema = z.strictObject({
  plugins: z.array(z.strictObject({ package: z.string().min(1), options: z.unknown().optional() })),
});

/** Imports each named package and calls its default-exported factory with the options. */
export async function loadPluginsFromFile(path: string): Promise<PaystreamPlugin[]> {
  const file = resolve(path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PluginDefinitionError(`cannot read plugin host config ${file}: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success)
    throw new PluginDefinitionError(
      `plugin host config ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const require = createRequire(resolve(dirname(file), 'package.json'));
  const plugins: PaystreamPlugin[] = [];
  for (const entry of parsed.data.plugins) {
    let mod: { default?: unknown };
    try {
      mod = await import(pathToFileURL(require.resolve(entry.package)).href);
    } catch (err) {
      throw new PluginDefinitionError(
        `plugin package ${entry.package} cannot be loaded: ${(err as Error).message}`,
      );
    }
    if (typeof mod.default !== 'function')
      throw new PluginDefinitionError(`plugin package ${entry.package} must default-export a plugin factory`);
    plugins.push((mod.default as (o: unknown) => PaystreamPlugin)(entry.options ?? {}));
  }
  return plugins;
}
