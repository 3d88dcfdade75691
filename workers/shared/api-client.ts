// The loops' client of the API Worker: through the service binding, every request bounded in time.
import { KubeClient } from '../../src/client/client';
import { withTimeout, type Transport } from '../../src/client/transport';

/** No API call of a leader may take longer: a hung request must not stall a loop (and its alarm) forever. */
export const REQUEST_TIMEOUT_MS = 30_000;

export interface LoopClientOptions {
  userAgent: string;
  timeoutMs?: number;
  /** Called once per request (counters for tests and the benchmark). */
  onRequest?: (request: Request) => void;
  /** Wraps the bounded transport (a pass's write budget). */
  wrap?: (t: Transport) => Transport;
}

export function loopClient(
  api: { fetch(request: Request): Promise<Response> },
  opts: LoopClientOptions,
): KubeClient {
  const base: Transport = (req) => {
    opts.onRequest?.(req);
    return api.fetch(req);
  };
  const bounded = withTimeout(base, opts.timeoutMs ?? REQUEST_TIMEOUT_MS);
  return new KubeClient({
    server: 'https://api.internal',
    userAgent: opts.userAgent,
    transport: opts.wrap ? opts.wrap(bounded) : bounded,
  });
}
