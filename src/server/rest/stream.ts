// pods/exec, pods/attach and pods/portforward: check the caller's request and the pod, then hand the
// WebSocket upgrade to the node's NodeTunnel Durable Object, which relays it to the agent.
// Authorization (verb create, whatever the method) happened before this: see request-info.ts.
import type { KObject } from '../../api/types';
import { ApiError, errors } from '../errors';
import type { ApiContext } from '../context';
import { getObject } from './read';
import { pickContainer } from './logs';
import type { OpenRequest } from '../../tunnel/frames';
import { isWebSocketUpgrade, offers, PORTFORWARD_PROTOCOL, V5_PROTOCOL } from '../../tunnel/v5';
import { NODE_HEADER, OPEN_HEADER, STREAM_HEADER } from '../../tunnel/node-tunnel';

const flag = (q: URLSearchParams, name: string) => q.get(name) === 'true' || q.get(name) === '1';

interface PodShape {
  spec?: { nodeName?: string };
  status?: { phase?: string; podIP?: string };
}

export async function handleStream(ctx: ApiContext): Promise<Response> {
  const kind = ctx.info.subresource as 'exec' | 'attach' | 'portforward';
  const pod = await getObject(ctx, ctx.info.name!);
  const { spec, status } = pod as unknown as PodShape;
  const nodeName = spec?.nodeName;
  // k8s: pkg/registry/core/pod/strategy.go (ExecLocation, PortForwardLocation via streamLocation)
  if (!nodeName) throw errors.badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const phase = status?.phase ?? 'Pending';
  let open: object;
  if (kind === 'portforward') {
    // k8s: kubectl pkg/cmd/portforward (the client refuses too; direct API callers get the same answer).
    if (phase !== 'Running')
      throw errors.badRequest(
        `unable to forward port because pod is not running. Current status=${phase}`,
      );
    open = {
      namespace: pod.metadata.namespace,
      pod: pod.metadata.name,
      podUid: pod.metadata.uid,
      podIP: status?.podIP ?? '',
    };
  } else {
    if (phase === 'Succeeded' || phase === 'Failed') {
      throw errors.badRequest(
        `cannot ${kind === 'exec' ? 'exec into' : 'attach to'} a container in a completed pod; current phase is ${phase}`,
      );
    }
    open = openRequest(ctx, kind, pod);
  }
  const protocol = kind === 'portforward' ? PORTFORWARD_PROTOCOL : V5_PROTOCOL;
  const stub = ctx.env.NODE_TUNNEL.get(ctx.env.NODE_TUNNEL.idFromName(`node:${nodeName}`));
  const headers = new Headers(ctx.request.headers);
  headers.set(NODE_HEADER, nodeName);
  if (!isWebSocketUpgrade(ctx.request) || !offers(ctx.request, protocol)) {
    // kubectl's SPDY fallback (or a client without our subprotocol): answer what the WebSocket attempt
    // would have, so the error kubectl prints (it shows the second attempt's) is the real one.
    headers.set(STREAM_HEADER, 'status');
    const state = (await (await stub.fetch('https://tunnel/status', { headers })).json()) as {
      connected: boolean;
    };
    if (!state.connected)
      throw new ApiError(
        503,
        'ServiceUnavailable',
        `node ${nodeName} has no tunnel connected: its agent is not running or cannot reach the control plane`,
      );
    throw errors.badRequest(
      `${kind} needs a WebSocket upgrade with subprotocol ${protocol}; this server does not speak SPDY (unset KUBECTL_REMOTE_COMMAND_WEBSOCKETS and KUBECTL_PORT_FORWARD_WEBSOCKETS, or use kubectl 1.31 or newer)`,
    );
  }
  // Audit: who opened a stream into which pod, and when (the Worker's log is the audit trail).
  console.log(
    `audit: ${new Date().toISOString()} user=${JSON.stringify(ctx.user.name)} opened ${kind} into pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeName}` +
      (kind === 'portforward'
        ? ''
        : ` container=${JSON.stringify((open as OpenRequest).container)} command=${JSON.stringify((open as OpenRequest).command)}`),
  );
  headers.set(STREAM_HEADER, kind);
  headers.set(OPEN_HEADER, JSON.stringify(open));
  return stub.fetch(new Request(ctx.request.url, { method: 'GET', headers }));
}

function openRequest(ctx: ApiContext, kind: 'exec' | 'attach', pod: KObject): OpenRequest {
  const q = ctx.query;
  const container = pickContainer(pod, q.get('container'));
  const command = kind === 'exec' ? q.getAll('command') : [];
  if (kind === 'exec' && command.length === 0)
    throw errors.badRequest('you must specify at least 1 command');
  const tty = flag(q, 'tty');
  const req: OpenRequest = {
    kind,
    namespace: pod.metadata.namespace!,
    pod: pod.metadata.name!,
    podUid: pod.metadata.uid!,
    container,
    command,
    stdin: flag(q, 'stdin'),
    stdout: flag(q, 'stdout'),
    // A TTY merges stderr into stdout; kubectl omits stderr then.
    stderr: flag(q, 'stderr') && !tty,
    tty,
  };
  // k8s: pkg/kubelet/cri/streaming/remotecommand/httpstream.go: at least one stream is required.
  if (!req.stdin && !req.stdout && !req.stderr)
    throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return req;
}
