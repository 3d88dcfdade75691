// An unchanged in-cluster client, run inside a podman container: @kubernetes/client-node's
// loadFromCluster() reads /var/run/secrets/kubernetes.io/serviceaccount and
// KUBERNETES_SERVICE_HOST/PORT, lists ConfigMaps (its Role allows it) and tries to create a Secret
// (its Role does not). No edgeplane-specific setting is read.
import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';

const kc = new k8s.KubeConfig();
kc.loadFromCluster();
console.log(`server ${kc.getCurrentCluster().server}`);
const ns = fs.readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8');
const core = kc.makeApiClient(k8s.CoreV1Api);
try {
  const list = await core.listNamespacedConfigMap({ namespace: ns });
  console.log(`list ok ${list.items.map((c) => c.metadata.name).join(',')}`);
} catch (e) {
  console.log(`list failed: ${e.code ?? ''} ${e.message}`);
}
try {
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'x' } } });
  console.log('secret create allowed');
} catch (e) {
  console.log(`secret create refused: ${e.code}`);
}
setInterval(() => {}, 60_000);
