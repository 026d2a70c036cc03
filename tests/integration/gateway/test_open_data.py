"""Open data through the whole pipeline (the real broker; gateway, dedup and router
as the front-door test starts them): citizens' messages carrying phone numbers,
e-mail addresses, resident registration numbers, names and handles become cases;
a division answers two of them (one answer marked public, one not); then the
public API, its statistics (k-anonymous), the daily export (run twice: the same
bytes) and the public page's files are searched for every one of those strings
and for the citizens' pseudonyms. None may appear."""

import csv
import io
import json
import os
import subprocess
import time
import urllib.request
import uuid

import pytest

from conftest import AUTHOR_KEY, REPO
from staff_tokens import hs256_jwt
from topic_reader import fresh_consumer
from test_frontdoor import Pipeline

JWT_SECRET = "open-data-test-secret-0123456789abcdef"
PRIVATE_ANSWER = "비공개 답변: 담당 주무관 김철수 010-5555-1212 로 연락드렸습니다"
PUBLIC_ANSWER = "세종대로 포트홀을 보수했습니다. 신고해 주셔서 감사합니다."

# What must never leave: in the texts, and as the authors' handles.
PERSONAL = ["010-2345-6789", "01098765432", "minsu.kim@example.com", "yuna_park@example.org",
            "900101-1234567", "850505-2345678", "홍길동", "김민수", "@seoul_citizen_77",
            "citizen-handle-ab12", "kakao-user-5501", "김철수", "010-5555-1212"]

# Three citizens report one pothole (one case, 3 citizens); two others report one
# thing each (1 citizen each). With k = 3 only the pothole's cells are shown.
REPORTS = [
    ("세종대로 광화문역 2번 출구 앞 도로에 포트홀이 크게 생겼어요. 홍길동 010-2345-6789", 37.5716, 126.9768,
     "@seoul_citizen_77"),
    ("광화문역 2번 출구 앞 세종대로 도로 포트홀 위험해요 minsu.kim@example.com 김민수", 37.5717, 126.9769,
     "citizen-handle-ab12"),
    ("세종대로 광화문 2번 출구 도로에 큰 포트홀, 주민번호 900101-1234567 로 신고합니다", 37.5716, 126.9767,
     "kakao-user-5501"),
    ("노원구 상계역 앞 가로등이 꺼져 있어요 01098765432 yuna_park@example.org", 37.6607, 127.0735,
     "nowon-reporter-9"),
    ("관악구 신림역 4번 출구 앞 쓰레기가 쌓여 있어요 850505-2345678", 37.4842, 126.9297,
     "gwanak-reporter-3"),
]


def jwt(claims):
    return hs256_jwt(JWT_SECRET, claims)


