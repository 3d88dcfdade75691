// Label and field selectors for list and watch, with the field labels each resource supports.
import type { KObject } from '../../api/types';
import type { ResourceInfo } from '../../api/resources';
import { parseLabelSelector, SelectorParseError, type Selector } from '../../lib/labels';
import { parseFieldSelector, FieldSelectorParseError, type FieldSelector } from '../../lib/fields';
import { errors } from '../errors';
import { fieldGetters, selectionMatcher } from '../../registry/field-labels';
import { definitionFor } from '../../registry/registry';

export interface ObjectFilter {
  labels?: Selector;
  fields?: FieldSelector;
  matches(o: KObject): boolean;
  empty: boolean;
}

export function parseFilter(r: ResourceInfo, query: URLSearchParams): ObjectFilter {
  let labels: Selector | undefined;
  let fields: FieldSelector | undefined;
  const ls = query.get('labelSelector');
  const fs = query.get('fieldSelector');
  try {
    if (ls) labels = parseLabelSelector(ls);
  } catch (e) {
    if (e instanceof SelectorParseError)
      throw errors.badRequest(`unable to parse requirement: ${e.message}`);
    throw e;
  }
  const getters = fieldGetters(r.resource, definitionFor(r).custom?.selectableFields);
  try {
    if (fs) fields = parseFieldSelector(fs);
  } catch (e) {
    if (e instanceof FieldSelectorParseError)
      throw errors.badRequest(`invalid field selector: ${e.message}`);
    throw e;
  }
  for (const req of fields?.requirements ?? []) {
    if (!getters[req.field]) throw errors.badRequest(`field label not supported: ${req.field}`);
  }
  const empty = (!labels || labels.empty) && (!fields || fields.empty);
  return {
    labels,
    fields,
    empty,
    matches: selectionMatcher(r.resource, labels, fields) ?? (() => true),
  };
}
