// The watch relay: a stored object sent on unparsed must equal what parse, default and stringify send.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/api/types';
import {
  DEFAULTS_GENERATION,
  STORED_MARK,
  encodeStored,
  encodeWrite,
  spliceResourceVersion,
  storedMark,
} from '../../src/storage/stored-shape';
import { MAX_OBJECT_BYTES, utf8Length } from '../../src/storage/limits';
import { encodeHubLine, readLines, splitEventLine } from '../../src/watch/framing';
import { definitionFor } from '../../src/registry/registry';
import { toView } from '../../src/server/rest/view';

const RV = '12.7.3';

/** The stored value as a write leaves it (defaulted and marked where the kind allows). */
function stored(group: string, version: string, resource: string, obj: KObject): string {
  return encodeWrite(definitionFor({ group, version, resource }), structuredClone(obj));
}

/** The parsing path: what handleWatch's frame() sends for this stored value. */
function slowFrame(group: string, version: string, resource: string, value: string): string {
  const obj = JSON.parse(value) as KObject;
  obj.metadata.resourceVersion = RV;
  const r = definitionFor({ group, version, resource }).info;
  return JSON.stringify({ type: 'MODIFIED', object: toView(r, obj) }) + '\n';
}

/** The relay: hub line split at its header, resourceVersion spliced, frame written around it. */
function fastFrame(value: string, key = 'ns/name'): string | undefined {
  const line = encodeHubLine({ rev: 9, key, type: 1, value }, false).slice(0, -1);
  const split = splitEventLine(line);
  expect(split).toEqual({ rev: 9, key, type: 1, raw: value });
  const served = spliceResourceVersion(split!.raw, RV);
  return served === undefined ? undefined : `{"type":"MODIFIED","object":${served}}\n`;
}

const tricky = [
  '"metadata":{"resourceVersion":"1"}',
  ',"metadata":{',
  'line\nbreak\ttab "quoted" \\ backslash \\"',
  'unicode: grüß ✓ \u2028\u2029 😀 \u0000 \u001f',
  '{"apiVersion":"v1","kind":"x","metadata":{}}',
];

const cases: [string, string, string, KObject][] = [
  [
    '',
    'v1',
    'configmaps',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'tricky', namespace: 'default', uid: 'u1', labels: { '"a"': '{' } },
      data: Object.fromEntries(tricky.map((t, i) => [`k${i}${t}`, t])),
    },
  ],
  [
    '',
    'v1',
    'configmaps',
    {
      // The client's order: data and metadata before kind; resourceVersion sent by the client.
      data: { metadata: '{"metadata":{' },
      metadata: { resourceVersion: '99', uid: 'u2', name: 'late', namespace: 'default' },
      kind: 'ConfigMap',
      apiVersion: 'v1',
    },
  ],
  [
    '',
    'v1',
    'configmaps',
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { uid: 'u3' }, data: {} },
  ],
  [
    '',
    'v1',
    'pods',
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        namespace: 'default',
        uid: 'u4',
        creationTimestamp: '2026-01-01T00:00:00Z',
        annotations: { note: '"metadata":{"x":1}' },
      },
      spec: {
        nodeName: 'n1',
        containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }],
      },
      status: { conditions: [{ type: 'PodScheduled', status: 'True' }] },
    },
  ],
  [
    'apps',
    'v1',
    'deployments',
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', uid: 'u5', generation: 1 },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
        },
      },
    },
  ],
  [
    '',
    'v1',
    'secrets',
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default', uid: 'u6' },
      stringData: { password: 'ünïcode' },
    },
  ],
  [
    '',
    'v1',
    'services',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', namespace: 'default', uid: 'u7' },
      spec: { ports: [{ port: 80 }], selector: { app: 'web' } },
    },
  ],
];

