// Every channel adapter through the dispatcher, without Beast or Kafka: each
// made by the registry exactly as the gateway makes it, fed its documented
// fixture with a correct and a wrong signature.
#include <doctest/doctest.h>

#include <map>

#include "common/crypto/hmac.hpp"
#include "common/error/errc.hpp"
#include "gateway/channels/dispatcher.hpp"
#include "gateway/channels/registry.hpp"
#include "support/files.hpp"
#include "support/gateway_fakes.hpp"
#include "support/paths.hpp"

using namespace civic;
using namespace civic::gateway;

namespace {

const std::map<std::string, std::string> secrets{
    {"channels.telegram.secret_token", "tg-secret"},
    {"channels.line.channel_secret", "line-secret"},
    {"channels.slack.signing_secret", "slack-secret"},
    {"channels.meta.app_secret", "meta-secret"},
    {"channels.meta.verify_token", "meta-verify"},
    {"channels.x.consumer_secret", "x-secret"},
    {"channels.kakao.secret", "kakao-secret"},
    {"channels.web.token", "web-token"},
    {"channels.open311.api_keys", "app-key-1"},
    {"channels.open311.request_id_key", "a-long-random-secret-value"},
};

channels::adapter_map every_adapter() {
  std::vector<std::string> args;
  for (const auto& o : channels::channel_options()) {
    std::string key(o.key);
    if (key.ends_with(".enabled")) args.push_back("--" + key + "=true");
  }
  for (const auto& [k, v] : secrets) args.push_back("--" + k + "=" + v);
  args.push_back("--channels.open311.services_file=" +
                 (test::source_dir() / "deploy/config/open311-services.json").string());
  std::vector<std::string_view> views(args.begin(), args.end());
  auto settings = config::load(channels::channel_options(), views,
                               [](const std::string&) { return std::nullopt; });
  REQUIRE(settings);
  auto made = channels::make_enabled_adapters(*settings);
  REQUIRE(made);
  return std::move(*made);
}

std::string fixture(std::string_view channel, std::string_view name) {
  return test::read_file(test::source_dir() / "tests/fixtures" / std::string(channel) /
                         (std::string(name) + ".json"));
}

std::string hex_hmac(std::string_view secret, std::string_view data) {
  auto d = crypto::hmac_sha256(secret, data);
  return crypto::to_hex(d.data(), d.size());
}
std::string b64_hmac(std::string_view secret, std::string_view data) {
  auto d = crypto::hmac_sha256(secret, data);
  return crypto::to_base64(d.data(), d.size());
}

struct harness {
  test::recording_sink sink;
  ingest::in_flight_budget budget{1 << 22};
  ops::metrics metrics;
  ingest::pipeline pipeline{{}, {"unit-test-author-key-0123"}, sink, budget, metrics};
  channels::rate_limiter limiter{{0, 1}, {0, 1}};
  channels::dispatcher dispatcher{every_adapter(), pipeline, limiter};
  std::shared_ptr<test::recording_answers> last;

  http::response send(std::string_view channel, std::string body,
                      std::vector<std::pair<std::string, std::string>> headers,
                      std::string method = "POST", std::string path = "", std::string query = "",
                      std::string content_type = "application/json") {
    test::request_builder b;
    b.method = std::move(method);
    b.body = std::move(body);
    b.query = std::move(query);
    b.headers = std::move(headers);
    b.headers.emplace_back("Content-Type", content_type);
    auto req = b.build();
    channels::request view;
    view.method = req.method;
    view.path = path;
    view.query = req.query;
    view.header = req.header;
    view.content_type = content_type;
    view.body = req.body;
    view.client_address = req.client_address;
    view.now = std::chrono::system_clock::now();
    last = std::make_shared<test::recording_answers>();
    dispatcher.handle(channel, view, http::responder(last));
    REQUIRE(last->answers.size() == 1);
    return last->answers[0];
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& p : sink.published) out.push_back(p.envelope.idempotency_key);
    return out;
  }
};

}  // namespace

