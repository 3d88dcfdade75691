// Accept negotiation: Tables for kubectl get, aggregated discovery, plain JSON otherwise.

export interface MediaRange {
  type: string;
  params: Map<string, string>;
}

export function parseAccept(header: string | null): MediaRange[] {
  if (!header) return [{ type: '*/*', params: new Map() }];
  return header.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const map = new Map<string, string>();
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq > 0) map.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
    }
    return { type: type.toLowerCase(), params: map };
  });
}

export type Rendering = { as: 'json' } | { as: 'table'; version: 'v1' | 'v1beta1' };

/** The first acceptable entry wins, as the apiserver picks it. Protobuf is skipped (responses are JSON). */
export function pickRendering(accept: string | null): Rendering | undefined {
  for (const r of parseAccept(accept)) {
    if (r.type !== 'application/json' && r.type !== '*/*' && r.type !== 'application/*') continue;
    const as = r.params.get('as');
    if (!as) return { as: 'json' };
    if (as === 'Table' && r.params.get('g') === 'meta.k8s.io') {
      const v = r.params.get('v');
      if (v === 'v1' || v === 'v1beta1') return { as: 'table', version: v };
    }
  }
  return undefined;
}
