"""The deployment files stay valid and agree with the code: Kubernetes manifests
against the Kubernetes schemas (kubernetes-validate, strict) and yamllint, the
compose file against the Compose Specification, the topic Job's manifest equal to
deploy/topics.manifest, every configuration key and environment variable the
manifests set known to the binary that reads it, and the Containerfile's services
built and copied."""

import os
import pathlib
import re
import subprocess

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
K8S = REPO / "deploy/k8s"
COMPOSE = REPO / "deploy/compose/compose.yaml"
VENV = pathlib.Path(os.environ.get("CIVIC_VENV", pathlib.Path.home() / ".cache/civic-gateway/venv"))
KUBERNETES_VERSION = "1.30"  # the oldest version the manifests promise to work with
BINARIES = {name: os.environ.get(f"{name.upper()}_BINARY", str(REPO / path))
            for name, path in {"gateway": "build/dev/gateway/gateway",
                               "dedup": "build/dev/consumers/dedup/dedup",
                               "router": "build/dev/consumers/router/router",
                               "answers": "build/dev/consumers/answers/answers"}.items()}


def tool(name):
    path = VENV / "bin" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run script/bootstrap")
    return str(path)


def kustomization():
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def test_every_manifest_is_listed_in_the_kustomization():
    listed = set(kustomization()["resources"])
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert present == listed, f"deploy/k8s files not in kustomization.yaml resources: {present - listed}; listed but missing: {listed - present}"


def test_kubernetes_manifests_match_the_kubernetes_schemas():
    files = [str(K8S / r) for r in kustomization()["resources"]]
    run = subprocess.run([tool("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, *files],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("passed") >= len(files), run.stdout


def test_yamllint():
    run = subprocess.run(["yamllint", "--strict", "-c", str(REPO / ".yamllint"), str(K8S), str(COMPOSE.parent),
                          str(REPO / "schemas/openapi.yaml"), str(REPO / "schemas/asyncapi.yaml")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_compose_matches_the_compose_specification():
    run = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_topic_job_applies_the_repository_manifest():
    generated = {f for g in kustomization()["configMapGenerator"] for f in g["files"]}
    for name in generated:
        assert (K8S / name).exists(), f"kustomization.yaml generates from {name}, which is missing"
    assert (K8S / "topics.manifest").read_text() == (REPO / "deploy/topics.manifest").read_text(), \
        "deploy/k8s/topics.manifest differs from deploy/topics.manifest: cp deploy/topics.manifest deploy/k8s/"
    run = subprocess.run(["bash", "-n", str(K8S / "apply-topics.sh")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def documents():
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path.name, doc


def help_text(service):
    binary = BINARIES[service]
    if not os.path.exists(binary):
        pytest.fail(f"{binary} is missing: build it (cmake --build --preset dev)")
    return subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout


def test_every_setting_the_manifests_give_is_a_known_key():
    helps = {s: help_text(s) for s in BINARIES}
    config = next(d for _, d in documents() if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "civic-config")
    unknown = []
    for service in BINARIES:
        for line in config["data"][f"{service}.conf"].splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                key = line.split("=", 1)[0].strip()
                if f"--{key}" not in helps[service]:
                    unknown.append(f"{service}.conf: {key}")
    for name, doc in documents():
        if doc["kind"] != "Deployment":
            continue
        for container in doc["spec"]["template"]["spec"]["containers"]:
            service = container["command"][0]
            for env in container.get("env", []):
                if env["name"] != "CIVIC_HEALTH_PORT" and env["name"] not in helps[service]:
                    unknown.append(f"{name}: {service} env {env['name']}")
    assert not unknown, f"settings no binary declares (see <binary> --help): {unknown}"


def test_consumers_take_their_membership_id_from_the_pod_name():
    for name, doc in documents():
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] in ("dedup", "router", "answers"):
            env = {e["name"]: e for e in doc["spec"]["template"]["spec"]["containers"][0]["env"]}
            key = doc["metadata"]["name"].upper() + "_TRANSACTIONAL_ID"
            assert env[key]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name", name


def test_the_containerfile_builds_and_ships_every_service():
    text = (REPO / "deploy/container/Containerfile").read_text()
    services = re.search(r'ARG SERVICES="([^"]+)"', text).group(1).split()
    for path in services:
        assert (REPO / path).parent.is_dir(), f"Containerfile SERVICES names {path}, which does not exist"
    for service in BINARIES:
        assert any(p.endswith("/" + service) for p in services), f"the image does not build {service}"
    assert re.search(r"^USER civic$", text, re.M) and "HEALTHCHECK" in text
