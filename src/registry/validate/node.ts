// Node validation: taints, podCIDRs that are set once, and non-negative capacity.
// k8s: pkg/apis/core/validation/validation.go ValidateNode, ValidateNodeUpdate, validateNodeTaints
import type { KObject } from '../../api/types';
import { isValidIP, isValidLabelValue } from '../../lib/validation';
import { parseQuantity } from '../../lib/quantity';
import { fieldErr, path, type FieldError } from '../field-errors';
import { asArr, asStr, IS_NEGATIVE, objOf, semanticEqual, withDetail } from './fields';
import {
  nameIsDNSSubdomain,
  validateLabelName,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
import { validateTaintEffect } from './tolerations';

const CIDR_MSG = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';
const PODCIDR_CHANGE = 'node updates may not change podCIDR except from "" to valid';

export function isValidCIDR(value: string): boolean {
  const [ip, bits, extra] = value.split('/');
  if (extra !== undefined || bits === undefined || !/^\d+$/.test(bits) || isValidIP(ip).length)
    return false;
  return Number(bits) <= (ip.includes(':') ? 128 : 32);
}

// Upstream names taint errors metadata.taints[i], not spec.taints[i]; kept for fidelity.
function validateTaints(taintsIn: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  asArr(taintsIn).forEach((tIn, i) => {
    const t = objOf(tIn);
    const p = path.index(fld, i);
    errs.push(...validateLabelName(asStr(t.key), path.child(p, 'key')));
    const msgs = isValidLabelValue(asStr(t.value));
    if (msgs.length)
      errs.push(fieldErr.invalid(path.child(p, 'value'), asStr(t.value), msgs.join(';')));
    errs.push(...validateTaintEffect(t.effect, false, path.child(p, 'effect')));
    const key = `${asStr(t.effect)}\u0000${asStr(t.key)}`;
    if (seen.has(key))
      errs.push(
        withDetail(fieldErr.duplicate(p, t), 'taints must be unique by key and effect pair'),
      );
    else seen.add(key);
  });
  return errs;
}

function validateNodeResources(node: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const status = objOf(node.status);
  for (const list of ['capacity', 'allocatable']) {
    for (const [k, raw] of Object.entries(objOf(status[list]))) {
      const p = path.child(path.child('status', list), k);
      try {
        if (parseQuantity(String(raw)).cmp(parseQuantity('0')) < 0)
          errs.push(fieldErr.invalid(p, String(raw), IS_NEGATIVE));
      } catch (e) {
        errs.push(fieldErr.invalid(p, raw, e instanceof Error ? e.message : String(e)));
      }
    }
  }
  return errs;
}

function validatePodCIDRs(spec: Record<string, unknown>): FieldError[] {
  const cidrs = asArr(spec.podCIDRs).map(asStr);
  const fld = 'spec.podCIDRs';
  const errs: FieldError[] = [];
  cidrs.forEach((c, i) => {
    if (!isValidCIDR(c)) errs.push(fieldErr.invalid(path.index(fld, i), c, CIDR_MSG));
  });
  if (cidrs.length > 1) {
    const v6 = cidrs.filter((c) => c.includes(':')).length;
    if (cidrs.length > 2 || v6 !== 1)
      errs.push(
        fieldErr.invalid(fld, cidrs, 'may specify no more than one CIDR for each IP family'),
      );
    cidrs.forEach((c, i) => {
      if (cidrs.indexOf(c) !== i) errs.push(fieldErr.duplicate(path.index(fld, i), c));
    });
  }
  return errs;
}

export function validateNode(node: KObject): FieldError[] {
  const spec = objOf(node.spec);
  return [
    ...validateObjectMeta(node.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain }),
    ...validateTaints(spec.taints, 'metadata.taints'),
    ...validateNodeResources(node),
    ...validatePodCIDRs(spec),
  ];
}

export function validateNodeUpdate(node: KObject, old: KObject): FieldError[] {
  const spec = objOf(node.spec);
  const oldSpec = objOf(old.spec);
  const errs = [
    ...validateObjectMetaUpdate(node.metadata, old.metadata),
    ...validateNodeResources(node),
  ];
  const addrs = asArr(objOf(node.status).addresses);
  addrs.forEach((a, i) => {
    if (addrs.findIndex((b) => semanticEqual(a, b)) !== i)
      errs.push(fieldErr.duplicate(path.index('status.addresses', i), a));
  });
  // The node IPAM controller may assign podCIDRs once; after that they are fixed.
  const oldCidrs = asArr(oldSpec.podCIDRs).map(asStr);
  const newCidrs = asArr(spec.podCIDRs).map(asStr);
  if (oldCidrs.length) {
    if (oldCidrs.length !== newCidrs.length)
      errs.push(fieldErr.forbidden('spec.podCIDRs', PODCIDR_CHANGE));
    else
      oldCidrs.forEach(
        (c, i) =>
          c !== newCidrs[i] && errs.push(fieldErr.forbidden('spec.podCIDRs', PODCIDR_CHANGE)),
      );
  }
  const oldProvider = asStr(oldSpec.providerID);
  if (oldProvider && oldProvider !== asStr(spec.providerID)) {
    errs.push(
      fieldErr.forbidden(
        'spec.providerID',
        'node updates may not change providerID except from "" to valid',
      ),
    );
  }
  errs.push(...validateTaints(spec.taints, 'metadata.taints'), ...validatePodCIDRs(spec));
  return errs;
}
