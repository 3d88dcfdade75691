// Admission: the cluster-aware checks and mutations that run around every write.
import type { KObject } from '../../api/types';
import type { ApiContext } from '../context';
import { checkNamespaceOpen, createDefaultServiceAccount, refuseImmortalNamespace } from './namespace-lifecycle';
import { allocateServiceAddresses, releaseServiceAddresses, reallocateOnUpdate } from './service-addresses';
import { admitPod } from './pods';
import { restrictNodeCreate, restrictNodePodStatus, restrictNodeUpdate } from './node-restriction';

const is = (ctx: ApiContext, group: string, resource: string) =>
  ctx.info.resource.group === group && ctx.info.resource.resource === resource;

export async function admitCreate(ctx: ApiContext, obj: KObject): Promise<void> {
  restrictNodeCreate(ctx, obj);
  if (ctx.info.resource.namespaced) await checkNamespaceOpen(ctx, obj.metadata.namespace!);
  if (is(ctx, '', 'pods')) admitPod(ctx, obj);
  if (is(ctx, '', 'services')) await allocateServiceAddresses(ctx, obj);
}

export async function afterCreate(ctx: ApiContext, obj: KObject): Promise<void> {
  if (is(ctx, '', 'namespaces')) await createDefaultServiceAccount(ctx, obj.metadata.name!);
}

/** Checks an update as the client asked for it, before the status strategy resets what it may not change. */
export function admitUpdateRequest(ctx: ApiContext, requested: KObject, live: KObject): void {
  restrictNodePodStatus(ctx, requested, live);
}

export async function admitUpdate(ctx: ApiContext, next: KObject, live: KObject): Promise<void> {
  restrictNodeUpdate(ctx, next, live);
  if (is(ctx, '', 'services') && ctx.info.subresource === '') await reallocateOnUpdate(ctx, next, live);
}

export async function admitDelete(ctx: ApiContext, obj: KObject): Promise<void> {
  if (is(ctx, '', 'namespaces')) refuseImmortalNamespace(obj.metadata.name!);
}

export async function afterDelete(ctx: ApiContext, obj: KObject): Promise<void> {
  if (is(ctx, '', 'services')) await releaseServiceAddresses(ctx, obj);
}
