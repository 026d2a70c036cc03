"""The answers service killed with SIGKILL in the middle of a delivery, ten
times, against the real broker: every citizen still hears exactly once.

Each round is one case reported by three citizens (LINE, Telegram, WhatsApp)
and one answer. The service is killed while one of the three requests is at
its fake channel (the fake takes the message after the kill, as a channel
that got the request would), then restarted. The kill hits the LINE push in
one round, the Telegram message in the next, the WhatsApp message in the
third, and so on:
  - LINE has an idempotency key: the restarted service sends the push again
    with the same X-Line-Retry-Key, LINE answers 409, the outcome is delivered;
  - Telegram and WhatsApp have none: the restarted service finds the attempt
    recorded, does not repeat it, and records the delivery unconfirmed.
Either way each fake has exactly one message per citizen per round, and
feedback.deliveries exactly one outcome per (update, recipient).
About 40 s."""

import json
import os
import threading
import time

import pytest

from conftest import (ReplyKeys, Service, Topics, answers_args, delivery_outcomes, fixed_update, produce, read_all,
                      report, wait_until)

ROUNDS = 10


def update(case_id, n):
    return fixed_update(case_id, f"upd-kill-{n}", f"보수했습니다 ({n})")


def test_killed_mid_delivery_ten_times_every_citizen_hears_once(bootstrap, tmp_path, fakes):
    topics = Topics(bootstrap)
    keys = ReplyKeys()
    line, telegram, whatsapp = fakes["line"], fakes["telegram"], fakes["whatsapp"]
    args = answers_args(bootstrap, topics, keys, line, telegram, whatsapp)
    service = Service(args, tmp_path / "answers.log")
    kills = []
    target = {"channel": None, "round": None}
    killed = threading.Event()

    def kill_on(fake, path):
        # Runs in the fake's request thread, before it answers: the service dies mid-request.
        if target["channel"] == fake.name and not killed.is_set():
            killed.set()
            service.process.kill()
            kills.append((target["round"], fake.name))

    for fake in fakes.values():
        fake.on_request = kill_on

    try:
        for n in range(ROUNDS):
            case_id = f"case-kill-{topics.prefix}{n}"
            citizens = [("line", f"U{n:032x}", "a" * 31 + str(n % 10)),
                        ("telegram", str(500000000 + n), "b" * 31 + str(n % 10)),
                        ("whatsapp", f"8210555{n:05d}", "c" * 31 + str(n % 10))]
            target.update(channel=["line", "telegram", "whatsapp"][n % 3], round=n)
            killed.clear()
            report(bootstrap, topics, keys, whatsapp, case_id, n, citizens)
            # The answer comes once the service knows the three citizens (as it does in life,
            # hours later); sent at the same moment it could overtake the reports.
            wait_until(lambda: sum(1 for k, v, _ in read_all(bootstrap, topics.changelog)
                                   if k and k.startswith(f"r/{case_id}/") and v) == 3,
                       f"round {n}: the three citizens were not recorded", processes=[service])
            produce(bootstrap, topics.responses, case_id, json.dumps(update(case_id, n)))

            wait_until(killed.is_set, f"round {n}: no request reached {target['channel']}")
            service.process.wait(timeout=30)
            service.log.close()
            service.start()  # the same ids: it fences its predecessor and takes its partitions back
            expected = f"보수했습니다 ({n})"
            wait_until(lambda: all(any(expected in t for t in f.texts()) for f in fakes.values()),
                       f"round {n}: not every citizen was answered after the restart", processes=[service])
            for name, fake in fakes.items():
                got = [t for t in fake.texts() if expected in t]
                assert len(got) == 1, f"round {n}: {name} got {len(got)} copies (killed at {target['channel']})"
        assert len(kills) == ROUNDS

        for fake in fakes.values():
            assert fake.problems == []
            assert len(fake.received) == ROUNDS
        # Every (update, recipient) has exactly one outcome; what an interruption means is per channel.
        wait_until(lambda: len(delivery_outcomes(bootstrap, topics)) == 3 * ROUNDS,
                   "not every delivery has its outcome")
        got = delivery_outcomes(bootstrap, topics)
        for n in range(ROUNDS):
            interrupted = ["line", "telegram", "whatsapp"][n % 3]
            for channel in ("line", "telegram", "whatsapp"):
                outcome = got[(f"upd-kill-{n}", channel)]
                assert len(outcome) == 1, f"round {n} {channel}: {outcome}"
                if channel == interrupted and channel != "line":
                    assert outcome == ["unconfirmed"]
                else:
                    assert outcome == ["delivered"]
        # The LINE pushes repeated after a kill carried the same retry key (answered 409).
        pushes = [r for r in line.requests if r["path"] == "/v2/bot/message/push"]
        assert len(pushes) == ROUNDS + len([k for k in kills if k[1] == "line"])
    finally:
        service.stop()
