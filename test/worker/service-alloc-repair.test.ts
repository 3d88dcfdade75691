// The Service allocation repair loop against the real API Worker: a value a Service holds without a
// reservation is reserved again, a value two Services hold is reported, and a reservation no
// Service holds is freed once it is old enough to be a leak (never while a create may be in flight).
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import { keyedHarness } from './controller-harness';
import type { KObject } from '../../src/api/types';
import {
  LEAK_GRACE_MS,
  planRepair,
  serviceAllocRepairController as repair,
  type Allocation,
} from '../../workers/controllers/service-alloc-repair';

const client = apiClient();

/** The repair loop as the leader runs it: one key, Services from a cache of every namespace (the table is the cluster's). */
async function repairHarness(ns: string, clock: { now: number }) {
  return keyedHarness(ns, () => [repair], {
    now: () => clock.now,
    selectors: { services: { namespace: undefined } },
  });
}

async function table(): Promise<Map<string, Allocation>> {
  const items = (
    (await (await client.raw('GET', '/edgeplane/v1/serviceallocations')).json()) as {
      items: Allocation[];
    }
  ).items;
  return new Map(items.map((a) => [a.key, a]));
}

const nodePortService = (name: string, ns: string, nodePort: number) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { type: 'NodePort', selector: { app: name }, ports: [{ port: 80, nodePort }] },
});

async function reasons(ns: string): Promise<string[]> {
  const events = await client.list<
    KObject & { reason?: string; involvedObject?: { name?: string } }
  >('events', { namespace: ns });
  return events.items.map((e) => `${e.involvedObject?.name}:${e.reason}`).sort();
}

describe('service allocation repair', () => {
  it('re-reserves a held value, reports a doubly held one, and frees a leak only after the grace period', async () => {
    const ns = await freshNamespace(client);
    const held = (await client.create('services', nodePortService('held', ns, 31901) as KObject, {
      namespace: ns,
    })) as KObject & { spec: { clusterIP: string } };
    // A leak: reserved for a Service that never got stored.
    const leak = await client.raw('POST', '/edgeplane/v1/serviceallocations', {
      body: JSON.stringify({ key: 'port-31902', owner: `${ns}/never-stored` }),
      contentType: 'application/json',
    });
    expect(leak.status).toBe(201);
    // A lost reservation: held by a Service but missing from the table.
    await client.raw('DELETE', '/edgeplane/v1/serviceallocations/port-31901');
    // A double booking: a second Service got 31903 while its reservation was missing.
    await client.create('services', nodePortService('first', ns, 31903), { namespace: ns });
    await client.raw('DELETE', '/edgeplane/v1/serviceallocations/port-31903');
    await client.create('services', nodePortService('second', ns, 31903), { namespace: ns });

    const clock = { now: Date.now() };
    const h = await repairHarness(ns, clock);
    const young = await h.pass();
    expect([...young.errors.values()]).toEqual([]);
    let t = await table();
    expect(t.get('port-31901')?.owner).toBe(`${ns}/held`);
    expect(t.has(`ip-${held.spec.clusterIP}`)).toBe(true);
    expect(t.has('port-31902')).toBe(true); // too young to be a leak: a create may still be in flight
    expect(young.requeueAfterMs).toBeGreaterThan(0);
    expect(young.requeueAfterMs).toBeLessThanOrEqual(LEAK_GRACE_MS);
    expect(await reasons(ns)).toEqual(['held:PortNotAllocated', 'second:PortAlreadyAllocated']);

    clock.now = Date.now() + LEAK_GRACE_MS + 1000;
    const old = await h.pass();
    expect(old.reconciled['service-alloc-repair']).toBe(1);
    h.stop();
    t = await table();
    expect(t.has('port-31902')).toBe(false);
    expect(t.has('port-31901')).toBe(true);
    expect(t.has('port-31903')).toBe(true);
    // The freed port can be had again.
    await client.create('services', nodePortService('takes-the-leak', ns, 31902), {
      namespace: ns,
    });
  });

  it('frees a reservation only if it is still the one it read (uid precondition)', async () => {
    const ns = await freshNamespace(client);
    await client.raw('POST', '/edgeplane/v1/serviceallocations', {
      body: JSON.stringify({ key: 'port-31910', owner: `${ns}/a` }),
      contentType: 'application/json',
    });
    const stale = (await table()).get('port-31910')!;
    await client.raw('DELETE', '/edgeplane/v1/serviceallocations/port-31910');
    await client.create('services', nodePortService('b', ns, 31910), { namespace: ns });
    await expect(
      client.raw('DELETE', `/edgeplane/v1/serviceallocations/port-31910?uid=${stale.uid}`),
    ).rejects.toThrow(/409|reserved again/);
    expect((await table()).get('port-31910')?.owner).toBe(`${ns}/b`);
  });

  it('plans from the table read before the Services: the oldest holder keeps a doubly held value', () => {
    const svc = (name: string, created: string, port: number) =>
      ({
        metadata: { name, namespace: 'n', creationTimestamp: created },
        spec: { type: 'NodePort', clusterIP: 'None', ports: [{ nodePort: port }] },
      }) as KObject;
    const now = Date.parse('2026-01-01T00:10:00Z');
    const plan = planRepair(
      [
        { key: 'port-30001', uid: 'u1', owner: 'n/old', creationTimestamp: '2026-01-01T00:00:00Z' },
        {
          key: 'port-30009',
          uid: 'u9',
          owner: 'n/gone',
          creationTimestamp: '2026-01-01T00:00:00Z',
        },
        {
          key: 'port-30010',
          uid: 'u10',
          owner: 'n/in-flight',
          creationTimestamp: '2026-01-01T00:09:30Z',
        },
      ],
      [
        svc('new', '2026-01-01T00:05:00Z', 30001),
        svc('old', '2026-01-01T00:01:00Z', 30001),
        svc('other', '2026-01-01T00:02:00Z', 30002),
      ],
      now,
    );
    expect(plan.reserve.map((r) => `${r.key}:${r.service.metadata.name}`)).toEqual([
      'port-30002:other',
    ]);
    expect(plan.duplicates.map((r) => `${r.key}:${r.service.metadata.name}`)).toEqual([
      'port-30001:new',
    ]);
    expect(plan.release.map((a) => a.key)).toEqual(['port-30009']);
    expect(plan.recheckMs).toBe(LEAK_GRACE_MS - 30_000);
  });
});
