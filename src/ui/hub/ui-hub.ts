// UiHub: the dashboard's live-update fan-out, one Durable Object per cluster. However many browsers
// have the dashboard open, the watch hubs serve one watch per kind, held here while some stream needs
// that kind (started by the first, stopped when the last leaves), and every stream is told which of
// its kinds changed, in the namespaces its identity may list and watch. A Worker cannot do this: an
// object created for one request cannot do I/O for another, so a stream cannot be shared there.
import { DurableObject } from 'cloudflare:workers';
import type { KObject } from '../../api/types';
import { findResource, type ResourceInfo } from '../../api/resources';
import { forgetRbacReads } from '../../rbac/cache';
import { authenticateRequest, forgetDeletedIdentity } from '../../server/auth/authenticate-request';
import type { Env } from '../../server/env';
import { Store } from '../../storage/store';
import { KINDS, type Kind } from '../api';
import {
  KindWatch,
  type KindWatchHooks,
  type KindWatchStats,
  type WatchSource,
} from './kind-watch';
import { inScope, sameScope, scopeFor } from './scope';
import { Subscriber, type SubscriberRequest } from './subscriber';

/** The RBAC kinds and namespaces: a change re-checks every subscriber's scope. */
const AUTHZ_KINDS: Kind[] = [
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', namespaced: true },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterroles',
    namespaced: false,
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterrolebindings',
    namespaced: false,
  },
  { group: '', version: 'v1', resource: 'namespaces', namespaced: false },
];
/**
 * The credentials a stream may be signed in with: a deleted ServiceAccount or user-token Secret ends
 * the streams whose token it made valid (the token is authenticated again, as the API would).
 */
const IDENTITY_KINDS: Kind[] = [
  { group: '', version: 'v1', resource: 'serviceaccounts', namespaced: true },
  { group: '', version: 'v1', resource: 'secrets', namespaced: true },
];
/** After an RBAC change, re-check once the burst is over (a binding often comes with its role). */
const RECHECK_DEBOUNCE_MS = 100;
/** And in any case this often, failing closed. */
const RECHECK_EVERY_MS = 60_000;
/** A stream ends after this long; the page reconnects, and its session and token are checked again. */
export const STREAM_MAX_MS = 10 * 60_000;
/** Notes are coalesced per stream and kind for this long, then all streams are written at once. */
const COALESCE_MS = 30;
/** The cluster's namespaces are read at most this often for scope checks (and again after a change). */
const NAMESPACES_TTL_MS = 1_000;

export interface UiHubStats {
  subscribers: number;
  /** Per kind (and per RBAC kind, under `authz:<resource>`): the shared watch. */
  watches: Record<string, KindWatchStats & { subscribers: number }>;
  rechecks: number;
  /** Passes re-authenticating the streams' tokens (after a credential change, and on each re-check). */
  reauths: number;
  notes: number;
}

