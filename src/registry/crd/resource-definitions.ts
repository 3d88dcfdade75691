// The ResourceDefinitions a CRD adds: one per served version, with its schema's pruning,
// defaulting and validation, its printer columns, its OpenAPI definitions, and the storage
// version's apiVersion on what is stored (conversion strategy None: only apiVersion changes).
import {
  CRD_CLEANUP_FINALIZER,
  crdCondition,
  crdEstablished,
  crdResourceInfos,
  storageVersion,
  type CRDVersion,
  type JSONSchemaProps,
  type CustomResourceDefinition,
} from '../../api/crd';
import { groupVersion, type ResourceInfo } from '../../api/resources';
import type { KObject } from '../../api/types';
import { deepEqual } from '../../lib/json';
import { defineStrategy, type ResourceDefinition } from '../definition';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../validate/meta';
import { customResourcePrinter } from './printer';
import { customResourceSchemas } from './schema-defs';
import { selectableFieldLabels } from './selectable-fields';
import { hasRules, validateRules } from './cel';
import type { FieldError } from '../field-errors';
import { applyDefaults, prune, validateSchema } from './structural';

/** Everything but metadata (and status, when /status owns it): what bumps a CR's generation. */
function withoutMeta(o: KObject, status: boolean): Record<string, unknown> {
  const { metadata: _m, ...rest } = o as Record<string, unknown>;
  if (status) delete rest.status;
  return rest;
}

/**
 * CEL rules run after the schema's checks unless a value has the wrong type (they would read it
 * as another type); then upstream says they were not checked.
 * k8s: customresource strategy.go hasBlockingErr
 */
function rulesAfter(
  errs: FieldError[],
  obj: KObject,
  old: KObject | undefined,
  schema: JSONSchemaProps | undefined,
): FieldError[] {
  if (!schema || !hasRules(schema)) return [];
  if (errs.some((e) => e.type === 'FieldValueTypeInvalid'))
    return [
      {
        type: 'FieldValueInvalid',
        field: '<nil>',
        message:
          'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      },
    ];
  return validateRules(obj, old, schema);
}

function customStrategy(info: ResourceInfo, v: CRDVersion) {
  const schema = v.schema?.openAPIV3Schema;
  const hasStatus = !!v.subresources?.status;
  const metaErrors = (obj: KObject) =>
    validateObjectMeta(obj.metadata, { namespaced: info.namespaced, nameFn: nameIsDNSSubdomain });
  return defineStrategy(
    (obj) => {
      const errs = [...metaErrors(obj), ...validateSchema(obj, schema)];
      return [...errs, ...rulesAfter(errs, obj, undefined, schema)];
    },
    (obj, old) => {
      const errs = [
        ...validateObjectMetaUpdate(obj.metadata, old.metadata),
        ...metaErrors(obj),
        ...validateSchema(obj, schema),
      ];
      return [...errs, ...rulesAfter(errs, obj, old, schema)];
    },
    {
      // Pruning then defaulting, on writes and on reads, as the apiextensions apiserver does.
      defaults(obj) {
        prune(obj as Record<string, unknown>, schema);
        applyDefaults(obj, schema);
      },
      hasStatus,
      tracksGeneration: true,
      generationChanged: (next, live) =>
        !deepEqual(withoutMeta(next, hasStatus), withoutMeta(live, hasStatus)),
      // k8s: customresource statusStrategy.PrepareForUpdate: a /status write sets status only.
      prepareForUpdate(next, live, sub) {
        if (sub !== 'status') return;
        const status = next.status;
        const managedFields = next.metadata.managedFields;
        for (const k of Object.keys(next)) delete (next as Record<string, unknown>)[k];
        Object.assign(next, structuredClone(live));
        next.metadata.managedFields = managedFields;
        if (status === undefined) delete next.status;
        else next.status = status;
      },
    },
  );
}

export function customResourceDefinitions(crd: CustomResourceDefinition): ResourceDefinition[] {
  if (!crdEstablished(crd)) return [];
  const storage = storageVersion(crd);
  if (!storage) return [];
  const storedApiVersion = `${crd.spec.group}/${storage}`;
  const terminating =
    !!crd.metadata.deletionTimestamp || crdCondition(crd, 'Terminating')?.status === 'True';
  return crdResourceInfos(crd).map((info) => {
    const v = crd.spec.versions.find((x) => x.name === info.version)!;
    const schema = v.schema?.openAPIV3Schema;
    const servedApiVersion = groupVersion(info);
    const scale = v.subresources?.scale;
    return {
      info,
      strategy: customStrategy(info, v),
      printer: customResourcePrinter(v.additionalPrinterColumns),
      schemas: customResourceSchemas(crd, info.version, info.kind),
      // Objects are stored at the storage version's apiVersion (which may change over the CRD's
      // life) and served at the version asked for.
      view: {
        toView: (o) => ({ ...o, apiVersion: servedApiVersion }),
        fromView: (o) => ({ ...o, apiVersion: storedApiVersion }),
      },
      scale: scale && {
        specReplicasPath: scale.specReplicasPath,
        statusReplicasPath: scale.statusReplicasPath,
        labelSelectorPath: scale.labelSelectorPath,
      },
      custom: {
        unknownFields: (obj) =>
          schema ? prune(structuredClone(obj) as Record<string, unknown>, schema) : [],
        terminating,
        // k8s: the CR handler's warning for a deprecated version.
        deprecationWarning: v.deprecated
          ? (v.deprecationWarning ?? `${servedApiVersion} ${info.kind} is deprecated`)
          : undefined,
        selectableFields: selectableFieldLabels(v),
      },
    };
  });
}

export { CRD_CLEANUP_FINALIZER };
