// Per-request context handed to every REST handler: storage, caller, parsed request, options.
import type { Store } from '../storage/store';
import type { RequestInfo } from './request-info';
import type { User } from './auth/authenticate';
import type { Env } from './env';
import type { Target } from './errors';

export interface ApiContext {
  env: Env;
  store: Store;
  user: User;
  info: RequestInfo;
  query: URLSearchParams;
  request: Request;
  /** Warning headers to return (e.g. unknown fields under fieldValidation=Warn). */
  warnings: string[];
  /** Lets work finish after the response (wake-ups of the controllers and scheduler). */
  waitUntil: (p: Promise<unknown>) => void;
}

export function targetOf(ctx: ApiContext, name?: string): Target {
  return {
    resource: ctx.info.resource.resource,
    group: ctx.info.resource.group,
    kind: ctx.info.resource.kind,
    name: name ?? ctx.info.name,
  };
}

export function isDryRun(ctx: ApiContext): boolean {
  return ctx.query.getAll('dryRun').includes('All');
}

export function fieldManager(ctx: ApiContext, fallback: string): string {
  return ctx.query.get('fieldManager') ?? fallback;
}
