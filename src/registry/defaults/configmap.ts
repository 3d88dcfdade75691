// ConfigMap defaults: none that reach the wire.
// k8s: pkg/apis/core/v1/defaults.go SetDefaults_ConfigMap only makes Data a non-nil map, which
// serialises exactly like an absent one (omitempty), so adding `data: {}` here would differ from it.
import type { KObject } from '../../api/types';

export function defaultConfigMap(_cm: KObject): void {}
