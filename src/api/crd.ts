// apiextensions.k8s.io/v1 CustomResourceDefinition: its shape, and the identities of the kinds it
// adds (pure, so the loops can turn a CRD into paths without server code).
import type { ResourceInfo, SubresourceInfo } from './resources';
import type { KObject } from './types';

/** The OpenAPI v3 subset a CRD's structural schema uses (apiextensions JSONSchemaProps). */
export interface JSONSchemaProps {
  description?: string;
  type?: string;
  format?: string;
  title?: string;
  default?: unknown;
  maximum?: number;
  exclusiveMaximum?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  multipleOf?: number;
  enum?: unknown[];
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  items?: JSONSchemaProps;
  allOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  nullable?: boolean;
  example?: unknown;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: { rule: string; message?: string; messageExpression?: string }[];
}

export interface CRDNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface CRDVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: {
    status?: Record<string, never>;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
  additionalPrinterColumns?: PrinterColumn[];
  /** JSON paths field selectors may name (".spec.color"). */
  selectableFields?: { jsonPath: string }[];
}

export interface CRDCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface CustomResourceDefinition extends KObject {
  spec: {
    group: string;
    names: CRDNames;
    scope: 'Namespaced' | 'Cluster';
    versions: CRDVersion[];
    conversion?: { strategy: string };
    preserveUnknownFields?: boolean;
  };
  status?: {
    conditions?: CRDCondition[];
    acceptedNames?: CRDNames;
    storedVersions?: string[];
  };
}

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export function crdCondition(
  crd: CustomResourceDefinition,
  type: string,
): CRDCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

/** Whether the CRD's kinds are served: Established (names accepted) and not being torn down. */
export function crdEstablished(crd: CustomResourceDefinition): boolean {
  return crdCondition(crd, 'Established')?.status === 'True';
}

/** The storage version's name. */
export function storageVersion(crd: CustomResourceDefinition): string | undefined {
  const versions = Array.isArray(crd.spec?.versions) ? crd.spec.versions : [];
  return versions.find((v) => v?.storage === true)?.name;
}

/**
 * The identity of the kind a CRD adds, once per served version, under the names the CRD has had
 * accepted (status.acceptedNames, as upstream serves them). Scale answers autoscaling/v1 Scale.
 */
export function crdResourceInfos(crd: CustomResourceDefinition): ResourceInfo[] {
  const names = crd.status?.acceptedNames?.plural ? crd.status.acceptedNames : crd.spec.names;
  return crd.spec.versions
    .filter((v) => v.served)
    .map((v) => {
      const subresources: SubresourceInfo[] = [];
      if (v.subresources?.status)
        subresources.push({ name: 'status', verbs: ['get', 'patch', 'update'] });
      if (v.subresources?.scale)
        subresources.push({
          name: 'scale',
          kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
          verbs: ['get', 'patch', 'update'],
        });
      return {
        group: crd.spec.group,
        version: v.name,
        resource: names.plural,
        singular: names.singular || names.kind.toLowerCase(),
        kind: names.kind,
        listKind: names.listKind || `${names.kind}List`,
        namespaced: crd.spec.scope === 'Namespaced',
        shortNames: names.shortNames?.length ? names.shortNames : undefined,
        categories: names.categories?.length ? names.categories : undefined,
        subresources,
        partitioned: false,
      };
    });
}