TEST_CASE("telegram: the secret token decides; the update_id is the key") {
  harness h;
  std::string body = fixture("telegram", "text-message-ko");
  auto wrong = h.send("telegram", body, {{"X-Telegram-Bot-Api-Secret-Token", "guess"}});
  CHECK(wrong.status == 401);
  CHECK(wrong.body.find(R"("code":"invalid_credential")") != std::string::npos);
  CHECK(h.sink.published.empty());
  CHECK(h.send("telegram", body, {{"X-Telegram-Bot-Api-Secret-Token", "tg-secret"}}).status == 200);
  CHECK(h.keys() == std::vector<std::string>{"telegram:918273001"});
  CHECK(h.sink.published[0].envelope.source == "/gateway/channels/telegram");
  auto ignored = h.send("telegram", fixture("telegram", "callback-query-ignored"),
                        {{"X-Telegram-Bot-Api-Secret-Token", "tg-secret"}});
  CHECK(ignored.status == 200);
  CHECK(h.sink.published.size() == 1);
  // Wrong shapes name their member and type; a number beyond 64 bits is out of range.
  const std::pair<const char*, const char*> refused[] = {
      {R"({"update_id":1.5,"message":{"text":"x"}})",
       R"("code":"wrong_type","pointer":"/update_id")"},
      {R"({"update_id":99999999999999999999999,"message":{"text":"x"}})",
       R"("code":"out_of_range","pointer":"/update_id")"},
      {R"({"update_id":5,"message":5})", R"("code":"wrong_type","pointer":"/message")"},
      {R"({"update_id":5,"message":{"text":12}})",
       R"("code":"wrong_type","pointer":"/message/text")"},
      {R"({"message":{"text":"x"}})", R"("code":"missing_field","pointer":"/update_id")"},
  };
  for (const auto& [payload, why] : refused) {
    auto r = h.send("telegram", payload, {{"X-Telegram-Bot-Api-Secret-Token", "tg-secret"}});
    CHECK_MESSAGE(r.status == 400, payload);
    CHECK_MESSAGE(r.body.find(why) != std::string::npos, r.body);
  }
  CHECK(h.sink.published.size() == 1);
}

TEST_CASE("line: base64 HMAC of the body; webhookEventId is the key") {
  harness h;
  std::string body = fixture("line", "group-text-en");
  CHECK(h.send("line", body + " ", {{"X-Line-Signature", b64_hmac("line-secret", body)}}).status ==
        401);
  CHECK(h.send("line", body, {{"X-Line-Signature", b64_hmac("line-secret", body)}}).status == 200);
  CHECK(h.keys() == std::vector<std::string>{"line:01H810YECXQQZ37VAXPF6H9E6V"});
}

TEST_CASE(
    "slack: v0 signature over the timestamp and body, replays refused, url_verification "
    "answered") {
  harness h;
  std::string body = fixture("slack", "message-event-ko");
  auto headers = [&](const std::string& b, int64_t at) {
    std::string ts = std::to_string(at);
    return std::vector<std::pair<std::string, std::string>>{
        {"X-Slack-Request-Timestamp", ts},
        {"X-Slack-Signature", "v0=" + hex_hmac("slack-secret", "v0:" + ts + ":" + b)}};
  };
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  CHECK(h.send("slack", body, headers(body, now - 301)).status == 401);
  CHECK(h.send("slack", body, headers(body, now)).status == 200);
  CHECK(h.keys() == std::vector<std::string>{"slack:Ev0PV52K21"});
  std::string challenge = fixture("slack", "url-verification");
  auto answer = h.send("slack", challenge, headers(challenge, now));
  CHECK(answer.status == 200);
  CHECK(answer.content_type == "text/plain");
  std::string numeric =
      R"({"type":"event_callback","event_id":"Ev1","event":{"type":"message","text":12}})";
  auto wrong = h.send("slack", numeric, headers(numeric, now));
  CHECK(wrong.status == 400);
  CHECK(wrong.body.find(R"("pointer":"/event/text")") != std::string::npos);
}

