// The key rule shared by ConfigMap and Secret data and by the key selectors that point into them.
// k8s: staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go IsConfigMapKey
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_LEN = 253;

export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > MAX_LEN) errs.push(`must be no more than ${MAX_LEN} characters`);
  if (!CONFIG_KEY.test(value)) {
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  }
  // Keys become file names in volumes, so they may not walk up the directory tree.
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}
