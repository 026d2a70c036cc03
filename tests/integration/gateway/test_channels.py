"""Every channel adapter against the real broker: a valid delivery becomes envelopes
with the right channel, key and reply reference; a tampered one gets 401 and stores
nothing; a redelivery carries the same key. Signatures are computed here with
Python's hmac (OpenSSL underneath), never by the gateway's code."""

import base64
import copy
import hashlib
import hmac
import json
import pathlib
import random
import subprocess
import time
import urllib.parse
import urllib.request


import pytest

from conftest import REPLY_KEYS, REPO, read_topic
from topic_reader import fresh_consumer

FIXTURES = REPO / "tests/fixtures"
SECRETS = dict(
    channels__telegram__enabled="true", channels__telegram__secret_token="tg-secret-token",
    channels__line__enabled="true", channels__line__channel_secret="line-channel-secret",
    channels__slack__enabled="true", channels__slack__signing_secret="slack-signing-secret",
    channels__meta__enabled="true", channels__meta__app_secret="meta-app-secret",
    channels__meta__verify_token="meta-verify-token",
    channels__x__enabled="true", channels__x__consumer_secret="x-consumer-secret",
    channels__kakao__enabled="true", channels__kakao__secret="kakao-shared-secret",
    channels__web__enabled="true", channels__web__token="web-form-token",
    channels__open311__enabled="true", channels__open311__api_keys="test-open311-key,other-key",
    channels__open311__request_id_key="open311-request-id-signing-key",
    channels__open311__services_file=str(REPO / "deploy/config/open311-services.json"),
)


def fixture(channel, name):
    return json.loads((FIXTURES / channel / f"{name}.json").read_text())


def content_key(*fields):
    """gateway/channels/support/content_key.cpp: SHA-256 of length-prefixed fields, 32 hex digits."""
    joined = "".join(f"{len(f.encode())}:{f}" for f in fields)
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


def hmac_hex(secret, data):
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def hmac_b64(secret, data):
    return base64.b64encode(hmac.new(secret.encode(), data, hashlib.sha256).digest()).decode()


