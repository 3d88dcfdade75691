// EndpointSlice validation: address type, bounded endpoint and port lists, addresses by type.
// k8s: pkg/apis/discovery/validation/validation.go
import type { KObject } from '../../api/types';
import { isDNS1123Label, isDNS1123Subdomain, isValidIP } from '../../lib/validation';
import { fieldErr, path, type FieldError, type FieldErrorType } from '../field-errors';
import { PORT_PROTOCOLS } from './container';
import { nonSpecialIP } from './endpoints';
import { asArr, asStr, immutable, invalidEach, isSet, objOf } from './fields';
import {
  nameIsDNSSubdomain,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from './meta';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_TOPOLOGY_LABELS = 16;

function tooMany(field: string, actual: number, max: number): FieldError {
  return {
    type: 'FieldValueTooMany' as FieldErrorType,
    field,
    message: `Too many: ${actual}: must have at most ${max} items`,
  };
}

function validateAddress(type: string, address: string, p: string): FieldError[] {
  if (type === 'IPv4' || type === 'IPv6') {
    const v6 = address.includes(':');
    if (isValidIP(address).length || v6 !== (type === 'IPv6'))
      return [fieldErr.invalid(p, address, `must be a valid ${type} address`)];
    return nonSpecialIP(address, p);
  }
  if (type === 'FQDN') {
    const errs = invalidEach(isDNS1123Subdomain(address), p, address);
    if (!errs.length && address.split('.').length < 2)
      errs.push(
        fieldErr.invalid(
          p,
          address,
          'should be a domain with at least two segments separated by dots',
        ),
      );
    return errs;
  }
  return [];
}

function validateEndpointList(listIn: unknown, type: string): FieldError[] {
  const list = asArr(listIn).map(objOf);
  if (list.length > MAX_ENDPOINTS) return [tooMany('endpoints', list.length, MAX_ENDPOINTS)];
  const errs: FieldError[] = [];
  list.forEach((ep, i) => {
    const p = path.index('endpoints', i);
    const ap = path.child(p, 'addresses');
    const addrs = asArr(ep.addresses).map(asStr);
    if (!addrs.length) errs.push(fieldErr.required(ap, 'must contain at least 1 address'));
    else if (addrs.length > MAX_ADDRESSES) errs.push(tooMany(ap, addrs.length, MAX_ADDRESSES));
    addrs.forEach((a, j) => errs.push(...validateAddress(type, a, path.index(ap, j))));
    if (isSet(ep.nodeName))
      errs.push(
        ...invalidEach(
          nameIsDNSSubdomain(asStr(ep.nodeName), false),
          path.child(p, 'nodeName'),
          ep.nodeName,
        ),
      );
    const topo = objOf(ep.deprecatedTopology);
    if (Object.keys(topo).length > MAX_TOPOLOGY_LABELS)
      errs.push(
        tooMany(path.child(p, 'deprecatedTopology'), Object.keys(topo).length, MAX_TOPOLOGY_LABELS),
      );
    errs.push(...validateLabels(topo, path.child(p, 'deprecatedTopology')));
    if (isSet(ep.hostname))
      errs.push(
        ...invalidEach(isDNS1123Label(asStr(ep.hostname)), path.child(p, 'hostname'), ep.hostname),
      );
  });
  return errs;
}

function validatePorts(listIn: unknown): FieldError[] {
  const list = asArr(listIn).map(objOf);
  if (list.length > MAX_PORTS) return [tooMany('ports', list.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((port, i) => {
    const p = path.index('ports', i);
    const name = asStr(port.name);
    if (name) errs.push(...invalidEach(isDNS1123Label(name), path.child(p, 'name'), name));
    if (names.has(name)) errs.push(fieldErr.duplicate(path.child(p, 'name'), name));
    else names.add(name);
    const proto = asStr(port.protocol);
    if (!proto) errs.push(fieldErr.required(path.child(p, 'protocol')));
    else if (!PORT_PROTOCOLS.includes(proto))
      errs.push(fieldErr.notSupported(path.child(p, 'protocol'), proto, PORT_PROTOCOLS));
    if (isSet(port.appProtocol))
      errs.push(...validateQualifiedName(asStr(port.appProtocol), path.child(p, 'appProtocol')));
  });
  return errs;
}

export function validateEndpointSlice(es: KObject): FieldError[] {
  const errs = validateObjectMeta(es.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const type = asStr(es.addressType);
  if (!type) errs.push(fieldErr.required('addressType'));
  else if (!ADDRESS_TYPES.includes(type))
    errs.push(fieldErr.notSupported('addressType', type, ADDRESS_TYPES));
  errs.push(...validateEndpointList(es.endpoints, type), ...validatePorts(es.ports));
  return errs;
}

export function validateEndpointSliceUpdate(es: KObject, old: KObject): FieldError[] {
  // The generic registry checks metadata on every update, so that runs here too.
  return [
    ...validateObjectMetaUpdate(es.metadata, old.metadata),
    ...validateEndpointSlice(es),
    ...immutable(es.addressType, old.addressType, 'addressType'),
  ];
}
