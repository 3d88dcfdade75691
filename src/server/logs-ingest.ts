// Log shipping from node agents: agents dial out and POST batches; the API keeps them in LogStore objects.
import type { KObject } from '../api/types';
import { findResource } from '../api/resources';
import type { Store } from '../storage/store';
import type { LogStore } from '../storage/log-store';
import type { User } from './auth/authenticate';
import { errors } from './errors';
import { readBody } from './body';
import type { Env } from './env';
import { FOLLOWED_HEADER } from '../tunnel/follow';

const PODS = findResource('', 'v1', 'pods')!;

/**
 * One LogStore per node, holding every pod's logs under the pod's UID (a new pod with the same name
 * starts with empty logs): so the node's total is bounded in one place.
 */
export function logStore(env: Env, pod: KObject): DurableObjectStub<LogStore> {
  const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
  return env.LOGS.get(env.LOGS.idFromName(`node/${node}`));
}

/** A deleted pod's logs go with it (a pod never bound to a node has none). */
export async function forgetPodLogs(env: Env, pod: KObject): Promise<void> {
  if (!(pod.spec as { nodeName?: string } | undefined)?.nodeName || !pod.metadata.uid) return;
  await logStore(env, pod).forget(pod.metadata.uid);
}

type Named = { name?: string };

/** The names kubelet would write logs for: the pod's containers, init containers and ephemeral containers. */
function containerNames(pod: KObject): string[] {
  const spec = (pod.spec ?? {}) as {
    containers?: Named[];
    initContainers?: Named[];
    ephemeralContainers?: Named[];
  };
  return [
    ...(spec.containers ?? []),
    ...(spec.initContainers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ].map((c) => c.name ?? '');
}

async function podFor(
  store: Store,
  user: User,
  namespace: string,
  name: string,
  uid: string | null,
): Promise<KObject> {
  const pod = await store.get(PODS, namespace, name);
  if (!pod || (uid && pod.metadata.uid !== uid))
    throw errors.notFound({ resource: 'pods', group: '', name });
  const admin = user.groups.includes('system:masters');
  if (
    !admin &&
    (!user.node || (pod.spec as { nodeName?: string } | undefined)?.nodeName !== user.node)
  ) {
    throw errors.forbidden(
      `User "${user.name}" cannot ship logs of pod "${name}" in namespace "${namespace}": it is not bound to that node`,
    );
  }
  return pod;
}

/**
 * POST /edgeplane/v1/namespaces/<ns>/pods/<name>/logs?uid=<uid>
 * body: {"container": "app", "instance": <restartCount>, "lines": ["<RFC3339Nano> <text>", ...]}
 * POST .../logs/end?uid=<uid> when the pod is gone, so followers' streams end.
 */
export async function handleLogIngest(
  req: Request,
  env: Env,
  store: Store,
  user: User,
  ns: string,
  name: string,
  end: boolean,
): Promise<Response> {
  const uid = new URL(req.url).searchParams.get('uid');
  const pod = await podFor(store, user, ns, name, uid);
  const stub = logStore(env, pod);
  if (end) {
    await stub.end(pod.metadata.uid!);
    return new Response(null, { status: 204 });
  }
  let body: { container?: unknown; instance?: unknown; lines?: unknown };
  try {
    body = JSON.parse(new TextDecoder().decode(await readBody(req)));
  } catch {
    throw errors.badRequest('log batches are JSON: {"container", "instance", "lines"}');
  }
  if (
    typeof body.container !== 'string' ||
    !Number.isInteger(body.instance) ||
    !Array.isArray(body.lines) ||
    !body.lines.every((l) => typeof l === 'string')
  ) {
    throw errors.badRequest(
      'log batches are JSON: {"container": string, "instance": integer, "lines": string[]}',
    );
  }
  if (!containerNames(pod).includes(body.container)) {
    const message = `container ${JSON.stringify(body.container)} is not valid for pod ${name}: the pod has ${containerNames(
      pod,
    )
      .map((c) => JSON.stringify(c))
      .join(', ')}`;
    throw errors.badRequest(message, [
      { reason: 'FieldValueNotFound', field: 'container', message },
    ]);
  }
  if ((body.instance as number) < 0) {
    throw errors.badRequest('instance must be a non-negative integer (the restart count)', [
      { reason: 'FieldValueInvalid', field: 'instance', message: 'must be a non-negative integer' },
    ]);
  }
  const followers = await stub.append(
    pod.metadata.uid!,
    body.container,
    body.instance as number,
    body.lines as string[],
  );
  // The agent ships a followed pod's output at once (docs/streaming.md, live logs).
  return new Response(null, {
    status: 204,
    headers: followers > 0 ? { [FOLLOWED_HEADER]: String(followers) } : {},
  });
}
