"""kubernetes.utils.create_from_yaml: a multi-document file and a kind: List, then the AlreadyExists it reports on a second run."""
import os
import tempfile

from kubernetes import client, utils

from common import check, connect, fresh_namespace, report

api = connect()
ns = fresh_namespace(api, "py-yaml")
MANIFEST = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: busybox
        command: ["sleep", "1000"]
        envFrom: [{configMapRef: {name: settings}}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata: {name: token}
  stringData: {token: abc}
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: robot}
"""

with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
    f.write(MANIFEST)
try:
    created = utils.create_from_yaml(api, f.name, namespace=ns)
    kinds = sorted(o.kind for group in created for o in group)
    check(kinds == ["ConfigMap", "Deployment", "Secret", "Service", "ServiceAccount"], f"created every document: {kinds}")
    try:
        utils.create_from_yaml(api, f.name, namespace=ns)
        check(False, "a second create_from_yaml must fail")
    except utils.FailToCreateError as e:
        statuses = sorted({(x.status, x.reason) for x in e.api_exceptions})
        check(statuses == [(409, "Conflict")], f"every object already exists: {statuses}")
        again = len(e.api_exceptions)
finally:
    os.unlink(f.name)

v1 = client.CoreV1Api(api)
svc = v1.read_namespaced_service("web", ns)
secret = v1.read_namespaced_secret("token", ns)
report({
    "created": kinds,
    "alreadyExists": again,
    "clusterIP": bool(svc.spec.cluster_ip),
    "targetPort": svc.spec.ports[0].target_port,
    "secretKeys": sorted(secret.data),
    "deploymentReplicas": client.AppsV1Api(api).read_namespaced_deployment("web", ns).spec.replicas,
})
