"""Where the test broker is: KAFKA_BOOTSTRAP_SERVERS, or the file the ctest kafka fixture writes."""

import os
import pathlib

import pytest


def shared_bootstrap():
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    path = os.environ.get("CIVIC_TEST_BOOTSTRAP_FILE")
    if path and os.path.exists(path):
        return pathlib.Path(path).read_text().strip()
    pytest.fail("no Kafka broker: run through ctest (kafka fixture) or script/test")
