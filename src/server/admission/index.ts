// Admission: the cluster-aware checks and mutations that run around every write.
import type { KObject } from '../../api/types';
import type { ApiContext } from '../context';
import {
  checkNamespaceOpen,
  createDefaultServiceAccount,
  refuseImmortalNamespace,
} from './namespace-lifecycle';
import {
  allocateServiceAddresses,
  commitServiceAddresses,
  releaseServiceAddresses,
  reallocateOnUpdate,
} from './service-addresses';
import { rollbackReservations } from './allocation-table';
import { admitPod } from './pods';
import { admitLimitRanger } from './limit-ranger';
import {
  admitResourceQuota,
  admitResourceQuotaUpdate,
  commitQuotaCharges,
  releaseQuotaCharges,
} from './resource-quota';
import { forgetPodLogs } from '../logs-ingest';
import { restrictNodeCreate, restrictNodePodStatus, restrictNodeUpdate } from './node-restriction';
import { checkRbacEscalation } from '../auth/escalation';
import { forgetRbacReads } from '../../rbac/cache';
import { forgetDeletedIdentity } from '../auth/authenticate-request';

const is = (ctx: ApiContext, group: string, resource: string) =>
  ctx.info.resource.group === group && ctx.info.resource.resource === resource;

export async function admitCreate(ctx: ApiContext, obj: KObject): Promise<void> {
  restrictNodeCreate(ctx, obj);
  if (ctx.info.resource.namespaced) await checkNamespaceOpen(ctx, obj.metadata.namespace!);
  // LimitRanger first: its defaults decide the pod's QoS class, which admitPod records.
  if (is(ctx, '', 'pods')) await admitLimitRanger(ctx, obj);
  if (is(ctx, '', 'pods')) admitPod(ctx, obj);
  if (is(ctx, '', 'services')) await allocateServiceAddresses(ctx, obj);
  await checkRbacEscalation(ctx, obj);
}

/**
 * Validating admission of a create: runs once the object passed validation, as the apiserver runs
 * its validating plugins after the strategy's Validate. ResourceQuota charges here.
 */
export async function validateCreate(ctx: ApiContext, obj: KObject): Promise<void> {
  await admitResourceQuota(ctx, obj);
}

/** Validating admission of an update, after validateUpdate passed (the growth is charged). */
export async function validateUpdate(ctx: ApiContext, next: KObject, live: KObject): Promise<void> {
  await admitResourceQuotaUpdate(ctx, next, live);
}

/** RBAC decisions in this isolate see an RBAC write at once. */
const rbacWritten = (ctx: ApiContext) => {
  if (ctx.info.resource.group === 'rbac.authorization.k8s.io') forgetRbacReads();
};

export async function afterCreate(ctx: ApiContext, obj: KObject): Promise<void> {
  commitQuotaCharges(ctx);
  rbacWritten(ctx);
  if (is(ctx, '', 'services')) await commitServiceAddresses(ctx, obj);
  if (is(ctx, '', 'namespaces')) await createDefaultServiceAccount(ctx, obj.metadata.name!);
}

/** Checks an update as the client asked for it, before the status strategy resets what it may not change. */
export function admitUpdateRequest(ctx: ApiContext, requested: KObject, live: KObject): void {
  restrictNodePodStatus(ctx, requested, live);
}

export async function admitUpdate(ctx: ApiContext, next: KObject, live: KObject): Promise<void> {
  restrictNodeUpdate(ctx, next, live);
  await checkRbacEscalation(ctx, next, live);
  if (is(ctx, '', 'services') && ctx.info.subresource === '')
    await reallocateOnUpdate(ctx, next, live);
}

/** The update committed (`stored` is what storage holds now). */
export async function afterUpdate(ctx: ApiContext, stored: KObject): Promise<void> {
  commitQuotaCharges(ctx);
  rbacWritten(ctx);
  if (is(ctx, '', 'services') && ctx.info.subresource === '')
    await commitServiceAddresses(ctx, stored);
}

/**
 * Runs one request's handler; whatever admission reserved or charged for a write that did not
 * commit (it failed validation, met AlreadyExists or a conflict, or threw anything) is given back,
 * as the apiserver's finish functions revert an allocation when the write fails.
 */
export async function withAdmission<T>(ctx: ApiContext, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } finally {
    await rollbackReservations(ctx.store, ctx.request);
    await releaseQuotaCharges(ctx);
  }
}

export async function admitDelete(ctx: ApiContext, obj: KObject): Promise<void> {
  if (is(ctx, '', 'namespaces')) refuseImmortalNamespace(obj.metadata.name!);
}

export async function afterDelete(ctx: ApiContext, obj: KObject): Promise<void> {
  rbacWritten(ctx);
  forgetDeletedIdentity(ctx.info.resource, obj);
  if (is(ctx, '', 'services')) await releaseServiceAddresses(ctx, obj);
  if (is(ctx, '', 'pods'))
    await forgetPodLogs(ctx.env, obj).catch((e: unknown) =>
      console.error('forgetting the logs of a deleted pod', e),
    );
}
