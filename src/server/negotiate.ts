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

/** What kubectl asks /openapi/v2 for. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/**
 * What the apiserver answers it with: "@" is a separator in media types, so Go's mime.ParseMediaType
 * (which client-go runs on every Content-Type) refuses the requested spelling.
 */
export const OPENAPI_V2_PROTOBUF_RESPONSE =
  'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/**
 * /openapi/v2 serves JSON or gnostic protobuf; the first acceptable range (by q, then order) wins,
 * and a wildcard picks JSON. Undefined means 406.
 */
// k8s: kube-openapi pkg/handler/handler.go (OpenAPIService.ServeHTTP)
export function pickOpenApiV2(accept: string | null): 'json' | 'protobuf' | undefined {
  const ranges = parseAccept(accept)
    .map((r, i) => ({ ...r, i, q: r.params.has('q') ? Number(r.params.get('q')) : 1 }))
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    if (r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*')
      return 'json';
    if (r.type === OPENAPI_V2_PROTOBUF || r.type === OPENAPI_V2_PROTOBUF_RESPONSE)
      return 'protobuf';
  }
  return undefined;
}
