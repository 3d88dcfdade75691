// ServiceAccount issuer discovery: the OpenID provider configuration and the key set that verify
// this cluster's ServiceAccount tokens, so other systems can check them without calling TokenReview.
// k8s: pkg/serviceaccount/openidmetadata.go
import type { Store } from '../../storage/store';
import { ISSUER } from './service-account-tokens';
import { keyRing } from './signing-key';

export const OPENID_CONFIG_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';

export function openIdConfiguration(): Response {
  return Response.json({
    issuer: ISSUER,
    jwks_uri: `${ISSUER}${JWKS_PATH}`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
  });
}

export async function jwks(store: Store): Promise<Response> {
  // Every key that still verifies, the signing one first: a token signed before a rotation checks.
  const keys = (await keyRing(store)).keys.map(({ kid, publicJwk: { kty, crv, x, y } }) => ({
    use: 'sig',
    kty,
    kid,
    crv,
    alg: 'ES256',
    x,
    y,
  }));
  return new Response(JSON.stringify({ keys }), {
    headers: { 'content-type': 'application/jwk-set+json' },
  });
}
