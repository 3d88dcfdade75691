// Validation of apiextensions.k8s.io/v1 CustomResourceDefinitions: names, scope, versions, the
// structural schema, printer columns, conversion.
// k8s: staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go
import type { CustomResourceDefinition, JSONSchemaProps } from '../../api/crd';
import type { KObject } from '../../api/types';
import { JsonPathError, parseJsonPath } from '../../lib/jsonpath';
import { isDNS1035Label, isDNS1123Subdomain } from '../../lib/validation';
import { fieldErr, type FieldError } from '../field-errors';
import { ruleCompileErrors } from '../crd/cel';
import { compileRe2 } from '../crd/re2';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta';

const LOWER_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const KIND_RE = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const COLUMN_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];

function validateName(
  value: string | undefined,
  field: string,
  errs: FieldError[],
  kind = false,
): void {
  if (!value) return;
  if (typeof value !== 'string') {
    errs.push(fieldErr.invalid(field, value, 'must be a string'));
    return;
  }
  const re = kind ? KIND_RE : LOWER_LABEL;
  if (!re.test(value) || value.length > 63)
    errs.push(
      fieldErr.invalid(
        field,
        value,
        kind
          ? `may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?`
          : `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      ),
    );
}

function validateNames(crd: CustomResourceDefinition, errs: FieldError[]): void {
  const names = crd.spec.names;
  const base = 'spec.names';
  if (!names || typeof names !== 'object' || Array.isArray(names)) {
    errs.push(fieldErr.required(base));
    return;
  }
  if (!names.plural) errs.push(fieldErr.required(`${base}.plural`));
  else validateName(names.plural, `${base}.plural`, errs);
  validateName(names.singular, `${base}.singular`, errs);
  if (!names.kind) errs.push(fieldErr.required(`${base}.kind`));
  else validateName(names.kind, `${base}.kind`, errs, true);
  validateName(names.listKind, `${base}.listKind`, errs, true);
  if (names.kind && names.listKind && names.kind === names.listKind)
    errs.push(
      fieldErr.invalid(`${base}.listKind`, names.listKind, 'kind and listKind may not be the same'),
    );
  for (const list of ['shortNames', 'categories'] as const) {
    const items = names[list];
    if (items === undefined) continue;
    if (!Array.isArray(items))
      errs.push(fieldErr.invalid(`${base}.${list}`, items, 'must be a list'));
    else items.forEach((x, i) => validateName(x, `${base}.${list}[${i}]`, errs));
  }
}

/**
 * The structural-schema rules that matter to serving: every node says its type (unless it is
 * int-or-string or preserves unknown fields), the root is an object, and the root's metadata may
 * only constrain name and generateName.
 */
function validateStructural(
  s: JSONSchemaProps,
  field: string,
  errs: FieldError[],
  root: boolean,
): void {
  if (!s || typeof s !== 'object') return;
  const untyped =
    !s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields'];
  if (root) {
    if (s.type !== 'object')
      errs.push(
        s.type
          ? fieldErr.invalid(`${field}.type`, s.type, 'must be object at the root')
          : fieldErr.required(`${field}.type`, 'must not be empty at the root'),
      );
    const meta = s.properties?.metadata;
    if (meta) {
      for (const k of Object.keys(meta.properties ?? {}))
        if (k !== 'name' && k !== 'generateName')
          errs.push(
            fieldErr.forbidden(
              `${field}.properties[metadata].properties[${k}]`,
              'must not be specified',
            ),
          );
    }
  } else if (untyped) {
    errs.push(fieldErr.required(`${field}.type`, 'must not be empty for specified object fields'));
  }
  if (s.type && !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(s.type))
    errs.push(
      fieldErr.notSupported(`${field}.type`, s.type, [
        'array',
        'boolean',
        'integer',
        'number',
        'object',
        'string',
      ]),
    );
  if (s.enum !== undefined && !Array.isArray(s.enum))
    errs.push(fieldErr.invalid(`${field}.enum`, s.enum, 'must be a list'));
  if (
    s.required !== undefined &&
    !(Array.isArray(s.required) && s.required.every((r) => typeof r === 'string'))
  )
    errs.push(fieldErr.invalid(`${field}.required`, s.required, 'must be a list of strings'));
  if (
    s.properties !== undefined &&
    (typeof s.properties !== 'object' || Array.isArray(s.properties))
  )
    errs.push(fieldErr.invalid(`${field}.properties`, s.properties, 'must be an object'));
  if (s['x-kubernetes-validations'] !== undefined && !Array.isArray(s['x-kubernetes-validations']))
    errs.push(
      fieldErr.invalid(
        `${field}.x-kubernetes-validations`,
        s['x-kubernetes-validations'],
        'must be a list',
      ),
    );
  if (s.type === 'array' && !s.items)
    errs.push(fieldErr.required(`${field}.items`, 'must be specified'));
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false)
    errs.push(
      fieldErr.forbidden(
        `${field}.additionalProperties`,
        'additionalProperties and properties are mutual exclusive',
      ),
    );
  if (s.pattern !== undefined) {
    const re = typeof s.pattern === 'string' ? compileRe2(s.pattern) : new Error('not a string');
    if (re instanceof Error)
      errs.push(
        fieldErr.invalid(
          `${field}.pattern`,
          s.pattern,
          `must be a valid regular expression, but isn't: ${re.message}`,
        ),
      );
  }
  for (const [k, p] of Object.entries(s.properties ?? {}))
    validateStructural(p, `${field}.properties[${k}]`, errs, false);
  if (s.items) validateStructural(s.items, `${field}.items`, errs, false);
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    validateStructural(s.additionalProperties, `${field}.additionalProperties`, errs, false);
}