describe('watch relay splice', () => {
  it.each(cases.map((c) => [`${c[2]} ${c[3].metadata.name ?? '(no name)'}`, ...c] as const))(
    '%s: relayed frame equals the parsed frame',
    (_name, group, version, resource, obj) => {
      const value = stored(group, version, resource, obj);
      expect(value.startsWith(`{${STORED_MARK}"apiVersion":`)).toBe(true);
      const fast = fastFrame(value);
      expect(fast).toBeDefined();
      expect(fast!.endsWith('}\n')).toBe(true);
      expect(fast!.slice(0, -1)).not.toContain('\n');
      expect(JSON.parse(fast!)).toEqual(JSON.parse(slowFrame(group, version, resource, value)));
    },
  );

  it('sets resourceVersion on the top-level metadata only, not a template or a look-alike string', () => {
    const [, , , deployment] = cases[4];
    const value = stored('apps', 'v1', 'deployments', deployment);
    const obj = JSON.parse(spliceResourceVersion(value, RV)!);
    expect(obj.metadata.resourceVersion).toBe(RV);
    expect(obj.spec.template.metadata).toEqual({ creationTimestamp: null, labels: { app: 'web' } });
    const [, , , late] = cases[1];
    const cm = JSON.parse(spliceResourceVersion(stored('', 'v1', 'configmaps', late), RV)!);
    expect(cm.metadata).toEqual({
      resourceVersion: RV,
      uid: 'u2',
      name: 'late',
      namespace: 'default',
    });
    expect(cm.data).toEqual({ metadata: '{"metadata":{' });
  });

  it('empty metadata gets resourceVersion alone', () => {
    const value = encodeStored({ apiVersion: 'v1', kind: 'X', metadata: {} }, true);
    expect(spliceResourceVersion(value, '5')).toBe(
      '{"apiVersion":"v1","kind":"X","metadata":{"resourceVersion":"5"}}',
    );
  });

  it('reads apiVersion and kind as JSON strings, escapes included', () => {
    const obj = { apiVersion: 'a\\"b', kind: 'K","metadata":{"', metadata: { name: 'n' } };
    const value = encodeStored(obj, true);
    expect(JSON.parse(spliceResourceVersion(value, '5')!)).toEqual({
      ...obj,
      metadata: { resourceVersion: '5', name: 'n' },
    });
  });

  it('leaves every value not in the marked shape to the parsing path', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} };
    // Unmarked: written without defaulting (no uid), or by an older generation or build.
    expect(spliceResourceVersion(encodeStored(pod), RV)).toBeUndefined();
    expect(spliceResourceVersion(JSON.stringify(pod), RV)).toBeUndefined();
    const other = STORED_MARK === '  \t' ? '   ' : '  \t';
    expect(spliceResourceVersion(`{${other}${encodeStored(pod).slice(1)}`, RV)).toBeUndefined();
    // Marked but not in the shape (apiVersion, kind, metadata first).
    for (const body of [
      '"kind":"Pod","apiVersion":"v1","metadata":{}}',
      '"apiVersion":"v1","metadata":{},"kind":"Pod"}',
      '"apiVersion":"v1","kind":"Pod","spec":{"metadata":{}},"metadata":{}}',
      '"apiVersion":"v1","kind":"Pod","metadata":null}',
      '"apiVersion":"v1","kind":"Pod","metadata":[]}',
      '"apiVersion":"v1}',
      '"apiVersion":1,"kind":"Pod","metadata":{}}',
    ])
      expect(spliceResourceVersion(`{${STORED_MARK}${body}`, RV)).toBeUndefined();
  });

  it('encodes objects without string apiVersion and kind as before, unmarked', () => {
    const obj = { metadata: { name: 'x', resourceVersion: '3' }, data: { a: '1' } } as KObject;
    expect(encodeStored(obj, true)).toBe('{"metadata":{"name":"x"},"data":{"a":"1"}}');
    expect(spliceResourceVersion(encodeStored(obj, true), RV)).toBeUndefined();
  });

  it('marks no object without a uid, of a kind with a view, or a custom resource', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} };
    expect(stored('', 'v1', 'pods', pod).startsWith(`{${STORED_MARK}`)).toBe(false);
    const hpa = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h', uid: 'u' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3 },
    };
    const view = definitionFor({
      group: 'autoscaling',
      version: 'v1',
      resource: 'horizontalpodautoscalers',
    });
    expect(view.view).toBeDefined();
    expect(encodeWrite(view, structuredClone(hpa)).startsWith(`{${STORED_MARK}`)).toBe(false);
    const custom = { ...definitionFor({ group: '', version: 'v1', resource: 'configmaps' }) };
    custom.custom = { unknownFields: () => [], terminating: false };
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', uid: 'u' } };
    expect(encodeWrite(custom, cm).startsWith(`{${STORED_MARK}`)).toBe(false);
  });

  it('the mark never takes an object within the size limit over it', () => {
    const def = definitionFor({ group: '', version: 'v1', resource: 'configmaps' });
    const cm = (a: string): KObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'big', namespace: 'default', uid: 'u' },
      data: { a: `ü${a}` },
    });
    const overhead = utf8Length(encodeWrite(def, cm(''))) - STORED_MARK.length;
    // Exactly at the limit without the mark: stored unmarked, so the shard's check still passes it.
    const full = encodeWrite(def, cm('x'.repeat(MAX_OBJECT_BYTES - overhead)));
    expect(utf8Length(full)).toBe(MAX_OBJECT_BYTES);
    expect(spliceResourceVersion(full, RV)).toBeUndefined();
    // Room for the mark: marked and relayed. Over the limit anyway: left to the shard to refuse.
    const roomy = encodeWrite(
      def,
      cm('x'.repeat(MAX_OBJECT_BYTES - overhead - STORED_MARK.length)),
    );
    expect(utf8Length(roomy)).toBe(MAX_OBJECT_BYTES);
    expect(spliceResourceVersion(roomy, RV)).toBeDefined();
    const over = encodeWrite(def, cm('x'.repeat(MAX_OBJECT_BYTES - overhead + 1)));
    expect(utf8Length(over)).toBeGreaterThan(MAX_OBJECT_BYTES);
  });

  it('hub lines: the header is split, the value taken whole; a line with prev is not split', () => {
    const value = '{"a":"},\\"value\\":"}';
    const key = 'ns/we"ird\\kéy';
    const line = encodeHubLine({ rev: 3, key, type: 2, value, prev: '{"b":1}' }, true);
    expect(JSON.parse(line)).toEqual({
      rev: 3,
      key,
      type: 2,
      value: { a: '},"value":' },
      prev: { b: 1 },
    });
    expect(splitEventLine(line.slice(0, -1))).toBeUndefined();
    const bare = encodeHubLine({ rev: 3, key, type: 2, value, prev: '{"b":1}' }, false);
    expect(splitEventLine(bare.slice(0, -1))).toEqual({ rev: 3, key, type: 2, raw: value });
    expect(splitEventLine('{"progress":4}')).toBeUndefined();
    expect(splitEventLine('{"expired":4}')).toBeUndefined();
  });
});