TEST_CASE("meta: the verify handshake, then signed WhatsApp deliveries keyed by the wamid's hash") {
  harness h;
  auto ok = h.send("meta", "", {}, "GET", "",
                   "hub.mode=subscribe&hub.verify_token=meta-verify&hub.challenge=1158201444");
  CHECK(ok.status == 200);
  CHECK(ok.body == "1158201444");
  CHECK(
      h.send("meta", "", {}, "GET", "", "hub.mode=subscribe&hub.verify_token=meta-verify").status ==
      400);  // nothing to echo
  CHECK(h.send("meta", "", {}, "GET", "", "hub.mode=subscribe&hub.verify_token=guess").status ==
        403);
  std::string body = fixture("meta", "whatsapp-text-ko");
  CHECK(
      h.send("meta", body, {{"X-Hub-Signature-256", "sha256=" + hex_hmac("other", body)}}).status ==
      401);
  CHECK(h.send("meta", body, {{"X-Hub-Signature-256", "sha256=" + hex_hmac("meta-secret", body)}})
            .status == 200);
  REQUIRE(h.keys().size() == 1);
  // A wamid carries the sender's number in base64: the key is its content hash.
  CHECK(h.keys()[0].starts_with("whatsapp:"));
  CHECK(h.keys()[0].find("wamid") == std::string::npos);
  CHECK(h.keys()[0].size() == std::string("whatsapp:").size() + 32);
}

TEST_CASE("x: the CRC answer, then signed tweets keyed tweet-<id>") {
  harness h;
  auto crc = h.send("x", "", {}, "GET", "", "crc_token=abc");
  CHECK(crc.body == "{\"response_token\":\"sha256=" + b64_hmac("x-secret", "abc") + "\"}");
  std::string body = fixture("x", "tweet-mention-en");
  CHECK(h.send("x", body, {{"x-twitter-webhooks-signature", "sha256=" + b64_hmac("x", body)}})
            .status == 401);
  CHECK(
      h.send("x", body, {{"x-twitter-webhooks-signature", "sha256=" + b64_hmac("x-secret", body)}})
          .status == 200);
  CHECK(h.keys() == std::vector<std::string>{"x:tweet-1992000000000000001"});
}

TEST_CASE(
    "kakao: the shared secret; the skill's answer, or its late answer when Kafka is slower "
    "than the deadline") {
  harness h;
  std::string body = fixture("kakao", "skill-request-ko");
  CHECK(h.send("kakao", body, {{"X-Skill-Secret", "guess"}}).status == 401);
  h.sink.hold = true;
  test::request_builder b;
  b.body = body;
  b.headers = {{"X-Skill-Secret", "kakao-secret"}};
  auto req = b.build();
  channels::request view;
  view.method = "POST";
  view.header = req.header;
  view.content_type = "application/json";
  view.body = req.body;
  view.now = std::chrono::system_clock::now();
  auto answers = std::make_shared<test::recording_answers>();
  h.dispatcher.handle("kakao", view, http::responder(answers));
  CHECK(answers->answers.empty());
  CHECK(answers->deadline_after == std::chrono::milliseconds(4500));
  REQUIRE(answers->deadline);
  answers->deadline();  // Kafka has not answered in time
  h.sink.deliver();     // then it does: the late answer stands
  REQUIRE(answers->answers.size() == 1);
  CHECK(answers->answers[0].body.find("다시 보내 주세요") != std::string::npos);
}

TEST_CASE("web: the form token; a form without text is 400 missing_field") {
  harness h;
  std::string form = "submission_id=WEB-1&text=Broken+bench&email=someone%40example.org";
  CHECK(h.send("web", form, {{"X-Form-Token", "nope"}}, "POST", "", "",
               "application/x-www-form-urlencoded")
            .status == 401);
  CHECK(h.send("web", form, {{"X-Form-Token", "web-token"}}, "POST", "", "",
               "application/x-www-form-urlencoded")
            .status == 200);
  CHECK(h.keys() == std::vector<std::string>{"web:WEB-1"});
  auto missing = h.send("web", "submission_id=WEB-2", {{"X-Form-Token", "web-token"}}, "POST", "",
                        "", "application/x-www-form-urlencoded");
  CHECK(missing.status == 400);
  CHECK(missing.body.find(R"("code":"missing_field")") != std::string::npos);
}

