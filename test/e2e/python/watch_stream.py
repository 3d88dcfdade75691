"""watch.Watch().stream: the client's own watch loop (it sends watch=True) sees ADDED, MODIFIED and DELETED."""
from kubernetes import client, watch

from common import check, connect, fresh_namespace, report

api = connect()
v1 = client.CoreV1Api(api)
ns = fresh_namespace(api, "py-watch")
v1.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="a", labels={"app": "w"}), data={"k": "1"}))
v1.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="other"), data={"k": "1"}))

events = []
w = watch.Watch()
for ev in w.stream(v1.list_namespaced_config_map, ns, label_selector="app=w", timeout_seconds=30):
    obj = ev["object"]
    check(isinstance(obj, client.V1ConfigMap), f"the event object decodes to V1ConfigMap, got {type(obj)}")
    events.append([ev["type"], obj.metadata.name, obj.data])
    if ev["type"] == "ADDED":
        v1.patch_namespaced_config_map("a", ns, {"data": {"k": "2"}})
    elif ev["type"] == "MODIFIED":
        v1.delete_namespaced_config_map("a", ns)
    elif ev["type"] == "DELETED":
        w.stop()

# The client remembers the last resourceVersion it saw, to resume from it.
check(w.resource_version, "the watch recorded a resourceVersion to resume from")
report({"namespace": ns, "events": events})
