#include "gateway/subscribe/subscriber.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include <atomic>
#include <deque>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include "common/auth/jwt.hpp"
#include "common/error/errc.hpp"
#include "gateway/subscribe/access.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"

using namespace civic;
using namespace civic::gateway::subscribe;

namespace {

const std::string secret = "unit-test-secret-of-at-least-32-bytes!!";

auth::jwt_verifier make_verifier() {
  auth::verifier_settings v;
  v.issuer = "test-issuer";
  v.keys.push_back({"local", auth::jwt_algorithm::hs256, secret});
  return std::move(*auth::jwt_verifier::create(v));
}

auth::claims person(std::vector<std::string> divisions,
                    std::chrono::seconds ttl = std::chrono::hours(1)) {
  auth::claims c;
  c.sub = "clerk-1";
  c.iss = "test-issuer";
  c.role = "staff";
  c.divisions = std::move(divisions);
  c.iat = std::chrono::system_clock::now();
  c.exp = *c.iat + ttl;
  return c;
}

// The divisions with their partition counts; every partition, the cases topic's
// one too, started at offset 0, and the cases topic read to its end.
void start_divisions(hub& h, std::initializer_list<std::pair<std::string, size_t>> divisions) {
  h.set_case_partitions(1);
  for (const auto& [name, partitions] : divisions) h.add_division(name, partitions);
  h.start_partition(nullptr, 0, 0);
  for (const auto& [name, partitions] : divisions) {
    for (size_t p = 0; p < partitions; ++p) h.start_partition(&name, static_cast<int32_t>(p), 0);
  }
  h.set_cases_loaded();
}

struct world {
  hub streams{[] {
    hub_settings s;
    return s;
  }()};
  auth::jwt_verifier verifier = make_verifier();
  subscribe_metrics metrics;
  subscribe_context ctx{streams, nullptr, verifier, metrics, {}};
  std::atomic<int> notified{0};

  world() { start_divisions(streams, {{"roads", 1}, {"water", 1}}); }
  std::shared_ptr<subscriber> connect(auth::claims who) {
    auto s = std::make_shared<subscriber>(ctx, std::move(who), [this] { ++notified; });
    s->start();
    return s;
  }
  // Connected, its welcome frame taken.
  std::shared_ptr<subscriber> welcomed(auth::claims who) {
    auto s = connect(std::move(who));
    s->next();
    return s;
  }
};

// A client frame, sent now.
void say(subscriber& s, std::string_view frame) {
  s.on_frame(frame, std::chrono::system_clock::now());
}

std::string joined(const subscriber::output& out) {
  std::string all;
  for (auto f : out.frames) {
    all.append(f);
    all.push_back('\n');
  }
  return all;
}

}  // namespace

TEST_CASE("welcome, then subscribed, the snapshot and live, in that order") {
  world w;
  w.streams.case_record(
      0, 0, 1, "case-1",
      R"({"id":"case-1","divisions":["roads"],"status":"open","report_count":1})");
  w.streams.case_record(
      0, 1, 2, "case-2",
      R"({"id":"case-2","divisions":["water"],"status":"open","report_count":1})");
  auto s = w.connect(person({"roads"}));
  say(*s, R"({"type":"subscribe","id":"s1","division":"roads","from":"snapshot"})");
  std::string out = joined(s->next());
  auto welcome = out.find(R"("type":"welcome")");
  auto subscribed = out.find(R"("type":"subscribed")");
  auto state = out.find(R"("snapshot":true,"case":{"id":"case-1")");
  auto live = out.find(R"("type":"live")");
  CHECK(welcome < subscribed);
  CHECK(subscribed < state);
  CHECK(state < live);
  CHECK(live != std::string::npos);
  CHECK(out.find("case-2") == std::string::npos);  // another division's case
  CHECK(out.find(R"("snapshot_cases":1)") != std::string::npos);

  w.streams.division_record("roads", 0, 0, 5, "case-1", R"({"schema":"routed-message.v1"})");
  auto next = s->next();
  REQUIRE(next.events == 1);
  CHECK(joined(next).find(R"("type":"message")") != std::string::npos);
}