describe('readLines', () => {
  it('splits lines across chunks cut anywhere, inside a multi-byte character too', async () => {
    const value = encodeStored(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ü' }, data: { a: 'grüß 😀' } },
      true,
    );
    const text =
      encodeHubLine({ rev: 1, key: 'ns/ü', type: 0, value }, false) +
      '{"progress":2}\n' +
      encodeHubLine({ rev: 3, key: 'ns/ü', type: 1, value, prev: value }, true);
    const bytes = new TextEncoder().encode(text);
    for (const size of [1, 2, 3, 7, bytes.length]) {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < bytes.length; i += size) c.enqueue(bytes.slice(i, i + size));
          c.close();
        },
      });
      const got = [];
      for await (const line of readLines(body, true)) got.push(line);
      expect(got).toEqual([
        { rev: 1, key: 'ns/ü', type: 0, raw: value },
        { progress: 2 },
        { rev: 3, key: 'ns/ü', type: 1, value: JSON.parse(value), prev: JSON.parse(value) },
      ]);
    }
  });
  it('a value marked by any generation stays one hub line, read whole', async () => {
    // Hub lines embed stored values raw and end at "\n": a mark holding a line break would cut
    // every marked row's event in two (seen: generation 2 made the mark "  \n").
    const marks = new Set<string>();
    for (let g = 1; g < 64; g++) {
      const mark = storedMark(g);
      marks.add(mark);
      expect(JSON.parse(`{${mark}"a":1}`)).toEqual({ a: 1 });
      const value = `{${mark}"apiVersion":"v1","kind":"ConfigMap","metadata":{}}`;
      const bytes = new TextEncoder().encode(
        encodeHubLine({ rev: g, key: 'ns/c', type: 1, value }, false),
      );
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(bytes);
          c.close();
        },
      });
      const got = [];
      for await (const line of readLines(body, true)) got.push(line);
      expect(got).toEqual([{ rev: g, key: 'ns/c', type: 1, raw: value }]);
    }
    expect(marks.size).toBe(63);
  });
});

