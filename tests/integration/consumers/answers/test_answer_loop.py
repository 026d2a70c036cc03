"""The answer loop end to end against the real broker, with the real gateway,
dedup and answers processes and fake channel APIs:

  citizens on LINE, Telegram and WhatsApp (webhooks), one on Open311, and one
  who wrote on WhatsApp yesterday report one pothole -> one case;
  the division answers once (POST /v1/cases/{id}/updates) -> each citizen gets
  exactly one correctly shaped message on their channel: LINE by its reply
  token, Telegram in reply to their message, WhatsApp as free text, yesterday's
  WhatsApp citizen through the approved template; Open311 shows the status;
  the deliveries are counted on the case;
  citizens support an idea (another case, proposed on Telegram) -> counted
  once per person, the threshold event emitted once and the proposer told;
  support for the pothole (a complaint) is refused, and a "+1" reply naming it
  stays an ordinary message;
  and nothing personal is in any topic the broker lists for the test (the
  router's division.<id> topics included), in any service's /metrics or log.
About 45 s."""

import base64
import concurrent.futures
import hashlib
import hmac
import json
import os
import pathlib
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from conftest import ANSWERS, REPO, ReplyKeys, Service, Topics, manifest_divisions, produce, read_all, wait_until
from fake_channels import FakeLine, FakeTelegram, FakeWhatsApp, free_port
from staff_tokens import hs256_jwt

GATEWAY = os.environ.get("GATEWAY_BINARY", str(REPO / "build/dev/gateway/gateway"))
DEDUP = os.environ.get("DEDUP_BINARY", str(REPO / "build/dev/consumers/dedup/dedup"))
ROUTER = os.environ.get("ROUTER_BINARY", str(REPO / "build/dev/consumers/router/router"))

JWT_SECRET = "answer-loop-test-hs256-secret-0123456789"
AUTHOR_KEY = "answer-loop-author-key-0123456789"
LINE_SECRET, TELEGRAM_SECRET, META_SECRET = "line-secret", "telegram-secret", "meta-app-secret"

# What identifies the citizens: none of it may appear in any topic.
LINE_USER = "U5c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"
TELEGRAM_CHAT = 736100245
TELEGRAM_PROPOSER = 736100377
WHATSAPP_NOW = "821055501234"
WHATSAPP_YESTERDAY = "821066602345"
OPEN311_EMAIL = "citizen.park@example.com"
SUPPORTERS = ["minsu.kim@example.com", "jiyoung.lee@example.com"]
LINE_SUPPORTER = "U9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"

TEXTS = {"line": "광화문역 2번 출구 앞 세종대로 포트홀이 너무 커요",
         "telegram": "세종대로 광화문역 2번 출구 앞 포트홀 때문에 위험해요",
         "whatsapp": "광화문역 2번 출구 앞 세종대로에 포트홀이 생겼습니다",
         "yesterday": "광화문역 2번 출구 앞 세종대로에 큰 포트홀이 생겼어요",
         "open311": "광화문역 2번 출구 앞 세종대로 포트홀 신고합니다"}
IDEA = "청계천 산책로 입구에 공공 자전거 보관대를 설치해 주세요. 제안합니다"
ANSWER = "광화문역 2번 출구 앞 세종대로 포트홀을 오늘 보수했습니다. 신고해 주셔서 감사합니다."


def jwt(claims):
    return hs256_jwt(JWT_SECRET, claims)


# The website's bridge credentials as its operator makes them: an API key naming channel web,
# and a JWT from `gateway token --role=bridge`. A "*" key (every channel but the verified
# webhooks') may send messages but no support.
WEB_KEY, ANY_KEY = "cgk_answer-loop-website-key-000000000000000", "cgk_answer-loop-any-channel-key-0000000000"


def bridge_entry(name, key, channels):
    return f"{name}:{hashlib.sha256(key.encode()).hexdigest()}:{channels}"