TEST_CASE("a division the token does not grant is refused with a precise error") {
  world w;
  auto s = w.welcomed(person({"roads"}));
  say(*s, R"({"type":"subscribe","id":"s2","division":"water","from":"now"})");
  std::string out = joined(s->next());
  CHECK(out.find(R"("type":"error","id":"s2","code":"forbidden")") != std::string::npos);
  CHECK(out.find(R"("pointer":"/division")") != std::string::npos);
}

TEST_CASE("bad frames get the field and the reason, then the connection ends (4400)") {
  struct bad_frame {
    const char *frame, *code, *pointer;
  };
  for (const auto& [frame, code, pointer] : {
           bad_frame{R"({"type":"subscribe","division":"roads","from":"now","colour":"red"})",
                     "unknown_field", "/colour"},
           // A member given twice: neither copy is taken.
           bad_frame{R"({"type":"subscribe","division":"roads","division":"water","from":"now"})",
                     "duplicate_field", "/division"},
       }) {
    INFO(frame);
    world w;
    auto s = w.welcomed(person({"roads"}));
    say(*s, frame);
    auto out = s->next();
    CHECK(joined(out).find(std::string(R"("code":")") + code + '"') != std::string::npos);
    CHECK(joined(out).find(std::string(R"("pointer":")") + pointer + '"') != std::string::npos);
    REQUIRE(out.close);
    CHECK(out.close->code == close_code::bad_request);
  }
}

TEST_CASE("a position that is not one is refused; a resume from memory says recovered") {
  world w;
  auto s = w.welcomed(person({"roads"}));
  say(*s, R"({"type":"subscribe","id":"a","division":"roads","from":"xyz"})");
  CHECK(joined(s->next()).find(R"("pointer":"/from")") != std::string::npos);

  for (int i = 0; i < 5; ++i) {
    w.streams.division_record("roads", 0, i, i, "k", "{\"n\":" + std::to_string(i) + "}");
  }
  auto t = w.streams.find("roads")->head();
  t.division[0] = {3, record_anchor(2, "k")};
  auto r = w.welcomed(person({"roads"}));
  say(*r,
      R"({"type":"subscribe","id":"b","division":"roads","from":")" + encode_position(t) + "\"}");
  auto out = r->next();
  std::string text = joined(out);
  CHECK(text.find(R"("recovered":true)") != std::string::npos);
  CHECK(text.find(R"("replay":"memory")") != std::string::npos);
  CHECK(out.events == 2);  // offsets 3 and 4
  CHECK(text.find(R"("type":"live","id":"b")") != std::string::npos);
  CHECK(text.find(R"("replayed":2)") != std::string::npos);
}

TEST_CASE("a position that cannot be resumed: recovered false with the reason, then the snapshot") {
  world w;
  auto s = w.welcomed(person({"roads"}));
  position from = w.streams.find("roads")->head();
  from.stream ^= 1;  // a position of another division's stream
  say(*s, R"({"type":"subscribe","id":"c","division":"roads","from":")" + encode_position(from) +
              "\"}");
  std::string text = joined(s->next());
  CHECK(text.find(R"("recovered":false,"reason":"stream_mismatch")") != std::string::npos);
  CHECK(text.find(R"("replay":"snapshot")") != std::string::npos);
  CHECK(text.find(R"("type":"live")") != std::string::npos);
}

TEST_CASE("older than the window and no history reader: not recovered, fallback now") {
  world w;
  stream& roads = *w.streams.find("roads");
  // The window holds offsets from 0; a position before it cannot exist here, so
  // shrink the window by publishing past a tiny bound in a stream of its own.
  (void)roads;
  stream_limits tiny;
  tiny.window_bytes = 64 * 1024;
  tiny.queue_bytes = 64 * 1024;
  hub_settings hs;
  hs.limits = tiny;
  hub small(hs);
  start_divisions(small, {{"roads", 1}});
  std::string big(2000, 'x');
  for (int i = 0; i < 100; ++i) {
    small.division_record("roads", 0, i, i, "k", "{\"pad\":\"" + big + "\"}");
  }
  subscribe_context ctx{small, nullptr, w.verifier, w.metrics, {}};
  auto s = std::make_shared<subscriber>(ctx, person({"roads"}), [] {});
  s->start();
  s->next();
  position from = small.find("roads")->head();
  from.division[0] = {1, record_anchor(0, "k")};
  say(*s, R"({"type":"subscribe","id":"d","division":"roads","from":")" + encode_position(from) +
              R"(","fallback":"now"})");
  std::string text = joined(s->next());
  CHECK(text.find(R"("recovered":false,"reason":"position_older_than_retention")") !=
        std::string::npos);
  CHECK(text.find(R"("replay":"none")") != std::string::npos);
}

