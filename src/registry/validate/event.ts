// Event validation for both wire shapes: core/v1 (legacy rules) and events.k8s.io/v1 (strict rules).
// k8s: pkg/apis/core/validation/events.go
import type { KObject } from '../../api/types';
import { isDNS1123Subdomain, isQualifiedName } from '../../lib/validation';
import { fieldErr, type FieldError } from '../field-errors';
import {
  asNum,
  asStr,
  immutable,
  invalidEach,
  isSet,
  objOf,
  semanticEqual,
  type Obj,
} from './fields';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta';

/** An Event in Kubernetes' internal field names, which upstream's error paths use for both APIs. */
interface InternalEvent {
  namespace: string;
  fields: Obj;
}

function toInternal(ev: KObject, eventsAPI: boolean): InternalEvent {
  const e = ev as Obj;
  const fields: Obj = eventsAPI
    ? {
        involvedObject: e.regarding,
        message: e.note,
        source: e.deprecatedSource,
        firstTimestamp: e.deprecatedFirstTimestamp,
        lastTimestamp: e.deprecatedLastTimestamp,
        count: e.deprecatedCount,
        reason: e.reason,
        type: e.type,
        eventTime: e.eventTime,
        action: e.action,
        related: e.related,
        reportingController: e.reportingController,
        reportingInstance: e.reportingInstance,
        series: e.series,
      }
    : {
        involvedObject: e.involvedObject,
        message: e.message,
        source: e.source,
        firstTimestamp: e.firstTimestamp,
        lastTimestamp: e.lastTimestamp,
        count: e.count,
        reason: e.reason,
        type: e.type,
        eventTime: e.eventTime,
        action: e.action,
        related: e.related,
        reportingController: e.reportingComponent,
        reportingInstance: e.reportingInstance,
        series: e.series,
      };
  return { namespace: asStr(ev.metadata.namespace), fields };
}

function tooLongText(field: string, value: unknown, max: number): FieldError[] {
  return asStr(value).length > max
    ? [fieldErr.invalid(field, '', `can have at most ${max} characters`)]
    : [];
}

function legacyValidate({ namespace, fields: f }: InternalEvent): FieldError[] {
  const errs: FieldError[] = [];
  const involvedNs = asStr(objOf(f.involvedObject).namespace);
  const mismatch = () =>
    fieldErr.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  // Events without eventTime come from old clients and get the old, looser namespace rule.
  if (!asStr(f.eventTime)) {
    if (!involvedNs ? namespace !== '' && namespace !== 'default' : namespace !== involvedNs)
      errs.push(mismatch());
  } else {
    if (!involvedNs && namespace !== 'default' && namespace !== 'kube-system')
      errs.push(mismatch());
    const controller = asStr(f.reportingController);
    if (!controller) errs.push(fieldErr.required('reportingController'));
    errs.push(...invalidEach(isQualifiedName(controller), 'reportingController', controller));
    if (!asStr(f.reportingInstance)) errs.push(fieldErr.required('reportingInstance'));
    errs.push(...tooLongText('reportingInstance', f.reportingInstance, 128));
    if (!asStr(f.action)) errs.push(fieldErr.required('action'));
    errs.push(...tooLongText('action', f.action, 128));
    if (!asStr(f.reason)) errs.push(fieldErr.required('reason'));
    errs.push(...tooLongText('reason', f.reason, 128));
    errs.push(...tooLongText('message', f.message, 1024));
  }
  errs.push(...invalidEach(isDNS1123Subdomain(namespace), 'namespace', namespace));
  return errs;
}

function validateSeries(f: Obj): FieldError[] {
  if (!isSet(f.series)) return [];
  const s = objOf(f.series);
  const errs: FieldError[] = [];
  if ((asNum(s.count) ?? 0) < 2)
    errs.push(fieldErr.invalid('series.count', '', 'should be at least 2'));
  if (!asStr(s.lastObservedTime)) errs.push(fieldErr.required('series.lastObservedTime'));
  return errs;
}

export function validateEvent(ev: KObject, eventsAPI: boolean): FieldError[] {
  const ie = toInternal(ev, eventsAPI);
  const errs = legacyValidate(ie);
  // core/v1 keeps only the legacy rules for old clients; events.k8s.io/v1 adds the strict ones.
  if (!eventsAPI) {
    if (!asStr(ev.metadata.name))
      errs.push(fieldErr.required('metadata.name', 'name or generateName is required'));
    return errs;
  }
  const f = ie.fields;
  errs.push(...validateObjectMeta(ev.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain }));
  errs.push(...validateSeries(f));
  if (!asStr(f.eventTime)) errs.push(fieldErr.required('eventTime'));
  if (f.type !== 'Normal' && f.type !== 'Warning')
    errs.push(fieldErr.invalid('type', '', `has invalid value: ${asStr(f.type)}`));
  for (const unset of ['firstTimestamp', 'lastTimestamp']) {
    if (asStr(f[unset])) errs.push(fieldErr.invalid(unset, '', 'needs to be unset'));
  }
  if (asNum(f.count)) errs.push(fieldErr.invalid('count', '', 'needs to be unset'));
  const src = objOf(f.source);
  if (asStr(src.component) || asStr(src.host))
    errs.push(fieldErr.invalid('source', '', 'needs to be unset'));
  return errs;
}

const IMMUTABLE = [
  'involvedObject',
  'reason',
  'message',
  'source',
  'firstTimestamp',
  'lastTimestamp',
  'count',
  'type',
  'eventTime',
  'action',
  'related',
  'reportingController',
  'reportingInstance',
];

export function validateEventUpdate(ev: KObject, old: KObject, eventsAPI: boolean): FieldError[] {
  const ie = toInternal(ev, eventsAPI);
  const errs = legacyValidate(ie);
  if (!eventsAPI) return [...validateObjectMetaUpdate(ev.metadata, old.metadata), ...errs];
  const oe = toInternal(old, eventsAPI).fields;
  errs.push(...validateObjectMetaUpdate(ev.metadata, old.metadata));
  if (!semanticEqual(ie.fields.series, oe.series)) errs.push(...validateSeries(ie.fields));
  for (const f of IMMUTABLE) errs.push(...immutable(ie.fields[f], oe[f], f));
  return errs;
}
