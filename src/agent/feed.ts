// Objects by node: one watch per node (a real agent), or one shared watch that many simulated nodes split.
import type { KObject } from '../api/types';
import type { KubeClient } from '../client/client';
import { Informer, type InformerEvent, type InformerOptions } from '../client/informer';
import type { Node, Pod } from './types';

export type FeedHandler<T> = (event: InformerEvent<T>) => void;

export interface Feed<T> {
  /** Delivers the node's objects (those already cached as ADDED at once) and every later change; returns unsubscribe. */
  subscribe(nodeName: string, handler: FeedHandler<T>): () => void;
  start(): void;
  /** Resolves once the first list has been delivered. */
  readonly synced: Promise<void>;
  stop(): void;
}

export type PodFeed = Feed<Pod>;
export type NodeFeed = Feed<Node>;

type FeedOptions = Pick<
  InformerOptions,
  'onError' | 'backoffInitialMs' | 'backoffMaxMs' | 'watchTimeoutSeconds'
>;

/**
 * One informer, its events handed to the node each object belongs to. With one node the watch
 * selects that node's objects on the server (as kubelet's do, and as the Node authorizer will
 * require); with many it watches them all, so a thousand simulated nodes cost the server one watch
 * instead of a thousand. Relisting after 410 or a dropped stream, with capped backoff, is the Informer's.
 */
function createFeed<T extends KObject>(
  client: KubeClient,
  resource: string,
  nodeNames: string[],
  nodeOf: (obj: T | undefined) => string,
  selector: { one: (node: string) => string; many?: string },
  opts: FeedOptions,
): Feed<T> {
  const fieldSelector = nodeNames.length === 1 ? selector.one(nodeNames[0]) : selector.many;
  const informer = new Informer<T>(client, resource, { ...opts, fieldSelector });
  const handlers = new Map<string, FeedHandler<T>>();
  const deliver = (node: string, event: InformerEvent<T>) => handlers.get(node)?.(event);
  informer.onEvent((event) => {
    const now = nodeOf(event.object);
    const before = nodeOf(event.oldObject);
    // An object that moved between nodes (a pod name reused elsewhere) is gone from one, new on the other.
    if (event.type === 'MODIFIED' && before && before !== now) {
      deliver(before, { type: 'DELETED', object: event.oldObject!, oldObject: event.oldObject });
      deliver(now, { type: 'ADDED', object: event.object });
      return;
    }
    deliver(now, event);
  });
  return {
    subscribe(nodeName, handler) {
      handlers.set(nodeName, handler);
      for (const obj of informer.store.values())
        if (nodeOf(obj) === nodeName) handler({ type: 'ADDED', object: obj });
      return () => handlers.delete(nodeName);
    },
    start: () => void informer.start(),
    synced: informer.synced,
    stop: () => informer.stop(),
  };
}

/** Pods bound to the nodes (all namespaces). */
export function createPodFeed(
  client: KubeClient,
  nodeNames: string[],
  opts: FeedOptions = {},
): PodFeed {
  return createFeed<Pod>(
    client,
    'pods',
    nodeNames,
    (p) => p?.spec?.nodeName ?? '',
    { one: (n) => `spec.nodeName=${n}`, many: 'spec.nodeName!=' },
    opts,
  );
}

/** The Node objects themselves, so an agent notices when its Node is changed or removed behind its back. */
export function createNodeFeed(
  client: KubeClient,
  nodeNames: string[],
  opts: FeedOptions = {},
): NodeFeed {
  return createFeed<Node>(
    client,
    'nodes',
    nodeNames,
    (n) => n?.metadata.name ?? '',
    { one: (n) => `metadata.name=${n}` },
    opts,
  );
}
