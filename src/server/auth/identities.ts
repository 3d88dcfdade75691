// The control plane's own identities and what each may do (the scheduler's and controllers' roles).
import type { User } from './authenticate';
import type { Authorizer } from './authorize';
import { ruleAllows } from '../../rbac/rules';
import { KUBE_SCHEDULER_RULES, STREAM_SUBRESOURCES } from '../../rbac/control-plane-roles';

export const SCHEDULER: User = { name: 'system:kube-scheduler', groups: ['system:authenticated'] };
export const CONTROLLERS: User = {
  name: 'system:kube-controller-manager',
  groups: ['system:authenticated'],
};

// k8s: plugin/pkg/auth/authorizer/rbac/bootstrappolicy (system:kube-scheduler), narrowed to what ours
// does. The bootstrap ClusterRole system:kube-scheduler holds the same rules (src/rbac/control-plane-roles.ts);
// this floor keeps the scheduler working whatever happens to that object.
export const schedulerAuthorizer: Authorizer = (user, info) => ({
  allowed:
    user.name === SCHEDULER.name &&
    info.resourceRequest &&
    KUBE_SCHEDULER_RULES.some((r) => ruleAllows(info, r)),
});

/**
 * The controllers manage every kind, as kube-controller-manager's roles do (the garbage collector and
 * the namespace controller read and delete everything, Secrets included), but never open streams
 * into containers. The bootstrap ClusterRole system:kube-controller-manager lists the same rights
 * for the built-in kinds; custom resources (groups unknown in advance) are granted here only.
 */
export const controllersAuthorizer: Authorizer = (user, info) => {
  if (user.name !== CONTROLLERS.name) return { allowed: false };
  if (STREAM_SUBRESOURCES.includes(info.subresource)) return { allowed: false };
  // Acting as someone else is for people; no controller of ours does it.
  if (info.verb === 'impersonate') return { allowed: false };
  return { allowed: true };
};
