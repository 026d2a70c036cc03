# Builds a corpus-format dedup set from a compact cluster file:
#   # <Gu> <lat> <lon> | <kind> | <divisions> | <address ko> | <address en> [| <start>]
#     <start> (optional, e.g. 2025-03-04T08:10): when the cluster's first report comes, Seoul time;
#     without it a cluster starts 21 h after the one before it (modulo 20 days).
#   g|a|b|n[modifiers] <text>
#     g: coordinates near the cluster's point (and its address), a: the address only ("서울 <구> ..."
#     or "..., <Gu>, Seoul"), b: the address as the citizen typed it, without gu or city, n: no place.
#   Modifiers, written right after the letter (e.g. "g@37.56912,126.97853~Jung-gu+30h"):
#     @<lat>,<lon>  these coordinates instead of ones near the cluster's point (a report across a gu
#                   border, or 100-200 m along the street);
#     ~<Gu>         the address names this gu (the citizen thought the place was over the border);
#     +<N>h         N more hours before this report (reports days apart within one issue);
#     %<channel>    this channel instead of a random one (a call transcript: %call_center).
#   The labels (kind, divisions, district, cluster) are always the cluster's.
# Usage: FILE PREFIX SEED (the training set: dt 1; the held-out set: dh 2; the second held-out
# set: dk 3).
import datetime, json, re, sys, random
random.seed(int(sys.argv[3]))
GU_KO = {"Mapo-gu":"마포구","Jongno-gu":"종로구","Gangnam-gu":"강남구","Songpa-gu":"송파구","Seongbuk-gu":"성북구","Gwanak-gu":"관악구","Nowon-gu":"노원구","Yeongdeungpo-gu":"영등포구","Yongsan-gu":"용산구","Jung-gu":"중구","Eunpyeong-gu":"은평구","Gangseo-gu":"강서구",
         "Seongdong-gu":"성동구","Gwangjin-gu":"광진구","Dongdaemun-gu":"동대문구","Jungnang-gu":"중랑구","Gangbuk-gu":"강북구","Dobong-gu":"도봉구","Seodaemun-gu":"서대문구","Yangcheon-gu":"양천구","Guro-gu":"구로구","Geumcheon-gu":"금천구","Dongjak-gu":"동작구","Seocho-gu":"서초구","Gangdong-gu":"강동구"}
MODIFIER = re.compile(r"@(-?[0-9.]+),(-?[0-9.]+)|~([A-Za-z]+-gu)|\+([0-9]+)h|%([a-z0-9_]+)")
rows = []; cluster = None; n = 0; c = 0
base = 1_740_000_000  # 2025-02-19
channels = ["twitter","kakao","web","open311","facebook","line","telegram","email","call_center","instagram"]
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if not line.strip(): continue
    if line.startswith("#"):
        fields = [x.strip() for x in line[1:].split("|")]
        head, kind, divs, addr_ko, addr_en = fields[:5]
        gu, lat, lon = head.split()
        c += 1
        start = base + c * 3 * 3600 * 7 % (86400 * 20)
        if len(fields) > 5:
            start = int(datetime.datetime.fromisoformat(fields[5] + "+09:00").timestamp())
        cluster = dict(id=f"{sys.argv[2]}c{c:03d}", gu=gu, lat=float(lat), lon=float(lon), kind=kind,
                       divs=divs.split(","), ko=addr_ko, en=addr_en, t=start)
        continue
    flag, text = line.split(" ", 1)
    flag, mods = flag[0], flag[1:]
    point, gu, delay, channel = None, cluster["gu"], 0, None
    while mods:
        m = MODIFIER.match(mods)
        if not m: sys.exit(f"{sys.argv[1]}: bad modifier {mods!r} in: {line}")
        if m.group(1): point = (float(m.group(1)), float(m.group(2)))
        if m.group(3): gu = m.group(3)
        if m.group(4): delay = int(m.group(4)) * 3600
        if m.group(5): channel = m.group(5)
        mods = mods[m.end():]
    n += 1
    cluster["t"] += random.randint(600, 6 * 3600) + delay
    is_ko = any("\uac00" <= ch <= "\ud7a3" for ch in text)
    lat = lon = addr = None
    if flag == "g":
        lat = round(cluster["lat"] + random.uniform(-0.0003, 0.0003), 6)
        lon = round(cluster["lon"] + random.uniform(-0.0003, 0.0003), 6)
        if point: lat, lon = point
    if flag in "ga":
        addr = ("서울 " + GU_KO[gu] + " " + cluster["ko"]) if is_ko else (cluster["en"] + ", " + gu + ", Seoul")
    if flag == "b":
        addr = cluster["ko"] if is_ko else cluster["en"]
    ts = datetime.datetime.fromtimestamp(cluster["t"], datetime.timezone(datetime.timedelta(hours=9))).isoformat()
    ch = random.choice(channels)
    if channel: ch = channel
    rows.append(dict(id=f"{sys.argv[2]}{n:03d}", channel=ch, source_id=f"{ch}-{sys.argv[2]}{n:05d}", received_at=ts,
                     author=f"user{random.randint(1, 10**6)}", text=text, lat=lat, lon=lon, address=addr,
                     kind=cluster["kind"], divisions=cluster["divs"], district=cluster["gu"] if flag != "n" else None, cluster=cluster["id"]))
rows.sort(key=lambda r: r["received_at"])
for r in rows: print(json.dumps(r, ensure_ascii=False))
