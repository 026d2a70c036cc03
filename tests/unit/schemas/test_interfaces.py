"""schemas/openapi.yaml and schemas/asyncapi.yaml stay true: both are valid
(OpenAPI 3.1, AsyncAPI 3.0), every JSON Schema they reference exists, every topic
of deploy/topics.manifest is an AsyncAPI channel with a writer and a reader, and
every route the gateway's source serves is an OpenAPI path. Each failure says what
to add where."""

import os
import pathlib
import re
import subprocess

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
SCHEMAS = REPO / "schemas"
VENV = pathlib.Path(os.environ.get("CIVIC_VENV", pathlib.Path.home() / ".cache/civic-gateway/venv"))
ASYNCAPI_SCHEMA = pathlib.Path(os.environ.get(
    "CIVIC_ASYNCAPI_SCHEMA", pathlib.Path.home() / ".cache/civic-gateway/asyncapi/package/schemas/3.0.0-without-$id.json"))
# First path segments the gateway serves or is about to (issue list); a literal in
# gateway/ starting with one of them is a route.
ROUTE_ROOTS = ("/v1/", "/open311/", "/open/", "/dashboard", "/healthz", "/readyz", "/metrics")


def tool(name):
    path = VENV / "bin" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run script/bootstrap (it installs the interface checkers)")
    return str(path)


def load(name):
    return yaml.safe_load((SCHEMAS / name).read_text())


def test_openapi_is_valid_openapi_3_1():
    doc = load("openapi.yaml")
    assert doc["openapi"].startswith("3.1")
    run = subprocess.run([tool("openapi-spec-validator"), str(SCHEMAS / "openapi.yaml")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_asyncapi_is_valid_asyncapi_3():
    if not ASYNCAPI_SCHEMA.exists():
        pytest.fail(f"{ASYNCAPI_SCHEMA} is missing: run script/bootstrap (it fetches @asyncapi/specs)")
    run = subprocess.run([tool("check-jsonschema"), "--schemafile", str(ASYNCAPI_SCHEMA),
                          str(SCHEMAS / "asyncapi.yaml")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def external_refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and not value.startswith("#"):
                yield value
            else:
                yield from external_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from external_refs(item)


@pytest.mark.parametrize("document", ["openapi.yaml", "asyncapi.yaml"])
def test_referenced_json_schemas_exist(document):
    refs = set(external_refs(load(document)))
    assert refs, f"{document} references no JSON Schema of schemas/"
    missing = [r for r in refs if not (SCHEMAS / r.split("#")[0]).exists()]
    assert not missing, f"schemas/{document} references files that do not exist: {missing}"


def manifest_topics():
    topics = []
    for line in (REPO / "deploy/topics.manifest").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            topics.append(line.split()[0])
    return topics


def channel_addresses(doc):
    """{address: channel name} with each {parameter} expanded over its enum."""
    out = {}
    for name, channel in doc["channels"].items():
        addresses = [channel["address"]]
        for param, spec in (channel.get("parameters") or {}).items():
            values = spec.get("enum")
            assert values, f"schemas/asyncapi.yaml: channels.{name}.parameters.{param} needs an enum of its values"
            addresses = [a.replace("{" + param + "}", v) for a in addresses for v in values]
        for a in addresses:
            out[a] = name
    return out


def test_every_topic_is_an_asyncapi_channel_and_back():
    doc = load("asyncapi.yaml")
    addresses = channel_addresses(doc)
    topics = manifest_topics()
    missing = [t for t in topics if t not in addresses]
    assert not missing, (
        f"deploy/topics.manifest has topics without a channel in schemas/asyncapi.yaml: {missing}. "
        "Add under channels: a channel with that address, its message (kafka key binding, payload "
        "JSON Schema, headers), and under operations: a send and a receive naming the services that "
        "write and read it")
    stale = sorted(a for a in addresses if a not in topics)
    assert not stale, (f"schemas/asyncapi.yaml describes topics deploy/topics.manifest does not have: {stale}. "
                       "Remove the channel, or add the topic to the manifest")


def test_every_channel_has_a_writer_a_reader_and_described_messages():
    doc = load("asyncapi.yaml")
    actions = {name: set() for name in doc["channels"]}
    for op_name, op in doc["operations"].items():
        channel = op["channel"]["$ref"].rsplit("/", 1)[1]
        assert channel in actions, f"operations.{op_name} names an unknown channel {channel}"
        actions[channel].add(op["action"])
        assert op.get("summary"), f"operations.{op_name}: say which service does it (summary)"
    lacking = {c: sorted({"send", "receive"} - a) for c, a in actions.items() if a != {"send", "receive"}}
    assert not lacking, f"schemas/asyncapi.yaml channels without a writer or reader operation: {lacking}"
    for name, message in doc["components"]["messages"].items():
        assert "payload" in message, f"components.messages.{name} has no payload"
        assert message.get("bindings", {}).get("kafka", {}).get("key"), \
            f"components.messages.{name}: describe the record key (bindings.kafka.key)"


def documented_paths():
    return list(load("openapi.yaml")["paths"])


def covered(route, paths):
    """A route is covered by a documented path equal to it up to the names of its
    {parameters}; a prefix (/v1/webhooks/) or a wildcard route (/open311/v2/*, a
    {parameter} standing for any segment) by any documented path it matches."""
    def shape(path):
        return re.sub(r"\{[^}]*\}", "{}", path)
    route = shape(route)
    wildcard = route.endswith("/*")
    if wildcard:
        route = route[:-2]
    pattern = "^" + re.escape(route).replace(re.escape("{}"), "[^/]+") + ("(/.*)?$" if wildcard else "$")
    for p in map(shape, paths):
        if p == route or p.startswith(route) or re.match(pattern, p):
            return True
    return False


def gateway_route_literals():
    found = {}
    for source in sorted((REPO / "gateway").rglob("*.[ch]pp")):
        code = re.sub(r"//[^\n]*", "", source.read_text(errors="replace"))  # examples in comments
        for literal in re.findall(r'"(/[^"\s]*)"', code):
            if literal.startswith(ROUTE_ROOTS) or literal in ("/healthz", "/readyz", "/metrics"):
                found.setdefault(literal, source.relative_to(REPO))
    return found


def test_every_route_in_the_gateway_source_is_documented():
    literals = gateway_route_literals()
    assert "/v1/messages" in literals, "the route scan found nothing: has the routing moved out of gateway/?"
    paths = documented_paths()
    missing = {route: str(where) for route, where in literals.items() if not covered(route, paths)}
    assert not missing, "\n".join(
        f"{where} serves {route}, which schemas/openapi.yaml does not describe: add it under paths: "
        f"with its methods, parameters, request body and responses (problem+json errors, limits)"
        for route, where in missing.items())


def test_every_channel_adapter_has_its_webhook_documented():
    names = []
    for source in (REPO / "gateway/channels").glob("*/*_adapter.cpp"):
        names += re.findall(r'register_channel\(\s*\{\s*"([a-z0-9_]+)"', source.read_text())
    assert len(names) >= 8, f"found only {names}: has register_channel changed?"
    paths = documented_paths()
    missing = []
    for name in names:
        prefix = "/open311/v2/" if name == "open311" else f"/v1/webhooks/{name}"
        if not any(p.startswith(prefix) for p in paths):
            missing.append(prefix)
    assert not missing, (f"channel adapters without their webhook in schemas/openapi.yaml: {missing}; "
                         "add each path with the channel's signature header, body schema "
                         "(schemas/channels/<name>.schema.json) and answers")
