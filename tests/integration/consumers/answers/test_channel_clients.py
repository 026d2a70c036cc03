"""Each channel client against its fake API, through `answers send` (the same
delivery code the service runs, without Kafka): the request the channel's
documentation asks for, retries of 429 and 5xx that honour Retry-After, a
permanent refusal recorded without retrying, and what a request that got no
answer means on a channel with an idempotency key (sent again, one message)
and on one without (not repeated: unconfirmed)."""

import json
import os
import pathlib
import subprocess
import time
from contextlib import closing

import pytest

from fake_channels import (FakeKakao, FakeLine, FakeMailHost, FakeSlack, FakeTelegram,
                           FakeWhatsApp, FakeX)

REPO = pathlib.Path(__file__).resolve().parents[4]
BINARY = os.environ.get("ANSWERS_BINARY", str(REPO / "build/dev/consumers/answers/answers"))
NOW_MS = lambda: int(time.time() * 1000)  # noqa: E731


def send(job, *flags):
    """Runs `answers send` and returns its outcome, with the elapsed seconds."""
    started = time.monotonic()
    run = subprocess.run([BINARY, "send", "--log.level=warn", "--answers.first_backoff_ms=100",
                          "--answers.http_timeout_ms=1500", *flags],
                         input=json.dumps(job), capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    outcome = json.loads(run.stdout)
    outcome["elapsed"] = time.monotonic() - started
    return outcome


def notice(**fields):
    job = {"text": "[서울시] 접수번호 2C4A6E8F\n상태: 처리 완료\n\n세종대로 포트홀을 보수했습니다.",
           "status_label": "처리 완료", "answer": "세종대로 포트홀을 보수했습니다.",
           "case_ref": "2C4A6E8F", "language": "ko", "update_id": "upd-1",
           "recipient": "3f2c9a7e51b04d6c8e9f0a1b2c3d4e5f", "written_at_ms": NOW_MS(),
           "last_inbound_ms": NOW_MS()}
    job.update(fields)
    return job


def enabled(channel, base_url, **credentials):
    """The flags that turn a channel's client on against a fake at base_url."""
    return [f"--answers.{channel}.enabled=true", f"--answers.{channel}.base_url={base_url}",
            *(f"--answers.{channel}.{key}={value}" for key, value in credentials.items())]


@pytest.fixture
def line():
    with closing(FakeLine()) as fake:
        yield fake, enabled("line", fake.base_url, channel_access_token=fake.token)


@pytest.fixture
def telegram():
    with closing(FakeTelegram()) as fake:
        yield fake, enabled("telegram", fake.base_url, bot_token=fake.token)


@pytest.fixture
def whatsapp():
    with closing(FakeWhatsApp()) as fake:
        yield fake, enabled("whatsapp", f"{fake.base_url}/{fake.version}", access_token=fake.token)


# ---------------------------------------------------------------- LINE

def test_line_pushes_with_a_retry_key_and_a_repeat_is_answered_409(line):
    fake, flags = line
    job = notice(channel="line", to="U4af4980629f4a1b2c3d4e5f6a7b8c9d0")
    first = send(job, *flags)
    assert first["outcome"] == "delivered" and first["mode"] == "push"
    again = send(job, *flags)  # the same (update, recipient): the same retry key
    assert again["outcome"] == "delivered"
    assert len(fake.received) == 1
    assert fake.received[0]["retry_key"] == first["idempotency_key"]
    assert fake.received[0]["to"] == "U4af4980629f4a1b2c3d4e5f6a7b8c9d0"
    assert fake.requests[1]["headers"]["X-Line-Retry-Key"] == first["idempotency_key"]
    assert fake.problems == []


def test_line_replies_with_a_fresh_reply_token_once_then_pushes(line):
    fake, flags = line
    fake.issue_reply_token("nHuyWiB7yP5Zw52FIkcQobQuGDXCTA")
    job = notice(channel="line", to="U4af4980629f4a1b2c3d4e5f6a7b8c9d0", handle="nHuyWiB7yP5Zw52FIkcQobQuGDXCTA")
    assert send(job, *flags)["mode"] == "reply"
    # Another update may not use the spent token; an expired one falls back to push.
    assert send(dict(job, update_id="upd-2", handle_usable=False), *flags)["mode"] == "push"
    old = send(dict(job, update_id="upd-3", written_at_ms=NOW_MS() - 120_000), *flags)
    assert old["mode"] == "push" and old["outcome"] == "delivered"
    assert [r["mode"] for r in fake.received] == ["reply", "push", "push"]
    assert fake.problems == []


def test_line_retries_429_with_retry_after_and_500(line):
    fake, flags = line
    fake.fail_next(429, {"message": "Too Many Requests"}, {"Retry-After": "1"})
    fake.fail_next(500, {"message": "Internal error"})
    result = send(notice(channel="line", to="Ua1"), *flags)
    assert result["outcome"] == "delivered" and result["attempts"] == 3
    assert result["elapsed"] >= 1.0  # Retry-After honoured
    assert len(fake.received) == 1 and fake.problems == []


def test_line_request_without_answer_is_sent_again_and_arrives_once(line):
    fake, flags = line
    fake.slow_next(3)  # takes the push, answers after the client's 1.5 s timeout
    result = send(notice(channel="line", to="Ua1"), *flags)
    assert result["outcome"] == "delivered" and result["attempts"] == 2
    assert len(fake.received) == 1  # the repeat was answered 409
    assert fake.problems == []


def test_line_permanent_refusal_is_recorded_not_retried(line):
    fake, flags = line
    fake.fail_next(400, {"message": "The property, 'to', in the request body is invalid"})
    result = send(notice(channel="line", to="Ua1"), *flags)
    assert result["outcome"] == "failed" and result["attempts"] == 1
    assert "HTTP 400" in result["detail"]
    assert fake.received == []


# ---------------------------------------------------------------- Telegram

def test_telegram_answers_in_reply_to_the_citizens_message(telegram):
    fake, flags = telegram
    result = send(notice(channel="telegram", to="511223344", thread="1365"), *flags)
    assert result["outcome"] == "delivered"
    assert fake.received == [{"chat_id": "511223344", "text": notice()["text"], "reply_to": 1365}]
    assert fake.problems == []


def test_telegram_429_waits_for_parameters_retry_after(telegram):
    fake, flags = telegram
    fake.fail_next(429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                         "parameters": {"retry_after": 1}})
    result = send(notice(channel="telegram", to="511223344"), *flags)
    assert result["outcome"] == "delivered" and result["attempts"] == 2 and result["elapsed"] >= 1.0


