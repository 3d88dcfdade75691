// Endpoints validation, and the "not a special address" rule Endpoints, EndpointSlices and externalIPs share.
// k8s: pkg/apis/core/validation/validation.go ValidateEndpoints, ValidateNonSpecialIP
import type { KObject } from '../../api/types';
import { isDNS1123Label, isValidIP, isValidPortNum } from '../../lib/validation';
import { fieldErr, path, type FieldError } from '../field-errors';
import { PORT_PROTOCOLS } from './container';
import { asArr, asNum, asStr, invalidEach, isSet, objOf } from './fields';
import {
  nameIsDNSSubdomain,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from './meta';

/**
 * Rejects unspecified and link-local addresses. Unlike Kubernetes, loopback is allowed: edgeplane
 * gives every local pod its own 127.0.0.0/8 address, and those must be publishable as endpoints.
 */
export function nonSpecialIP(ip: string, fld: string): FieldError[] {
  if (isValidIP(ip).length) return [fieldErr.invalid(fld, ip, 'must be a valid IP address')];
  const a = ip.toLowerCase();
  if (a.includes(':')) {
    if (/^[0:]+$/.test(a)) return [fieldErr.invalid(fld, ip, `may not be unspecified (${ip})`)];
    if (/^fe[89ab]/.test(a))
      return [
        fieldErr.invalid(fld, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'),
      ];
    if (a.startsWith('ff02:'))
      return [
        fieldErr.invalid(
          fld,
          ip,
          'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
        ),
      ];
    return [];
  }
  const o = a.split('.').map(Number);
  if (o.every((x) => x === 0)) return [fieldErr.invalid(fld, ip, `may not be unspecified (${ip})`)];
  if (o[0] === 169 && o[1] === 254)
    return [
      fieldErr.invalid(fld, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'),
    ];
  if (o[0] === 224 && o[1] === 0 && o[2] === 0)
    return [
      fieldErr.invalid(
        fld,
        ip,
        'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
      ),
    ];
  return [];
}

function validateAddress(aIn: unknown, p: string): FieldError[] {
  const a = objOf(aIn);
  const ip = asStr(a.ip);
  const errs = invalidEach(isValidIP(ip), path.child(p, 'ip'), ip);
  const hostname = asStr(a.hostname);
  if (hostname)
    errs.push(...invalidEach(isDNS1123Label(hostname), path.child(p, 'hostname'), hostname));
  if (isSet(a.nodeName))
    errs.push(
      ...invalidEach(
        nameIsDNSSubdomain(asStr(a.nodeName), false),
        path.child(p, 'nodeName'),
        a.nodeName,
      ),
    );
  errs.push(...nonSpecialIP(ip, path.child(p, 'ip')));
  return errs;
}

function validatePort(portIn: unknown, requireName: boolean, p: string): FieldError[] {
  const port = objOf(portIn);
  const errs: FieldError[] = [];
  const name = asStr(port.name);
  if (requireName && !name) errs.push(fieldErr.required(path.child(p, 'name')));
  else if (name) errs.push(...invalidEach(isDNS1123Label(name), path.child(p, 'name'), name));
  errs.push(
    ...invalidEach(
      isValidPortNum(asNum(port.port) ?? 0),
      path.child(p, 'port'),
      asNum(port.port) ?? 0,
    ),
  );
  const proto = asStr(port.protocol);
  if (!proto) errs.push(fieldErr.required(path.child(p, 'protocol')));
  else if (!PORT_PROTOCOLS.includes(proto))
    errs.push(fieldErr.notSupported(path.child(p, 'protocol'), proto, PORT_PROTOCOLS));
  if (isSet(port.appProtocol))
    errs.push(...validateQualifiedName(asStr(port.appProtocol), path.child(p, 'appProtocol')));
  return errs;
}

export function validateEndpoints(ep: KObject): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  asArr(ep.subsets).forEach((ssIn, i) => {
    const ss = objOf(ssIn);
    const p = path.index('subsets', i);
    const addrs = asArr(ss.addresses);
    const notReady = asArr(ss.notReadyAddresses);
    if (!addrs.length && !notReady.length)
      errs.push(fieldErr.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    addrs.forEach((a, j) =>
      errs.push(...validateAddress(a, path.index(path.child(p, 'addresses'), j))),
    );
    notReady.forEach((a, j) =>
      errs.push(...validateAddress(a, path.index(path.child(p, 'notReadyAddresses'), j))),
    );
    const ports = asArr(ss.ports);
    ports.forEach((port, j) =>
      errs.push(...validatePort(port, ports.length > 1, path.index(path.child(p, 'ports'), j))),
    );
  });
  return errs;
}

export function validateEndpointsUpdate(ep: KObject, old: KObject): FieldError[] {
  return [...validateObjectMetaUpdate(ep.metadata, old.metadata), ...validateEndpoints(ep)];
}