function partitions(env: Env): number {
  const n = Number(env.PARTITIONS ?? '1');
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

function resourceOf(k: Kind): ResourceInfo {
  const r = findResource(k.group, k.version, k.resource);
  if (!r) throw new Error(`unknown resource ${k.group}/${k.version}/${k.resource}`);
  return r;
}

export class UiHub extends DurableObject<Env> {
  private storeRef: Store | undefined;
  private readonly subscribers = new Set<Subscriber>();
  private readonly watches = new Map<string, KindWatch>();
  private readonly holders = new Map<string, number>();
  private namespaces: { at: number; names: Promise<string[]> } | undefined;
  private recheckTimer: ReturnType<typeof setTimeout> | undefined;
  private periodic: ReturnType<typeof setInterval> | undefined;
  private counts = { rechecks: 0, reauths: 0 };
  private reauthTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly dirty = new Set<Subscriber>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Where the shared watches read events: the store's watch over every namespace. */
  watchSource: WatchSource = (r, from, signal) => this.store.watch(r, undefined, from, signal);
  /** How a scope is decided (a test may wrap it). */
  scopeSource: typeof scopeFor = scopeFor;

  private get store(): Store {
    this.storeRef ??= new Store(this.env, partitions(this.env));
    return this.storeRef;
  }

  /** POST a SubscriberRequest (JSON): the answer is the Server-Sent Events stream. */
  override async fetch(request: Request): Promise<Response> {
    const req = (await request.json()) as SubscriberRequest;
    let lifetime: ReturnType<typeof setTimeout> | undefined;
    const sub = new Subscriber(req, (s) => {
      if (lifetime !== undefined) clearTimeout(lifetime);
      this.leave(s);
    });
    this.subscribers.add(sub);
    lifetime = setTimeout(() => sub.close(), STREAM_MAX_MS);
    void this.join(sub).catch((e: unknown) => {
      // Fail closed: a scope that cannot be decided ends the stream.
      console.error('dashboard stream: scope check failed', e);
      sub.close();
    });
    return new Response(sub.readable, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      },
    });
  }

  stats(): UiHubStats {
    const watches: UiHubStats['watches'] = {};
    for (const [key, w] of this.watches)
      watches[key] = { ...w.stats(), subscribers: this.holders.get(key) ?? 0 };
    let notes = 0;
    for (const s of this.subscribers) notes += s.sent;
    const { rechecks, reauths } = this.counts;
    return { subscribers: this.subscribers.size, watches, rechecks, reauths, notes };
  }

  private async join(sub: Subscriber): Promise<void> {
    this.ensureAuthzWatches();
    await this.computeScopes(sub);
    if (sub.closed) return;
    const ready: Promise<void>[] = [];
    for (const [kind, scope] of sub.scopes) {
      if (scope !== 'all' && scope.length === 0) continue;
      ready.push(this.hold(sub, kind));
    }
    // Once every watch has its position, one note: the page re-renders what changed between its
    // render and now (and during a reconnect), so no change falls in that gap.
    await Promise.all(ready);
    this.note(sub, '*');
  }

  private async computeScopes(sub: Subscriber): Promise<void> {
    const { user, namespace } = sub.req;
    const kinds = [...new Set(sub.req.kinds)].filter((k) =>
      Object.prototype.hasOwnProperty.call(KINDS, k),
    );
    // A computation started later (a re-check after an RBAC change) wins: one that started before
    // the change and ends after it would otherwise put back the scope the change took away.
    const gen = ++sub.scopeGen;
    const scopes = await Promise.all(
      kinds.map((k) =>
        this.scopeSource(
          user,
          this.store,
          resourceOf(KINDS[k as keyof typeof KINDS]),
          () => this.namespaceNames(),
          namespace,
        ),
      ),
    );
    if (gen !== sub.scopeGen) return;
    kinds.forEach((k, i) => sub.scopes.set(k, scopes[i]));
  }

  private namespaceNames(): Promise<string[]> {
    const now = Date.now();
    if (this.namespaces && this.namespaces.at + NAMESPACES_TTL_MS > now)
      return this.namespaces.names;
    const names = (async () => {
      const page = await this.store.list(resourceOf(AUTHZ_KINDS[4]), {});
      if (!page.ok) throw new Error(`list namespaces: ${page.message ?? page.reason}`);
      return page.value.items.map((n) => n.metadata.name!);
    })();
    this.namespaces = { at: now, names };
    names.catch(() => (this.namespaces = undefined));
    return names;
  }

  /** Holds the shared watch of `kind` for `sub`, starting it for the first holder. */
  private hold(sub: Subscriber, kind: string): Promise<void> {
    if (sub.closed || sub.held.has(kind)) return Promise.resolve();
    sub.held.add(kind);
    this.holders.set(kind, (this.holders.get(kind) ?? 0) + 1);
    return this.watchOf(kind, resourceOf(KINDS[kind as keyof typeof KINDS])).start();
  }

  private watchOf(key: string, r: ResourceInfo, hooks?: KindWatchHooks): KindWatch {
    let w = this.watches.get(key);
    if (!w) {
      w = new KindWatch(
        this.store,
        r,
        () => this.watchSource,
        hooks ?? {
          changed: (o) => this.changed(key, o),
          relisted: () => this.relisted(key),
        },
      );
      this.watches.set(key, w);
    }
    return w;
  }

  private changed(kind: string, o: KObject): void {
    const ns = o.metadata.namespace;
    const name = o.metadata.name;
    for (const s of this.subscribers) {
      if (!s.held.has(kind)) continue;
      const scope = s.scopes.get(kind);
      if (!scope || !inScope(scope, ns)) continue;
      if (s.req.name && name !== s.req.name) continue;
      this.note(s, kind);
    }
  }

  private note(sub: Subscriber, kind: string): void {
    if (!sub.note(kind)) return;
    this.dirty.add(sub);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const due = [...this.dirty];
      this.dirty.clear();
      for (const s of due) s.flush();
    }, COALESCE_MS);
  }

  private relisted(kind: string): void {
    for (const s of this.subscribers) if (s.held.has(kind)) this.note(s, kind);
  }

  private leave(sub: Subscriber): void {
    if (!this.subscribers.delete(sub)) return;
    this.dirty.delete(sub);
    for (const kind of sub.held) {
      const n = (this.holders.get(kind) ?? 1) - 1;
      if (n > 0) {
        this.holders.set(kind, n);
        continue;
      }
      this.holders.delete(kind);
      this.watches.get(kind)?.stop();
    }
    sub.held.clear();
    if (this.subscribers.size === 0) this.stopAuthzWatches();
  }

  // ---- authorization kept exact while streams are open ----

  private ensureAuthzWatches(): void {
    for (const k of AUTHZ_KINDS) {
      const r = resourceOf(k);
      const hooks = { changed: () => this.authzChanged(r), relisted: () => this.authzChanged(r) };
      void this.watchOf(`authz:${k.resource}`, r, hooks).start();
    }
    for (const k of IDENTITY_KINDS) {
      const r = resourceOf(k);
      const hooks = {
        changed: (o: KObject) => {
          // This isolate's cached identity of the credential goes (as the API's admission does).
          forgetDeletedIdentity(r, o);
          this.scheduleReauth();
        },
        relisted: () => this.scheduleReauth(),
      };
      void this.watchOf(`identity:${k.resource}`, r, hooks).start();
    }
    this.periodic ??= setInterval(() => this.scheduleRecheck(0), RECHECK_EVERY_MS);
  }

  private stopAuthzWatches(): void {
    for (const k of AUTHZ_KINDS) this.watches.get(`authz:${k.resource}`)?.stop();
    for (const k of IDENTITY_KINDS) this.watches.get(`identity:${k.resource}`)?.stop();
    if (this.reauthTimer) clearTimeout(this.reauthTimer);
    this.reauthTimer = undefined;
    if (this.periodic) clearInterval(this.periodic);
    this.periodic = undefined;
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    this.recheckTimer = undefined;
  }

  private authzChanged(r: ResourceInfo): void {
    if (r.resource === 'namespaces') this.namespaces = undefined;
    this.scheduleRecheck(RECHECK_DEBOUNCE_MS);
  }

  private scheduleRecheck(delay: number): void {
    this.recheckTimer ??= setTimeout(() => {
      this.recheckTimer = undefined;
      void this.recheck();
    }, delay);
  }

  private scheduleReauth(): void {
    this.reauthTimer ??= setTimeout(() => {
      this.reauthTimer = undefined;
      void this.reauthenticate();
    }, RECHECK_DEBOUNCE_MS);
  }

  /** Still the same identity? A stream's token is authenticated again; a failure ends the stream. */
  private async signedIn(sub: Subscriber): Promise<boolean> {
    const { token, user } = sub.req;
    if (user.expires !== undefined && user.expires <= Date.now()) return false;
    if (token === undefined) return true;
    const probe = new Request('https://ui-hub/', { headers: { authorization: `Bearer ${token}` } });
    const now = await authenticateRequest(probe, this.env, this.store);
    return now !== undefined && now.name === user.name && now.uid === user.uid;
  }

  private async reauthenticate(): Promise<void> {
    this.counts.reauths++;
    await Promise.all(
      [...this.subscribers].map(async (sub) => {
        if (sub.closed) return;
        let ok = false;
        try {
          ok = await this.signedIn(sub);
        } catch (e) {
          console.error('dashboard stream: re-authentication failed', e);
        }
        if (!ok) sub.close();
      }),
    );
  }

  /** Every subscriber's scopes again, from storage (not the RBAC cache); a failure ends the stream. */
  private async recheck(): Promise<void> {
    this.counts.rechecks++;
    forgetRbacReads();
    this.namespaces = undefined;
    await this.reauthenticate();
    for (const sub of [...this.subscribers]) {
      if (sub.closed) continue;
      const before = new Map(sub.scopes);
      try {
        await this.computeScopes(sub);
      } catch (e) {
        console.error('dashboard stream: scope re-check failed', e);
        sub.close();
        continue;
      }
      if (sub.closed) continue;
      let moved = false;
      for (const [kind, scope] of sub.scopes) {
        if (sameScope(before.get(kind), scope)) continue;
        moved = true;
        const empty = scope !== 'all' && scope.length === 0;
        if (!empty && !sub.held.has(kind)) await this.hold(sub, kind);
      }
      // The page may now show more (or less): it renders again from its own GETs.
      if (moved) this.note(sub, '*');
    }
  }
}
