// Bound ServiceAccount tokens: ES256 JWTs with the claims upstream's issue (iss, sub, aud, exp, iat,
// nbf, jti, and the kubernetes.io claim naming the ServiceAccount and the pod or secret they are bound
// to). A token is accepted only while it is unexpired, meant for this API, and its ServiceAccount
// (and bound object) still exist with the UID it names.
// k8s: pkg/serviceaccount/claims.go, pkg/serviceaccount/jwt.go
import { findResource } from '../../api/resources';
import type { KObject } from '../../api/types';
import type { Store } from '../../storage/store';
import type { User } from './authenticate';
import { jwtKeyId, signJwt, verifyJwt } from './jwt';
import { signingKey, verifyKeysFor } from './signing-key';

/** The issuer, and the audience a token must carry to be accepted here (kubeadm's default). */
export const ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const API_AUDIENCES = [ISSUER];

const SA = findResource('', 'v1', 'serviceaccounts')!;
const PODS = findResource('', 'v1', 'pods')!;
const SECRETS = findResource('', 'v1', 'secrets')!;

export interface BoundObject {
  kind: 'Pod' | 'Secret';
  name: string;
  uid: string;
}

interface KubernetesClaim {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
  node?: { name: string; uid: string };
}

export interface MintRequest {
  serviceAccount: KObject;
  audiences: string[];
  expirationSeconds: number;
  bound?: BoundObject;
  /** The pod's node, for pod-bound tokens. */
  node?: { name: string; uid: string };
  /** Issue time; now unless a caller mints as of another moment. */
  now?: number;
}

export async function mintServiceAccountToken(
  store: Store,
  req: MintRequest,
): Promise<{ token: string; expires: number }> {
  const now = Math.floor((req.now ?? Date.now()) / 1000);
  const exp = now + req.expirationSeconds;
  const sa = req.serviceAccount.metadata;
  const k8s: KubernetesClaim = {
    namespace: sa.namespace!,
    serviceaccount: { name: sa.name!, uid: sa.uid! },
  };
  if (req.bound?.kind === 'Pod') k8s.pod = { name: req.bound.name, uid: req.bound.uid };
  if (req.bound?.kind === 'Secret') k8s.secret = { name: req.bound.name, uid: req.bound.uid };
  if (req.node) k8s.node = req.node;
  const token = await signJwt(
    {
      aud: req.audiences,
      exp,
      iat: now,
      iss: ISSUER,
      jti: crypto.randomUUID(),
      'kubernetes.io': k8s,
      nbf: now,
      sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
    },
    await signingKey(store),
  );
  return { token, expires: exp * 1000 };
}

export interface VerifiedToken {
  claims: Record<string, unknown> & { 'kubernetes.io': KubernetesClaim; exp: number };
  audiences: string[];
}

/**
 * The token's claims if it is a ServiceAccount JWT this cluster signed, unexpired and (when
 * `audiences` is given) meant for one of them; undefined otherwise.
 */
export async function verifyServiceAccountToken(
  store: Store,
  token: string,
  audiences: string[] = API_AUDIENCES,
  now = Date.now(),
): Promise<VerifiedToken | undefined> {
  const header = jwtKeyId(token);
  if (!header.ok) return undefined;
  const keys = await verifyKeysFor(store, header.kid);
  if (keys.length === 0) return undefined;
  const claims = await verifyJwt(
    token,
    keys.map((k) => k.publicKey),
  );
  if (!claims || claims.iss !== ISSUER) return undefined;
  const exp = claims.exp;
  const nbf = claims.nbf;
  if (typeof exp !== 'number' || exp * 1000 <= now) return undefined;
  if (typeof nbf === 'number' && nbf * 1000 > now + 60_000) return undefined;
  const aud = Array.isArray(claims.aud) ? (claims.aud as string[]) : [claims.aud as string];
  const matched = aud.filter((a) => audiences.includes(a));
  if (matched.length === 0) return undefined;
  const k8s = claims['kubernetes.io'] as KubernetesClaim | undefined;
  if (!k8s?.namespace || !k8s.serviceaccount?.name) return undefined;
  return { claims: claims as VerifiedToken['claims'], audiences: matched };
}

async function exists(
  store: Store,
  r: typeof SA,
  ns: string,
  ref: { name: string; uid: string },
): Promise<boolean> {
  const obj = await store.get(r, ns, ref.name);
  return !!obj && obj.metadata.uid === ref.uid && !obj.metadata.deletionTimestamp;
}

/** The ServiceAccount's user, when the token is valid and what it is bound to still exists. */
export async function serviceAccountUser(
  store: Store,
  v: VerifiedToken,
): Promise<User | undefined> {
  const k8s = v.claims['kubernetes.io'];
  const checks = [exists(store, SA, k8s.namespace, k8s.serviceaccount)];
  if (k8s.pod) checks.push(exists(store, PODS, k8s.namespace, k8s.pod));
  if (k8s.secret) checks.push(exists(store, SECRETS, k8s.namespace, k8s.secret));
  if (!(await Promise.all(checks)).every(Boolean)) return undefined;
  const extra: Record<string, string[]> = {};
  if (typeof v.claims.jti === 'string')
    extra['authentication.kubernetes.io/credential-id'] = [`JTI=${v.claims.jti}`];
  if (k8s.pod) {
    extra['authentication.kubernetes.io/pod-name'] = [k8s.pod.name];
    extra['authentication.kubernetes.io/pod-uid'] = [k8s.pod.uid];
  }
  if (k8s.node) {
    extra['authentication.kubernetes.io/node-name'] = [k8s.node.name];
    extra['authentication.kubernetes.io/node-uid'] = [k8s.node.uid];
  }
  return {
    name: `system:serviceaccount:${k8s.namespace}:${k8s.serviceaccount.name}`,
    uid: k8s.serviceaccount.uid,
    groups: [
      'system:serviceaccounts',
      `system:serviceaccounts:${k8s.namespace}`,
      'system:authenticated',
    ],
    extra,
    expires: v.claims.exp * 1000,
  };
}

export async function authenticateServiceAccountToken(
  store: Store,
  token: string,
): Promise<User | undefined> {
  const v = await verifyServiceAccountToken(store, token);
  return v ? serviceAccountUser(store, v) : undefined;
}
