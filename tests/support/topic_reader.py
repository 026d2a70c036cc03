"""A test's own reader of topics: a consumer in a group of its own (so no test or call
shares committed offsets with another), from the earliest offset, never committing."""

import uuid

from confluent_kafka import Consumer


def fresh_consumer(bootstrap, topics, committed=True):
    """Subscribed to topics; read_committed unless committed is False. The caller closes it."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "reader-" + uuid.uuid4().hex,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "isolation.level": "read_committed" if committed else "read_uncommitted"})
    consumer.subscribe(list(topics))
    return consumer


def as_tuple(msg):
    """A record as (topic, key, value, headers), the key and header values decoded."""
    return (msg.topic(), (msg.key() or b"").decode(), msg.value(),
            {k: (v or b"").decode() for k, v in (msg.headers() or [])})
