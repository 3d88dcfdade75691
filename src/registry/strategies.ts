// The strategy for each served resource: its defaulter, validators, and status and generation rules.
import { RESOURCES } from '../api/resources';
import { toEventsV1 } from '../api/event-convert';
import type { KObject } from '../api/types';
import { defaultConfigMap } from './defaults/configmap';
import { defaultDeployment } from './defaults/deployment';
import { defaultEndpoints, defaultEndpointSlice } from './defaults/endpoints';
import { defaultEvent } from './defaults/event';
import { defaultLease } from './defaults/lease';
import { defaultNamespace } from './defaults/namespace';
import { defaultNode } from './defaults/node';
import { defaultPod } from './defaults/pod';
import { defaultReplicaSet } from './defaults/replicaset';
import { defaultSecret } from './defaults/secret';
import { defaultService } from './defaults/service';
import type { FieldError } from './field-errors';
import type { ResourceStrategy } from './strategy';
import { validateConfigMap, validateConfigMapUpdate } from './validate/configmap';
import { validateDeployment, validateDeploymentUpdate } from './validate/deployment';
import { validateEndpoints, validateEndpointsUpdate } from './validate/endpoints';
import { validateEndpointSlice, validateEndpointSliceUpdate } from './validate/endpointslice';
import { validateEvent, validateEventUpdate } from './validate/event';
import { validateLease, validateLeaseUpdate } from './validate/lease';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './validate/meta';
import { validateNamespace, validateNamespaceUpdate } from './validate/namespace';
import { validateNode, validateNodeUpdate } from './validate/node';
import { validatePod, validatePodUpdate } from './validate/pod';
import { validateReplicaSet, validateReplicaSetUpdate } from './validate/replicaset';
import { validateSecret, validateSecretUpdate } from './validate/secret';
import { validateService, validateServiceUpdate } from './validate/service';
import { validateServiceAccount, validateServiceAccountUpdate } from './validate/serviceaccount';

type Validate = (obj: KObject) => FieldError[];
type ValidateUpdate = (obj: KObject, old: KObject) => FieldError[];

function strategy(
  validate: Validate,
  validateUpdate: ValidateUpdate,
  opts: { defaults?: (obj: KObject) => void; hasStatus?: boolean; tracksGeneration?: boolean } = {},
): ResourceStrategy {
  return {
    applyDefaults: opts.defaults ?? (() => {}),
    validate,
    validateUpdate,
    hasStatus: opts.hasStatus ?? false,
    // In 1.32 only the apps kinds here keep metadata.generation; pods gained it later (KEP-5067, 1.33).
    tracksGeneration: opts.tracksGeneration ?? false,
  };
}

const STRATEGIES: Record<string, ResourceStrategy> = {
  '/namespaces': strategy(validateNamespace, validateNamespaceUpdate, {
    defaults: defaultNamespace,
    hasStatus: true,
  }),
  '/pods': strategy(validatePod, validatePodUpdate, { defaults: defaultPod, hasStatus: true }),
  '/nodes': strategy(validateNode, validateNodeUpdate, { defaults: defaultNode, hasStatus: true }),
  '/services': strategy(validateService, validateServiceUpdate, {
    defaults: defaultService,
    hasStatus: true,
  }),
  '/endpoints': strategy(validateEndpoints, validateEndpointsUpdate, {
    defaults: defaultEndpoints,
  }),
  '/events': strategy(
    (e) => validateEvent(e, false),
    (e, o) => validateEventUpdate(e, o, false),
    { defaults: defaultEvent },
  ),
  '/configmaps': strategy(validateConfigMap, validateConfigMapUpdate, {
    defaults: defaultConfigMap,
  }),
  '/secrets': strategy(validateSecret, validateSecretUpdate, { defaults: defaultSecret }),
  '/serviceaccounts': strategy(validateServiceAccount, validateServiceAccountUpdate),
  'apps/deployments': strategy(validateDeployment, validateDeploymentUpdate, {
    defaults: defaultDeployment,
    hasStatus: true,
    tracksGeneration: true,
  }),
  'apps/replicasets': strategy(validateReplicaSet, validateReplicaSetUpdate, {
    defaults: defaultReplicaSet,
    hasStatus: true,
    tracksGeneration: true,
  }),
  'coordination.k8s.io/leases': strategy(validateLease, validateLeaseUpdate, {
    defaults: defaultLease,
  }),
  'discovery.k8s.io/endpointslices': strategy(validateEndpointSlice, validateEndpointSliceUpdate, {
    defaults: defaultEndpointSlice,
  }),
  // The REST layer hands strategies the stored (core/v1) shape; the events.k8s.io rules read their own field names.
  'events.k8s.io/events': strategy(
    (e) => validateEvent(toEventsV1(e), true),
    (e, o) => validateEventUpdate(toEventsV1(e), toEventsV1(o), true),
    { defaults: defaultEvent },
  ),
};

/** Kinds without their own rules: metadata only, scoped as the resource table says when it knows. */
function permissive(group: string, resource: string): ResourceStrategy {
  const namespaced = RESOURCES.find(
    (r) => r.group === group && r.resource === resource,
  )?.namespaced;
  const metaErrors = (obj: KObject) => {
    const errs = validateObjectMeta(obj.metadata, {
      namespaced: namespaced ?? true,
      nameFn: nameIsDNSSubdomain,
    });
    // Unknown scope: the namespace is neither required nor forbidden.
    return namespaced === undefined ? errs.filter((e) => e.field !== 'metadata.namespace') : errs;
  };
  return strategy(metaErrors, (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...metaErrors(obj),
  ]);
}

export function strategyFor(group: string, resource: string): ResourceStrategy {
  return STRATEGIES[`${group}/${resource}`] ?? permissive(group, resource);
}