TEST_CASE("the token's expiry ends the connection with its position (4402); refresh moves it") {
  world w;
  auto s = w.welcomed(person({"roads"}, std::chrono::seconds(120)));
  say(*s, R"({"type":"subscribe","id":"s","division":"roads","from":"now"})");
  s->next();
  auto now = std::chrono::system_clock::now();
  s->tick(now + std::chrono::seconds(70));
  CHECK(joined(s->next()).find(R"("type":"refresh_due")") != std::string::npos);

  auto fresh = person({"roads"}, std::chrono::hours(2));
  auto token = auth::mint(fresh, "local", auth::jwt_algorithm::hs256, secret);
  REQUIRE(token);
  s->on_frame(R"({"type":"refresh","id":"r","token":")" + *token + "\"}", now);
  CHECK(joined(s->next()).find(R"("type":"refreshed","id":"r")") != std::string::npos);
  s->tick(now + std::chrono::seconds(130));
  CHECK_FALSE(s->next().close);  // the new token holds

  auto other = person({"water"});
  other.sub = "someone-else";
  s->on_frame(R"({"type":"refresh","id":"r2","token":")" +
                  *auth::mint(other, "local", auth::jwt_algorithm::hs256, secret) + "\"}",
              now);
  CHECK(joined(s->next()).find(R"("code":"invalid_credential")") != std::string::npos);

  s->tick(now + std::chrono::hours(3));
  auto out = s->next();
  REQUIRE(out.close);
  CHECK(out.close->code == close_code::expired);
  CHECK(joined(out).find(
            R"("type":"disconnect","code":4402,"reason":"credential_expired","position":")") !=
        std::string::npos);
}

TEST_CASE("a token accepted within the clock skew lasts the skew, not ending at its welcome") {
  world w;
  // Expired 10 s ago by this clock; the verifier allows 30 s of skew.
  auto s = w.welcomed(person({"roads"}, std::chrono::seconds(-10)));
  auto now = std::chrono::system_clock::now();
  s->tick(now);
  auto first = s->next();
  CHECK_FALSE(first.close);
  CHECK(joined(first).find(R"("type":"refresh_due")") != std::string::npos);
  s->tick(now + std::chrono::seconds(25));
  auto out = s->next();
  REQUIRE(out.close);
  CHECK(out.close->code == close_code::expired);
}