def call(g, method, path, body=None, headers=None):
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    req = urllib.request.Request(g.url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def wait_for(what, condition, processes=(), timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in processes:
            assert p.poll() is None, f"a service exited while waiting for {what}"
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


def read_all(bootstrap, topic):
    consumer = fresh_consumer(bootstrap, [topic])
    out, idle = [], 0
    while idle < 6:
        m = consumer.poll(0.5)
        if m is None or m.error():
            idle += 1
            continue
        idle = 0
        out.append(m.value().decode())
    consumer.close()
    return out


def test_no_personal_data_reaches_any_public_output(gateway, bootstrap, tmp_path, run_id):
    topics = Pipeline(bootstrap)
    topics.start_consumers(bootstrap, tmp_path)
    options = dict(gateway__topic=topics.ingested, gateway__answers__cases_topic=topics.cases,
                   gateway__answers__responses_topic=topics.responses, auth__jwt__hs256_secret=JWT_SECRET,
                   subscribe__enabled="false", open__k="3", open__page_dir=str(REPO / "opendata"),
                   open__districts_file=str(REPO / "deploy/config/districts/seoul-gu.geojson"),
                   dashboard__dir=str(REPO / "dashboard"), open__rate_per_second="1000", open__burst="1000")
    g = gateway(**options)
    try:
        for i, (text, lat, lon, author) in enumerate(REPORTS):
            m = {"id": f"{run_id}-open-{i}", "channel": "kakaotalk_bridge", "text": text, "author": author,
                 "location": {"lat": lat, "lon": lon}}
            status, _, body = g.post(json.dumps(m, ensure_ascii=False))
            assert status in (200, 202), body

        def cases():
            status, _, body = call(g, "GET", "/open/v1/cases?per_page=50")
            return json.loads(body) if status == 200 else None
        listed = wait_for("three cases in the open API", lambda: (c := cases()) and c["total"] >= 3 and c,
                          topics.processes)
        pothole = wait_for("the pothole case with three reports", lambda: next(
            (c for c in cases()["items"] if c["report_count"] == 3), None), topics.processes)
        assert pothole["district"] == "Jongno-gu" and pothole["division"] == "roads"
        assert pothole["service_class"] == "grievance" and pothole["first_answered_at"] is None

        # The division answers the pothole publicly and another case privately.
        records = [json.loads(v) for v in read_all(bootstrap, topics.cases)]
        latest = {r["id"]: r for r in records}
        by_size = sorted(latest.values(), key=lambda r: -r["report_count"])
        assert by_size[0]["report_count"] == 3
        staff = lambda division: {"Authorization": "Bearer " + jwt(
            {"sub": "clerk-0042", "role": "staff", "divisions": [division]}),
            "Idempotency-Key": "open-" + uuid.uuid4().hex}
        pothole_id, other = by_size[0], by_size[1]
        status, _, body = call(g, "POST", f"/v1/cases/{pothole_id['id']}/updates",
                               {"status": "fixed", "answer": {"text": PUBLIC_ANSWER, "public": True}},
                               staff(pothole_id["divisions"][0]))
        assert status == 202, body
        status, _, body = call(g, "POST", f"/v1/cases/{other['id']}/updates",
                               {"status": "answered", "answer": {"text": PRIVATE_ANSWER}},
                               staff(other["divisions"][0]))
        assert status == 202, body

        answered = wait_for("both answers in the open API", lambda: (c := cases()) and sum(
            1 for i in c["items"] if i["first_answered_at"]) >= 2 and c, topics.processes)
        items = {i["id"]: i for i in answered["items"]}
        public = [i for i in items.values() if i["answer"]]
        assert len(public) == 1 and public[0]["answer"]["text"] == PUBLIC_ANSWER
        assert public[0]["on_time"] is True and public[0]["closed_at"] and public[0]["status"] == "fixed"
        assert pothole_id["id"] not in json.dumps(answered)  # the internal id is not the public one

        # Filters: one that matches, one no case could match (a precise 400, not an empty page).
        status, _, body = call(g, "GET", "/open/v1/cases?district=Jongno-gu&kind=complaint&status=fixed&division=")
        assert status == 200 and [i["id"] for i in json.loads(body)["items"]] == [public[0]["id"]], body
        for query, pointer in (("kind=%3Cscript%3E", "/query/kind"), ("status=done", "/query/status"),
                               ("district=Jongno%00gu", "/query/district"), ("district=" + "x" * 5000, "/query/district"),
                               ("division=road%0As", "/query/division")):
            status, _, body = call(g, "GET", "/open/v1/cases?" + query)
            assert status == 400 and json.loads(body)["pointer"] == pointer, (query, body)
        # HEAD: the headers of GET, no body.
        status, headers, body = call(g, "HEAD", "/open/v1/cases?per_page=50")
        assert status == 200 and body == "" and int(headers["Content-Length"]) > 0 and headers["ETag"]

        # Statistics: k = 3. Jongno-gu's one case has three citizens; the others one each.
        outputs = {"cases": json.dumps(answered, ensure_ascii=False)}
        for by in ("division", "district", "kind", "week"):
            status, headers, body = call(g, "GET", f"/open/v1/stats/{by}")
            assert status == 200, body
            outputs["stats/" + by] = body
            etag = headers["ETag"]
            assert call(g, "GET", f"/open/v1/stats/{by}", headers={"If-None-Match": etag})[0] == 304
        districts = {c["key"]: c for c in json.loads(outputs["stats/district"])["cells"]}
        assert not districts["Jongno-gu"]["suppressed"] and districts["Jongno-gu"]["cases"] == 1
        assert districts["Jongno-gu"]["median_hours_to_first_answer"] is not None
        for key in ("Nowon-gu", "Gwanak-gu"):
            if key in districts:
                assert districts[key]["suppressed"] and districts[key]["cases"] is None
        for item in items.values():
            outputs["case/" + item["id"]] = call(g, "GET", f"/open/v1/cases/{item['id']}")[2]
        for page_file in ("", "index.html", "app.js", "i18n.js", "language.js", "map.js"):
            status, _, body = call(g, "GET", "/open/" + page_file)
            assert status == 200, page_file
            outputs["page/" + page_file] = body

        # The daily export, twice: the same bytes; it parses and matches the API.
        day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600))
        exported = []
        for run in (1, 2):
            out = tmp_path / f"export-{run}"
            result = subprocess.run(
                [os.environ.get("GATEWAY_BINARY", str(REPO / "build/dev/gateway/gateway")), "open-export",
                 f"--day={day}", f"--out={out}", f"--kafka.bootstrap.servers={bootstrap}",
                 f"--gateway.answers.cases_topic={topics.cases}"],
                env=dict(os.environ, GATEWAY_AUTHOR_KEY=AUTHOR_KEY), capture_output=True, timeout=180)
            assert result.returncode == 0, result.stderr.decode()
            exported.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
        assert exported[0] == exported[1]
        files = exported[0]
        rows = list(csv.DictReader(io.StringIO(files[f"open-cases-{day}.csv"].decode())))
        lines = [json.loads(line) for line in files[f"open-cases-{day}.jsonl"].decode().splitlines()]
        assert {r["id"] for r in rows} == {l["id"] for l in lines} == set(items)
        for line in lines:
            api_view = {k: v for k, v in items[line["id"]].items() if k != "late"}
            assert line == api_view
        dictionary = list(csv.DictReader(io.StringIO(files["open-cases-dictionary.csv"].decode())))
        assert [d["field"] for d in dictionary] == list(rows[0].keys())
        for name, data in files.items():
            outputs["export/" + name] = data.decode()

        # The pseudonyms too (as the envelopes on the ingested topic carry them).
        pseudonyms = {json.loads(v).get("author_id") for v in read_all(bootstrap, topics.ingested)} - {None}
        assert len(pseudonyms) == len(REPORTS)
        leaks = [(where, secret) for where, text in outputs.items()
                 for secret in PERSONAL + sorted(pseudonyms) + [PRIVATE_ANSWER[:10]] if secret in text]
        assert not leaks, f"personal data in public output: {leaks}"
    finally:
        topics.stop()
