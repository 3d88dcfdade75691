// Role, ClusterRole, RoleBinding and ClusterRoleBinding validation.
// k8s: pkg/apis/rbac/validation/validation.go
import { RBAC_GROUP } from '../../api/rbac';
import type { KObject } from '../../api/types';
import { isDNS1123Subdomain } from '../../lib/validation';
import { fieldErr, path, type FieldError } from '../field-errors';
import { asArr, asObj, asStr, invalidEach, objOf, semanticEqual } from './fields';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta';

/** RBAC names are path segments (`system:` names have colons): not `.` or `..`, no `/` or `%`. */
export function rbacNameErrors(name: string, prefix: boolean): string[] {
  if (!prefix && (name === '.' || name === '..')) return [`may not be '${name}'`];
  for (const c of ['/', '%']) if (name.includes(c)) return [`may not contain '${c}'`];
  return [];
}

function validateRule(ruleIn: unknown, fld: string, namespaced: boolean): FieldError[] {
  const rule = objOf(ruleIn);
  const errs: FieldError[] = [];
  if (asArr(rule.verbs).length === 0)
    errs.push(fieldErr.required(path.child(fld, 'verbs'), 'verbs must contain at least one value'));
  const urls = asArr(rule.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced)
      errs.push(
        fieldErr.invalid(
          path.child(fld, 'nonResourceURLs'),
          urls,
          'namespaced rules cannot apply to non-resource URLs',
        ),
      );
    if (
      asArr(rule.apiGroups).length ||
      asArr(rule.resources).length ||
      asArr(rule.resourceNames).length
    )
      errs.push(
        fieldErr.invalid(
          path.child(fld, 'nonResourceURLs'),
          urls,
          'rules cannot apply to both regular resources and non-resource URLs',
        ),
      );
    return errs;
  }
  if (asArr(rule.apiGroups).length === 0)
    errs.push(
      fieldErr.required(
        path.child(fld, 'apiGroups'),
        'resource rules must supply at least one api group',
      ),
    );
  if (asArr(rule.resources).length === 0)
    errs.push(
      fieldErr.required(
        path.child(fld, 'resources'),
        'resource rules must supply at least one resource',
      ),
    );
  return errs;
}

function validateRoleCommon(role: KObject, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(role.metadata, { namespaced, nameFn: rbacNameErrors });
  asArr((role as { rules?: unknown }).rules).forEach((r, i) =>
    errs.push(...validateRule(r, path.index('rules', i), namespaced)),
  );
  return errs;
}

export const validateRole = (role: KObject) => validateRoleCommon(role, true);
export const validateRoleUpdate = (role: KObject, old: KObject) => [
  ...validateObjectMetaUpdate(role.metadata, old.metadata),
  ...validateRole(role),
];

export function validateClusterRole(role: KObject): FieldError[] {
  const errs = validateRoleCommon(role, false);
  const agg = asObj((role as { aggregationRule?: unknown }).aggregationRule);
  if (agg) {
    const sels = asArr(agg.clusterRoleSelectors);
    if (sels.length === 0)
      errs.push(
        fieldErr.required(
          'aggregationRule.clusterRoleSelectors',
          'at least one clusterRoleSelector required if aggregationRule is non-nil',
        ),
      );
    sels.forEach((s, i) =>
      errs.push(...validateLabelSelector(s, path.index('aggregationRule.clusterRoleSelectors', i))),
    );
  }
  return errs;
}
export const validateClusterRoleUpdate = (role: KObject, old: KObject) => [
  ...validateObjectMetaUpdate(role.metadata, old.metadata),
  ...validateClusterRole(role),
];

function validateSubject(sIn: unknown, fld: string, bindingNamespaced: boolean): FieldError[] {
  const s = objOf(sIn);
  const errs: FieldError[] = [];
  const name = asStr(s.name);
  if (!name) errs.push(fieldErr.required(path.child(fld, 'name')));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name) errs.push(...invalidEach(isDNS1123Subdomain(name), path.child(fld, 'name'), name));
      if (asStr(s.apiGroup) !== '')
        errs.push(fieldErr.notSupported(path.child(fld, 'apiGroup'), s.apiGroup, ['']));
      if (!bindingNamespaced && !asStr(s.namespace))
        errs.push(fieldErr.required(path.child(fld, 'namespace')));
      break;
    case 'User':
    case 'Group':
      if (asStr(s.apiGroup) !== RBAC_GROUP)
        errs.push(fieldErr.notSupported(path.child(fld, 'apiGroup'), s.apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(
        fieldErr.notSupported(path.child(fld, 'kind'), s.kind, ['ServiceAccount', 'User', 'Group']),
      );
  }
  return errs;
}

function validateBindingCommon(b: KObject, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(b.metadata, { namespaced, nameFn: rbacNameErrors });
  const ref = objOf((b as { roleRef?: unknown }).roleRef);
  if (asStr(ref.apiGroup) !== RBAC_GROUP)
    errs.push(fieldErr.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(asStr(ref.kind)))
    errs.push(fieldErr.notSupported('roleRef.kind', ref.kind ?? '', kinds));
  const refName = asStr(ref.name);
  if (!refName) errs.push(fieldErr.required('roleRef.name'));
  else errs.push(...invalidEach(rbacNameErrors(refName, false), 'roleRef.name', refName));
  asArr((b as { subjects?: unknown }).subjects).forEach((s, i) =>
    errs.push(...validateSubject(s, path.index('subjects', i), namespaced)),
  );
  return errs;
}

function roleRefImmutable(b: KObject, old: KObject): FieldError[] {
  const a = (b as { roleRef?: unknown }).roleRef;
  const o = (old as { roleRef?: unknown }).roleRef;
  return semanticEqual(a, o) ? [] : [fieldErr.invalid('roleRef', a, 'cannot change roleRef')];
}

export const validateRoleBinding = (b: KObject) => validateBindingCommon(b, true);
export const validateRoleBindingUpdate = (b: KObject, old: KObject) => [
  ...validateObjectMetaUpdate(b.metadata, old.metadata),
  ...validateRoleBinding(b),
  ...roleRefImmutable(b, old),
];
export const validateClusterRoleBinding = (b: KObject) => validateBindingCommon(b, false);
export const validateClusterRoleBindingUpdate = (b: KObject, old: KObject) => [
  ...validateObjectMetaUpdate(b.metadata, old.metadata),
  ...validateClusterRoleBinding(b),
  ...roleRefImmutable(b, old),
];
