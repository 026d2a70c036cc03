// answers: tells every citizen who reported a case what the division did, on
// the channel they wrote from.
//   answers [--config FILE] [--key=value ...]   the service
//   answers keygen KID                          a reply-token key pair (gateway + service)
//   answers send [--key=value ...] < job.json   one notice through one channel's client, as
//                                               the service would send it (checks a channel's
//                                               configuration; the tests drive the clients so)

#include <rapidjson/document.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "common/config/config.hpp"
#include "common/config/program.hpp"
#include "common/json/parse.hpp"
#include "common/json/writer.hpp"
#include "common/log/log.hpp"
#include "common/ops/service_process.hpp"
#include "consumers/answers/delivery.hpp"
#include "consumers/answers/ledger.hpp"
#include "consumers/answers/options.hpp"
#include "consumers/answers/service.hpp"

using namespace civic;

namespace {

expected<config::settings, int> load_settings(std::span<const std::string_view> args,
                                              const char* summary) {
  return config::start({"answers", summary}, answers::options(), args);
}

int keygen(std::span<const std::string_view> args) {
  if (args.size() != 1 || args[0].starts_with("-")) {
    std::fputs("usage: answers keygen KID\n", stderr);
    return 2;
  }
  auto pair = crypto::generate_reply_key_pair(args[0]);
  if (!pair) {
    std::fprintf(stderr, "answers keygen: %s\n", pair.error().c_str());
    return 2;
  }
  std::printf("# the gateway seals with the public key:\ngateway.reply_token.public_key = %s:%s\n",
              pair->kid.c_str(), pair->public_key.c_str());
  std::printf(
      "# only the answers service holds the private key (a secret; keep older ones listed "
      "while their tokens may be in the topics):\nanswers.reply_token.private_keys = %s:%s\n",
      pair->kid.c_str(), pair->private_key.c_str());
  return 0;
}

std::string member(const rapidjson::Document& d, const char* name) {
  auto m = d.FindMember(name);
  return m != d.MemberEnd() && m->value.IsString() ? m->value.GetString() : "";
}

int64_t number(const rapidjson::Document& d, const char* name) {
  auto m = d.FindMember(name);
  return m != d.MemberEnd() && m->value.IsInt64() ? m->value.GetInt64() : 0;
}

// Reads {"channel", "to", "thread", "via", "handle", "written_at_ms", "last_inbound_ms",
// "text", "status_label", "answer", "case_ref", "language", "update_id", "recipient",
// "interrupted_mode", "handle_usable"} and prints the outcome as JSON.
int send(std::span<const std::string_view> args) {
  auto settings = load_settings(args, "sends one notice (JSON on stdin) through a channel client");
  if (!settings) return settings.error();
  std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  rapidjson::Document job;
  json::parse(job, input);
  if (job.HasParseError() || !job.IsObject()) {
    std::fputs("answers send: stdin must be a JSON object\n", stderr);
    return 2;
  }
  answers::delivery_settings delivery = answers::make_delivery_settings(*settings);
  auto clients = answers::make_enabled_clients(*settings);
  if (!clients) {
    std::fprintf(stderr, "answers send: %s\n", clients.error().c_str());
    return 2;
  }
  std::string channel = member(job, "channel");
  const answers::channel_client* client = nullptr;
  for (const auto& c : *clients) {
    if (c->channel() == channel) client = c.get();
  }

  auto keys = crypto::generate_reply_key_pair("send");
  auto sealer = crypto::reply_sealer::create({keys->kid, keys->public_key});
  auto opener = crypto::reply_opener::create({{keys->kid, keys->private_key}});
  crypto::reply_address address{channel,
                                member(job, "to"),
                                member(job, "thread"),
                                member(job, "via"),
                                member(job, "handle"),
                                number(job, "written_at_ms")};
  auto token = (*sealer)->seal(address);
  if (!token) {
    std::fprintf(stderr, "answers send: %s\n", token.error().c_str());
    return 2;
  }
  answers::ledger_entry entry;
  entry.update_id = member(job, "update_id").empty() ? "upd-send" : member(job, "update_id");
  entry.recipient = member(job, "recipient").empty() ? "report:send" : member(job, "recipient");
  entry.case_id = "case-send";
  entry.channel = channel;
  entry.token = *token;
  entry.last_inbound_ms = number(job, "last_inbound_ms");
  entry.message.text = member(job, "text");
  entry.message.status_label = member(job, "status_label");
  entry.message.answer = member(job, "answer");
  entry.message.case_ref = member(job, "case_ref");
  entry.message.language = member(job, "language").empty() ? "ko" : member(job, "language");
  if (!member(job, "interrupted_mode").empty()) {
    entry.state = answers::job_state::attempting;
    entry.mode = member(job, "interrupted_mode");
  }
  answers::http_client http(delivery.http);
  answers::delivery_context ctx;
  ctx.client = client;
  ctx.http = &http;
  ctx.settings = &delivery;
  ctx.opener = opener->get();
  auto usable = job.FindMember("handle_usable");
  ctx.handle_usable =
      usable == job.MemberEnd() || !usable->value.IsBool() || usable->value.GetBool();
  auto result = answers::deliver(std::move(entry), ctx);
  json::writer w;
  w.StartObject();
  w.member("outcome", responses::to_string(*result.entry.outcome).data());
  w.member("mode", result.entry.mode);
  w.member("detail", result.entry.detail);
  w.member("attempts", result.entry.attempts);
  w.member("idempotency_key",
           answers::idempotency_key(result.entry.update_id, result.entry.recipient));
  w.EndObject();
  std::printf("%s\n", w.str().c_str());
  return 0;
}

int serve(std::span<const std::string_view> args) {
  auto settings = load_settings(
      args, "tells every citizen who reported a case about its updates, on their own channel");
  if (!settings) return settings.error();
  auto config = answers::make_service_config(*settings);
  if (!config) {
    std::fprintf(stderr, "answers: %s\n", config.error().c_str());
    return 2;
  }
  auto clients = answers::make_enabled_clients(*settings);
  if (!clients) {
    std::fprintf(stderr, "answers: %s\n", clients.error().c_str());
    return 2;
  }
  std::string ops_listen = config->ops_listen;
  auto svc = answers::service::create(std::move(*config), settings->kafka_properties(),
                                      std::move(*clients));
  if (!svc) {
    std::fprintf(stderr, "answers: %s\n", svc.error().c_str());
    return 1;
  }
  return ops::service_process<answers::service>::run("answers", **svc, ops_listen);
}

}  // namespace

int main(int argc, char** argv) {
  auto args = config::arguments(argc, argv);
  auto rest = std::span<const std::string_view>(args);
  if (!args.empty() && args[0] == "keygen") return keygen(rest.subspan(1));
  if (!args.empty() && args[0] == "send") return send(rest.subspan(1));
  return serve(rest);
}
