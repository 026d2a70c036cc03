# shellcheck shell=bash disable=SC2034  # the variables are used by the sourcing scripts
# Shared by script/bootstrap, script/kafka and tests/support/kafka-fixture: where the
# local Kafka broker's jars live. Source it; it defines variables and two helpers only.

# The one place the local broker's version is set. 4.3.1 is the newest 4.x whose
# kafka-tools artifact is on Maven Central (kafka-tools 4.4.0 was not published).
KAFKA_VERSION=4.3.1

CIVIC_REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CIVIC_CACHE_DIR=${CIVIC_CACHE_DIR:-$HOME/.cache/civic-gateway}
KAFKA_HOME_DIR=$CIVIC_CACHE_DIR/kafka-$KAFKA_VERSION
KAFKA_LIBS_DIR=$KAFKA_HOME_DIR/libs
# Written by script/bootstrap once every jar is in KAFKA_LIBS_DIR.
KAFKA_JARS_MARKER=$KAFKA_HOME_DIR/.jars-complete
KAFKA_JARS_POM=$CIVIC_REPO_ROOT/deploy/local/kafka-jars/pom.xml

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }
