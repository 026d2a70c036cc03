"""The container image (deploy/container/Containerfile, built by script/image with
buildah on a debootstrapped Debian 12 base) runs the gateway against the test
broker and stores a message; its binaries find every library, it runs as the
non-root user, and its HEALTHCHECK command answers."""

import hashlib
import json
import os
import pathlib
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid

import pytest
from confluent_kafka import Consumer

REPO = pathlib.Path(__file__).resolve().parents[3]
IMAGE = os.environ.get("CIVIC_TEST_IMAGE", "localhost/civic/gateway:test")
CACHE = pathlib.Path(os.environ.get("CIVIC_CACHE_DIR", pathlib.Path.home() / ".cache/civic-gateway"))
BUILDAH = ["buildah", "--root", str(CACHE / "containers/storage"), "--runroot", str(CACHE / "containers/run"),
           "--storage-driver", "vfs"]
BRIDGE_KEY = "cgk_image-test-bridge-key-0000000000000000000"
RELEASE = [REPO / "build/release/gateway/gateway", REPO / "build/release/consumers/dedup/dedup",
           REPO / "build/release/consumers/router/router", REPO / "build/release/consumers/answers/answers"]


def bootstrap_address():
    path = os.environ.get("CIVIC_TEST_BOOTSTRAP_FILE")
    if not path or not os.path.exists(path):
        pytest.fail("no Kafka broker: run through ctest (kafka fixture) or script/test")
    return pathlib.Path(path).read_text().strip()


@pytest.fixture(scope="module")
def image():
    if os.geteuid() != 0 or not shutil.which("buildah") or not shutil.which("debootstrap"):
        pytest.skip("needs root, buildah and debootstrap (script/bootstrap installs them)")
    missing = [str(p) for p in RELEASE if not p.exists()]
    if missing:
        pytest.skip(f"no release binaries to put in the image ({missing[0]}): "
                    "script/test --image builds them, or cmake --build --preset release")
    started = time.monotonic()
    subprocess.run([REPO / "script/image", "--prebuilt", "--tag", IMAGE], check=True, timeout=1800)
    print(f"image {IMAGE} built in {time.monotonic() - started:.0f}s")
    return IMAGE


@pytest.fixture
def container(image):
    ctr = subprocess.run([*BUILDAH, "from", "--quiet", "--pull=never", image], check=True,
                         capture_output=True, text=True).stdout.strip()
    yield ctr
    subprocess.run([*BUILDAH, "rm", ctr], capture_output=True)


def run_in(ctr, *command, env=None, **kwargs):
    args = [*BUILDAH, "run", "--isolation", "chroot", "--network", "host"]
    for key, value in (env or {}).items():
        args += ["--env", f"{key}={value}"]
    return [*args, ctr, "--", *command]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_every_binary_finds_its_libraries_and_runs_as_civic(container):
    ldd = subprocess.run(run_in(container, "bash", "-c", "ldd /usr/local/bin/gateway /usr/local/bin/dedup "
                                "/usr/local/bin/router /usr/local/bin/answers"), capture_output=True, text=True, check=True).stdout
    assert "not found" not in ldd, ldd
    who = subprocess.run(run_in(container, "id", "-u"), capture_output=True, text=True, check=True).stdout
    assert who.strip() == "10001"
    for service in ("dedup", "router", "answers"):
        helped = subprocess.run(run_in(container, service, "--help"), capture_output=True, text=True)
        assert helped.returncode == 0 and f"{service}.ops_listen" in helped.stdout, helped.stderr
    # The services' default rules path resolves inside the image.
    rules = subprocess.run(run_in(container, "test", "-f", "deploy/config/rules/seoul.yaml"))
    assert rules.returncode == 0
    # And so does the sentence model dedup and the router load by default (heads and encoder):
    # its evidence is in the classification.
    classified = subprocess.run(run_in(container, "router", "classify"), capture_output=True, text=True,
                                input='{"id":"1","text":"아침에 받은 수돗물에서 수영장 냄새가 나요"}\n', timeout=300)
    assert classified.returncode == 0 and '"model.division"' in classified.stdout, classified.stderr


def test_the_gateway_from_the_image_stores_a_message(container):
    bootstrap = bootstrap_address()
    port = free_port()
    gateway = subprocess.Popen(run_in(container, "gateway", f"--gateway.listen=127.0.0.1:{port}",
                                      f"--kafka.bootstrap.servers={bootstrap}",
                                      f"--auth.bridge_keys=image-test:{hashlib.sha256(BRIDGE_KEY.encode()).hexdigest()}:*",
                                      # a token key: without one the gateway serves no dashboard
                                      "--auth.jwt.hs256_secret=image-test-jwt-secret-0123456789abcdef",
                                      env={"GATEWAY_AUTHOR_KEY": "image-test-author-key-0123456789"}),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert gateway.poll() is None, gateway.stdout.read().decode(errors="replace")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the containerised gateway did not become ready"
            time.sleep(0.2)
        health = subprocess.run(run_in(container, "civic-healthcheck", env={"CIVIC_HEALTH_PORT": str(port)}))
        assert health.returncode == 0, "the image's HEALTHCHECK command failed against a healthy gateway"
        # The pages the image serves from /opt/civic: the staff dashboard and the public one.
        for page in ("/dashboard/", "/open/"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{page}", timeout=10) as r:
                assert r.status == 200 and b"<html" in r.read().lower(), page

        message_id = "image-" + uuid.uuid4().hex[:12]
        # A channel bridges relay: "*" never covers a webhook namespace such as web.
        body = json.dumps({"id": message_id, "channel": "callcentre", "text": "컨테이너에서 보낸 민원입니다"}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/messages", data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {BRIDGE_KEY}"})
        with urllib.request.urlopen(req, timeout=60) as r:
            answer = json.loads(r.read())
        assert answer["status"] == "stored", answer

        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "image-" + uuid.uuid4().hex,
                             "auto.offset.reset": "earliest", "enable.auto.commit": False})
        try:
            consumer.assign([__import__("confluent_kafka").TopicPartition(
                answer["topic"], answer["partition"], answer["offset"])])
            msg = consumer.poll(30)
            assert msg is not None and not msg.error(), msg and msg.error()
            assert msg.key().decode() == f"bridge/image-test/callcentre:{message_id}"
            assert json.loads(msg.value())["text"] == "컨테이너에서 보낸 민원입니다"
        finally:
            consumer.close()
    finally:
        gateway.terminate()
        gateway.wait(timeout=60)
