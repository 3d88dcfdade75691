// Keyed wake-ups from the API: each write names its object; writes close together share one wake call per loop.
import { describe, expect, it } from 'vitest';
import type { WakeKey } from '../../src/api/wake';
import type { ApiContext } from '../../src/server/context';
import { notifyWrite } from '../../src/server/wake';

function loop() {
  const calls: WakeKey[][] = [];
  return { calls, service: { wake: async (keys: WakeKey[]) => void calls.push(keys) } };
}

function ctx(
  env: Record<string, unknown>,
  resource: { group: string; version: string; resource: string },
  at: { namespace?: string; name?: string; subresource?: string },
  held: Promise<unknown>[],
): ApiContext {
  return {
    env,
    info: { resource, namespace: at.namespace, name: at.name, subresource: at.subresource },
    query: new URLSearchParams(),
    waitUntil: (p: Promise<unknown>) => void held.push(p),
  } as unknown as ApiContext;
}

const pods = { group: '', version: 'v1', resource: 'pods' };

describe('wake-ups', () => {
  it('name each written object and share one call per loop among writes close together', async () => {
    const scheduler = loop();
    const controllers = loop();
    const env = { SCHEDULER: scheduler.service, CONTROLLERS: controllers.service };
    const held: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      const created = { metadata: { name: `p${i}`, namespace: 'ns' } };
      notifyWrite(ctx(env, pods, { namespace: 'ns' }, held), created);
    }
    // A status write wakes only the controllers; a Deployment only the controllers.
    notifyWrite(ctx(env, pods, { namespace: 'ns', name: 'p0', subresource: 'status' }, held));
    notifyWrite(
      ctx(
        env,
        { group: 'apps', version: 'v1', resource: 'deployments' },
        { namespace: 'ns', name: 'web' },
        held,
      ),
    );
    // One waitUntil per loop's batch: the other writes await nothing.
    expect(held).toHaveLength(2);
    await Promise.all(held);
    expect(scheduler.calls).toHaveLength(1);
    expect(controllers.calls).toHaveLength(1);
    expect(scheduler.calls[0]).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ resource: 'pods', namespace: 'ns', name: `p${i}` })),
    );
    expect(controllers.calls[0]).toHaveLength(21);
    expect(controllers.calls[0]).toContainEqual({
      resource: 'apps/v1/deployments',
      namespace: 'ns',
      name: 'web',
    });
  });

  it('wake nobody for leases and events, and name cluster-scoped objects without a namespace', async () => {
    const scheduler = loop();
    const controllers = loop();
    const env = { SCHEDULER: scheduler.service, CONTROLLERS: controllers.service };
    const held: Promise<unknown>[] = [];
    notifyWrite(
      ctx(
        env,
        { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
        { namespace: 'kube-node-lease', name: 'n1' },
        held,
      ),
    );
    notifyWrite(
      ctx(
        env,
        { group: '', version: 'v1', resource: 'events' },
        { namespace: 'ns', name: 'e' },
        held,
      ),
    );
    notifyWrite(ctx(env, { group: '', version: 'v1', resource: 'nodes' }, { name: 'n1' }, held));
    await Promise.all(held);
    expect(scheduler.calls).toEqual([[{ resource: 'nodes', name: 'n1' }]]);
    expect(controllers.calls).toEqual([[{ resource: 'nodes', name: 'n1' }]]);
  });
});
