import { timingSafeEqual } from 'node:crypto';
import { type ApiKeyEntry, hashApiKey, type Scope } from '@paystream/config';
import type { Request, RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from './errors.js';

/** Who is calling, once the API key checked out. */
export interface Caller {
  id: string;
  scopes: readonly Scope[];
}

// Kept beside the request rather than on it: no global type augmentation of Express.
const callers = new WeakMap<Request, Caller>();

/**
 * Checks API keys against their SHA-256 hashes. Every stored hash is compared, in constant time,
 * whatever matches first, so the answer time says nothing about which keys exist.
 */
export class ApiKeyStore {
  private readonly entries: { hash: Buffer; caller: string; scopes: readonly Scope[] }[];
  /**
   * Keys that checked out, and their caller: a caller sends the same key with every request, and
   * hashing and comparing it again cost more than the rest of authentication. Only accepted keys
   * are kept, so it holds at most one entry per configured key, whatever callers send. Memory only:
   * never logged, never listed. Answering a known key sooner tells the caller nothing the answer
   * does not (that the key is valid).
   */
  private readonly accepted = new Map<string, Caller>();

  constructor(keys: readonly ApiKeyEntry[]) {
    this.entries = keys.map((k) => ({
      hash: Buffer.from(k.sha256, 'hex'),
      caller: k.caller,
      scopes: k.scopes,
    }));
  }

  get size(): number {
    return this.entries.length;
  }

  authenticate(key: string): Caller | undefined {
    const known = this.accepted.get(key);
    if (known) return known;
    const presented = Buffer.from(hashApiKey(key), 'hex');
    let found: Caller | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.hash, presented) && !found)
        found = { id: entry.caller, scopes: entry.scopes };
    }
    if (found) this.accepted.set(key, found);
    return found;
  }
}

/** Requires `Authorization: Bearer <key>`; sets req.caller. */
export function authenticate(store: ApiKeyStore): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    // The auth scheme is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` are Bearer.
    const match = /^Bearer +([\x21-\x7e]{1,256})$/i.exec(header);
    if (!match) return next(new UnauthorizedError('Send Authorization: Bearer <api key>'));
    const caller = store.authenticate(match[1]!);
    if (!caller) return next(new UnauthorizedError('The API key is not valid'));
    callers.set(req, caller);
    next();
  };
}

/** The authenticated caller holding every scope, or a 401/403 naming the first one missing. */
export function requireScope(req: Request, scope: Scope | readonly Scope[]): Caller {
  const caller = callers.get(req);
  if (!caller) throw new UnauthorizedError('Send Authorization: Bearer <api key>');
  for (const s of typeof scope === 'string' ? [scope] : scope)
    if (!caller.scopes.includes(s)) throw new ForbiddenError(s);
  return caller;
}

/** Middleware form of {@link requireScope}, for routes that do not go through an endpoint. */
export function scoped(scope: Scope | readonly Scope[]): RequestHandler {
  return (req, _res, next) => {
    try {
      requireScope(req, scope);
      next();
    } catch (err) {
      next(err);
    }
  };
}
