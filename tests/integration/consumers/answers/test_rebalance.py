"""Two answers instances against the real broker: the second joins the group
while the first is delivering, so partitions move in the middle of their
deliveries. Every citizen still hears exactly once.

Nine cases, each reported by three citizens (LINE, Telegram, WhatsApp), and
one answer to each: 27 messages, three cases on each work partition. The fake
channels answer each request after two seconds, so the first instance is still
delivering when the second one takes its share of the partitions (each partition's delivery worker has a
transactional id of its own, so the new owner fences the old one). Each fake
receives exactly one message per recipient per update, feedback.deliveries
has exactly one outcome per (update, recipient), and both instances
delivered some. About 30-50 s."""

import json
import time
import zlib

from conftest import (ReplyKeys, Service, Topics, answers_args, delivery_outcomes, fixed_update, produce, read_all,
                      report, wait_until)

CASES = 9
CHANNELS = ("line", "telegram", "whatsapp")


def case_ids(prefix, partitions):
    """CASES case ids spread evenly over the work topic's partitions (librdkafka's default
    partitioner: CRC-32 of the key), so that every partition still has deliveries to make
    when the second instance takes its share; with ids left to chance one partition may
    hold a single case, finished before the move, and the second instance deliver nothing."""
    per_partition = CASES // partitions
    chosen = {p: [] for p in range(partitions)}
    i = 0
    while any(len(ids) < per_partition for ids in chosen.values()):
        case_id = f"case-rebalance-{prefix}{i}"
        p = zlib.crc32(case_id.encode()) % partitions
        if len(chosen[p]) < per_partition:
            chosen[p].append(case_id)
        i += 1
    return [case_id for p in range(partitions) for case_id in chosen[p]]


def update(case_id, n):
    return fixed_update(case_id, f"upd-rebalance-{n}", f"보수했습니다 (사례 {n})")


def test_an_instance_joining_mid_delivery_sends_no_second_copy(bootstrap, tmp_path, fakes):
    topics = Topics(bootstrap)
    keys = ReplyKeys()
    line, telegram, whatsapp = fakes["line"], fakes["telegram"], fakes["whatsapp"]

    def slow(fake, path):
        time.sleep(2.0)  # a slow channel: the deliveries are still going on when the second instance joins

    for fake in fakes.values():
        fake.on_request = slow

    def args(instance):
        return answers_args(bootstrap, topics, keys, line, telegram, whatsapp, instance, http_timeout_ms=10000)

    ids = case_ids(topics.prefix, Topics.NAMES["work"])
    first = Service(args(0), tmp_path / "answers-0.log")
    services = [first]
    try:
        recipients = {}  # case number -> the three addresses
        for n in range(CASES):
            case_id = ids[n]
            citizens = [("line", f"U{n:032x}", "a" * 31 + str(n)),
                        ("telegram", str(600000000 + n), "b" * 31 + str(n)),
                        ("whatsapp", f"8210777{n:05d}", "c" * 31 + str(n))]
            recipients[n] = {channel: address for channel, address, _ in citizens}
            report(bootstrap, topics, keys, whatsapp, case_id, n, citizens)
        wait_until(lambda: sum(1 for k, v, _ in read_all(bootstrap, topics.changelog) if k and k.startswith("r/") and v)
                   == 3 * CASES, "the citizens were not recorded", processes=services)
        for n in range(CASES):
            case_id = ids[n]
            produce(bootstrap, topics.responses, case_id, json.dumps(update(case_id, n)))

        # The first instance is delivering: the second one joins now.
        wait_until(lambda: sum(len(f.received) for f in fakes.values()) >= 2, "the first instance sent nothing",
                   processes=services)
        services.append(Service(args(1), tmp_path / "answers-1.log"))
        wait_until(lambda: '"event":"kafka.partitions.assigned"' in services[1].log_text(),
                   "the second instance was given no partitions", processes=services)
        assert sum(len(f.received) for f in fakes.values()) < 3 * CASES, "all was sent before the second one joined"

        def outcomes():
            return delivery_outcomes(bootstrap, topics)
        wait_until(lambda: len(outcomes()) == 3 * CASES, f"not every delivery has its outcome: {len(outcomes())}",
                   timeout=180, processes=services)

        # Exactly one message per recipient per update on each channel.
        for channel, fake in fakes.items():
            assert fake.problems == []
            for n in range(CASES):
                expected = f"보수했습니다 (사례 {n})"
                got = [t for t in fake.texts() if expected in t]
                assert len(got) == 1, f"case {n}: {channel} got {len(got)} copies"
            assert len(fake.received) == CASES, f"{channel}: {len(fake.received)} messages for {CASES} citizens"
        by_address = {}
        for r in whatsapp.received:
            by_address[r["to"]] = by_address.get(r["to"], 0) + 1
        assert by_address == {recipients[n]["whatsapp"]: 1 for n in range(CASES)}
        # One outcome each; one sent during the move may be unconfirmed (a channel without an
        # idempotency key is not asked twice), never repeated.
        for (update_id, channel), outcome in outcomes().items():
            assert len(outcome) == 1, f"{update_id} {channel}: {outcome}"
            assert outcome[0] in ("delivered", "unconfirmed"), f"{update_id} {channel}: {outcome}"
        # Both instances delivered: the partitions really moved mid-delivery.
        delivered = [s.log_text().count('"event":"answers.delivery"') for s in services]
        assert all(delivered), f"an instance delivered nothing: {delivered}"
        kinds = sorted(o[0] for o in outcomes().values())
        print(f"deliveries by the first instance {delivered[0]}, by the second {delivered[1]}; "
              f"unconfirmed {kinds.count('unconfirmed')} of {len(kinds)}")
    finally:
        for s in reversed(services):
            s.stop()
