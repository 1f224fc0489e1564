// A JSON Schema property (as z.toJSONSchema writes it) in words for a reference table.

/** The subset of JSON Schema the event schemas use. */
export interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: readonly unknown[];
  anyOf?: readonly JsonSchema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  minItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: readonly string[];
  description?: string;
}

/** One row of a field table. */
export interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

/** The type of a property in words: `string, 1–64 chars`, `integer ≥ 1`, `"HKD" | "CNY"`, `… | null`. */
export function typeText(s: JsonSchema, itemName = 'object'): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return s.anyOf.map((a) => typeText(a, itemName)).join(' | ');
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (s.type) {
    case 'string':
      if (s.format) return `string (${s.format})`;
      if (s.pattern) return `string matching \`${s.pattern}\``;
      return `string${lengthText(s)}`;
    case 'integer':
    case 'number':
      return `${s.type}${boundText(s)}`;
    case 'object':
      return typeof s.additionalProperties === 'object'
        ? `object of ${typeText(s.additionalProperties)} values`
        : 'object';
    case 'array':
      return `array of ${s.items?.type === 'object' ? itemName : typeText(s.items ?? {})}${
        s.minItems ? `, at least ${s.minItems}` : ''
      }`;
    default:
      return s.type ?? 'any';
  }
}

function lengthText(s: JsonSchema): string {
  if (s.minLength !== undefined && s.maxLength !== undefined) return `, ${s.minLength}–${s.maxLength} chars`;
  if (s.minLength !== undefined) return `, at least ${s.minLength} char${s.minLength === 1 ? '' : 's'}`;
  if (s.maxLength !== undefined) return `, at most ${s.maxLength} chars`;
  return '';
}

function boundText(s: JsonSchema): string {
  // Number.MAX_SAFE_INTEGER is zod's bound on every integer: not worth a word.
  const max = s.maximum !== undefined && s.maximum !== Number.MAX_SAFE_INTEGER ? ` ≤ ${s.maximum}` : '';
  if (s.exclusiveMinimum !== undefined) return ` > ${s.exclusiveMinimum}${max}`;
  if (s.minimum !== undefined) return ` ≥ ${s.minimum}${max}`;
  return max;
}

/** The rows of an object schema's properties, in declaration order. */
export function fieldRows(s: JsonSchema, itemName?: string): FieldRow[] {
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).map(([name, p]) => ({
    name,
    type: typeText(p, itemName),
    required: required.has(name),
    description: p.description ?? '',
  }));
}
