import { type AnyNode, parse } from '@humanwhocodes/momoa';
import express, { type RequestHandler } from 'express';

/**
 * The JSON body parser of the API: UTF-8 only, never compressed, and no key twice in an object.
 * `JSON.parse` keeps the last of repeated keys, so `"amount":"1.00","amount":"50000.00"` would
 * create the order a reviewer reading the first key did not see; a compressed body is refused
 * (415) rather than inflated, as documented. Refusals carry body-parser's error `type`, which the
 * problem middleware turns into problem+json.
 */
export function strictJson(limit: string): RequestHandler {
  return express.json({
    limit,
    strict: true,
    inflate: false,
    verify: (_req, _res, buf, encoding) => {
      if (encoding !== 'utf-8') throw bodyError('charset.unsupported', `charset ${encoding} is not UTF-8`);
      const key = repeatedKey(buf.toString('utf8'));
      if (key !== undefined)
        throw Object.assign(bodyError('entity.duplicate.key', 'a key is repeated'), { key });
    },
  });
}

function bodyError(type: string, message: string): Error {
  return Object.assign(new Error(message), { type });
}

/**
 * The path of the first key an object repeats (`metadata.a`), or undefined when none does, or when
 * the text is not JSON at all (the parser that follows says so).
 */
export function repeatedKey(text: string): string | undefined {
  let root: AnyNode;
  try {
    root = parse(text).body;
  } catch {
    return undefined;
  }
  return repeatedIn(root, []);
}

function repeatedIn(node: AnyNode, path: readonly string[]): string | undefined {
  if (node.type === 'Object') {
    const seen = new Set<string>();
    for (const member of node.members) {
      const name = member.name.type === 'String' ? member.name.value : member.name.name;
      if (seen.has(name)) return [...path, name].join('.');
      seen.add(name);
      const inner = repeatedIn(member.value, [...path, name]);
      if (inner !== undefined) return inner;
    }
  } else if (node.type === 'Array') {
    for (const [i, element] of node.elements.entries()) {
      const inner = repeatedIn(element.value, [...path, String(i)]);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}
