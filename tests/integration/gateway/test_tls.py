"""With a certificate configured the gateway speaks TLS only: wss:// and https://
work, and plain connections are not served."""

import asyncio
import json
import ssl
import subprocess
import urllib.request

import websockets

from conftest import BRIDGE_HEADERS

from messages import as_json, message


def make_certificate(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def test_tls_for_websocket_and_http(gateway, tmp_path, run_id):
    cert, key = make_certificate(tmp_path)
    g = gateway(gateway__tls__certificate_file=cert, gateway__tls__private_key_file=key,
                wait_for_health=False)
    client = ssl.create_default_context(cafile=str(cert))

    def https_get(path):
        with urllib.request.urlopen(f"https://127.0.0.1:{g.port}{path}", context=client, timeout=5) as r:
            return r.status

    g.wait_until(lambda: _answers(https_get), "no TLS answer")

    request = urllib.request.Request(f"https://127.0.0.1:{g.port}/v1/messages",
                                     data=as_json(message(run_id, "tls", 0)).encode(),
                                     headers={"Content-Type": "application/json", **BRIDGE_HEADERS},
                                     method="POST")
    with urllib.request.urlopen(request, context=client, timeout=30) as r:
        assert r.status == 200 and json.loads(r.read())["status"] == "stored"

    async def over_wss():
        async with websockets.connect(f"wss://127.0.0.1:{g.port}/v1/stream", ssl=client,
                                      extra_headers=BRIDGE_HEADERS) as ws:
            await ws.send(as_json(message(run_id, "tls", 1)))
            return json.loads(await ws.recv())

    assert asyncio.run(over_wss())["type"] == "ack"
    assert g.get("/healthz")[0] is None  # plain HTTP gets no answer from a TLS port


def _answers(get):
    try:
        return get("/healthz") == 200
    except OSError:
        return False
