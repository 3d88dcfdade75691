// A custom resource's OpenAPI definitions (v3 and, converted, v2) from its CRD version's schema,
// named as upstream names them (group reversed: stable.example.com/v1 CronTab →
// com.example.stable.v1.CronTab), with apiVersion, kind and metadata filled in for kubectl explain.
import type { CustomResourceDefinition, JSONSchemaProps } from '../../api/crd';
import { META, type Schema, ref } from '../schema/dsl';

export function customResourceDefName(group: string, version: string, kind: string): string {
  return [...group.split('.').reverse(), version, kind].join('.');
}

// The keywords published. Value validations that Swagger 2.0 cannot say (allOf/anyOf/oneOf/not)
// and CEL rules stay out: the document describes shapes; the server enforces the rest.
const KEEP = new Set([
  'description',
  'type',
  'format',
  'title',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'enum',
  'maxProperties',
  'minProperties',
  'required',
  'nullable',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
]);

function publish(s: JSONSchemaProps): Schema {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (KEEP.has(k)) out[k] = v;
    else if (k === 'properties')
      out.properties = Object.fromEntries(
        Object.entries(v as Record<string, JSONSchemaProps>).map(([n, p]) => [n, publish(p)]),
      );
    else if (k === 'items') out.items = publish(v as JSONSchemaProps);
    else if (k === 'additionalProperties' && typeof v === 'object')
      out.additionalProperties = publish(v as JSONSchemaProps);
  }
  return out as Schema;
}

/** The definitions of one served version: the kind itself (its <Kind>List is generated). */
export function customResourceSchemas(
  crd: CustomResourceDefinition,
  version: string,
  kind: string,
): Record<string, Schema> {
  const v = crd.spec.versions.find((x) => x.name === version);
  const root = v?.schema?.openAPIV3Schema;
  const s: Schema = root
    ? publish(root)
    : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  s.type ??= 'object';
  s.properties = {
    apiVersion: {
      type: 'string',
      description:
        'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
    },
    kind: {
      type: 'string',
      description:
        'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
    },
    metadata: ref(
      META + 'ObjectMeta',
      "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
    ),
    ...(s.properties ?? {}),
  };
  // The root's metadata is always ObjectMeta, whatever the CRD says of name/generateName.
  s.properties.metadata = ref(
    META + 'ObjectMeta',
    "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  );
  s['x-kubernetes-group-version-kind'] = [{ group: crd.spec.group, version, kind }];
  return { [customResourceDefName(crd.spec.group, version, kind)]: s };
}
