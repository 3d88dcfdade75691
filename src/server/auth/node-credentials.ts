// Join tokens and node credentials, kept as Secrets in kube-system, both stored only as SHA-256 hashes.
import { findResource } from '../../api/resources';
import type { KObject } from '../../api/types';
import type { Store } from '../../storage/store';
import { safeEqual, type User } from './authenticate';

const SECRETS = findResource('', 'v1', 'secrets')!;
export const JOIN_TOKEN_TYPE = 'bootstrap.kubernetes.io/token';
export const NODE_CREDENTIAL_TYPE = 'edgeplane.dev/node-credential';
export const NODE_LABEL = 'edgeplane.dev/node';
const NODE_TOKEN_PREFIX = 'ep-node.';
const JOIN_TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

export async function sha256Hex(s: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const b64 = (s: string) => btoa(s);
const unb64 = (s: string | undefined) => (s ? atob(s) : '');
const data = (o: KObject | null) => (o as { data?: Record<string, string> } | null)?.data ?? {};

/** Data key of a join token an admin made to replace live nodes (`edgeplane token create --allow-takeover`). */
export const ALLOW_TAKEOVER = 'allow-takeover';

export interface JoinTokenGrant {
  /** The admin allowed this token to join under the name of a node that is still alive. */
  allowTakeover: boolean;
}

/** Checks a join token (`<id>.<secret>`): it must exist, match its hash, and not be expired. */
export async function checkJoinToken(
  store: Store,
  token: string,
  now = Date.now(),
): Promise<JoinTokenGrant | undefined> {
  const m = JOIN_TOKEN.exec(token);
  if (!m) return undefined;
  const secret = await store.get(SECRETS, 'kube-system', `bootstrap-token-${m[1]}`);
  if (!secret || (secret as { type?: string }).type !== JOIN_TOKEN_TYPE) return undefined;
  const d = data(secret);
  if (!safeEqual(unb64(d['token-secret-sha256']), await sha256Hex(m[2]))) return undefined;
  const exp = unb64(d.expiration);
  if (exp && !(Date.parse(exp) > now)) return undefined;
  return { allowTakeover: unb64(d[ALLOW_TAKEOVER]) === 'true' };
}

/** Issues a node its own credential, replacing any it had (re-joining rotates it). */
export async function issueNodeCredential(store: Store, nodeName: string): Promise<string> {
  await revokeNodeCredentials(store, nodeName);
  const random = new Uint8Array(32);
  crypto.getRandomValues(random);
  const token =
    NODE_TOKEN_PREFIX +
    btoa(String.fromCharCode(...random))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  const hash = await sha256Hex(token);
  await store.create(SECRETS, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `node-credential-${hash.slice(0, 32)}`,
      namespace: 'kube-system',
      uid: crypto.randomUUID(),
      creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      labels: { [NODE_LABEL]: nodeName },
    },
    type: NODE_CREDENTIAL_TYPE,
    data: { node: b64(nodeName), 'token-sha256': b64(hash) },
  } as KObject);
  return token;
}

/** Whether any credential issued to `nodeName` is still unrevoked. */
export async function hasNodeCredential(store: Store, nodeName: string): Promise<boolean> {
  let cont: string | undefined;
  do {
    const page = await store.list(SECRETS, { namespace: 'kube-system', continue: cont });
    if (!page.ok) return false;
    if (
      page.value.items.some(
        (s) =>
          (s as { type?: string }).type === NODE_CREDENTIAL_TYPE &&
          s.metadata.labels?.[NODE_LABEL] === nodeName,
      )
    )
      return true;
    cont = page.value.continue;
  } while (cont);
  return false;
}

export async function revokeNodeCredentials(store: Store, nodeName: string): Promise<number> {
  let removed = 0;
  let cont: string | undefined;
  do {
    const page = await store.list(SECRETS, { namespace: 'kube-system', continue: cont });
    if (!page.ok) break;
    for (const s of page.value.items) {
      if (
        (s as { type?: string }).type === NODE_CREDENTIAL_TYPE &&
        s.metadata.labels?.[NODE_LABEL] === nodeName
      ) {
        if ((await store.delete(SECRETS, 'kube-system', s.metadata.name!)).ok) removed++;
      }
    }
    cont = page.value.continue;
  } while (cont);
  return removed;
}

/** A node credential names its Secret through its hash: one read, no scan, per authentication. */
export async function authenticateNode(store: Store, token: string): Promise<User | undefined> {
  if (!token.startsWith(NODE_TOKEN_PREFIX)) return undefined;
  const hash = await sha256Hex(token);
  const secret = await store.get(SECRETS, 'kube-system', `node-credential-${hash.slice(0, 32)}`);
  if (!secret || (secret as { type?: string }).type !== NODE_CREDENTIAL_TYPE) return undefined;
  const d = data(secret);
  if (!safeEqual(unb64(d['token-sha256']), hash)) return undefined;
  const node = unb64(d.node);
  return { name: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'], node };
}
