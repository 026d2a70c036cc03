"""Scale-out on a real three-broker cluster (replication factor 3, min ISR 2): two
gateways, two dedup and two router instances share the work; members are killed,
stopped and added mid-stream, and the leader broker of most partitions is killed
-9 and restarted. Every message acked by a gateway is stored and routed exactly
once, and every case counts each of its reports once."""

import collections
import json
import time
import uuid

import pytest

from conftest import (broker_leading_most, kafka_node, message, read_all, wait_for, Sender, Topics)


class Outputs:
    """What the pipeline wrote, gathered while reading so that completion is cheap to test."""

    def __init__(self, topics):
        self.t = topics
        self.ingested = collections.Counter()
        self.unique = collections.Counter()
        self.case_of = {}
        self.routed = collections.defaultdict(list)  # id -> divisions of its records
        self.routed_divisions = {}  # id -> the divisions its routed record lists
        self.cases = {}  # case id -> latest value
        self.deadletters = []
        self.seen = 0

    def add(self, records):
        for topic, key, value, headers in records[self.seen:]:
            if topic == self.t.ingested:
                self.ingested[json.loads(value)["channel_message_id"]] += 1
            elif topic == self.t.unique:
                envelope = json.loads(value)
                self.unique[envelope["channel_message_id"]] += 1
                self.case_of[envelope["channel_message_id"]] = headers.get("civic-case-id")
            elif topic == self.t.cases:
                if value is not None:
                    self.cases[key] = json.loads(value)
            elif topic == self.t.deadletter:
                self.deadletters.append((key, headers))
            else:
                routed = json.loads(value)
                mid = routed["envelope"]["channel_message_id"]
                self.routed[mid].append(topic[len(self.t.prefix + "division."):])
                self.routed_divisions[mid] = routed["divisions"]
        self.seen = len(records)


def collect(pipeline, acked, timeout=900, check=None):
    """Reads every output topic until each acked message is on feedback.unique and
    routed, then until nothing more arrives for a few seconds (to catch duplicates)."""
    t = pipeline.topics
    out = Outputs(t)
    state = {"complete_at": None, "count": 0}

    def done(records):
        if check:
            check()
        out.add(records)
        complete = all(i in out.unique for i in acked) and all(i in out.routed for i in acked)
        if not complete:
            return False
        if len(records) != state["count"]:
            state["count"], state["complete_at"] = len(records), time.monotonic()
        return time.monotonic() - state["complete_at"] >= 5

    read_all(pipeline.bootstrap, [t.ingested, t.unique, t.cases, t.deadletter, *t.all_divisions()],
             done, timeout)
    return out


def check_exactly_once(out, acked):
    missing_stored = [i for i in acked if i not in out.ingested]
    assert not missing_stored, f"{len(missing_stored)} acked messages not stored: {missing_stored[:5]}"
    not_unique = {i: n for i, n in out.unique.items() if n != 1}
    missing_unique = [i for i in acked if i not in out.unique]
    assert not missing_unique, f"{len(missing_unique)} acked messages never left dedup: {missing_unique[:5]}"
    assert not not_unique, f"{len(not_unique)} messages on feedback.unique more than once: {list(not_unique.items())[:5]}"
    unknown = set(out.unique) - set(acked)
    assert not unknown, f"messages nobody acked reached feedback.unique: {sorted(unknown)[:5]}"

    twice = {i: d for i, d in out.routed.items() if len(d) != len(set(d))}
    assert not twice, f"{len(twice)} messages routed twice to one division: {list(twice.items())[:5]}"
    wrong = {i: (sorted(out.routed[i]), sorted(out.routed_divisions[i])) for i in out.routed
             if sorted(out.routed[i]) != sorted(out.routed_divisions[i])}
    assert not wrong, f"messages missing from a division they were routed to: {list(wrong.items())[:5]}"
    unrouted = [i for i in acked if i not in out.routed]
    assert not unrouted, f"{len(unrouted)} messages never routed: {unrouted[:5]}"

    reports = collections.Counter(out.case_of[i] for i in out.unique)
    assert None not in reports, "a unique message has no civic-case-id header"
    miscounted = {c: (out.cases[c]["report_count"] if c in out.cases else None, n)
                  for c, n in reports.items()
                  if c not in out.cases or out.cases[c]["report_count"] != n}
    assert not miscounted, f"cases whose report_count differs from their reports: {list(miscounted.items())[:5]}"
    assert not out.deadletters, f"dead letters: {out.deadletters[:3]}"
    return len(reports)


@pytest.fixture
def run_id():
    return uuid.uuid4().hex[:10]


def start_pipeline(pipeline, dedups=2, routers=2):
    gateways = [pipeline.gateway(f"gateway-{i}") for i in (1, 2)]
    dedup = [pipeline.dedup(f"dedup-{i}") for i in range(1, dedups + 1)]
    router = [pipeline.router(f"router-{i}") for i in range(1, routers + 1)]
    everyone = gateways + dedup + router
    # /readyz: gateways reach Kafka; consumers joined their group and restored.
    wait_for(lambda: all(p.ready() for p in everyone), "every instance ready", 180,
             check=lambda: pipeline.check_alive(*everyone))
    return gateways, dedup, router


def total(processes, metric):
    """Sum over instances, a stopped instance counting with its last scrape."""
    return sum(p.metric(metric) if p.alive() else sum(v for k, v in p.last_metrics.items() if k.startswith(metric))
               for p in processes)