TEST_CASE("tokens at the upgrade: header, query, subprotocol; Origin allow-list") {
  auto verifier = make_verifier();
  auto token = *auth::mint(person({"roads"}), "local", auth::jwt_algorithm::hs256, secret);
  std::map<std::string, std::string> headers;
  upgrade_view v;
  v.header = [&](std::string_view n) -> std::optional<std::string_view> {
    auto it = headers.find(std::string(n));
    if (it == headers.end()) return std::nullopt;
    return std::string_view(it->second);
  };
  v.target = "/v1/subscribe";
  access_settings s;
  auto now = std::chrono::system_clock::now();

  auto d = decide_access(v, s, verifier, now);
  CHECK(d.code == errc::unauthenticated);

  headers["Authorization"] = "Bearer " + token;
  CHECK(decide_access(v, s, verifier, now).who);
  headers.clear();
  std::string target = "/v1/subscribe?access_token=" + token;
  v.target = target;
  CHECK(decide_access(v, s, verifier, now).who);
  v.target = "/v1/subscribe";
  headers["Sec-WebSocket-Protocol"] = "civic.subscribe.v1, bearer." + token;
  d = decide_access(v, s, verifier, now);
  CHECK(d.who);
  CHECK(d.offered_subprotocol);

  headers["Host"] = "127.0.0.1:8080";
  headers["Origin"] = "http://127.0.0.1:8080";
  CHECK_FALSE(decide_access(v, s, verifier, now).origin_refused);
  headers["Origin"] = "https://evil.example";
  CHECK(decide_access(v, s, verifier, now).origin_refused);
  s.allowed_origins = {"https://evil.example"};
  CHECK_FALSE(decide_access(v, s, verifier, now).origin_refused);

  headers["Sec-WebSocket-Protocol"] =
      "civic.subscribe.v1, bearer." + token.substr(0, token.size() - 3) + "abc";
  CHECK(decide_access(v, s, verifier, now).code == errc::invalid_credential);
  auto late = person({"roads"});
  late.iat = now - std::chrono::hours(3);
  late.exp = now - std::chrono::hours(1);
  headers["Sec-WebSocket-Protocol"] =
      "civic.subscribe.v1, bearer." +
      *auth::mint(late, "local", auth::jwt_algorithm::hs256, secret);
  CHECK(decide_access(v, s, verifier, now).code == errc::credential_expired);
}

TEST_CASE("every frame the server writes is valid against its schema") {
  rapidjson::Document schema_doc;
  schema_doc.Parse(
      civic::test::read_file(civic::test::schemas_dir() / "subscribe-server-frame.v1.schema.json")
          .c_str());
  REQUIRE_FALSE(schema_doc.HasParseError());
  rapidjson::SchemaDocument schema(schema_doc);
  world w;
  w.streams.case_record(0, 0, 1, "case-1",
                        R"({"id":"case-1","divisions":["roads"],"status":"open"})");
  auto s = w.connect(person({"roads"}, std::chrono::seconds(120)));
  std::string all;
  auto now = std::chrono::system_clock::now();
  s->on_frame(R"({"type":"subscribe","id":"x","division":"water","from":"now"})", now);
  all += joined(s->next());
  s->on_frame(R"({"type":"subscribe","id":"s","division":"roads","from":"snapshot"})", now);
  all += joined(s->next());
  w.streams.division_record("roads", 0, 0, 5, "case-1", R"({"schema":"routed-message.v1"})");
  w.streams.case_record(0, 1, 6, "case-1",
                        R"({"id":"case-1","divisions":["roads"],"status":"closed"})");
  all += joined(s->next());
  s->tick(now + std::chrono::seconds(70));
  all += joined(s->next());
  s->tick(now + std::chrono::seconds(200));
  all += joined(s->next());
  size_t frames = 0;
  std::string_view rest(all);
  while (!rest.empty()) {
    auto line = rest.substr(0, rest.find('\n'));
    rest.remove_prefix(std::min(rest.size(), line.size() + 1));
    if (line.empty()) continue;
    ++frames;
    CAPTURE(std::string(line));
    rapidjson::Document doc;
    doc.Parse(line.data(), line.size());
    REQUIRE_FALSE(doc.HasParseError());
    rapidjson::SchemaValidator validator(schema);
    CHECK(doc.Accept(validator));
  }
  CHECK(frames >=
        9);  // welcome, error, subscribed, case, live, message, case, refresh_due, disconnect
}

namespace {

// The socket side as ws_session drives it, without sockets: an I/O thread's
// queue of tasks, and a connection that writes whatever next() gives when woken
// (or, while `reads` is false, takes nothing: a client that stopped reading).
struct fake_io {
  std::deque<std::function<void()>> tasks;
  void run() {
    while (!tasks.empty()) {
      auto t = std::move(tasks.front());
      tasks.pop_front();
      t();
    }
  }
};

struct fake_connection {
  std::shared_ptr<subscriber> core;
  bool reads = true;
  std::string received;
  std::optional<subscriber::close_instruction> closed;
  void pump() {
    if (!reads || closed) return;
    for (;;) {
      const auto& out = core->next();
      received += joined(out);
      if (out.close) closed = out.close;
      if (out.frames.empty() || closed) return;
    }
  }
};

}  // namespace

