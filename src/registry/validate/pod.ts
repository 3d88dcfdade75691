// Pod validation on create and update: metadata, the full PodSpec, and the update immutability rules.
// k8s: pkg/apis/core/validation/validation.go ValidatePodCreate, ValidatePodUpdate
import type { KObject } from '../../api/types';
import { fieldErr, path, type FieldError } from '../field-errors';
import { asArr, asStr, isSet, objOf } from './fields';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta';
import { validatePodSpec, validatePodSpecUpdate } from './pod-spec';

const META = { namespaced: true, nameFn: nameIsDNSSubdomain };

function validatePodMetadataAndSpec(pod: KObject): FieldError[] {
  const spec = objOf(pod.spec);
  const errs = [
    ...validateObjectMeta(pod.metadata, META),
    ...validatePodSpec(spec, 'spec', { isPod: true }),
  ];
  // A projected token needs a service account to be issued for.
  if (!asStr(spec.serviceAccountName)) {
    asArr(spec.volumes).forEach((v, vi) => {
      asArr(objOf(objOf(v).projected).sources).forEach((s, si) => {
        if (isSet(objOf(s).serviceAccountToken)) {
          const p = `spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`;
          errs.push(
            fieldErr.forbidden(p, 'must not be specified when serviceAccountName is not set'),
          );
        }
      });
    });
  }
  return errs;
}

export function validatePod(pod: KObject): FieldError[] {
  const spec = objOf(pod.spec);
  const errs = validatePodMetadataAndSpec(pod);
  // Ephemeral containers arrive only through the ephemeralcontainers subresource.
  if (asArr(spec.ephemeralContainers).length)
    errs.push(
      fieldErr.forbidden(path.child('spec', 'ephemeralContainers'), 'cannot be set on create'),
    );
  if (asStr(spec.nodeName) && asArr(spec.schedulingGates).length) {
    errs.push(
      fieldErr.forbidden(
        path.child('spec', 'nodeName'),
        'cannot be set until all schedulingGates have been cleared',
      ),
    );
  }
  return errs;
}

export function validatePodUpdate(pod: KObject, old: KObject): FieldError[] {
  return [
    ...validateObjectMetaUpdate(pod.metadata, old.metadata),
    ...validatePodMetadataAndSpec(pod),
    ...validatePodSpecUpdate(pod.spec, old.spec),
  ];
}
