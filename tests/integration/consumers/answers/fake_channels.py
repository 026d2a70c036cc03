"""Fake channel APIs for the answers service's tests: one real HTTP server (or,
for e-mail, a real SMTP server: aiosmtpd) per channel, on a free port, that
checks each request as the channel's documentation describes it (path, auth
header, body shape, idempotency key) and answers as the channel does, success
and errors alike. On demand a fake answers 429 (with Retry-After), 500, or takes
the message and answers only after a delay (a "timeout": the client gives up
while the channel has it).

What a fake accepted is in `received` (one entry per message the citizen would
see); what it found wrong with a request is in `problems` (a test asserts it is
empty); `on_request` runs for each request before it is answered (the kill -9
test stops the service there, mid-request)."""

import collections
import http.server
import json
import re
import socket
import threading
import time
import uuid

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Fault:
    def __init__(self, status=None, body=None, headers=None, delay=0.0, accept=False):
        self.status, self.body, self.headers = status, body, headers or {}
        self.delay, self.accept = delay, accept


class FakeChannel:
    """Base: bookkeeping, fault injection and the HTTP server. Subclasses check
    and answer one request in handle()."""

    name = "fake"

    def __init__(self):
        self.received = []
        self.requests = []
        self.problems = []
        self.faults = collections.deque()
        self.lock = threading.Lock()
        self.on_request = None
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status, headers, answer = fake._dispatch(self.path, self.headers, body)
                data = json.dumps(answer).encode() if not isinstance(answer, bytes) else answer
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # -- test controls
    def fail_next(self, status, body=None, headers=None, count=1):
        for _ in range(count):
            self.faults.append(Fault(status, body, headers))

    def slow_next(self, seconds, count=1):
        """Takes the next message but answers only after `seconds` (the client times out first)."""
        for _ in range(count):
            self.faults.append(Fault(delay=seconds, accept=True))

    def problem(self, text):
        with self.lock:
            self.problems.append(text)

    def texts(self):
        with self.lock:
            return [r["text"] for r in self.received]

    # -- plumbing
    def _dispatch(self, path, headers, raw):
        with self.lock:
            self.requests.append({"path": path, "headers": dict(headers), "body": raw})
        if self.on_request:
            self.on_request(self, path)
        fault = self.faults.popleft() if self.faults else None
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self.problem(f"{path}: body is not JSON")
            return 400, {}, {"error": "not JSON"}
        if fault and not fault.accept:
            return fault.status, fault.headers, fault.body if fault.body is not None else {}
        status, extra, answer = self.handle(path, headers, body)
        if fault and fault.accept:
            time.sleep(fault.delay)
        return status, extra, answer

    def accept(self, message):
        with self.lock:
            self.received.append(message)

    def handle(self, path, headers, body):
        raise NotImplementedError


def text_ok(fake, where, text, limit):
    if not isinstance(text, str) or not (1 <= len(text) <= limit):
        fake.problem(f"{where}: text must be 1 to {limit} characters")
        return False
    return True


class FakeLine(FakeChannel):
    """LINE Messaging API: push (X-Line-Retry-Key; a repeat of an accepted key
    answers 409) and reply (a reply token issued by a webhook, usable once; no
    retry key allowed)."""

    name = "line"

    def __init__(self, token="line-channel-token"):
        self.token = token
        self.accepted_keys = {}
        self.reply_tokens = set()
        super().__init__()

    def issue_reply_token(self, token):
        self.reply_tokens.add(token)

    def handle(self, path, headers, body):
        if headers.get("Authorization") != f"Bearer {self.token}":
            self.problem(f"{path}: Authorization is not the channel access token")
            return 401, {}, {"message": "Authentication failed"}
        if not headers.get("Content-Type", "").startswith("application/json"):
            self.problem(f"{path}: Content-Type is not application/json")
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
            self.problem(f"{path}: messages must hold 1 to 5 messages")
            return 400, {}, {"message": "The request body has 1 error(s)"}
        for m in messages:
            if m.get("type") != "text" or not text_ok(self, path, m.get("text"), 5000):
                return 400, {}, {"message": "The request body has 1 error(s)"}
        retry_key = headers.get("X-Line-Retry-Key")
        if path == "/v2/bot/message/reply":
            if retry_key is not None:
                self.problem("reply: X-Line-Retry-Key is not allowed on the reply API")
                return 400, {}, {"message": "The retry key is not supported for this API"}
            token = body.get("replyToken")
            if token not in self.reply_tokens:
                return 400, {}, {"message": "Invalid reply token"}
            self.reply_tokens.discard(token)
            self.accept({"mode": "reply", "to": None, "text": messages[0]["text"]})
            return 200, {}, {"sentMessages": [{"id": str(uuid.uuid4().int)[:18], "quoteToken": "q"}]}
        if path == "/v2/bot/message/push":
            if not retry_key or not UUID.match(retry_key):
                self.problem("push: X-Line-Retry-Key must be a UUID (the service always sends one)")
            with self.lock:
                earlier = self.accepted_keys.get(retry_key)
            if retry_key and earlier:
                return 409, {"x-line-accepted-request-id": earlier}, {
                    "message": "The retry key is already accepted"}
            if not isinstance(body.get("to"), str) or not body["to"]:
                self.problem("push: to must be a user, group or room id")
                return 400, {}, {"message": "The request body has 1 error(s)"}
            request_id = str(uuid.uuid4())
            with self.lock:
                if retry_key:
                    self.accepted_keys[retry_key] = request_id
            self.accept({"mode": "push", "to": body["to"], "text": messages[0]["text"],
                         "retry_key": retry_key})
            return 200, {"x-line-request-id": request_id}, {"sentMessages": [{"id": "1", "quoteToken": "q"}]}
        self.problem(f"unknown path {path}")
        return 404, {}, {"message": "Not found"}