def test_telegram_request_without_answer_is_not_repeated(telegram):
    fake, flags = telegram
    fake.slow_next(3)
    result = send(notice(channel="telegram", to="511223344"), *flags)
    assert result["outcome"] == "unconfirmed"
    assert len(fake.received) == 1  # it did arrive; a repeat would have been a second copy
    # Configured to repeat anyway, the citizen gets two.
    fake.slow_next(3)
    again = send(notice(channel="telegram", to="511223344", update_id="upd-2"), *flags,
                 "--answers.retry_unconfirmed=telegram")
    assert again["outcome"] == "delivered" and len(fake.received) == 3


def test_telegram_blocked_bot_is_opted_out_and_interrupted_attempt_unconfirmed(telegram):
    fake, flags = telegram
    fake.blocked.add("42")
    assert send(notice(channel="telegram", to="42"), *flags)["outcome"] == "opted_out"
    interrupted = send(notice(channel="telegram", to="511223344", interrupted_mode="text"), *flags)
    assert interrupted["outcome"] == "unconfirmed" and interrupted["attempts"] == 0
    assert fake.received == []


# ---------------------------------------------------------------- WhatsApp

def test_whatsapp_text_inside_the_window_quoting_the_message(whatsapp):
    fake, flags = whatsapp
    fake.citizen_wrote("821055501234")
    result = send(notice(channel="whatsapp", to="821055501234", thread="wamid.HBgLODIx",
                         via=fake.phone_number_id), *flags)
    assert result["outcome"] == "delivered" and result["mode"] == "text"
    assert fake.received[0]["context"] == "wamid.HBgLODIx"
    assert fake.problems == []


