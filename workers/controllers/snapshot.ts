// A per-pass cache of cluster-wide lists, so controllers in one pass share each LIST.
import type { KObject } from '../../src/api/types';
import type { KubeClient } from '../../src/client/client';
import type { Snapshot } from './framework';

export function createSnapshot(client: KubeClient): Snapshot & { lists: number } {
  const cache = new Map<string, Promise<KObject[]>>();
  const snap = {
    lists: 0,
    list<T extends KObject = KObject>(resource: string): Promise<T[]> {
      let p = cache.get(resource);
      if (!p) {
        snap.lists++;
        p = client.list(resource, { all: true }).then((l) =>
          l.items.map((o) => ({
            ...o,
            apiVersion: l.apiVersion,
            kind: l.kind.replace(/List$/, ''),
          })),
        );
        p.catch(() => cache.delete(resource));
        cache.set(resource, p);
      }
      return p as Promise<T[]>;
    },
    invalidate(resource: string) {
      cache.delete(resource);
    },
  };
  return snap;
}
