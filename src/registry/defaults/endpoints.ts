// Endpoints and EndpointSlice port defaults: protocol TCP, and an EndpointSlice port name of "".
// k8s: pkg/apis/core/v1/defaults.go SetDefaults_Endpoints; pkg/apis/discovery/v1/defaults.go SetDefaults_EndpointPort
import type { KObject } from '../../api/types';
import { asArr, asStr, isSet, objOf } from '../validate/fields';

export function defaultEndpoints(ep: KObject): void {
  for (const ss of asArr(ep.subsets).map(objOf)) {
    for (const port of asArr(ss.ports).map(objOf)) if (!asStr(port.protocol)) port.protocol = 'TCP';
  }
}

export function defaultEndpointSlice(es: KObject): void {
  for (const port of asArr(es.ports).map(objOf)) {
    if (!isSet(port.name)) port.name = '';
    if (!isSet(port.protocol)) port.protocol = 'TCP';
  }
}