class FakeTelegram(FakeChannel):
    """Telegram Bot API sendMessage: the token in the path, chat_id, text up to
    4096 characters, reply_parameters.message_id. No idempotency key."""

    name = "telegram"

    def __init__(self, token="123456:telegram-bot-token"):
        self.token = token
        self.blocked = set()
        super().__init__()

    def handle(self, path, headers, body):
        if path != f"/bot{self.token}/sendMessage":
            if path.endswith("/sendMessage"):
                return 401, {}, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            self.problem(f"unknown path {path}")
            return 404, {}, {"ok": False, "error_code": 404, "description": "Not Found"}
        chat = body.get("chat_id")
        if not isinstance(chat, (int, str)) or chat == "":
            self.problem("sendMessage: chat_id must be an integer or a string")
            return 400, {}, {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"}
        if not text_ok(self, "sendMessage", body.get("text"), 4096):
            return 400, {}, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
        reply = body.get("reply_parameters")
        if reply is not None and not isinstance(reply.get("message_id"), int):
            self.problem("sendMessage: reply_parameters.message_id must be an integer")
        if str(chat) in self.blocked:
            return 403, {}, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        self.accept({"chat_id": str(chat), "text": body["text"],
                     "reply_to": reply.get("message_id") if reply else None})
        return 200, {}, {"ok": True, "result": {"message_id": len(self.received) + 100,
                                                "chat": {"id": chat}, "text": body["text"]}}


class FakeSlack(FakeChannel):
    """Slack chat.postMessage: Bearer bot token, channel, text, thread_ts; errors
    as 200 {"ok": false}."""

    name = "slack"

    def __init__(self, token="xoxb-slack-bot-token"):
        self.token = token
        super().__init__()

    def handle(self, path, headers, body):
        if path != "/api/chat.postMessage":
            self.problem(f"unknown path {path}")
            return 404, {}, {"ok": False, "error": "unknown_method"}
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        if not headers.get("Content-Type", "").startswith("application/json"):
            self.problem("chat.postMessage: Content-Type is not application/json")
        if not isinstance(body.get("channel"), str) or not body["channel"]:
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        if not text_ok(self, "chat.postMessage", body.get("text"), 40000):
            return 200, {}, {"ok": False, "error": "no_text"}
        self.accept({"channel": body["channel"], "text": body["text"], "thread_ts": body.get("thread_ts")})
        return 200, {}, {"ok": True, "channel": body["channel"], "ts": f"{time.time():.6f}"}


class FakeWhatsApp(FakeChannel):
    """WhatsApp Cloud API /<version>/<phone number id>/messages: text only within
    `window_s` of the citizen's last message (else error 131047), templates
    any time."""

    name = "whatsapp"

    def __init__(self, token="whatsapp-access-token", phone_number_id="106540352242922",
                 version="v21.0", window_s=24 * 3600):
        self.token, self.phone_number_id, self.version = token, phone_number_id, version
        self.window_s = window_s
        self.last_inbound = {}
        super().__init__()

    def citizen_wrote(self, wa_id, at=None):
        self.last_inbound[wa_id] = time.time() if at is None else at

    def handle(self, path, headers, body):
        if path != f"/{self.version}/{self.phone_number_id}/messages":
            self.problem(f"unknown path {path}")
            return 400, {}, {"error": {"message": "Unsupported post request", "code": 100}}
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {}, {"error": {"message": "Invalid OAuth access token", "type": "OAuthException", "code": 190}}
        if body.get("messaging_product") != "whatsapp" or not isinstance(body.get("to"), str):
            self.problem("messages: messaging_product whatsapp and to are required")
            return 400, {}, {"error": {"message": "(#100) Invalid parameter", "code": 100}}
        to = body["to"]
        kind = body.get("type")
        if kind == "text":
            if not text_ok(self, "messages", body.get("text", {}).get("body"), 4096):
                return 400, {}, {"error": {"message": "(#100) Invalid parameter", "code": 100}}
            wrote = self.last_inbound.get(to)
            if wrote is None or time.time() - wrote > self.window_s:
                return 400, {}, {"error": {"message": "(#131047) Re-engagement message",
                                           "type": "OAuthException", "code": 131047}}
            self.accept({"to": to, "type": "text", "text": body["text"]["body"],
                         "context": (body.get("context") or {}).get("message_id")})
        elif kind == "template":
            t = body.get("template", {})
            params = t.get("components", [{}])[0].get("parameters", [])
            if not t.get("name") or not t.get("language", {}).get("code") or len(params) != 3 or any(
                    p.get("type") != "text" or "\n" in p.get("text", "\n") for p in params):
                self.problem("messages: a template needs name, language.code and 3 one-line text parameters")
                return 400, {}, {"error": {"message": "(#132000) Number of parameters does not match", "code": 132000}}
            self.accept({"to": to, "type": "template", "template": t["name"],
                         "text": " | ".join(p["text"] for p in params)})
        else:
            self.problem(f"messages: unexpected type {kind}")
            return 400, {}, {"error": {"message": "(#100) Invalid parameter", "code": 100}}
        return 200, {}, {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                         "messages": [{"id": "wamid." + uuid.uuid4().hex}]}


class FakeX(FakeChannel):
    """X API v2 POST /2/dm_conversations/with/:participant_id/messages."""

    name = "x"

    def __init__(self, token="x-user-access-token"):
        self.token = token
        super().__init__()

    def handle(self, path, headers, body):
        m = re.fullmatch(r"/2/dm_conversations/with/([0-9]+)/messages", path)
        if not m:
            self.problem(f"unknown path {path}")
            return 404, {}, {"title": "Not Found Error"}
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {}, {"title": "Unauthorized", "status": 401}
        if not text_ok(self, "dm", body.get("text"), 10000):
            return 400, {}, {"title": "Invalid Request"}
        self.accept({"participant": m.group(1), "text": body["text"]})
        return 201, {}, {"data": {"dm_conversation_id": f"1-{m.group(1)}", "dm_event_id": str(uuid.uuid4().int)[:19]}}


class FakeKakao(FakeChannel):
    """Kakao chatbot Event API POST /v2/bots/<bot id>/talk (KakaoAK key)."""

    name = "kakao"

    def __init__(self, key="kakao-rest-api-key", bot_id="5f0c1d2e3a4b5c6d7e8f9a0b"):
        self.key, self.bot_id = key, bot_id
        super().__init__()

    def handle(self, path, headers, body):
        if path != f"/v2/bots/{self.bot_id}/talk":
            self.problem(f"unknown path {path}")
            return 404, {}, {"status": "FAIL", "message": "bot not found"}
        if headers.get("Authorization") != f"KakaoAK {self.key}":
            return 401, {}, {"status": "FAIL", "message": "unauthorized"}
        event = body.get("event", {})
        users = body.get("user", [])
        if not event.get("name") or not isinstance(users, list) or len(users) != 1 or \
                users[0].get("type") != "botUserKey" or not users[0].get("id"):
            self.problem("talk: event.name and one user of type botUserKey are required")
            return 400, {}, {"status": "FAIL", "message": "invalid request"}
        if not text_ok(self, "talk", event.get("data", {}).get("text"), 1000):
            return 400, {}, {"status": "FAIL", "message": "invalid request"}
        self.accept({"user": users[0]["id"], "event": event["name"], "text": event["data"]["text"]})
        return 200, {}, {"taskId": uuid.uuid4().hex, "status": "SUCCESS", "message": "", "timestamp": int(time.time() * 1000)}


class FakeMailHost:
    """A real SMTP server (aiosmtpd) that keeps each message; `refuse_next(code)`
    answers the next message's DATA with that SMTP code."""

    name = "web"

    def __init__(self):
        from aiosmtpd.controller import Controller
        import email
        import email.policy

        self.received, self.problems, self.refusals = [], [], collections.deque()
        fake = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                if fake.refusals:
                    return fake.refusals.popleft()
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                for header in ("From", "To", "Subject", "Date", "Message-ID"):
                    if not message[header]:
                        fake.problems.append(f"mail: {header} missing")
                if message.get_content_type() != "text/plain" or message.get_content_charset() != "utf-8":
                    fake.problems.append("mail: not text/plain; charset=UTF-8")
                fake.received.append({"to": envelope.rcpt_tos, "from": envelope.mail_from,
                                      "message_id": message["Message-ID"],
                                      "subject": str(message["Subject"]),
                                      "text": message.get_content()})
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.port}"

    def refuse_next(self, reply):
        self.refusals.append(reply)

    def texts(self):
        return [r["text"] for r in self.received]

    def close(self):
        self.controller.stop()
