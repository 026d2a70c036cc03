"""Noisy copies of labelled messages (typos, no punctuation, chat padding), so
the heads see misspelt and sloppy text too. Deterministic (seed 14).
Usage: augment.py train.jsonl > train-noisy.jsonl"""
import json, random, re, sys
random.seed(14)
KO_PRE = ["안녕하세요 ", "저기요 ", "급해요 ", "민원입니다 ", "", "", "아 진짜 ", "혹시 "]
KO_SUF = [" 빨리 좀요", " ㅠㅠ", " ㅡㅡ", "!!", " 부탁드려요", " 제발", "", " ㅋㅋ", "..."]
EN_PRE = ["hi ", "hello, ", "urgent: ", "", "", "ugh ", "hey "]
EN_SUF = [" pls", " !!!", " thx", " asap", "", " smh", "..."]
# Places as citizens write them: the heads must not learn that a message naming
# a street, a station or an apartment complex belongs to one division.
KO_PLACES = ["망원동", "신림역 3번 출구 앞에서", "상계동 주공아파트 5단지", "을지로 인쇄골목", "연남동 경의선숲길 근처",
             "잠실새내역 사거리", "수유시장 뒤편", "목동 9단지 앞", "청량리역 광장", "성수동 카페거리",
             "우리 아파트 102동 앞", "OO초등학교 정문 앞", "구로디지털단지역 근처", "화곡동 까치산역 2번 출구",
             "종로3가 낙원상가 옆", "왕십리역 6번 출구"]
EN_PLACES = ["near Mangwon market", "outside Sillim station exit 3", "at Sanggye Jugong complex 5",
             "on the corner by Euljiro 3-ga", "near the Gyeongui Line forest park", "at the Jamsil crossroads",
             "behind Suyu market", "by Cheongnyangni station", "in Seongsu-dong", "outside building 102 of my apartment",
             "in front of the elementary school gate", "near Guro Digital Complex station", "by Wangsimni exit 6"]
def typo(word):
    if len(word) < 4: return word
    i = random.randrange(1, len(word) - 1)
    op = random.random()
    if op < 0.4: return word[:i] + word[i + 1:]
    if op < 0.8: return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i] + word[i:]
def noisy(text):
    ko = any("\uac00" <= c <= "\ud7a3" for c in text)
    t = text
    if random.random() < 0.5: t = re.sub(r"[.,!?]", "", t)
    words = t.split()
    if random.random() < 0.35:
        place = random.choice(KO_PLACES if ko else EN_PLACES)
        words = [place] + words if random.random() < 0.5 else words + [place]
    if ko:
        if random.random() < 0.4 and len(words) > 3:  # spacing dropped between two words
            i = random.randrange(len(words) - 1); words[i:i + 2] = [words[i] + words[i + 1]]
        t = random.choice(KO_PRE) + " ".join(words) + random.choice(KO_SUF)
    else:
        words = [typo(w) if random.random() < 0.15 else w for w in words]
        t = " ".join(words)
        if random.random() < 0.5: t = t.lower()
        t = random.choice(EN_PRE) + t + random.choice(EN_SUF)
    return t.strip()
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    if random.random() < 0.5: continue
    d["id"] = d["id"] + "n"; d["text"] = noisy(d["text"])
    print(json.dumps(d, ensure_ascii=False))
