import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { DEFAULT_RUNBOOK } from './runbook.js';
import { type GroupLabel, type Rule, ruleSchema, rulesFileSchema } from './schema.js';

/** The shipped defaults: a rule for every catalog code whose alert flag is set. */
export const DEFAULT_RULES_FILE = fileURLToPath(new URL('../../rules/default.yaml', import.meta.url));

// The operation too: a 64 on a cancel is not the refunds' alert, and its annotations name a cancel.
const DEFAULT_GROUP_BY: readonly GroupLabel[] = ['code', 'category', 'wallet', 'operation'];
const DEFAULT_RESOLVE_AFTER_MS = 10 * 60_000;

/** A rules file that does not validate; the message names the file and each bad rule. */
export class AlertRulesError extends Error {
  override readonly name = 'AlertRulesError';
}

const issues = (error: z.ZodError, prefix: string) =>
  error.issues.map((i) => `${prefix}${i.path.map(String).join('.') || '(rule)'}: ${i.message}`);

/** Validates parsed rules (YAML or JSON already read); throws {@link AlertRulesError} naming each bad rule. */
export function parseRules(doc: unknown, source = 'rules'): Rule[] {
  const file = rulesFileSchema.safeParse(doc);
  if (!file.success) throw new AlertRulesError(`${source}: ${issues(file.error, '').join('; ')}`);
  const defaults = file.data.defaults ?? {};
  const problems: string[] = [];
  const rules: Rule[] = [];
  const names = new Set<string>();
  file.data.rules.forEach((raw, i) => {
    const name = typeof raw === 'object' && raw !== null ? (raw as { name?: unknown }).name : undefined;
    const label = `rules[${i}]${typeof name === 'string' ? ` (${name})` : ''}: `;
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...issues(parsed.error, label));
      return;
    }
    const r = parsed.data;
    if (names.has(r.name)) problems.push(`${label}name: ${r.name} is used by an earlier rule`);
    names.add(r.name);
    if (Object.keys(r.match).length === 0)
      problems.push(`${label}match: must name at least one of codes, categories, operations, types, wallets`);
    rules.push({
      ...r,
      groupBy: r.groupBy ?? defaults.groupBy ?? DEFAULT_GROUP_BY,
      resolveAfter: r.resolveAfter ?? defaults.resolveAfter ?? DEFAULT_RESOLVE_AFTER_MS,
      runbook: r.runbook ?? defaults.runbook ?? DEFAULT_RUNBOOK,
    });
  });
  if (problems.length > 0) throw new AlertRulesError(`${source}: ${problems.join('; ')}`);
  return rules;
}

/** Reads and validates a rules file (`.yaml`, `.yml` or `.json`). */
export function loadRulesFile(path: string): Rule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AlertRulesError(`cannot read alert rules ${path}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new AlertRulesError(
      `${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    );
  }
  return parseRules(doc, path);
}
