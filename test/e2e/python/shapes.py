"""Every kind, read through the typed client: its models refuse a response missing a field they require
(ReplicaSetStatus.replicas, NodeSystemInfo's fields, ...), which the apiserver always sends."""
import datetime
import time

from kubernetes import client

from common import check, connect, fresh_namespace, report

api = connect()
v1 = client.CoreV1Api(api)
apps = client.AppsV1Api(api)
ns = fresh_namespace(api, "py-shapes")
now = datetime.datetime.now(datetime.timezone.utc)
labels = {"app": "shapes"}
node_name = f"{ns}-node"

v1.create_node(client.V1Node(metadata=client.V1ObjectMeta(name=node_name)))
apps.create_namespaced_deployment(ns, client.V1Deployment(
    metadata=client.V1ObjectMeta(name="d"),
    spec=client.V1DeploymentSpec(replicas=0, selector=client.V1LabelSelector(match_labels=labels), template=client.V1PodTemplateSpec(
        metadata=client.V1ObjectMeta(labels=labels), spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox")]))),
))
v1.create_namespaced_service(ns, client.V1Service(metadata=client.V1ObjectMeta(name="s"), spec=client.V1ServiceSpec(selector=labels, ports=[client.V1ServicePort(port=80)])))
v1.create_namespaced_event(ns, client.CoreV1Event(metadata=client.V1ObjectMeta(name="core-ev"), involved_object=client.V1ObjectReference(kind="Service", name="s", namespace=ns), reason="Seen", message="m"))
# Legacy events have no eventTime, which events.k8s.io/v1 then shows as null, as upstream does, and
# this client's EventsV1Event refuses; so the new-style event gets a namespace of its own.
ev_ns = fresh_namespace(api, "py-shapes-ev")
client.EventsV1Api(api).create_namespaced_event(ev_ns, client.EventsV1Event(
    metadata=client.V1ObjectMeta(name="new-ev"), event_time=now, reporting_controller="example.com/shapes", reporting_instance="i-1",
    action="Check", reason="Seen", type="Normal", note="n", regarding=client.V1ObjectReference(kind="Service", name="s", namespace=ev_ns)))
client.CoordinationV1Api(api).create_namespaced_lease(ns, client.V1Lease(metadata=client.V1ObjectMeta(name="l")))

# The controllers add a ReplicaSet for the Deployment.
deadline = time.time() + 30
while not apps.list_namespaced_replica_set(ns).items:
    check(time.time() < deadline, "the deployment controller created a ReplicaSet within 30 s")
    time.sleep(0.5)

LISTS = {
    "Namespace": v1.list_namespace, "Node": v1.list_node,
    "Pod": v1.list_pod_for_all_namespaces, "Service": v1.list_service_for_all_namespaces,
    "Endpoints": v1.list_endpoints_for_all_namespaces, "Event": v1.list_event_for_all_namespaces,
    "ConfigMap": v1.list_config_map_for_all_namespaces, "Secret": v1.list_secret_for_all_namespaces,
    "ServiceAccount": v1.list_service_account_for_all_namespaces,
    "Deployment": apps.list_deployment_for_all_namespaces, "ReplicaSet": apps.list_replica_set_for_all_namespaces,
    "Lease": client.CoordinationV1Api(api).list_lease_for_all_namespaces,
    "EndpointSlice": client.DiscoveryV1Api(api).list_endpoint_slice_for_all_namespaces,
    "events.k8s.io Event": lambda: client.EventsV1Api(api).list_namespaced_event(ev_ns),
}
counts = {kind: len(fn().items) for kind, fn in LISTS.items()}

node = v1.read_node(node_name)
rs = apps.list_namespaced_replica_set(ns).items[0]
svc = v1.read_namespaced_service("s", ns)
ev = v1.read_namespaced_event("core-ev", ns)
new_ev = client.EventsV1Api(api).read_namespaced_event("new-ev", ev_ns)
report({
    "counts": counts,
    "nodeInfo": node.status.node_info.to_dict(),
    "kubeletPort": node.status.daemon_endpoints.kubelet_endpoint.port,
    "replicaSetStatus": rs.status.to_dict(),
    "serviceStatus": svc.status.to_dict(),
    "coreEvent": [ev.source.to_dict(), ev.reporting_component, ev.reporting_instance],
    "eventsV1": [new_ev.reporting_controller, new_ev.note, new_ev.regarding.name],
})
