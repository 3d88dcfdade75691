// Secret validation: config keys, 1 MiB of decoded data, the keys each well-known type needs, immutability.
// k8s: pkg/apis/core/validation/validation.go ValidateSecret, ValidateSecretUpdate
import type { KObject } from '../../api/types';
import { fieldErr, path, type FieldError } from '../field-errors';
import { isConfigMapKey } from './config-key';
import { MAX_DATA_SIZE } from './configmap';
import { asStr, base64DecodedLength, immutable, invalidEach, objOf, semanticEqual } from './fields';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta';

const IMMUTABLE_MSG = 'field is immutable when `immutable` is set';

function decodeJSON(b64: string): string | undefined {
  try {
    JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))));
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export function validateSecret(secret: KObject): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, {
    namespaced: true,
    nameFn: nameIsDNSSubdomain,
  });
  const data = objOf(secret.data);
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    errs.push(...invalidEach(isConfigMapKey(key), path.key('data', key), key));
    total += base64DecodedLength(asStr(value));
  }
  if (total > MAX_DATA_SIZE) errs.push(fieldErr.tooLong('data', MAX_DATA_SIZE));
  const need = (key: string) => {
    if (!(key in data)) errs.push(fieldErr.required(path.key('data', key)));
  };
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      if (!asStr(secret.metadata.annotations?.['kubernetes.io/service-account.name'])) {
        errs.push(
          fieldErr.required(path.key('metadata.annotations', 'kubernetes.io/service-account.name')),
        );
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = secret.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!(key in data)) need(key);
      else {
        const err = decodeJSON(asStr(data[key]));
        if (err)
          errs.push(fieldErr.invalid(path.key('data', key), '<secret contents redacted>', err));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) {
        need('username');
        need('password');
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!asStr(data['ssh-privatekey']))
        errs.push(fieldErr.required(path.key('data', 'ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      need('tls.crt');
      need('tls.key');
      break;
  }
  return errs;
}

export function validateSecretUpdate(secret: KObject, old: KObject): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(secret.metadata, old.metadata),
    ...immutable(secret.type, old.type, 'type'),
  ];
  if (old.immutable === true) {
    if (secret.immutable !== true) errs.push(fieldErr.forbidden('immutable', IMMUTABLE_MSG));
    // stringData was folded into data by defaulting, so data is all there is to compare.
    if (!semanticEqual(secret.data, old.data)) errs.push(fieldErr.forbidden('data', IMMUTABLE_MSG));
  }
  return [...errs, ...validateSecret(secret)];
}
