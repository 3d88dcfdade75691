// Message tables for k8s.io/apimachinery meta/v1: object metadata, label selectors, conditions.
import {
  FIELDS_V1,
  MAP,
  META,
  PTR,
  REP,
  TIME,
  message,
  type MessageTable,
} from './descriptor-types';

export const metaMessages: MessageTable = {
  [META + 'ObjectMeta']: message(
    [1, 'name', 'string'],
    [2, 'generateName', 'string'],
    [3, 'namespace', 'string'],
    [4, 'selfLink', 'string'],
    [5, 'uid', 'string'],
    [6, 'resourceVersion', 'string'],
    [7, 'generation', 'int64'],
    [8, 'creationTimestamp', TIME],
    [9, 'deletionTimestamp', TIME, PTR],
    [10, 'deletionGracePeriodSeconds', 'int64', PTR],
    [11, 'labels', 'string', MAP],
    [12, 'annotations', 'string', MAP],
    [13, 'ownerReferences', META + 'OwnerReference', REP],
    [14, 'finalizers', 'string', REP],
    [17, 'managedFields', META + 'ManagedFieldsEntry', REP],
  ),
  [META + 'OwnerReference']: message(
    [1, 'kind', 'string'],
    [3, 'name', 'string'],
    [4, 'uid', 'string'],
    [5, 'apiVersion', 'string'],
    [6, 'controller', 'bool', PTR],
    [7, 'blockOwnerDeletion', 'bool', PTR],
  ),
  // Minimal: enough to carry what a client may send; the server owns managedFields anyway.
  [META + 'ManagedFieldsEntry']: message(
    [1, 'manager', 'string'],
    [2, 'operation', 'string'],
    [3, 'apiVersion', 'string'],
    [4, 'time', TIME, PTR],
    [6, 'fieldsType', 'string'],
    [7, 'fieldsV1', FIELDS_V1, PTR],
    [8, 'subresource', 'string'],
  ),
  [META + 'LabelSelector']: message(
    [1, 'matchLabels', 'string', MAP],
    [2, 'matchExpressions', META + 'LabelSelectorRequirement', REP],
  ),
  [META + 'LabelSelectorRequirement']: message(
    [1, 'key', 'string'],
    [2, 'operator', 'string'],
    [3, 'values', 'string', REP],
  ),
  [META + 'Condition']: message(
    [1, 'type', 'string'],
    [2, 'status', 'string'],
    [3, 'observedGeneration', 'int64'],
    [4, 'lastTransitionTime', TIME],
    [5, 'reason', 'string'],
    [6, 'message', 'string'],
  ),
};