def test_members_killed_stopped_and_added_mid_stream(pipeline, run_id):
    gateways, dedup, routers = start_pipeline(pipeline)
    messages = [message(run_id, i) for i in range(20000)]
    sender = Sender(gateways, messages).start()
    # Each message is read from ingested, then from repartition unless its partition
    # there is the same instance's (then step 2 takes it in the same transaction).
    dedup_records = 2 * len(messages)

    def alive():
        sender.require_no_refusal()
        pipeline.check_alive(*gateways, dedup[1], *[r for r in routers if r.name != "router-1"])

    # kill -9 one dedup instance once a fifth of the work is committed.
    wait_for(lambda: total(dedup, 'dedup_records_total{direction="in"}') >= 0.2 * dedup_records,
             "dedup to commit a fifth of the stream", 600, check=alive)
    dedup[0].kill()
    # Its partitions (static membership) move once its session times out, and its open
    # transaction is aborted by the broker; then the survivor holds them all.
    wait_for(lambda: dedup[1].metric("dedup_assigned_partitions") == Topics.DEDUP_PARTITIONS,
             "the surviving dedup instance to take every partition", 300, check=alive)

    # A third router joins mid-stream.
    wait_for(lambda: total(routers, "router_messages_total") >= 0.3 * len(messages),
             "the routers to route 30%", 600, check=alive)
    routers.append(pipeline.router("router-3"))
    wait_for(lambda: routers[2].metric("router_assigned_partitions") > 0,
             "the third router to be given partitions", 300, check=alive)

    # One router stopped gracefully: it finishes its transaction and leaves the group.
    wait_for(lambda: total(routers, "router_messages_total") >= 0.55 * len(messages),
             "the routers to route 55%", 600, check=alive)
    routers[0].metrics()
    assert routers[0].terminate() == 0, routers[0].log_tail()
    assert routers[0].log_events("kafka.group.left"), routers[0].log_tail()
    wait_for(lambda: routers[1].metric("router_assigned_partitions")
             + routers[2].metric("router_assigned_partitions") == 6,
             "the remaining routers to hold all six partitions", 300, check=alive)

    sender.join(900)
    assert not sender.rejected, sender.rejected[:3]
    assert len(sender.acked) == len(messages)
    out = collect(pipeline, set(sender.acked))
    cases = check_exactly_once(out, set(sender.acked))
    assert cases < len(messages) / 10, "reports of one problem in one gu should share cases"
    # The survivors' metrics agree with what was read.
    assert dedup[1].metric("dedup_transactions_total") > 0
    # Both ways to step 2 were taken: straight on where the instance owned the locality's
    # partition, through the repartition topic where the other instance did.
    assert 0 < dedup[1].metric("dedup_repartitioned_locally_total") < dedup[1].metric("dedup_routed_total")
    assert dedup[1].metric("dedup_restores_total") >= 2  # its start, then the takeover


def test_leader_broker_killed_and_restarted_mid_stream(pipeline, cluster, run_id):
    # Production's session timeout (45 s): the group coordinator's failover
    # completes well within it, so the members keep their partitions.
    pipeline.consumer_kafka = ["--kafka.transaction.timeout.ms=10000"]
    gateways, dedup, routers = start_pipeline(pipeline)
    messages = [message(run_id, i) for i in range(6000)]
    sender = Sender(gateways, messages).start()
    consumers = dedup + routers

    def supervise():
        # Gateways must ride it out; a consumer that exits (librdkafka 2.0 treats
        # some failover errors as fatal) is restarted, as Kubernetes would.
        sender.require_no_refusal()
        pipeline.check_alive(*gateways)
        consumers[:] = pipeline.restart_exited(consumers)

    wait_for(lambda: len(sender.acked) >= 0.25 * len(messages), "a quarter of the stream acked", 600,
             check=supervise)
    node, leaders = broker_leading_most(pipeline.bootstrap, pipeline.topics.prefix)
    kafka_node(cluster["data_dir"], "kill", node)
    acked_at_kill = len(sender.acked)
    # Two of three replicas remain (min ISR 2): writes go on once leaders moved.
    wait_for(lambda: len(sender.acked) >= acked_at_kill + 0.25 * len(messages),
             "acks to go on with one broker down", 600, check=supervise)
    kafka_node(cluster["data_dir"], "start", node)

    deadline = time.monotonic() + 900
    while any(t.is_alive() for t in sender.threads) and time.monotonic() < deadline:
        supervise()
        time.sleep(0.5)
    sender.join(1)
    assert not sender.rejected, sender.rejected[:3]
    assert len(sender.acked) == len(messages)
    out = collect(pipeline, set(sender.acked), check=supervise)
    check_exactly_once(out, set(sender.acked))
    print(f"node {node} killed (it led {leaders.get(node)} of {sum(leaders.values())} partitions); "
          f"consumer restarts: {pipeline.restarts or 'none'}; sender retries: {sender.retries}")


def test_a_stopped_dedup_instance_hands_its_partitions_over_at_once(pipeline):
    # Production's session timeout (45 s): only leaving the group moves the partitions
    # of a static member (group.instance.id) sooner.
    pipeline.consumer_kafka = []
    first, second = pipeline.dedup("dedup-1"), pipeline.dedup("dedup-2")
    wait_for(lambda: first.ready() and second.ready()
             and first.metric("dedup_assigned_partitions") + second.metric("dedup_assigned_partitions")
             == Topics.DEDUP_PARTITIONS,
             "both instances ready, sharing every partition", 180,
             check=lambda: pipeline.check_alive(first, second))
    stopped = time.monotonic()
    assert first.terminate() == 0, first.log_tail()
    assert first.log_events("kafka.group.left"), first.log_tail()
    wait_for(lambda: second.metric("dedup_assigned_partitions") == Topics.DEDUP_PARTITIONS,
             "the other instance to hold every partition", 40, check=lambda: pipeline.check_alive(second))
    assert time.monotonic() - stopped < 40, "the partitions waited for the session timeout"