TEST_CASE("a webhook body nested deeper than the parser goes is 400 too_deep, as a message is") {
  harness h;
  std::string deep = R"({"text":)" + std::string(5000, '[') + std::string(5000, ']') + "}";
  auto answer = h.send("web", deep, {{"X-Form-Token", "web-token"}});
  CHECK(answer.status == 400);
  CHECK(answer.body.find(R"("code":"too_deep")") != std::string::npos);
}

TEST_CASE(
    "web and open311: a coordinate that is not a finite number in range is 400, never stored") {
  harness h;
  for (std::string bad : {"nan", "NaN", "inf", "-infinity", "1e999", "abc", "91", ""}) {
    auto web = h.send("web", "submission_id=W&text=t&lat=" + bad + "&lon=127",
                      {{"X-Form-Token", "web-token"}}, "POST", "", "",
                      "application/x-www-form-urlencoded");
    CHECK_MESSAGE(web.status == 400, "web lat=", bad);
    CHECK(web.body.find(R"("pointer":"/lat")") != std::string::npos);
    auto open311 = h.send(
        "open311", "api_key=app-key-1&service_code=pothole&description=d&long=127&lat=" + bad, {},
        "POST", "/requests.json", "", "application/x-www-form-urlencoded");
    CHECK_MESSAGE(open311.status == 400, "open311 lat=", bad);
  }
  CHECK(h.send("web", "submission_id=W&text=t&lat=37.5", {{"X-Form-Token", "web-token"}}, "POST",
               "", "", "application/x-www-form-urlencoded")
            .status == 400);
  CHECK(h.sink.published.empty());
  CHECK(h.send("web", "submission_id=W&text=t&lat=-37.5&lon=127", {{"X-Form-Token", "web-token"}},
               "POST", "", "", "application/x-www-form-urlencoded")
            .status == 200);
  REQUIRE(h.sink.published.size() == 1);
  REQUIRE(h.sink.published[0].envelope.place);
  CHECK(h.sink.published[0].envelope.place->lat == -37.5);
}

TEST_CASE(
    "open311: raw brackets as GeoReport v2 writes them; attributes and the service's "
    "division reach the envelope") {
  harness h;
  std::string form =
      "api_key=app-key-1&service_code=pothole&lat=37.5665&long=126.978"
      "&description=Deep+pothole&attribute[DEPTH]=deep&attribute[LANES][]=1&attribute[LANES][]=2";
  auto answer = h.send("open311", form, {}, "POST", "/requests.json", "",
                       "application/x-www-form-urlencoded");
  CHECK(answer.status == 200);
  REQUIRE(h.sink.published.size() == 1);
  const auto& e = h.sink.published[0].envelope;
  REQUIRE(e.service);
  CHECK(e.service->code == "pothole");
  CHECK(e.service->division == "roads");
  REQUIRE(e.attributes.size() == 2);
  CHECK(e.attributes[0] == envelope::attribute{"DEPTH", {"deep"}});
  CHECK(e.attributes[1] == envelope::attribute{"LANES", {"1", "2"}});

  auto forbidden = h.send("open311", "api_key=guess&service_code=pothole", {}, "POST",
                          "/requests.json", "", "application/x-www-form-urlencoded");
  CHECK(forbidden.status == 403);
  CHECK(forbidden.body.starts_with(R"([{"code":403,)"));
  auto bad = h.send("open311",
                    "api_key=app-key-1&service_code=pothole&lat=37.5&long=127&description=d"
                    "&attribute[]=x",
                    {}, "POST", "/requests.json", "", "application/x-www-form-urlencoded");
  CHECK(bad.status == 400);
  CHECK(h.send("open311", "", {}, "GET", "/services/pothole.json").status == 200);
  CHECK(h.send("open311", "", {}, "GET", "/services/unicorns.json").status == 404);
}