function validateVersions(crd: CustomResourceDefinition, errs: FieldError[]): void {
  const versions = crd.spec.versions;
  if (!Array.isArray(versions) || versions.length === 0) {
    errs.push(
      fieldErr.invalid(
        'spec.versions',
        versions ?? null,
        'must have exactly one version marked as storage version',
      ),
    );
    return;
  }
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const f = `spec.versions[${i}]`;
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      errs.push(fieldErr.invalid(f, v ?? null, 'must be an object'));
      return;
    }
    if (!v.name) errs.push(fieldErr.required(`${f}.name`));
    else if (typeof v.name !== 'string')
      errs.push(fieldErr.invalid(`${f}.name`, v.name, 'must be a string'));
    else {
      for (const m of isDNS1035Label(v.name)) errs.push(fieldErr.invalid(`${f}.name`, v.name, m));
      if (seen.has(v.name)) errs.push(fieldErr.duplicate(`${f}.name`, v.name));
      seen.add(v.name);
    }
    const schema = v.schema?.openAPIV3Schema;
    if (!schema)
      errs.push(fieldErr.required(`${f}.schema.openAPIV3Schema`, 'schemas are required'));
    else {
      validateStructural(schema, `${f}.schema.openAPIV3Schema`, errs, true);
      errs.push(...ruleCompileErrors(schema, `${f}.schema.openAPIV3Schema`));
    }
    (Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns : []).forEach(
      (c, j) => {
        const cf = `${f}.additionalPrinterColumns[${j}]`;
        if (!c.name) errs.push(fieldErr.required(`${cf}.name`));
        if (!COLUMN_TYPES.includes(c.type))
          errs.push(fieldErr.notSupported(`${cf}.type`, c.type, COLUMN_TYPES));
        if (!c.jsonPath) errs.push(fieldErr.required(`${cf}.jsonPath`));
        else
          try {
            parseJsonPath(c.jsonPath);
          } catch (e) {
            if (e instanceof JsonPathError)
              errs.push(
                fieldErr.invalid(`${cf}.jsonPath`, c.jsonPath, 'must be a simple json path'),
              );
            else throw e;
          }
      },
    );
    const scale = v.subresources?.scale;
    if (scale) {
      const sf = `${f}.subresources.scale`;
      if (!scale.specReplicasPath?.startsWith('.spec.'))
        errs.push(
          fieldErr.invalid(
            `${sf}.specReplicasPath`,
            scale.specReplicasPath ?? '',
            'should be a json path under .spec',
          ),
        );
      if (!scale.statusReplicasPath?.startsWith('.status.'))
        errs.push(
          fieldErr.invalid(
            `${sf}.statusReplicasPath`,
            scale.statusReplicasPath ?? '',
            'should be a json path under .status',
          ),
        );
      if (scale.labelSelectorPath && !/^\.(spec|status)\./.test(scale.labelSelectorPath))
        errs.push(
          fieldErr.invalid(
            `${sf}.labelSelectorPath`,
            scale.labelSelectorPath,
            'should be a json path under either .spec or .status',
          ),
        );
    }
  });
  const storage = versions.filter((v) => v?.storage === true).length;
  if (storage !== 1)
    errs.push(
      fieldErr.invalid(
        'spec.versions',
        versions.map((v) => v?.name),
        'must have exactly one version marked as storage version',
      ),
    );
  if (!versions.some((v) => v?.served === true))
    errs.push(
      fieldErr.invalid(
        'spec.versions',
        versions.map((v) => v?.name),
        'must have at least one version marked as served',
      ),
    );
}

