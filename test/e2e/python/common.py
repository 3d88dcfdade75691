"""Shared setup for the python3-kubernetes scripts: the cluster from $KUBECONFIG, a fresh namespace, JSON output."""
import json
import os
import sys
import uuid

from kubernetes import client, config


def connect():
    # client_side_validation stays on (the default): the models refuse a response that lacks a
    # required field, which is how a missing always-present field shows up in this client.
    config.load_kube_config(config_file=os.environ["KUBECONFIG"])
    return client.ApiClient()


def fresh_namespace(api_client, prefix):
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    client.CoreV1Api(api_client).create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    return name


def check(cond, message):
    """An assertion that survives python -O and says what was expected."""
    if not cond:
        raise AssertionError(message)


def report(result):
    """The one line the test reads: the script's findings as JSON."""
    json.dump(result, sys.stdout, default=str)
    sys.stdout.write("\n")