def send(g, channel, body, headers=None, method="POST", path="", content_type="application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    req = urllib.request.Request(f"{g.url}/v1/webhooks/{channel}{path}", data=data if method == "POST" else None,
                                 method=method, headers={"Content-Type": content_type, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.fixture
def g(gateway):
    return gateway(**SECRETS)


def stored(bootstrap, keys, **kw):
    found = read_topic(bootstrap, set(keys), **kw)
    return {k: [json.loads(r.value()) for r in v] for k, v in found.items()}


def assert_nothing_stored(bootstrap, g, keys):
    """Bad deliveries never reach Kafka: a valid sentinel sent after them arrives alone."""
    sentinel = f"sentinel-{random.getrandbits(48)}"
    status, _ = send(g, "web", {"submission_id": sentinel, "text": "sentinel"},
                     {"X-Form-Token": "web-form-token"})
    assert status == 200
    found = read_topic(bootstrap, set(keys) | {f"web:{sentinel}"}, timeout=20, settle=2)
    assert set(found) == {f"web:{sentinel}"}


def test_telegram(g, bootstrap, run_id):
    update = fixture("telegram", "text-message-ko")
    update["update_id"] = random.randrange(10**12)
    key = f"telegram:{update['update_id']}"
    headers = {"X-Telegram-Bot-Api-Secret-Token": "tg-secret-token"}
    assert send(g, "telegram", update, headers)[0] == 200
    assert send(g, "telegram", update, headers)[0] == 200  # redelivery

    tampered = copy.deepcopy(update)
    tampered["update_id"] += 1
    assert send(g, "telegram", tampered, {"X-Telegram-Bot-Api-Secret-Token": "wrong"})[0] == 401
    assert send(g, "telegram", tampered)[0] == 401
    assert send(g, "telegram", fixture("telegram", "callback-query-ignored"), headers)[0] == 200

    records = stored(bootstrap, {key}, settle=2)[key]
    assert len(records) == 2 and records[0]["idempotency_key"] == records[1]["idempotency_key"] == key
    e = records[0]
    assert e["channel"] == "telegram" and e["language"] == "ko"
    address = REPLY_KEYS.open(e["reply_to"]["token"])
    assert (e["reply_to"]["channel"], address["to"], address["th"]) == ("telegram", "511223344", "1365")
    assert "511223344" not in json.dumps(e)
    assert "minsu" not in json.dumps(e) and e["author_id"]
    assert_nothing_stored(bootstrap, g, {f"telegram:{tampered['update_id']}"})
    assert g.metric('gateway_webhook_ignored_events_total{channel="telegram"}') == 1
    assert g.metric('gateway_webhook_requests_total{channel="telegram",outcome="unauthorized"}') == 2


def test_line(g, bootstrap, run_id):
    payload = fixture("line", "text-and-follow")
    payload["events"][0]["webhookEventId"] = f"{run_id}-line-1"
    body = json.dumps(payload, ensure_ascii=False).encode()
    signature = {"X-Line-Signature": hmac_b64("line-channel-secret", body)}
    assert send(g, "line", body, signature)[0] == 200
    assert send(g, "line", body, signature)[0] == 200
    assert send(g, "line", body.replace("킥보드".encode(), "자전거".encode()), signature)[0] == 401
    assert send(g, "line", body, {"X-Line-Signature": hmac_b64("other-secret", body)})[0] == 401

    group = fixture("line", "group-text-en")
    group["events"][0]["webhookEventId"] = f"{run_id}-line-2"
    group_body = json.dumps(group).encode()
    assert send(g, "line", group_body, {"X-Line-Signature": hmac_b64("line-channel-secret", group_body)})[0] == 200

    got = stored(bootstrap, {f"line:{run_id}-line-1", f"line:{run_id}-line-2"}, settle=2)
    assert len(got[f"line:{run_id}-line-1"]) == 2  # the redelivery, same key
    first = got[f"line:{run_id}-line-1"][0]
    assert REPLY_KEYS.open(first["reply_to"]["token"])["to"] == "U4af4980629f4a1b2c3d4e5f6a7b8c9d0"
    assert REPLY_KEYS.open(first["reply_to"]["token"])["h"] == payload["events"][0]["replyToken"]
    assert "U4af4980629f4a1b2c3d4e5f6a7b8c9d0" not in json.dumps(first)
    group_token = got[f"line:{run_id}-line-2"][0]["reply_to"]["token"]
    assert REPLY_KEYS.open(group_token)["to"] == "Ca56f94637cc4347f90a25382909b24b9"
    assert g.metric('gateway_webhook_ignored_events_total{channel="line"}') == 2  # the follow events


def slack_headers(body, secret="slack-signing-secret", at=None):
    ts = str(int(at if at is not None else time.time()))
    return {"X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": "v0=" + hmac_hex(secret, f"v0:{ts}:".encode() + body)}


def test_slack(g, bootstrap, run_id):
    challenge = json.dumps(fixture("slack", "url-verification")).encode()
    status, text = send(g, "slack", challenge, slack_headers(challenge))
    assert (status, text) == (200, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")

    event = fixture("slack", "message-event-ko")
    event["event_id"] = f"Ev{run_id}"
    body = json.dumps(event, ensure_ascii=False).encode()
    assert send(g, "slack", body, slack_headers(body))[0] == 200
    assert send(g, "slack", body, slack_headers(body))[0] == 200
    assert send(g, "slack", body, slack_headers(body, at=time.time() - 301))[0] == 401  # replayed
    assert send(g, "slack", body + b" ", slack_headers(body))[0] == 401  # tampered
    ignored = json.dumps(fixture("slack", "reaction-ignored")).encode()
    assert send(g, "slack", ignored, slack_headers(ignored))[0] == 200

    records = stored(bootstrap, {f"slack:Ev{run_id}"}, settle=2)[f"slack:Ev{run_id}"]
    assert len(records) == 2
    address = REPLY_KEYS.open(records[0]["reply_to"]["token"])
    assert (address["to"], address["th"]) == ("C2147483705", "1763773953.000200")


def test_meta(g, bootstrap, run_id):
    query = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.verify_token": "meta-verify-token",
                                    "hub.challenge": "1158201444"})
    assert send(g, "meta", b"", method="GET", path=f"?{query}") == (200, "1158201444")
    bad = query.replace("meta-verify-token", "guess")
    assert send(g, "meta", b"", method="GET", path=f"?{bad}")[0] == 403

    keys = {}
    for name, channel in [("whatsapp-text-ko", "whatsapp"), ("messenger-text-en", "messenger"),
                          ("instagram-text-ko", "instagram")]:
        payload = fixture("meta", name)
        if channel == "whatsapp":
            payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = f"wamid.{run_id}"
            # A wamid carries the sender's number: the key is its content hash.
            keys[channel] = "whatsapp:" + content_key(f"wamid.{run_id}")
        else:
            payload["entry"][0]["messaging"][0]["message"]["mid"] = f"m_{channel}_{run_id}"
            keys[channel] = f"{channel}:m_{channel}_{run_id}"
        body = json.dumps(payload, ensure_ascii=False).encode()
        sig = {"X-Hub-Signature-256": "sha256=" + hmac_hex("meta-app-secret", body)}
        assert send(g, "meta", body, sig)[0] == 200
        assert send(g, "meta", body[:-2] + b"}}", sig)[0] in (401, 400)
    assert send(g, "meta", json.dumps(fixture("meta", "whatsapp-status-ignored")).encode(),
                {"X-Hub-Signature-256": "sha256=0"})[0] == 401

    got = stored(bootstrap, set(keys.values()))
    whatsapp = got[keys["whatsapp"]][0]
    assert whatsapp["channel"] == "whatsapp"
    assert "821055551234" not in json.dumps(whatsapp)  # the phone number is pseudonymized
    assert f"wamid.{run_id}" not in json.dumps(whatsapp)
    address = REPLY_KEYS.open(whatsapp["reply_to"]["token"])
    assert (address["to"], address["via"], address["th"]) == ("821055551234", "106540352242922", f"wamid.{run_id}")
    assert REPLY_KEYS.open(got[keys["messenger"]][0]["reply_to"]["token"])["to"] == "6543219870123456"
    assert got[keys["instagram"]][0]["language"] == "ko"


def test_x(g, bootstrap, run_id):
    status, text = send(g, "x", b"", method="GET", path="?crc_token=challenge-123")
    assert status == 200
    assert json.loads(text) == {"response_token": "sha256=" + hmac_b64("x-consumer-secret", b"challenge-123")}

    payload = fixture("x", "tweet-mention-en")
    payload["tweet_create_events"][0]["id_str"] = f"9{random.randrange(10**17)}"
    dm = fixture("x", "direct-message-ko")
    dm["direct_message_events"][0]["id"] = f"8{random.randrange(10**17)}"
    for p in (payload, dm):
        body = json.dumps(p, ensure_ascii=False).encode()
        sig = {"x-twitter-webhooks-signature": "sha256=" + hmac_b64("x-consumer-secret", body)}
        assert send(g, "x", body, sig)[0] == 200
        assert send(g, "x", body, {"x-twitter-webhooks-signature": "sha256=" + hmac_b64("x-consumer-secret", body + b"!")})[0] == 401
    tweet_key = f"x:tweet-{payload['tweet_create_events'][0]['id_str']}"
    dm_key = f"x:dm-{dm['direct_message_events'][0]['id']}"
    got = stored(bootstrap, {tweet_key, dm_key})
    assert got[tweet_key][0]["language"] == "en"
    assert REPLY_KEYS.open(got[dm_key][0]["reply_to"]["token"])["to"] == "1100000000000000003"
    assert REPLY_KEYS.open(got[tweet_key][0]["reply_to"]["token"])["to"] == payload["tweet_create_events"][0]["user"]["id_str"]


def test_kakao(g, bootstrap, run_id):
    request = fixture("kakao", "skill-request-ko")
    request["userRequest"]["utterance"] += f" ({run_id})"
    headers = {"X-Skill-Secret": "kakao-shared-secret"}
    status, text = send(g, "kakao", request, headers)
    assert status == 200
    answer = json.loads(text)
    assert answer["version"] == "2.0"
    receipt_text = answer["template"]["outputs"][0]["simpleText"]["text"]
    assert "접수" in receipt_text and "Receipt" in receipt_text
    again = json.loads(send(g, "kakao", request, headers)[1])
    assert again == answer  # same words from the same user: same key, same receipt
    assert send(g, "kakao", request, {"X-Skill-Secret": "wrong"})[0] == 401

    # The key is a content hash whose first 8 digits are the receipt number.
    receipt = receipt_text.split("접수번호: ")[1][:8]
    records = _records_with_prefix(bootstrap, f"kakao:{receipt}")
    assert len(records) == 2 and len({r["idempotency_key"] for r in records}) == 1
    assert records[0]["reply_to"]["channel"] == "kakao"


def _records_with_prefix(bootstrap, prefix, timeout=30):
    c = fresh_consumer(bootstrap, ["feedback.ingested"], committed=False)
    out, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline and len(out) < 2:
        for m in c.consume(1000, 0.5):
            if not m.error() and m.key().decode().startswith(prefix):
                out.append(json.loads(m.value()))
    c.close()
    return out


def test_web_form_json_and_urlencoded(g, bootstrap, run_id):
    headers = {"X-Form-Token": "web-form-token"}
    form = fixture("web", "form-ko")
    form["submission_id"] = f"WEB-{run_id}-1"
    status, text = send(g, "web", form, headers)
    assert status == 200 and json.loads(text)["status"] == "stored"
    encoded = urllib.parse.urlencode({"submission_id": f"WEB-{run_id}-2", "text": "Broken bench in Seoul Forest",
                                      "email": "someone@example.org"}).encode()
    assert send(g, "web", encoded, headers, content_type="application/x-www-form-urlencoded")[0] == 200
    status, text = send(g, "web", {"email": "x@example.org"}, headers)
    assert status == 400 and "/text" in json.loads(text)["detail"]
    assert send(g, "web", form, {"X-Form-Token": "nope"})[0] == 401

    got = stored(bootstrap, {f"web:WEB-{run_id}-1", f"web:WEB-{run_id}-2"})
    e = got[f"web:WEB-{run_id}-1"][0]
    assert e["location"]["lat"] == 37.5663 and e["location"]["address"].startswith("서울특별시")
    assert "parent.mapo" not in json.dumps(e)


def test_open311_round_trip_with_curl(g, bootstrap, run_id):
    base = f"{g.url}/open311/v2"

    def curl(*args):
        out = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", *args], check=True,
                             capture_output=True, text=True).stdout
        body, status = out.rsplit("\n", 1)
        return int(status), json.loads(body)

    status, services = curl(f"{base}/services.json")
    assert status == 200 and {"pothole", "garbage", "other"} <= {s["service_code"] for s in services}
    assert curl(f"{base}/services/pothole.json") == (200, {"service_code": "pothole", "attributes": []})
    assert curl(f"{base}/services/unicorns.json")[0] == 404

    fields = fixture("open311", "request-pothole-en")
    fields["description"] += f" ({run_id})"
    def as_form(values):
        return [arg for k, v in values.items() for arg in ("--data-urlencode", f"{k}={v}")]

    form = as_form(fields)
    status, answer = curl(*form, f"{base}/requests.json")
    assert status == 200
    request_id = answer[0]["service_request_id"]
    assert request_id.startswith("pothole-")
    assert curl(*form, f"{base}/requests.json")[1][0]["service_request_id"] == request_id  # redelivery
    status, state = curl(f"{base}/requests/{request_id}.json")
    assert status == 200 and state[0]["status"] == "open" and state[0]["service_code"] == "pothole"
    forged = request_id[:-1] + ("0" if request_id[-1] != "0" else "1")
    assert curl(f"{base}/requests/{forged}.json") == (404, [{"code": 404, "description": "service_request_id not found"}])

    assert curl(*as_form({**fields, "api_key": "guess"}), f"{base}/requests.json")[0] == 403
    no_location = {k: v for k, v in fields.items() if k not in ("lat", "long", "address_string")}
    status, error = curl(*as_form(no_location), f"{base}/requests.json")
    assert status == 400 and "lat and long" in error[0]["description"]

    records = stored(bootstrap, {f"open311:{request_id}"}, settle=2)[f"open311:{request_id}"]
    assert len(records) == 2
    assert records[0]["location"]["lat"] == 37.5176
    assert records[0]["media"] == ["https://cdn.example.org/311/pothole-8841.jpg"]
    assert "reporter@example.org" not in json.dumps(records[0])


def test_rate_limit_per_client_answers_429(gateway):
    g = gateway(channels__client_rate_per_second=1, channels__client_burst=2, **SECRETS)
    statuses = [send(g, "telegram", {"update_id": 1}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"})[0]
                for _ in range(4)]
    assert statuses[:2] == [401, 401] and 429 in statuses[2:]
    assert g.metric('gateway_webhook_requests_total{channel="telegram",outcome="rate_limited"}') >= 1


def test_a_disabled_channel_is_not_served(gateway):
    g = gateway()
    assert send(g, "line", b"{}")[0] == 404
