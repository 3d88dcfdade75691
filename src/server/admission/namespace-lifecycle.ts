// NamespaceLifecycle: no objects in missing or terminating namespaces; the built-in ones stay.
import { findResource } from '../../api/resources';
import { errors } from '../errors';
import type { ApiContext } from '../context';
import { newUid, timestamp } from '../rest/objects';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;
export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export async function checkNamespaceOpen(ctx: ApiContext, namespace: string): Promise<void> {
  const ns = await ctx.store.get(NAMESPACES, undefined, namespace);
  if (!ns) throw errors.notFound({ resource: 'namespaces', group: '', name: namespace });
  if (ns.metadata.deletionTimestamp) {
    throw errors.forbidden(
      `${ctx.info.resource.resource} "${ctx.info.name ?? ''}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      { resource: ctx.info.resource.resource, group: ctx.info.resource.group, name: ctx.info.name },
    );
  }
}

export function refuseImmortalNamespace(name: string): void {
  if (IMMORTAL_NAMESPACES.includes(name)) {
    throw errors.forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`, {
      resource: 'namespaces',
      group: '',
      name,
    });
  }
}

/** Every namespace gets a "default" ServiceAccount, as the serviceaccounts controller ensures. */
export async function createDefaultServiceAccount(
  ctx: ApiContext,
  namespace: string,
): Promise<void> {
  await ctx.store.create(SERVICE_ACCOUNTS, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'default', namespace, uid: newUid(), creationTimestamp: timestamp() },
  });
}
