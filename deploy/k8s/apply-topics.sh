#!/bin/bash
# Creates the topics of topics.manifest on the cluster with production replication
# (replication factor 3, min.insync.replicas 2) and raises partition counts the
# manifest raised. Run by the civic-topics Job in the apache/kafka image; also works
# anywhere kafka-topics.sh is on PATH:  apply-topics.sh MANIFEST BOOTSTRAP
set -euo pipefail
manifest=${1:-/etc/civic/topics.manifest}
bootstrap=${2:-$KAFKA_BOOTSTRAP_SERVERS}
replication=${REPLICATION_FACTOR:-3}
min_isr=${MIN_INSYNC_REPLICAS:-2}
topics=kafka-topics.sh
command -v "$topics" >/dev/null || topics=/opt/kafka/bin/kafka-topics.sh

existing=$("$topics" --bootstrap-server "$bootstrap" --list)
while read -r name partitions configs _; do
  [[ -z $name || $name == \#* ]] && continue
  args=(--config "min.insync.replicas=$min_isr")
  # key=value pairs split on commas, except inside a bracketed list value
  # (cleanup.policy=[compact,delete]), which kafka-topics.sh takes without brackets.
  rest=${configs:-}
  [[ $rest == - ]] && rest=
  while [[ -n $rest ]]; do
    if [[ $rest =~ ^([^=,]+)=\[([^]]*)\](,|$) ]]; then
      args+=(--config "${BASH_REMATCH[1]}=${BASH_REMATCH[2]}")
    elif [[ $rest =~ ^([^,]+)(,|$) ]]; then
      args+=(--config "${BASH_REMATCH[1]}")
    else
      echo "apply-topics.sh: cannot read the configs of $name: $configs" >&2
      exit 1
    fi
    rest=${rest:${#BASH_REMATCH[0]}}
  done
  if grep -qx "$name" <<<"$existing"; then
    have=$("$topics" --bootstrap-server "$bootstrap" --describe --topic "$name" \
      | sed -n 's/.*PartitionCount: *\([0-9]*\).*/\1/p' | head -n 1)
    if ((have < partitions)); then
      "$topics" --bootstrap-server "$bootstrap" --alter --topic "$name" --partitions "$partitions"
      echo "raised $name to $partitions partitions"
    else
      echo "kept $name ($have partitions)"
    fi
  else
    "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$name" \
      --partitions "$partitions" --replication-factor "$replication" "${args[@]}"
  fi
done < <(sed 's/#.*//' "$manifest")
