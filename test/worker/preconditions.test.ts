// One object, one resourceVersion: the version a watch event carries and the one a GET answers are
// both accepted as preconditions by PUT, PATCH and DELETE, through the real API Worker.
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import { isConflict } from '../../src/client/errors';
import type { KObject, WatchEvent } from '../../src/api/types';
import type { KubeClient } from '../../src/client/client';

const LEASES = 'coordination.k8s.io/v1/leases';

function lease(name: string, namespace: string, holder = 'a'): KObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace },
    spec: { holderIdentity: holder },
  };
}

/** The object as an informer caches it: from the watch event of its last write. */
async function fromWatch(
  c: KubeClient,
  ns: string,
  name: string,
  write: () => Promise<unknown>,
): Promise<KObject> {
  const listed = await c.list(LEASES, { namespace: ns });
  const events = c.watch(LEASES, {
    namespace: ns,
    resourceVersion: listed.metadata.resourceVersion,
    timeoutSeconds: 30,
  });
  const first = events.next();
  await write();
  const ev = (await first).value as WatchEvent<KObject>;
  await events.return(undefined);
  expect(ev.object.metadata.name).toBe(name);
  return ev.object;
}

describe('resourceVersion preconditions of a partitioned kind', () => {
  it('accepts the watch event form and the GET form on PUT, merge and strategic PATCH and DELETE, and refuses stale ones with 409', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);

    // PUT with the object from the watch event.
    const cached = await fromWatch(c, ns, 'l1', () => c.create(LEASES, lease('l1', ns)));
    const got = await c.get(LEASES, 'l1', { namespace: ns });
    // The event's spelling is the one a merged watch can resume from; GET spells the same version.
    expect(cached.metadata.uid).toBe(got.metadata.uid);
    const put = await c.update(
      LEASES,
      { ...cached, spec: { holderIdentity: 'b' } },
      { namespace: ns },
    );
    expect((put.spec as { holderIdentity: string }).holderIdentity).toBe('b');
    // Now stale in either spelling.
    await expect(
      c.update(LEASES, { ...cached, spec: { holderIdentity: 'c' } }, { namespace: ns }),
    ).rejects.toSatisfy(isConflict);
    await expect(
      c.update(LEASES, { ...got, spec: { holderIdentity: 'c' } }, { namespace: ns }),
    ).rejects.toSatisfy(isConflict);

    // Merge patch carrying metadata.resourceVersion from a watch event.
    const cached2 = await fromWatch(c, ns, 'l1', () =>
      c.update(LEASES, { ...put, spec: { holderIdentity: 'd' } }, { namespace: ns }),
    );
    const merged = await c.patch(
      LEASES,
      'l1',
      'merge',
      {
        metadata: { resourceVersion: cached2.metadata.resourceVersion },
        spec: { holderIdentity: 'e' },
      },
      { namespace: ns },
    );
    expect((merged.spec as { holderIdentity: string }).holderIdentity).toBe('e');
    await expect(
      c.patch(
        LEASES,
        'l1',
        'merge',
        {
          metadata: { resourceVersion: cached2.metadata.resourceVersion },
          spec: { holderIdentity: 'f' },
        },
        { namespace: ns },
      ),
    ).rejects.toSatisfy(isConflict);

    // Strategic merge patch with the GET form, then with a watch event form.
    const strategic = await c.patch(
      LEASES,
      'l1',
      'strategic',
      {
        metadata: { resourceVersion: merged.metadata.resourceVersion },
        spec: { holderIdentity: 'g' },
      },
      { namespace: ns },
    );
    expect((strategic.spec as { holderIdentity: string }).holderIdentity).toBe('g');
    const cached3 = await fromWatch(c, ns, 'l1', () =>
      c.patch(LEASES, 'l1', 'merge', { spec: { holderIdentity: 'h' } }, { namespace: ns }),
    );
    const strategic2 = await c.patch(
      LEASES,
      'l1',
      'strategic',
      {
        metadata: { resourceVersion: cached3.metadata.resourceVersion },
        spec: { holderIdentity: 'i' },
      },
      { namespace: ns },
    );
    expect((strategic2.spec as { holderIdentity: string }).holderIdentity).toBe('i');

    // DELETE with a stale watch event form is refused; with the current one it deletes.
    await expect(
      c.delete(LEASES, 'l1', {
        namespace: ns,
        preconditions: { resourceVersion: cached3.metadata.resourceVersion },
      }),
    ).rejects.toSatisfy(isConflict);
    const cached4 = await fromWatch(c, ns, 'l1', () =>
      c.patch(LEASES, 'l1', 'merge', { spec: { holderIdentity: 'j' } }, { namespace: ns }),
    );
    await c.delete(LEASES, 'l1', {
      namespace: ns,
      preconditions: { resourceVersion: cached4.metadata.resourceVersion },
    });
    await expect(c.get(LEASES, 'l1', { namespace: ns })).rejects.toMatchObject({
      status: { code: 404 },
    });

    // DELETE with the GET form.
    const l2 = await c.create(LEASES, lease('l2', ns));
    await c.delete(LEASES, 'l2', {
      namespace: ns,
      preconditions: { resourceVersion: l2.metadata.resourceVersion },
    });
  });

  it('answers 422 for a resourceVersion that is not one', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const l = await c.create(LEASES, lease('l', ns));
    await expect(
      c.update(
        LEASES,
        { ...l, metadata: { ...l.metadata, resourceVersion: 'not-a-version' } },
        { namespace: ns },
      ),
    ).rejects.toMatchObject({
      status: { code: 422, details: { causes: [{ field: 'metadata.resourceVersion' }] } },
    });
  });
});