/**
 * A fingerprint of what decides a stored object's defaults: every file under src/registry/defaults,
 * the field helpers they use, the read path that defaults (view.ts), and from each kind file its
 * defaults wiring and any defaults function defined there. Whitespace and trailing commas are
 * dropped first, so a reformat (Prettier, CRLF checkouts) does not ask for a bump.
 */
function defaultsFingerprint(read: (path: string) => string, list: (dir: string) => string[]) {
  const norm = (text: string) => text.replace(/\s+/g, '').replace(/,([)\]}])/g, '$1');
  const hash = createHash('sha256');
  const add = (name: string, text: string) => hash.update(name).update('\0').update(norm(text));
  for (const f of list('src/registry/defaults').sort()) add(f, read(`src/registry/defaults/${f}`));
  for (const f of ['src/registry/validate/fields.ts', 'src/server/rest/view.ts']) add(f, read(f));
  for (const f of list('src/registry/kinds').sort()) {
    const text = read(`src/registry/kinds/${f}`).replace(/\r\n/g, '\n');
    const wiring = text.split('\n').filter((l) => /defaults?\b|Defaults?\b/.test(l));
    // A defaults function written in the kind's own file, up to its closing brace at column 0.
    const local = text.match(/^(export )?function default\w*\([\s\S]*?^\}$/gm) ?? [];
    add(f, [...wiring, ...local].join('\n'));
  }
  return hash.digest('hex');
}

const root = join(__dirname, '../..');
const readSource = (path: string) => readFileSync(join(root, path), 'utf8');
const listSource = (dir: string) => readdirSync(join(root, dir));

describe('defaults generation', () => {
  // Rows marked by one generation are relayed without defaulting on read; if defaulting changes,
  // DEFAULTS_GENERATION in src/storage/stored-shape.ts must change so older rows are parsed again.
  // Then record the new pair here.
  it('changes whenever what decides defaults changes', () => {
    expect({
      generation: DEFAULTS_GENERATION,
      defaults: defaultsFingerprint(readSource, listSource),
    }).toEqual({
      generation: 1,
      defaults: '7300ce5ead7ae7ad40ec31ccc6a9566c41c7c9591c60678113c18d35c440a098',
    });
  });

  it('the fingerprint sees defaults outside src/registry/defaults, and ignores reformatting', () => {
    const base = defaultsFingerprint(readSource, listSource);
    const edited = (path: string, from: string, to: string) => (p: string) => {
      const text = readSource(p);
      if (p !== path) return text;
      expect(text).toContain(from);
      return text.replace(from, to);
    };
    const crd = 'src/registry/kinds/customresourcedefinitions.ts';
    // defaultCRD is defined in the kind's file, not under src/registry/defaults.
    expect(
      defaultsFingerprint(edited(crd, 'c.priority ??= 0', 'c.priority ??= 1'), listSource),
    ).not.toBe(base);
    const fields = 'src/registry/validate/fields.ts';
    expect(
      defaultsFingerprint(edited(fields, 'export function', 'export  function  x'), listSource),
    ).not.toBe(base);
    const pod = 'src/registry/defaults/pod.ts';
    const crlf = (p: string) => readSource(p).replace(/\n/g, '\r\n');
    expect(defaultsFingerprint(crlf, listSource)).toBe(base);
    const rewrapped = (p: string) =>
      p === pod ? readSource(p).replace(/\(/g, '(\n    ').replace(/\)/g, ',\n  )') : readSource(p);
    expect(defaultsFingerprint(rewrapped, listSource)).toBe(base);
  });
});
