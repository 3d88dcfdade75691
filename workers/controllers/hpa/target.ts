// The HPA's target through its scale subresource: any kind that serves /scale (Deployments,
// ReplicaSets, StatefulSets, custom resources), found by apiVersion and kind.
import type { CrossVersionObjectReference, Scale } from '../../../src/api/autoscaling';
import { allResources, type ResourceInfo } from '../../../src/api/resources';
import type { KubeClient } from '../../../src/client/client';
import { resourceUrl } from '../../../src/client/paths';

/** A kind not built in (a custom resource) is looked up in its group/version's discovery document. */
async function discover(
  client: KubeClient,
  ref: CrossVersionObjectReference,
): Promise<ResourceInfo> {
  const gv = ref.apiVersion ?? '';
  const res = await client.raw('GET', gv.includes('/') ? `/apis/${gv}` : `/api/${gv || 'v1'}`);
  const list = (await res.json()) as {
    resources?: { name: string; kind: string; namespaced: boolean }[];
  };
  const r = list.resources?.find((x) => x.kind === ref.kind && !x.name.includes('/'));
  const hasScale = list.resources?.some((x) => x.name === `${r?.name}/scale`);
  if (!r || !hasScale)
    throw new Error(
      `the server could not find the requested resource (${ref.kind} in ${gv} with a scale subresource)`,
    );
  const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
  return {
    group,
    version,
    resource: r.name,
    singular: '',
    kind: r.kind,
    listKind: `${r.kind}List`,
    namespaced: r.namespaced,
    subresources: [{ name: 'scale', verbs: ['get', 'update'] }],
    partitioned: false,
  };
}

export async function targetResource(
  client: KubeClient,
  ref: CrossVersionObjectReference,
): Promise<ResourceInfo> {
  const gv = ref.apiVersion ?? '';
  const known = allResources().find(
    (r) => (r.group ? `${r.group}/${r.version}` : r.version) === gv && r.kind === ref.kind,
  );
  if (known) {
    if (!known.subresources.some((s) => s.name === 'scale'))
      throw new Error(`${ref.kind} in ${gv} has no scale subresource`);
    return known;
  }
  return discover(client, ref);
}

export async function getScale(
  client: KubeClient,
  info: ResourceInfo,
  namespace: string,
  name: string,
): Promise<Scale> {
  const res = await client.raw('GET', resourceUrl(info, { namespace, name, subresource: 'scale' }));
  return (await res.json()) as Scale;
}

export async function updateScale(
  client: KubeClient,
  info: ResourceInfo,
  scale: Scale,
  replicas: number,
): Promise<Scale> {
  const body: Scale = { ...scale, spec: { ...(scale.spec ?? {}), replicas } };
  const res = await client.raw(
    'PUT',
    resourceUrl(info, {
      namespace: scale.metadata.namespace,
      name: scale.metadata.name,
      subresource: 'scale',
    }),
    { body: JSON.stringify(body), contentType: 'application/json' },
  );
  return (await res.json()) as Scale;
}
