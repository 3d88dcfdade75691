// LimitRange defaults: a Container item's default limit falls back to its max, its default request
// to the default limit, then to its min. k8s: pkg/apis/core/v1/defaults.go SetDefaults_LimitRangeItem
import type { KObject } from '../../api/types';
import { asArr, objOf, type Obj } from '../validate/fields';

export function defaultLimitRange(lr: KObject): void {
  for (const itemIn of asArr(objOf(lr.spec).limits)) {
    const item = objOf(itemIn) as Obj;
    if (item.type !== 'Container') continue;
    const def = (item.default = objOf(item.default));
    const req = (item.defaultRequest = objOf(item.defaultRequest));
    for (const [k, v] of Object.entries(objOf(item.max))) if (def[k] === undefined) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (req[k] === undefined) req[k] = v;
    for (const [k, v] of Object.entries(objOf(item.min))) if (req[k] === undefined) req[k] = v;
  }
}
