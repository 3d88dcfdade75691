// The Swagger 2.0 document as gnostic's openapi.v2.Document protobuf, the form kubectl asks /openapi/v2 for
// (Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf). Written from the published
// field numbers of gnostic's openapiv2/OpenAPIv2.proto; values of free-form fields (vendor extensions,
// enum, default, example) travel as Any.yaml text, which is how gnostic carries them (JSON is valid YAML).

type Json = Record<string, unknown>;

/** A protobuf message under construction: length-delimited fields nest by encoding the child first. */
class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private static utf8 = new TextEncoder();

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private varint(n: number): void {
    const out: number[] = [];
    let v = n;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  string(field: number, v: unknown): this {
    if (typeof v !== 'string' || v === '') return this; // proto3: the default value is not sent
    return this.bytes(field, Writer.utf8.encode(v));
  }

  strings(field: number, v: unknown): this {
    if (Array.isArray(v)) for (const s of v) this.bytes(field, Writer.utf8.encode(String(s)));
    return this;
  }

  /** `always` for a bool inside a oneof, which is sent even when false. */
  bool(field: number, v: unknown, always = false): this {
    if (typeof v !== 'boolean' || (!v && !always)) return this;
    this.key(field, 0);
    this.varint(v ? 1 : 0);
    return this;
  }

  int64(field: number, v: unknown): this {
    if (typeof v !== 'number' || v === 0) return this;
    this.key(field, 0);
    this.varint(v); // non-negative lengths and counts only
    return this;
  }

  double(field: number, v: unknown): this {
    if (typeof v !== 'number' || v === 0) return this;
    this.key(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  /** A sub-message; sent even when empty, as a set message field is in proto3. */
  message(field: number, build: (w: Writer) => void): this {
    const child = new Writer();
    build(child);
    return this.bytes(field, child.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Any { google.protobuf.Any value = 1; string yaml = 2; } */
function any(w: Writer, v: unknown): void {
  w.string(2, JSON.stringify(v) + '\n');
}

/** NamedAny { string name = 1; Any value = 2; } for every `x-` key, in document order. */
function vendorExtensions(w: Writer, field: number, o: Json): void {
  for (const [k, v] of Object.entries(o)) {
    if (!k.startsWith('x-') || v === undefined) continue;
    w.message(field, (n) => n.string(1, k).message(2, (a) => any(a, v)));
  }
}

// message Schema: _ref 1, format 2, title 3, description 4, default 5, multiple_of 6, maximum 7,
// exclusive_maximum 8, minimum 9, exclusive_minimum 10, max_length 11, min_length 12, pattern 13,
// max_items 14, min_items 15, unique_items 16, max_properties 17, min_properties 18, required 19,
// enum 20, additional_properties 21, type 22, items 23, all_of 24, properties 25, discriminator 26,
// read_only 27, xml 28, external_docs 29, example 30, vendor_extension 31.
function schema(w: Writer, s: Json): void {
  w.string(1, s.$ref).string(2, s.format).string(3, s.title).string(4, s.description);
  if (s.default !== undefined) w.message(5, (a) => any(a, s.default));
  w.double(6, s.multipleOf)
    .double(7, s.maximum)
    .bool(8, s.exclusiveMaximum)
    .double(9, s.minimum)
    .bool(10, s.exclusiveMinimum);
  w.int64(11, s.maxLength)
    .int64(12, s.minLength)
    .string(13, s.pattern)
    .int64(14, s.maxItems)
    .int64(15, s.minItems);
  w.bool(16, s.uniqueItems)
    .int64(17, s.maxProperties)
    .int64(18, s.minProperties)
    .strings(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) w.message(20, (a) => any(a, e));
  // AdditionalPropertiesItem { oneof { Schema schema = 1; bool boolean = 2; } }
  if (isObj(s.additionalProperties))
    w.message(21, (ap) => ap.message(1, (x) => schema(x, s.additionalProperties as Json)));
  else if (typeof s.additionalProperties === 'boolean')
    w.message(21, (ap) => ap.bool(2, s.additionalProperties, true));
  // TypeItem { repeated string value = 1; }
  if (s.type !== undefined)
    w.message(22, (t) => t.strings(1, Array.isArray(s.type) ? s.type : [s.type]));
  // ItemsItem { repeated Schema schema = 1; }
  if (isObj(s.items)) w.message(23, (it) => it.message(1, (x) => schema(x, s.items as Json)));
  if (Array.isArray(s.allOf)) for (const a of s.allOf) w.message(24, (x) => schema(x, a as Json));
  // Properties { repeated NamedSchema additional_properties = 1; } with NamedSchema { name = 1; value = 2; }
  if (isObj(s.properties)) {
    const props = s.properties;
    w.message(25, (ps) => {
      for (const [name, p] of Object.entries(props))
        ps.message(1, (n) => n.string(1, name).message(2, (x) => schema(x, p as Json)));
    });
  }
  w.string(26, s.discriminator).bool(27, s.readOnly);
  if (s.example !== undefined) w.message(30, (a) => any(a, s.example));
  vendorExtensions(w, 31, s);
}

// Query and path parameters (NonBodyParameter oneof 3 and 4) share one layout up to `type`, then
// path parameters, which have no allow_empty_value, sit one number lower.
function nonBodyParameter(w: Writer, p: Json): void {
  const query = p.in !== 'path';
  // NonBodyParameter { header 1, form_data 2, query 3, path 4 }
  const which = p.in === 'header' ? 1 : p.in === 'formData' ? 2 : query ? 3 : 4;
  w.message(which, (x) => {
    x.bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name);
    const o = which === 4 || which === 1 ? 0 : 1; // header and path have no allow_empty_value
    if (o) x.bool(5, p.allowEmptyValue);
    x.string(5 + o, p.type)
      .string(6 + o, p.format)
      .string(8 + o, p.collectionFormat);
    if (p.default !== undefined) x.message(9 + o, (a) => any(a, p.default));
    x.bool(19 + o, p.uniqueItems);
    if (Array.isArray(p.enum)) for (const e of p.enum) x.message(20 + o, (a) => any(a, e));
    vendorExtensions(x, 22 + o, p);
  });
}

// ParametersItem { oneof { Parameter parameter = 1; JsonReference json_reference = 2; } }
// Parameter { oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; } }
function parameter(w: Writer, field: number, p: Json): void {
  w.message(field, (item) =>
    item.message(1, (param) => {
      if (p.in === 'body') {
        // BodyParameter { description 1, name 2, in 3, required 4, schema 5, vendor_extension 6 }
        param.message(1, (b) => {
          b.string(1, p.description).string(2, p.name).string(3, p.in).bool(4, p.required);
          if (isObj(p.schema)) b.message(5, (x) => schema(x, p.schema as Json));
          vendorExtensions(b, 6, p);
        });
      } else {
        param.message(2, (nb) => nonBodyParameter(nb, p));
      }
    }),
  );
}

// Operation { tags 1, summary 2, description 3, external_docs 4, operation_id 5, produces 6, consumes 7,
// parameters 8, responses 9, schemes 10, deprecated 11, security 12, vendor_extension 13 }
function operation(w: Writer, op: Json): void {
  w.strings(1, op.tags).string(2, op.summary).string(3, op.description).string(5, op.operationId);
  w.strings(6, op.produces).strings(7, op.consumes);
  for (const p of (op.parameters as Json[] | undefined) ?? []) parameter(w, 8, p);
  // Responses { repeated NamedResponseValue response_code = 1; }; NamedResponseValue { name 1, value 2 }
  // ResponseValue { oneof { Response response = 1; ... } }; Response { description 1, SchemaItem schema 2 }
  // SchemaItem { oneof { Schema schema = 1; ... } }
  w.message(9, (rs) => {
    for (const [code, r] of Object.entries((op.responses as Record<string, Json>) ?? {})) {
      rs.message(1, (named) =>
        named.string(1, code).message(2, (rv) =>
          rv.message(1, (resp) => {
            resp.string(1, r.description);
            if (isObj(r.schema))
              resp.message(2, (si) => si.message(1, (x) => schema(x, r.schema as Json)));
          }),
        ),
      );
    }
  });
  w.strings(10, op.schemes).bool(11, op.deprecated);
  vendorExtensions(w, 13, op);
}

// PathItem { _ref 1, get 2, put 3, post 4, delete 5, options 6, head 7, patch 8, parameters 9, vendor_extension 10 }
const PATH_METHODS: [string, number][] = [
  ['get', 2],
  ['put', 3],
  ['post', 4],
  ['delete', 5],
  ['options', 6],
  ['head', 7],
  ['patch', 8],
];

function pathItem(w: Writer, item: Json): void {
  for (const [m, f] of PATH_METHODS)
    if (isObj(item[m])) w.message(f, (o) => operation(o, item[m] as Json));
  for (const p of (item.parameters as Json[] | undefined) ?? []) parameter(w, 9, p);
  vendorExtensions(w, 10, item);
}

/**
 * Document { swagger 1, info 2, host 3, base_path 4, schemes 5, consumes 6, produces 7, paths 8,
 * definitions 9, parameters 10, responses 11, security 12, security_definitions 13, tags 14,
 * external_docs 15, vendor_extension 16 }
 */
export function encodeOpenApiV2(doc: Json): Uint8Array {
  const w = new Writer();
  w.string(1, doc.swagger);
  const info = (doc.info ?? {}) as Json;
  // Info { title 1, version 2, description 3, terms_of_service 4, contact 5, license 6, vendor_extension 7 }
  w.message(2, (i) => {
    i.string(1, info.title).string(2, info.version).string(3, info.description);
    vendorExtensions(i, 7, info);
  });
  w.string(3, doc.host)
    .string(4, doc.basePath)
    .strings(5, doc.schemes)
    .strings(6, doc.consumes)
    .strings(7, doc.produces);
  // Paths { vendor_extension 1, repeated NamedPathItem path = 2 }; NamedPathItem { name 1, value 2 }
  w.message(8, (ps) => {
    for (const [p, item] of Object.entries((doc.paths as Record<string, Json>) ?? {})) {
      ps.message(2, (n) => n.string(1, p).message(2, (x) => pathItem(x, item)));
    }
  });
  // Definitions { repeated NamedSchema additional_properties = 1; }
  w.message(9, (ds) => {
    for (const [name, s] of Object.entries((doc.definitions as Record<string, Json>) ?? {})) {
      ds.message(1, (n) => n.string(1, name).message(2, (x) => schema(x, s)));
    }
  });
  // SecurityRequirement { repeated NamedStringArray additional_properties = 1; }
  // NamedStringArray { name 1, StringArray value 2 }; StringArray { repeated string value = 1; }
  for (const req of (doc.security as Record<string, string[]>[] | undefined) ?? []) {
    w.message(12, (r) => {
      for (const [name, scopes] of Object.entries(req))
        r.message(1, (n) => n.string(1, name).message(2, (a) => a.strings(1, scopes)));
    });
  }
  // SecurityDefinitions { repeated NamedSecurityDefinitionsItem additional_properties = 1; }
  // SecurityDefinitionsItem { oneof { basic 1, api_key 2, ... } }; ApiKeySecurity { type 1, name 2, in 3, description 4 }
  if (isObj(doc.securityDefinitions)) {
    const defs = doc.securityDefinitions;
    w.message(13, (sd) => {
      for (const [name, d] of Object.entries(defs) as [string, Json][]) {
        if (d.type !== 'apiKey') continue;
        sd.message(1, (n) =>
          n
            .string(1, name)
            .message(2, (item) =>
              item.message(2, (k) =>
                k.string(1, d.type).string(2, d.name).string(3, d.in).string(4, d.description),
              ),
            ),
        );
      }
    });
  }
  vendorExtensions(w, 16, doc);
  return w.finish();
}
