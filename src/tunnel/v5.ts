// The v5.channel.k8s.io subprotocol kubectl speaks for exec, attach and cp (pure).
// k8s: staging/src/k8s.io/apimachinery/pkg/util/remotecommand/constants.go and
// staging/src/k8s.io/client-go/tools/remotecommand/websocket.go.
import type { OpenRequest } from './frames';

export const V5_PROTOCOL = 'v5.channel.k8s.io';

/** Each binary message starts with its channel; 255 is the CLOSE signal `[255, channel]` (v5 only). */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** The lowest channel the server writes on, which gets the empty "connected" message. */
export function firstChannel(open: Pick<OpenRequest, 'stdout' | 'stderr'>): number {
  return open.stdout ? Channel.stdout : open.stderr ? Channel.stderr : Channel.error;
}

/** True when the client offered `protocol` in Sec-WebSocket-Protocol. */
export function offers(req: Request, protocol: string): boolean {
  const h = req.headers.get('sec-websocket-protocol') ?? '';
  return h.split(',').some((p) => p.trim() === protocol);
}

export function isWebSocketUpgrade(req: Request): boolean {
  return req.method === 'GET' && (req.headers.get('upgrade') ?? '').toLowerCase() === 'websocket';
}

/** port-forward: SPDY/3.1 frames tunnelled through the WebSocket (client-go tools/portforward/tunneling_dialer.go). */
export const PORTFORWARD_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
