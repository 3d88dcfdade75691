// Endpoints and EndpointSlice port defaults: protocol TCP, and an EndpointSlice port name of "".
// k8s: pkg/apis/core/v1/defaults.go SetDefaults_Endpoints; pkg/apis/discovery/v1/defaults.go SetDefaults_EndpointPort
import type { KObject } from '../../api/types';
import { asArr, asStr, isSet, objOf, type Obj } from '../validate/fields';
import { each, struct, zero } from './always';

export function defaultEndpoints(ep: KObject): void {
  for (const ss of asArr(ep.subsets).map(objOf)) {
    for (const port of asArr(ss.ports).map(objOf)) if (!asStr(port.protocol)) port.protocol = 'TCP';
  }
}

export function defaultEndpointSlice(es: KObject): void {
  // endpoints and ports have no omitempty: Go writes a nil list as null, and each endpoint's
  // conditions is a struct. (A list the client sent, even empty, is kept as sent.)
  zero(es as Obj, { endpoints: null, ports: null });
  for (const ep of each(es.endpoints)) struct(ep, 'conditions');
  for (const port of asArr(es.ports).map(objOf)) {
    if (!isSet(port.name)) port.name = '';
    if (!isSet(port.protocol)) port.protocol = 'TCP';
  }
}
