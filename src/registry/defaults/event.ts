// Event (core/v1, the stored shape of both Event APIs): the struct and non-omitempty fields Go always writes.
// k8s: staging/src/k8s.io/api/core/v1/types.go Event (involvedObject and reportingComponent/Instance have
// no omitempty; source is a struct; firstTimestamp, lastTimestamp and eventTime are zero times, so null)
import type { KObject } from '../../api/types';
import type { Obj } from '../validate/fields';
import { struct, zero } from './always';

export function defaultEvent(ev: KObject): void {
  const e = ev as Obj;
  struct(e, 'involvedObject');
  struct(e, 'source');
  zero(e, {
    firstTimestamp: null,
    lastTimestamp: null,
    eventTime: null,
    reportingComponent: '',
    reportingInstance: '',
  });
}
