// Tolerations (pods) and taint effects (shared with node taints), with the pod-update rule for them.
// k8s: pkg/apis/core/validation/validation.go ValidateTolerations, validateTaintEffect
import { isValidLabelValue } from '../../lib/validation';
import { fieldErr, path, type FieldError } from '../field-errors';
import { asArr, asStr, isSet, objOf, semanticEqual } from './fields';
import { validateLabelName } from './meta';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTaintEffect(
  effect: unknown,
  allowEmpty: boolean,
  fld: string,
): FieldError[] {
  const e = asStr(effect);
  if (!allowEmpty && !e) return [fieldErr.required(fld)];
  return TAINT_EFFECTS.includes(e) ? [] : [fieldErr.notSupported(fld, e, TAINT_EFFECTS)];
}

export function validateTolerations(tolsIn: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(tolsIn).forEach((tIn, i) => {
    const t = objOf(tIn);
    const p = path.index(fld, i);
    const key = asStr(t.key);
    const op = asStr(t.operator);
    const value = asStr(t.value);
    const effect = asStr(t.effect);
    if (key) errs.push(...validateLabelName(key, path.child(p, 'key')));
    // An empty key with Exists is the wildcard toleration; any other operator needs a key.
    if (!key && op !== 'Exists') {
      errs.push(
        fieldErr.invalid(
          path.child(p, 'operator'),
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (isSet(t.tolerationSeconds) && effect !== 'NoExecute') {
      errs.push(
        fieldErr.invalid(
          path.child(p, 'effect'),
          effect,
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    switch (op) {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(value);
        if (msgs.length)
          errs.push(fieldErr.invalid(path.child(p, 'operator'), value, msgs.join(';')));
        break;
      }
      case 'Exists':
        if (value)
          errs.push(
            fieldErr.invalid(
              path.child(p, 'operator'),
              value,
              "value must be empty when `operator` is 'Exists'",
            ),
          );
        break;
      default:
        errs.push(fieldErr.notSupported(path.child(p, 'operator'), op, ['Equal', 'Exists']));
    }
    if (effect) errs.push(...validateTaintEffect(effect, true, path.child(p, 'effect')));
  });
  return errs;
}

/** Pods may only gain tolerations; an existing one may change nothing but tolerationSeconds. */
export function validateOnlyAddedTolerations(
  newIn: unknown,
  oldIn: unknown,
  fld: string,
): FieldError[] {
  const news = asArr(newIn).map(objOf);
  for (const old of asArr(oldIn).map(objOf)) {
    const found = news.some((n) =>
      semanticEqual({ ...old, tolerationSeconds: n.tolerationSeconds }, n, true),
    );
    if (!found)
      return [
        fieldErr.forbidden(
          fld,
          'existing toleration can not be modified except its tolerationSeconds',
        ),
      ];
  }
  return validateTolerations(newIn, fld);
}
