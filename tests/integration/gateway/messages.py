"""Realistic citizen messages for the gateway tests, Korean and English."""

import json

TEXTS = [
    "광화문역 2번 출구 앞 보도블록이 깨져서 어르신들이 자꾸 걸려 넘어지세요. 빨리 고쳐주세요.",
    "Bus 7016 has not come for 40 minutes at the Gyeongbokgung stop. Is the schedule changed?",
    "성북구 길음동 음식물 쓰레기 수거가 사흘째 안 되고 있어요. 냄새가 너무 심합니다.",
    "The streetlight in front of Mangwon Market exit 2 has been flickering all week.",
    "한강공원 자전거도로에 킥보드가 너무 많이 방치되어 있어요. 단속 부탁드립니다.",
    "Thank you to the Jongno-gu health centre staff for the quick flu shots this morning!",
    "마포구청 앞 횡단보도 신호가 너무 짧아서 아이들이 건너기 위험합니다.",
    "Could the city add more public bike (Ttareungyi) stations near Seoul Forest?",
]


def message(run_id, connection, index, **extra):
    m = {
        "id": f"{run_id}-{connection}-{index}",
        # Channels a bridge relays (none is a verified webhook's namespace).
        "channel": ["facebook", "email", "callcentre", "band"][index % 4],
        "text": f"{TEXTS[index % len(TEXTS)]} #{index}",
        "author": f"citizen_{index % 97}",
        "conversation_id": f"conv-{index % 13}",
    }
    m.update(extra)
    return m


def key(m, bridge="test-bridge"):
    """The Kafka key of a message a bridge sent: its namespace is the bridge's."""
    return f"bridge/{bridge}/{m['channel']}:{m['id']}"


def as_json(m):
    return json.dumps(m, ensure_ascii=False)