def test_whatsapp_outside_the_window_sends_the_template_or_records_window_expired(whatsapp):
    fake, flags = whatsapp
    day_ago = NOW_MS() - 25 * 3600 * 1000
    job = notice(channel="whatsapp", to="821055501234", via=fake.phone_number_id,
                 written_at_ms=day_ago, last_inbound_ms=day_ago)
    expired = send(job, *flags)
    assert expired["outcome"] == "window_expired" and expired["attempts"] == 0
    result = send(job, *flags, "--answers.whatsapp.template=case_update")
    assert result["outcome"] == "delivered" and result["mode"] == "template"
    assert fake.received[0]["template"] == "case_update"
    assert fake.received[0]["text"] == "2C4A6E8F | 처리 완료 | 세종대로 포트홀을 보수했습니다."
    # Meta's clock says outside the window although ours did not: 131047, then the template.
    fake.received.clear()
    late = send(notice(channel="whatsapp", to="821099990000", via=fake.phone_number_id), *flags,
                "--answers.whatsapp.template=case_update")
    assert late["outcome"] == "delivered" and late["mode"] == "template" and late["attempts"] == 1
    assert [r["type"] for r in fake.received] == ["template"]
    assert fake.problems == []


# ---------------------------------------------------------------- Slack, X, KakaoTalk, e-mail

def test_slack_posts_in_the_thread_and_honours_429():
    fake = FakeSlack()
    try:
        fake.fail_next(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
        flags = enabled("slack", fake.base_url, bot_token=fake.token)
        result = send(notice(channel="slack", to="C2147483705", thread="1355517523.000005"), *flags)
        assert result["outcome"] == "delivered" and result["elapsed"] >= 1.0
        assert fake.received[0]["thread_ts"] == "1355517523.000005"
        assert send(notice(channel="slack", to=""), *flags)["outcome"] == "failed"
        assert fake.problems == []
    finally:
        fake.close()


def test_x_direct_message_and_kakao_event():
    x, kakao = FakeX(), FakeKakao()
    try:
        result = send(notice(channel="x", to="1100000000000000003"),
                      *enabled("x", x.base_url, bearer_token=x.token))
        assert result["outcome"] == "delivered" and x.received[0]["participant"] == "1100000000000000003"
        result = send(notice(channel="kakao", to="d5a1b2c3e4f5", via=kakao.bot_id),
                      *enabled("kakao", kakao.base_url, rest_api_key=kakao.key))
        assert result["outcome"] == "delivered" and kakao.received[0]["user"] == "d5a1b2c3e4f5"
        assert x.problems == [] and kakao.problems == []
    finally:
        x.close()
        kakao.close()


def test_email_to_the_address_the_form_gave_and_smtp_refusals():
    mail = FakeMailHost()
    try:
        flags = ["--answers.web.enabled=true", f"--answers.web.smtp_url={mail.url}",
                 "--answers.web.from=minwon@seoul.example"]
        result = send(notice(channel="web", to="citizen.kim@example.com"), *flags)
        assert result["outcome"] == "delivered"
        assert mail.received[0]["to"] == ["citizen.kim@example.com"]
        assert mail.received[0]["message_id"] == f"<{result['idempotency_key']}@seoul.example>"
        assert "세종대로 포트홀을 보수했습니다." in mail.received[0]["text"]
        mail.refuse_next("450 mailbox busy")
        assert send(notice(channel="web", to="citizen.kim@example.com", update_id="u2"), *flags)["attempts"] == 2
        mail.refuse_next("550 no such user")
        refused = send(notice(channel="web", to="nobody@example.com", update_id="u3"), *flags)
        assert refused["outcome"] == "failed" and refused["detail"] == "SMTP 550"
        assert send(notice(channel="web", to="web-submission-17", update_id="u4"), *flags)["outcome"] == "failed"
        assert mail.problems == []
    finally:
        mail.close()


def test_a_channel_without_a_client_is_recorded_failed():
    result = send(notice(channel="messenger", to="6543219870123456"))
    assert result["outcome"] == "failed" and "answers.messenger.enabled" in result["detail"]
