// The keyed controller contract: what a controller reconciles, what it owns, and reconcile(ctx, key) -> result.
// k8s: sigs.k8s.io/controller-runtime pkg/reconcile/reconcile.go, pkg/builder/controller.go (For, Owns, Watches)
import type { KObject } from '../../src/api/types';
import type { InformerEvent } from '../../src/client/informer';
import type { ClusterCache, IndexFunc } from './cache';

/** What one reconcile asks for next: nothing (done), or to run again after a delay. An error is thrown. */
export type Result = { requeueAfterMs?: number } | undefined | void;

/** A kind whose changes enqueue keys of this controller (controller-runtime's Watches with a mapper). */
export interface Watch {
  /** The kind, or '*' for every cached kind (those added at run time too: custom resources). */
  resource: string;
  /** Called for the changed object and, on an update or delete, for the object it replaced. */
  map(obj: KObject, cache: ClusterCache, event: InformerEvent<KObject>, resource: string): string[];
}

export interface KeyedController<C> {
  /** kube-controller-manager's name for it ("replicaset", "deployment", ...). */
  name: string;
  /** The kind whose objects are the keys ("namespace/name"); a change to one enqueues its key. */
  reconciles: string;
  /** Kinds it owns: a change to one enqueues its controlling owner when the owner is of the reconciled kind. */
  owns?: string[];
  /** Other kinds whose changes enqueue keys. */
  watches?: Watch[];
  /** Every kind it reads; the leader keeps a cache of each. */
  reads: string[];
  /** Indexes it looks objects up by. */
  indexes?: { resource: string; name: string; fn: IndexFunc }[];
  /** The keys cron's resync enqueues, for a controller whose keys are not one kind's objects. */
  resync?(cache: ClusterCache): string[];
  /** Sees each cache change before the keys are enqueued (expectations are lowered here). */
  observe?(resource: string, event: InformerEvent<KObject>): void;
  reconcile(ctx: C, key: string): Promise<Result>;
}

/** The key of an object in its kind's cache and queue: "namespace/name", or "name" when cluster-scoped. */
export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