TEST_CASE("batched wake-ups: a slow subscriber is cut off with its position, the others get all") {
  hub_settings hs;
  hs.limits.queue_events = 64;
  hs.limits.window_bytes = 256 * 1024;
  hub h(hs);
  start_divisions(h, {{"roads", 2}});
  auto verifier = make_verifier();
  subscribe_metrics metrics;
  subscribe_context ctx{h, nullptr, verifier, metrics, {}};
  fake_io io;

  const size_t n = 150;  // more than two batches
  std::vector<std::shared_ptr<fake_connection>> conns;
  for (size_t i = 0; i < n; ++i) {
    auto c = std::make_shared<fake_connection>();
    subscriber_waker w;
    w.post = [&io, weak = std::weak_ptr(c)] {
      io.tasks.push_back([weak] {
        if (auto conn = weak.lock()) conn->pump();
      });
    };
    w.dispatch = [weak = std::weak_ptr(c)] {  // a free strand: the pump runs here and now
      if (auto conn = weak.lock()) conn->pump();
    };
    w.post_io = [&io](std::function<void()> task) { io.tasks.push_back(std::move(task)); };
    c->core = std::make_shared<subscriber>(ctx, person({"roads"}), std::move(w));
    c->core->start();
    say(*c->core, R"({"type":"subscribe","id":"s","division":"roads","from":"now"})");
    c->pump();
    conns.push_back(std::move(c));
  }
  conns[7]->reads = false;  // stops reading once subscribed
  std::string subscribed_at;
  {
    auto at = conns[7]->received.find(R"("type":"live","id":"s","position":")");
    REQUIRE(at != std::string::npos);
    auto begin = conns[7]->received.find("\"position\":\"", at) + 12;
    subscribed_at = conns[7]->received.substr(begin, conns[7]->received.find('"', begin) - begin);
  }
  auto drain = [&] { io.run(); };
  const int records = 400;
  for (int i = 0; i < records; ++i) {
    int32_t p = i % 2;
    h.division_record("roads", p, i / 2, i, "k" + std::to_string(p),
                      "{\"n\":" + std::to_string(i) + "}");
    if (i % 20 == 19) {
      drain();
      h.sweep();
      drain();
    }
  }
  drain();
  h.sweep();
  h.sweep();
  drain();

  // The slow one: disconnected as slow (4008), its position the last it had, to resume from.
  auto& stuck = *conns[7];
  stuck.reads = true;
  stuck.pump();
  REQUIRE(stuck.closed);
  CHECK(stuck.closed->code == close_code::slow);
  CHECK(stuck.received.find(R"("type":"disconnect","code":4008,"reason":"slow","position":")" +
                            subscribed_at + "\"") != std::string::npos);
  CHECK(stuck.received.find(R"("type":"message")") == std::string::npos);

  // Everyone else: every record, once, in order per partition.
  for (size_t i = 0; i < n; ++i) {
    if (i == 7) continue;
    CAPTURE(i);
    const auto& got = conns[i]->received;
    CHECK_FALSE(conns[i]->closed);
    int64_t next[2] = {0, 0};
    size_t count = 0;
    for (size_t at = got.find(R"("type":"message")"); at != std::string::npos;
         at = got.find(R"("type":"message")", at + 1)) {
      auto part = std::stoi(got.substr(got.find("\"partition\":", at) + 12));
      auto offset = std::stoll(got.substr(got.find("\"offset\":", at) + 9));
      REQUIRE((part == 0 || part == 1));
      CHECK(offset == next[part]);
      next[part] = offset + 1;
      ++count;
    }
    CHECK(count == static_cast<size_t>(records));
  }
  CHECK(h.snapshot_stats().window_bytes <= hs.limits.window_bytes);
}