def minted_bridge_token(sub, channels):
    out = subprocess.run([GATEWAY, "token", f"--sub={sub}", "--role=bridge", f"--channels={channels}"],
                         env=dict(os.environ, AUTH_JWT_HS256_SECRET=JWT_SECRET),
                         capture_output=True, text=True, timeout=30, check=True)
    return out.stdout.strip()


class Http:
    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None, headers=None, form=None):
        data = None
        headers = dict(headers or {})
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
            headers.setdefault("Content-Type", "application/json")
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except OSError:
            return None, ""


def signed(secret, body, digest="b64"):
    mac = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(mac).decode() if digest == "b64" else mac.hex()


def envelope_yesterday(keys, case_text):
    """The WhatsApp citizen who wrote 25 hours ago, as the gateway stored it then."""
    at = time.time() - 25 * 3600
    received = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(at))
    ms = int(at * 1000)
    uuid7 = f"{ms:012x}"[:8] + "-" + f"{ms:012x}"[8:12] + "-7" + uuid.uuid4().hex[:3] + "-8" + uuid.uuid4().hex[:3] + \
        "-" + uuid.uuid4().hex[:12]
    token = keys.seal("whatsapp", WHATSAPP_YESTERDAY, thread="wamid.yesterday", via="106540352242922",
                      written_at_ms=ms)
    return {"version": 1, "id": uuid7, "received_at": received, "channel": "whatsapp",
            "channel_message_id": "3f0c2a1b4d5e6f708192a3b4c5d6e7f8", "idempotency_key": "whatsapp:3f0c2a1b4d5e6f708192a3b4c5d6e7f8",
            "kind": "complaint", "text": case_text, "language": "ko", "location": None, "media": [],
            "author_id": hashlib.sha256(b"yesterday").hexdigest()[:32],
            "reply_to": {"channel": "whatsapp", "token": token}}


def ops_address(log_path):
    """http://HOST:PORT of a consumer service's /metrics, from its ops.listening log line."""
    found = re.search(r'"event":"ops.listening","address":"([^"]+)"', pathlib.Path(log_path).read_text())
    assert found, f"no ops.listening in {log_path}"
    return "http://" + found.group(1)


