// Namespace validation: a DNS-label name, qualified spec finalizers, and a phase that follows deletion.
// k8s: pkg/apis/core/validation/validation.go ValidateNamespace, ValidateNamespaceStatusUpdate
import type { KObject } from '../../api/types';
import { isQualifiedName } from '../../lib/validation';
import { fieldErr, type FieldError } from '../field-errors';
import { asArr, asStr, invalidEach, objOf, semanticEqual } from './fields';
import { nameIsDNSLabel, validateObjectMeta, validateObjectMetaUpdate } from './meta';

const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

export function validateNamespace(ns: KObject): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, { namespaced: false, nameFn: nameIsDNSLabel });
  // Upstream reports spec finalizer problems on the list path, without an index.
  for (const f of asArr(objOf(ns.spec).finalizers).map(asStr)) {
    errs.push(...invalidEach(isQualifiedName(f), 'spec.finalizers', f));
    if (!f.includes('/') && !STANDARD_FINALIZERS.includes(f)) {
      errs.push(
        fieldErr.invalid(
          'spec.finalizers',
          f,
          'name is neither a standard finalizer name nor is it fully qualified',
        ),
      );
    }
  }
  return errs;
}

export function validateNamespaceUpdate(ns: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata);
  // Status rules are checked only when status changes, i.e. on writes to /status.
  if (!semanticEqual(ns.status, old.status)) {
    const phase = asStr(objOf(ns.status).phase);
    if (!ns.metadata.deletionTimestamp) {
      if (phase !== 'Active')
        errs.push(
          fieldErr.invalid(
            'status.Phase',
            phase,
            "may only be 'Active' if `deletionTimestamp` is empty",
          ),
        );
    } else if (phase !== 'Terminating') {
      errs.push(
        fieldErr.invalid(
          'status.Phase',
          phase,
          "may only be 'Terminating' if `deletionTimestamp` is not empty",
        ),
      );
    }
  }
  return errs;
}