export function validateCustomResourceDefinition(obj: KObject): FieldError[] {
  const crd = obj as CustomResourceDefinition;
  const errs = validateObjectMeta(crd.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain });
  const spec = crd.spec;
  if (!spec || typeof spec !== 'object') return [...errs, fieldErr.required('spec')];
  if (!spec.group) errs.push(fieldErr.required('spec.group'));
  else if (typeof spec.group !== 'string')
    errs.push(fieldErr.invalid('spec.group', spec.group, 'must be a string'));
  else {
    for (const m of isDNS1123Subdomain(spec.group))
      errs.push(fieldErr.invalid('spec.group', spec.group, m));
    if (!spec.group.includes('.'))
      errs.push(
        fieldErr.invalid('spec.group', spec.group, 'should be a domain with at least one dot'),
      );
  }
  const expected = `${spec.names?.plural}.${spec.group}`;
  if (crd.metadata.name && crd.metadata.name !== expected)
    errs.push(
      fieldErr.invalid(
        'metadata.name',
        crd.metadata.name,
        `must be spec.names.plural+"."+spec.group`,
      ),
    );
  if (!spec.scope) errs.push(fieldErr.required('spec.scope'));
  else if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster')
    errs.push(fieldErr.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  validateNames(crd, errs);
  validateVersions(crd, errs);
  const strategy = spec.conversion?.strategy;
  if (strategy === 'Webhook')
    errs.push(
      fieldErr.forbidden(
        'spec.conversion.strategy',
        'conversion webhooks are not supported by this server; use None',
      ),
    );
  else if (strategy !== undefined && strategy !== 'None')
    errs.push(fieldErr.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  if (spec.preserveUnknownFields === true)
    errs.push(
      fieldErr.invalid(
        'spec.preserveUnknownFields',
        true,
        'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
      ),
    );
  return errs;
}

export function validateCustomResourceDefinitionUpdate(obj: KObject, old: KObject): FieldError[] {
  const crd = obj as CustomResourceDefinition;
  const prev = old as CustomResourceDefinition;
  const errs = [
    ...validateObjectMetaUpdate(crd.metadata, old.metadata),
    ...validateCustomResourceDefinition(obj),
  ];
  if (crd.spec?.scope !== prev.spec?.scope)
    errs.push(fieldErr.invalid('spec.scope', crd.spec?.scope, 'field is immutable'));
  // A version whose objects are stored may not be removed until storedVersions drops it.
  for (const stored of prev.status?.storedVersions ?? []) {
    if (!crd.spec?.versions?.some((v) => v.name === stored))
      errs.push(
        fieldErr.invalid(
          'status.storedVersions[' + prev.status!.storedVersions!.indexOf(stored) + ']',
          stored,
          'must appear in spec.versions',
        ),
      );
  }
  return errs;
}
