// The control plane's own identities and what each may do (the scheduler's and controllers' roles).
import type { User } from './authenticate';
import type { Attributes } from '../../rbac/attributes';
import type { Authorizer } from './authorize';

export const SCHEDULER: User = { name: 'system:kube-scheduler', groups: ['system:authenticated'] };
export const CONTROLLERS: User = {
  name: 'system:kube-controller-manager',
  groups: ['system:authenticated'],
};

const READS = new Set(['get', 'list', 'watch']);
const key = (a: Attributes) =>
  `${a.apiGroup}/${a.resource}${a.subresource ? '/' + a.subresource : ''}`;

// k8s: plugin/pkg/auth/authorizer/rbac/bootstrappolicy (system:kube-scheduler), narrowed to what ours does.
export const schedulerAuthorizer: Authorizer = (user, info) => {
  if (user.name !== SCHEDULER.name || !info.resourceRequest) return { allowed: false };
  const k = key(info);
  if (
    READS.has(info.verb) &&
    [
      '/pods',
      '/nodes',
      '/namespaces',
      '/services',
      // VolumeBinding reads claims, volumes and classes.
      '/persistentvolumeclaims',
      '/persistentvolumes',
      'storage.k8s.io/storageclasses',
    ].includes(k)
  )
    return { allowed: true };
  if (k === '/pods/binding' && info.verb === 'create') return { allowed: true };
  // VolumeBinding's PreBind marks delayed-binding claims with the chosen node.
  if (k === '/persistentvolumeclaims' && (info.verb === 'patch' || info.verb === 'update'))
    return { allowed: true };
  if (
    k === '/pods/status' &&
    (info.verb === 'update' || info.verb === 'patch' || info.verb === 'get')
  )
    return { allowed: true };
  if (
    (k === '/events' || k === 'events.k8s.io/events') &&
    ['create', 'update', 'patch', 'get'].includes(info.verb)
  )
    return { allowed: true };
  return { allowed: false };
};

/**
 * The controllers manage every kind, as kube-controller-manager's roles do (the garbage collector and
 * the namespace controller read and delete everything, Secrets included), but never open streams
 * into containers.
 */
export const controllersAuthorizer: Authorizer = (user, info) => {
  if (user.name !== CONTROLLERS.name) return { allowed: false };
  if (['exec', 'attach', 'portforward', 'proxy'].includes(info.subresource))
    return { allowed: false };
  // Acting as someone else is for people; no controller of ours does it.
  if (info.verb === 'impersonate') return { allowed: false };
  return { allowed: true };
};
