// OpenAPI v2 (Swagger 2.0): the /openapi/v2 document, converted from the same operations and schemas as v3.
// kubectl falls back to it when v3 does not know a kind (a `kind: List` file, client-side validation).
import { API_VERSION_LABEL, buildV3Document, servedGroupVersions, sha256Hex } from './openapi';
import { REF_PREFIX, type Schema } from './schema/dsl';
import { definitions } from './schema/index';
import { encodeOpenApiV2 } from './openapi-v2-proto';
import { resourcesGeneration } from '../api/resources';

const V2_REF_PREFIX = '#/definitions/';

type Json = Record<string, unknown>;

/** A v3 schema as Swagger 2.0 writes it: refs into #/definitions, a described ref as a $ref with a description. */
export function toV2Schema(s: Schema): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref') out.$ref = V2_REF_PREFIX + (v as string).slice(REF_PREFIX.length);
    else if (k === 'allOf' && (v as Schema[]).length === 1 && !s.properties)
      Object.assign(out, toV2Schema((v as Schema[])[0]));
    else if (k === 'allOf') out.allOf = (v as Schema[]).map(toV2Schema);
    // Swagger 2.0 has no oneOf; upstream writes int-or-string and quantity as plain strings (kubectl's
    // validator accepts any scalar for a string).
    else if (k === 'oneOf') out.type ??= 'string';
    else if (k === 'properties')
      out.properties = Object.fromEntries(
        Object.entries(v as Record<string, Schema>).map(([n, p]) => [n, toV2Schema(p)]),
      );
    else if (k === 'items' || k === 'additionalProperties') out[k] = toV2Schema(v as Schema);
    else out[k] = v;
  }
  // A $ref with siblings keeps only the description, as upstream's v2 does.
  if (out.$ref)
    return out.description ? { description: out.description, $ref: out.$ref } : { $ref: out.$ref };
  return out;
}

type V3Param = {
  name: string;
  in: string;
  description?: string;
  required?: boolean;
  schema?: Json;
};
type V3Content = Record<string, { schema?: Schema }>;
type V3Operation = Json & {
  parameters?: V3Param[];
  requestBody?: { content: V3Content; required?: boolean };
  responses: Record<string, { description: string; content?: V3Content }>;
};

function toV2Param(p: V3Param): Json {
  const out: Json = {
    uniqueItems: p.schema?.uniqueItems,
    type: p.schema?.type,
    description: p.description,
    name: p.name,
    in: p.in,
  };
  if (p.required) out.required = true;
  return out;
}

function toV2Operation(op: V3Operation): Json {
  const { parameters = [], requestBody, responses, tags, description, operationId, ...ext } = op;
  const params: Json[] = [];
  let consumes: string[] | undefined;
  if (requestBody) {
    consumes = Object.keys(requestBody.content);
    const schema = Object.values(requestBody.content)[0]?.schema;
    params.push({
      name: 'body',
      in: 'body',
      ...(requestBody.required ? { required: true } : {}),
      schema: schema ? toV2Schema(schema) : {},
    });
  }
  params.push(...parameters.map(toV2Param));
  const produces = new Set<string>();
  const v2Responses: Json = {};
  for (const [code, r] of Object.entries(responses)) {
    const content = Object.entries(r.content ?? {});
    for (const [type] of content) produces.add(type);
    const schema = content[0]?.[1].schema;
    v2Responses[code] = schema
      ? { description: r.description, schema: toV2Schema(schema) }
      : { description: r.description };
  }
  return {
    description,
    ...(consumes ? { consumes } : {}),
    ...(produces.size ? { produces: [...produces] } : {}),
    schemes: ['https'],
    tags,
    operationId,
    parameters: params,
    responses: v2Responses,
    ...ext,
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

function toV2PathItem(item: Record<string, unknown>): Json {
  const out: Json = {};
  for (const m of METHODS) if (item[m]) out[m] = toV2Operation(item[m] as V3Operation);
  if (item.parameters) out.parameters = (item.parameters as V3Param[]).map(toV2Param);
  return out;
}

/** The whole Swagger 2.0 document: every served group/version's paths and every definition. */
export function buildV2Document(): Json {
  const paths: Json = {};
  for (const gv of servedGroupVersions()) {
    for (const [p, item] of Object.entries(buildV3Document(gv).paths))
      paths[p] = toV2PathItem(item);
  }
  const defs = definitions();
  return {
    swagger: '2.0',
    info: { title: 'edgeplane', version: API_VERSION_LABEL },
    paths,
    definitions: Object.fromEntries(
      Object.keys(defs)
        .sort()
        .map((k) => [k, toV2Schema(defs[k])]),
    ),
    securityDefinitions: {
      BearerToken: {
        description: 'Bearer Token authentication',
        type: 'apiKey',
        name: 'authorization',
        in: 'header',
      },
    },
    security: [{ BearerToken: [] }],
  };
}

export interface OpenApiV2Body {
  body: string | Uint8Array;
  /** Quoted, ready for the ETag header; compare with If-None-Match to answer 304. */
  etag: string;
}

// The document changes only when the set of kinds does (a CRD registered): each form is built once
// per generation of the kind registry, on first request.
let cached: { json: OpenApiV2Body; proto: OpenApiV2Body } | undefined;
let cachedGeneration = -1;

export function openApiV2(): { json: OpenApiV2Body; proto: OpenApiV2Body } {
  if (!cached || cachedGeneration !== resourcesGeneration()) {
    cachedGeneration = resourcesGeneration();
    const doc = buildV2Document();
    const json = JSON.stringify(doc);
    const proto = encodeOpenApiV2(doc);
    const hash = sha256Hex(json);
    // Each representation has its own validator (the JSON hash, and the same hash marked for protobuf),
    // so a cache never answers one form's If-None-Match with the other's bytes.
    cached = {
      json: { body: json, etag: `"${hash}"` },
      proto: { body: proto, etag: `"${hash}-pb"` },
    };
  }
  return cached;
}
