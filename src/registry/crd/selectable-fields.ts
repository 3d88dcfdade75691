// selectableFields (apiextensions v1, GA in 1.32): the JSON paths of a CRD version that field
// selectors may name, their validation against the version's schema, and the field labels served.
// k8s: apiextensions-apiserver validation.go validateSelectableFields, cel.ValidFieldPath
import type { CRDVersion, CustomResourceDefinition, JSONSchemaProps } from '../../api/crd';
import { fieldErr, type FieldError } from '../field-errors';

/** k8s: MaxSelectableFields. */
export const MAX_SELECTABLE_FIELDS = 8;

/**
 * Walks a simple JSON path (".spec.color", no array notation) through a structural schema.
 * Answers the field label it names ("spec.color") and the schema found there, or the reason it is
 * not a valid path, in upstream's words.
 */
export function resolveFieldPath(
  jsonPath: string,
  schema: JSONSchemaProps | undefined,
): { label: string; root: string; schema: JSONSchemaProps } | { error: string } {
  // Tokens as upstream scans them: '.', '[' and ']' alone, anything between them as one token.
  const tokens = jsonPath.match(/[.[\]]|[^.[\]]+/g) ?? [];
  let at: JSONSchemaProps | undefined = schema;
  const parts: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok === '[') return { error: 'array notation is not allowed' };
    if (tok !== '.') return { error: `expected [ or . but got: ${tok}` };
    const name = tokens[++i];
    if (name === undefined) return { error: 'unexpected end of JSON path' };
    if (name === '.' || name === '[' || name === ']')
      return { error: 'does not refer to a valid field' };
    if (at?.properties) {
      if (!Object.prototype.hasOwnProperty.call(at.properties, name))
        return { error: 'does not refer to a valid field' };
      at = at.properties[name];
      parts.push(name);
    } else if (at?.additionalProperties && typeof at.additionalProperties === 'object') {
      at = at.additionalProperties;
      parts.push(name);
    } else return { error: 'does not refer to a valid field' };
  }
  if (!at || !parts.length) return { error: 'unexpected end of JSON path' };
  return { label: parts.join('.'), root: parts[0], schema: at };
}

/** The field labels one version serves: its valid selectable fields ("spec.color"). */
export function selectableFieldLabels(v: CRDVersion): string[] {
  const out: string[] = [];
  for (const f of Array.isArray(v.selectableFields) ? v.selectableFields : []) {
    const r = resolveFieldPath(String(f?.jsonPath ?? ''), v.schema?.openAPIV3Schema);
    if ('label' in r && !out.includes(r.label)) out.push(r.label);
  }
  return out;
}

function validateVersion(v: CRDVersion, base: string): FieldError[] {
  const fields = v.selectableFields;
  if (fields === undefined || fields === null) return [];
  if (!Array.isArray(fields)) return [fieldErr.invalid(base, fields, 'must be a list')];
  const errs: FieldError[] = [];
  const unique = new Set<string>();
  fields.forEach((f, i) => {
    const fp = `${base}[${i}].jsonPath`;
    const jsonPath = f && typeof f === 'object' ? f.jsonPath : undefined;
    if (typeof jsonPath !== 'string' || jsonPath === '') {
      errs.push(fieldErr.required(fp));
      return;
    }
    const r = resolveFieldPath(jsonPath, v.schema?.openAPIV3Schema);
    if ('error' in r) {
      errs.push(fieldErr.invalid(fp, jsonPath, `is an invalid path: ${r.error}`));
      return;
    }
    if (r.root === 'metadata')
      errs.push(fieldErr.invalid(fp, jsonPath, 'must not point to fields in metadata'));
    if (!['string', 'boolean', 'integer'].includes(r.schema.type ?? ''))
      errs.push(
        fieldErr.invalid(
          fp,
          jsonPath,
          'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.',
        ),
      );
    if (unique.has(r.label)) errs.push(fieldErr.duplicate(fp, jsonPath));
    else unique.add(r.label);
  });
  if (unique.size > MAX_SELECTABLE_FIELDS)
    errs.push({
      type: 'FieldValueTooMany',
      field: base,
      message: `Too many: ${unique.size}: must have at most ${MAX_SELECTABLE_FIELDS} items`,
    });
  return errs;
}

/** Every version's selectableFields checked against that version's schema. */
export function validateSelectableFields(crd: CustomResourceDefinition): FieldError[] {
  const versions = crd?.spec?.versions;
  if (!Array.isArray(versions)) return [];
  return versions.flatMap((v, i) =>
    v && typeof v === 'object' ? validateVersion(v, `spec.versions[${i}].selectableFields`) : [],
  );
}
