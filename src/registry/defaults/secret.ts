// Secret defaults: type Opaque, and stringData folded into base64 data (stringData wins) then dropped.
// k8s: pkg/apis/core/v1/defaults.go SetDefaults_Secret; pkg/apis/core/v1/conversion.go (stringData)
import type { KObject } from '../../api/types';
import { asStr, isSet, objOf } from '../validate/fields';

const encoder = new TextEncoder();

/** Base64 of a string's UTF-8 bytes, using only what Workers and browsers provide. */
export function base64UTF8(s: string): string {
  let binary = '';
  for (const b of encoder.encode(s)) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function defaultSecret(secret: KObject): void {
  if (!asStr(secret.type)) secret.type = 'Opaque';
  if (!isSet(secret.stringData)) return;
  const data = objOf(secret.data);
  for (const [k, v] of Object.entries(objOf(secret.stringData))) data[k] = base64UTF8(asStr(v));
  secret.data = data;
  delete secret.stringData;
}