def test_answer_loop(bootstrap, tmp_path):
    topics = Topics(bootstrap, with_divisions=True)
    keys = ReplyKeys("loop")
    line, telegram, whatsapp = FakeLine(), FakeTelegram(), FakeWhatsApp()
    whatsapp.citizen_wrote(WHATSAPP_NOW)
    port = free_port()
    api = Http(f"http://127.0.0.1:{port}")
    services = []
    try:
        services.append(Service([
            GATEWAY, f"--gateway.listen=127.0.0.1:{port}", f"--kafka.bootstrap.servers={bootstrap}",
            f"--gateway.topic={topics.ingested}", f"--gateway.answers.cases_topic={topics.cases}",
            f"--gateway.answers.responses_topic={topics.responses}", f"--auth.jwt.hs256_secret={JWT_SECRET}",
            f"--auth.bridge_keys={bridge_entry('seoul-website', WEB_KEY, 'web')};{bridge_entry('relay', ANY_KEY, '*')}",
            f"--gateway.answers.rules={REPO}/deploy/config/rules/seoul.yaml",
            "--subscribe.enabled=false",  # no dashboards here (their own test)
            "--channels.line.enabled=true", f"--channels.line.channel_secret={LINE_SECRET}",
            "--channels.telegram.enabled=true", f"--channels.telegram.secret_token={TELEGRAM_SECRET}",
            "--channels.meta.enabled=true", f"--channels.meta.app_secret={META_SECRET}",
            "--channels.meta.verify_token=v", "--channels.open311.enabled=true",
            "--channels.open311.api_keys=app-key-1", "--channels.open311.request_id_key=answer-loop-request-id-key",
            f"--channels.open311.services_file={REPO}/deploy/config/open311-services.json"],
            tmp_path / "gateway.log",
            env={"GATEWAY_AUTHOR_KEY": AUTHOR_KEY, "GATEWAY_REPLY_TOKEN_PUBLIC_KEY": keys.public}))
        services.append(Service([
            DEDUP, f"--kafka.bootstrap.servers={bootstrap}", *topics.dedup_flags(),
            f"--dedup.rules={REPO}/deploy/config/rules/seoul.yaml", f"--dedup.group_id={topics.prefix}dedup",
            f"--dedup.sla.holidays={REPO}/deploy/config/holidays/kr-2026-2027.txt",
            f"--dedup.transactional_id={topics.prefix}dedup-0", "--dedup.max_batch_wait_ms=20",
            "--dedup.support_thresholds=2:department_answers",
            # The rules alone (the sentence model has its own tests); no fixed ops port.
            "--dedup.model=", "--dedup.ops_listen=127.0.0.1:0"],
            tmp_path / "dedup.log"))
        services.append(Service([
            ANSWERS, f"--kafka.bootstrap.servers={bootstrap}", *topics.answers_flags(),
            f"--answers.reply_token.private_keys={keys.private_text}",
            f"--answers.group_id={topics.prefix}answers", f"--answers.transactional_id={topics.prefix}answers-0",
            f"--answers.ledger_transactional_prefix={topics.prefix}ledger-", "--answers.max_batch_wait_ms=20",
            "--answers.ops_listen=127.0.0.1:0",
            "--answers.line.enabled=true", f"--answers.line.base_url={line.base_url}",
            f"--answers.line.channel_access_token={line.token}",
            "--answers.telegram.enabled=true", f"--answers.telegram.base_url={telegram.base_url}",
            f"--answers.telegram.bot_token={telegram.token}",
            "--answers.whatsapp.enabled=true", f"--answers.whatsapp.base_url={whatsapp.base_url}/{whatsapp.version}",
            f"--answers.whatsapp.access_token={whatsapp.token}", "--answers.whatsapp.template=case_update"],
            tmp_path / "answers.log"))
        services.append(Service([
            ROUTER, f"--kafka.bootstrap.servers={bootstrap}", f"--router.rules={REPO}/deploy/config/rules/seoul.yaml",
            "--router.model=", f"--router.topic.input={topics.unique}",
            f"--router.topic.division_prefix={topics.division_prefix}", f"--router.topic.deadletter={topics.deadletter}",
            f"--router.group_id={topics.prefix}router", f"--router.transactional_id={topics.prefix}router-0",
            "--router.max_batch_wait_ms=20", "--router.ops_listen=127.0.0.1:0"],
            tmp_path / "router.log"))
        wait_until(lambda: api.call("GET", "/healthz")[0] == 200, "the gateway did not start", processes=services)

        # ---------------------------------------------------------------- the reports
        produce(bootstrap, topics.ingested, "whatsapp:yesterday", json.dumps(envelope_yesterday(keys, TEXTS["yesterday"])))
        line_event = {"destination": "Ucity", "events": [{
            "type": "message", "message": {"type": "text", "id": "500000000000000001", "text": TEXTS["line"]},
            "webhookEventId": "01JANSWERLOOP" + uuid.uuid4().hex[:10].upper(), "timestamp": int(time.time() * 1000),
            "source": {"type": "user", "userId": LINE_USER}, "replyToken": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
            "mode": "active"}]}
        line.issue_reply_token("a1b2c3d4e5f60718293a4b5c6d7e8f90")
        body = json.dumps(line_event, ensure_ascii=False).encode()
        assert api.call("POST", "/v1/webhooks/line", body, {"X-Line-Signature": signed(LINE_SECRET, body)})[0] == 200
        update_id = 900000000 + int(time.time()) % 1000000
        tg = {"update_id": update_id, "message": {"message_id": 4401, "date": int(time.time()), "text": TEXTS["telegram"],
              "from": {"id": TELEGRAM_CHAT, "is_bot": False, "first_name": "Minsu"},
              "chat": {"id": TELEGRAM_CHAT, "type": "private"}}}
        assert api.call("POST", "/v1/webhooks/telegram", tg, {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})[0] == 200
        wa = {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
              "messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550783881", "phone_number_id": whatsapp.phone_number_id},
              "contacts": [{"profile": {"name": "Jiwoo"}, "wa_id": WHATSAPP_NOW}],
              "messages": [{"from": WHATSAPP_NOW, "id": "wamid.HBgMODIxMDU1NTAxMjM0FQIAEhgg" + uuid.uuid4().hex[:8],
                            "timestamp": str(int(time.time())), "type": "text", "text": {"body": TEXTS["whatsapp"]}}]}}]}]}
        body = json.dumps(wa, ensure_ascii=False).encode()
        assert api.call("POST", "/v1/webhooks/meta", body, {"X-Hub-Signature-256": "sha256=" + signed(META_SECRET, body, "hex")})[0] == 200
        status, text = api.call("POST", "/open311/v2/requests.json", form={
            "api_key": "app-key-1", "service_code": "pothole", "description": TEXTS["open311"],
            "address_string": "종로구 세종대로 172", "email": OPEN311_EMAIL})
        assert status == 200, text
        request_id = json.loads(text)[0]["service_request_id"]
        # An idea, from another citizen on Telegram: a case of its own, of kind idea.
        tg = {"update_id": update_id + 1, "message": {"message_id": 5120, "date": int(time.time()), "text": IDEA,
              "from": {"id": TELEGRAM_PROPOSER, "is_bot": False, "first_name": "Seoyeon"},
              "chat": {"id": TELEGRAM_PROPOSER, "type": "private"}}}
        assert api.call("POST", "/v1/webhooks/telegram", tg, {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})[0] == 200

        def the_case():
            for key, value, _ in reversed(read_all(bootstrap, topics.cases)):
                c = json.loads(value) if value else None
                if c and c["report_count"] == 5:
                    return c
            return None
        wait_until(lambda: the_case() is not None, "the five reports did not become one case", processes=services)
        case = the_case()
        assert case["divisions"][0] == "roads" and case["service_requests"][0]["id"] == request_id
        assert case["kind"] == "complaint"

        def the_idea():
            for key, value, _ in reversed(read_all(bootstrap, topics.cases)):
                c = json.loads(value) if value else None
                if c and c["kind"] == "idea":
                    return c
            return None
        wait_until(lambda: the_idea() is not None, "the proposal did not become an idea case", processes=services)
        idea = the_idea()
        assert idea["id"] != case["id"] and idea["report_count"] == 1
        wait_until(lambda: json.loads(api.call("GET", f"/open311/v2/requests/{request_id}.json")[1])[0].get("agency_responsible") == "roads",
                   "Open311 does not show the case yet")
        assert json.loads(api.call("GET", f"/open311/v2/requests/{request_id}.json")[1])[0]["status"] == "open"

        # ---------------------------------------------------------------- the answer
        staff = {"Authorization": "Bearer " + jwt({"sub": "clerk-0042", "role": "staff", "divisions": ["roads"]}),
                 "Idempotency-Key": "answer-" + uuid.uuid4().hex}
        path = f"/v1/cases/{case['id']}/updates"
        update = {"status": "fixed", "answer": {"text": ANSWER, "language": "ko"}}
        assert api.call("POST", path, update, {"Idempotency-Key": "k"})[0] == 401
        parks = {**staff, "Authorization": "Bearer " + jwt({"sub": "clerk-9", "role": "staff", "divisions": ["parks"]})}
        assert api.call("POST", path, update, parks)[0] == 403
        status, text = api.call("POST", path, {"status": "mended"}, staff)
        assert status == 400 and json.loads(text)["pointer"] == "/status"
        # A reassignment names a division of the routing rules (the router's), nothing else.
        status, text = api.call("POST", path, {"assign_to": ["roadworks"]}, staff)
        assert status == 400 and json.loads(text)["code"] == "invalid_value", text
        assert json.loads(text)["pointer"] == "/assign_to" and "roads" in json.loads(text)["detail"]
        # Repeats racing the first one (a double click, a retry before the answer came):
        # one update is stored, every repeat of its body gets its answer, the other body 422.
        race = {**staff, "Idempotency-Key": "race-" + uuid.uuid4().hex}
        bodies = [{"status": s, "notify": False} for s in ("investigating", "in_progress")] * 6
        with concurrent.futures.ThreadPoolExecutor(len(bodies)) as pool:
            results = list(pool.map(lambda b: (b["status"], *api.call("POST", path, b, race)), bodies))
        accepted = {(s, text) for s, status, text in results if status == 202}
        assert len(accepted) == 1, results  # one answer, one offset
        winner = next(iter(accepted))[0]
        assert sorted(status for s, status, _ in results if s == winner) == [202] * 6, results
        assert [status for s, status, _ in results if s != winner] == [422] * 6, results
        status, first = api.call("POST", path, update, staff)
        assert status == 202, first
        status, again = api.call("POST", path, update, staff)  # the clerk's browser sent it twice
        assert (status, again) == (202, first)
        assert api.call("POST", path, {**update, "status": "closed"}, staff)[0] == 422

        def answered():
            return (len(line.received), len(telegram.received), len(whatsapp.received))
        wait_until(lambda: answered() == (1, 1, 2), f"not every citizen was answered: {answered()}", processes=services)
        time.sleep(2)  # nothing more may come
        assert answered() == (1, 1, 2)
        assert line.received[0]["mode"] == "reply" and ANSWER in line.received[0]["text"]
        assert telegram.received[0] == {"chat_id": str(TELEGRAM_CHAT), "text": telegram.received[0]["text"], "reply_to": 4401}
        assert ANSWER in telegram.received[0]["text"] and "처리 완료" in telegram.received[0]["text"]
        by_number = {r["to"]: r for r in whatsapp.received}
        assert by_number[WHATSAPP_NOW]["type"] == "text" and ANSWER in by_number[WHATSAPP_NOW]["text"]
        assert by_number[WHATSAPP_YESTERDAY]["type"] == "template"  # outside the 24-hour window
        assert by_number[WHATSAPP_YESTERDAY]["template"] == "case_update"
        for fake in (line, telegram, whatsapp):
            assert fake.problems == []

        # Open311 shows the status; the case counts the deliveries.
        wait_until(lambda: json.loads(api.call("GET", f"/open311/v2/requests/{request_id}.json")[1])[0]["status"] == "closed",
                   "Open311 does not show the answer")
        shown = json.loads(api.call("GET", f"/open311/v2/requests/{request_id}.json")[1])[0]
        assert shown["status_notes"] == ANSWER and shown["agency_responsible"] == "roads" and shown["updated_datetime"]
        listed = json.loads(api.call("GET", "/open311/v2/requests.json?status=closed")[1])
        assert [r["service_request_id"] for r in listed] == [request_id]
        updates = json.loads(api.call("GET", "/open311/v2/servicerequestupdates.json")[1])
        # The raced update (stored once), then the answer.
        assert [u["status"] for u in updates] == [winner.upper(), "FIXED"], updates
        assert {u["service_request_id"] for u in updates} == {request_id}

        def deliveries():
            c = [json.loads(v) for k, v, _ in read_all(bootstrap, topics.cases) if k == case["id"] and v]
            return c[-1]["deliveries"] if c else None
        wait_until(lambda: (deliveries() or {}).get("complete"), "the case does not show the deliveries")
        d = deliveries()
        assert d["recipients"] == 5
        assert d["outcomes"] == {"delivered": 4, "published": 1}
        assert d["by_channel"]["whatsapp"] == {"delivered": 2}

        # The operator sees the same on the answers service's own /metrics and /readyz.
        answers_ops = ops_address(tmp_path / "answers.log")
        with urllib.request.urlopen(answers_ops + "/readyz", timeout=10) as r:
            assert r.status == 200
        with urllib.request.urlopen(answers_ops + "/metrics", timeout=10) as r:
            metrics = r.read().decode()
        assert 'answers_delivery_outcomes_total{outcome="delivered"} 4' in metrics, metrics
        assert 'answers_delivery_outcomes_total{outcome="published"} 1' in metrics, metrics
        assert "answers_consumer_lag{" in metrics
        # Where its transactions spent their time (the same family for dedup and the router).
        commit = re.search(r'answers_transaction_phase_seconds_total\{phase="commit"\} ([0-9.e+-]+)', metrics)
        assert commit and float(commit.group(1)) > 0, metrics

        # ---------------------------------------------------------------- support
        site = {"Authorization": "Bearer " + minted_bridge_token("seoul-website", "web")}
        site_key = {"Authorization": "Bearer " + WEB_KEY}
        spath = f"/v1/cases/{idea['id']}/support"
        assert api.call("POST", spath, {"supporter": SUPPORTERS[0]}, staff)[0] == 403  # a clerk is no website
        status, text = api.call("POST", spath, {"supporter": SUPPORTERS[0]}, {"Authorization": "Bearer " + ANY_KEY})
        assert status == 403 and "channel web" in json.loads(text)["detail"], text  # "*" does not grant web
        # Only an idea gathers support: the pothole is a complaint.
        status, text = api.call("POST", f"/v1/cases/{case['id']}/support", {"supporter": SUPPORTERS[0]}, site)
        refusal = json.loads(text)
        assert status == 409 and refusal["code"] == "not_an_idea", text
        assert refusal["type"] == "urn:civic-gateway:problem:not_an_idea" and refusal["status"] == 409
        assert "complaint" in refusal["detail"] and refusal["retryable"] is False
        for who, credential in ((SUPPORTERS[0], site), (SUPPORTERS[0], site_key), (SUPPORTERS[1], site_key),
                                (SUPPORTERS[0], site)):
            status, text = api.call("POST", spath, {"supporter": who}, credential)
            assert status == 202, text

        def support(of=idea):
            c = [json.loads(v) for k, v, _ in read_all(bootstrap, topics.cases) if k == of["id"] and v]
            return c[-1]["support"]
        wait_until(lambda: support()["count"] == 2 and support()["thresholds"], "support was not counted")
        assert support()["count"] == 2  # once per person
        thresholds = [json.loads(v) for k, v, _ in read_all(bootstrap, topics.responses)
                      if v and json.loads(v)["type"] == "threshold"]
        assert len(thresholds) == 1 and thresholds[0]["threshold"] == 2 and thresholds[0]["case_id"] == idea["id"]
        # The proposer hears of it, on Telegram, in reply to the proposal.
        wait_until(lambda: len(telegram.received) == 2, "the proposer was not told", processes=services)
        told = telegram.received[1]
        assert told["chat_id"] == str(TELEGRAM_PROPOSER) and told["reply_to"] == 5120 and "공감한 시민이 2명" in told["text"]

        # Support on a channel: "공감 <reference>" (the reference is in every notice), twice from
        # one LINE user: counted once, and it is not a report.
        reference = idea["id"][-8:].upper()
        assert f"접수번호 {reference}" in told["text"]

        def line_says(n, text):
            event = {"destination": "Ucity", "events": [{
                "type": "message", "message": {"type": "text", "id": f"50000000000000010{n}", "text": text},
                "webhookEventId": f"01JSUPPORT{n}" + uuid.uuid4().hex[:10].upper(), "timestamp": int(time.time() * 1000),
                "source": {"type": "user", "userId": LINE_SUPPORTER}, "replyToken": f"{n}" * 32, "mode": "active"}]}
            body = json.dumps(event, ensure_ascii=False).encode()
            assert api.call("POST", "/v1/webhooks/line", body, {"X-Line-Signature": signed(LINE_SECRET, body)})[0] == 200
        for n in range(2):
            line_says(n, f"공감 {reference}")
        wait_until(lambda: support()["count"] == 3, "the support reply was not counted")
        # "+1" for the pothole (a complaint) is no support: it stays a message, stored as any report.
        pothole_reference = case["id"][-8:].upper()
        assert f"접수번호 {pothole_reference}" in telegram.received[0]["text"]
        line_says(2, f"+1 {pothole_reference}")

        def ingested(text):
            return [v for k, v, _ in read_all(bootstrap, topics.ingested) if text.encode() in (v or b"")]
        wait_until(lambda: ingested(f"+1 {pothole_reference}"), "the +1 on a complaint was not kept as a message")
        time.sleep(1)
        assert support()["count"] == 3
        assert support(case)["count"] == 0
        assert not ingested(f"공감 {reference}")
        assert len([v for k, v, _ in read_all(bootstrap, topics.responses)
                    if v and json.loads(v)["type"] == "threshold"]) == 1
        with urllib.request.urlopen(api.base + "/metrics", timeout=10) as r:
            gateway_metrics = r.read().decode()
        assert "gateway_support_replies_total 2" in gateway_metrics
        assert "gateway_support_replies_kept_total 1" in gateway_metrics
        assert 'gateway_case_support_total{outcome="refused"} 3' in gateway_metrics  # the clerk's, the "*" key's, the pothole's

        # ---------------------------------------------------------------- nothing personal anywhere
        secrets = [LINE_USER, LINE_SUPPORTER, str(TELEGRAM_CHAT), str(TELEGRAM_PROPOSER), WHATSAPP_NOW, WHATSAPP_YESTERDAY,
                   OPEN311_EMAIL, *SUPPORTERS, "a1b2c3d4e5f60718293a4b5c6d7e8f90", "Minsu", "Jiwoo", "Seoyeon"]

        def leaked(text):
            return [secret for secret in secrets if secret in text]
        # The router has routed every unique report (each to one or two divisions).
        division_topics = [topics.prefix + n for n in manifest_divisions()]

        def routed():
            return sum(len(read_all(bootstrap, t)) for t in division_topics)
        unique = len(read_all(bootstrap, topics.unique))
        wait_until(lambda: routed() >= unique, f"the router did not route the {unique} reports", processes=services)
        # Every topic the broker lists under this test's prefix, whoever wrote it: none is left out.
        listed = topics.on_broker()
        assert listed, "the broker lists no topics for this test: the search would prove nothing"
        assert set(topics.all()) | set(division_topics) <= set(listed), listed
        records = {}
        for topic in listed:
            records[topic] = 0
            for key, value, headers in read_all(bootstrap, topic, committed=False):
                blob = (key or "") + (value or b"").decode(errors="replace") + \
                    "".join(k + (v or b"").decode(errors="replace") for k, v in headers)
                records[topic] += 1
                assert not leaked(blob), f"{leaked(blob)} found in {topic}"
        # Nothing read proves nothing: every stage wrote where the search looked.
        must_have = {topics.ingested, topics.unique, topics.cases, topics.responses, topics.deliveries,
                     topics.work, topics.changelog, topics.ledger, topics.division_prefix + "roads"}
        assert not [t for t in must_have if not records[t]], records
        assert len([t for t in division_topics if records[t]]) >= 2, records  # the pothole's, the idea's
        assert sum(records.values()) > 40, records
        # ... nor in any service's /metrics ...
        for name, base in [("gateway", api.base), ("dedup", ops_address(tmp_path / "dedup.log")),
                           ("answers", answers_ops), ("router", ops_address(tmp_path / "router.log"))]:
            with urllib.request.urlopen(base + "/metrics", timeout=10) as r:
                text = r.read().decode()
            assert len(text.splitlines()) > 10, f"{name}'s /metrics is empty: the check would prove nothing"
            assert not leaked(text), f"{leaked(text)} found in {name}'s /metrics"
        # ... nor in any service's log.
        for s in services:
            text = pathlib.Path(s.log_path).read_text(errors="replace")
            assert text, f"{s.log_path} is empty: the check would prove nothing"
            assert not leaked(text), f"{leaked(text)} found in {pathlib.Path(s.log_path).name}"
    finally:
        for s in reversed(services):
            s.stop()
        for fake in (line, telegram, whatsapp):
            fake.close()
