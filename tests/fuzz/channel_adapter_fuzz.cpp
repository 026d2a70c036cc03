// libFuzzer: arbitrary bytes as the body (and query) of a webhook to one channel
// adapter, named at build time by CIVIC_FUZZ_CHANNEL. The adapter is made through
// the registry exactly as the gateway makes it, with made-up secrets.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "gateway/channels/registry.hpp"

namespace {

using namespace civic;
using namespace civic::gateway::channels;

const adapter& channel_under_test() {
  static const adapter_map adapters = [] {
    std::vector<std::string> args{"--channels." CIVIC_FUZZ_CHANNEL ".enabled=true"};
    auto options = channel_options();
    for (const auto& o : options) {
      std::string key(o.key);
      if (!key.starts_with("channels." CIVIC_FUZZ_CHANNEL ".") || key.ends_with(".enabled"))
        continue;
      if (key.ends_with("services_file")) {
        args.push_back("--" + key + "=" CIVIC_SOURCE_DIR "/deploy/config/open311-services.json");
      } else if (o.type == config::value_type::text) {
        args.push_back("--" + key + "=fuzz-secret-0123456789");
      }
    }
    std::vector<std::string_view> views(args.begin(), args.end());
    auto settings = config::load(options, views, [](const std::string&) { return std::nullopt; });
    if (!settings) std::abort();
    auto made = make_enabled_adapters(*settings);
    if (!made || made->size() != 1) std::abort();
    return std::move(*made);
  }();
  return *adapters.begin()->second;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const adapter& a = channel_under_test();
  request req;
  req.method = "POST";
  req.path = "/requests.json";
  req.header = [](std::string_view) -> std::optional<std::string_view> { return std::nullopt; };
  req.content_type = size % 2 ? "application/json" : "application/x-www-form-urlencoded";
  req.body = input;
  req.now = std::chrono::system_clock::now();
  (void)a.authentic(req);
  if (auto d = a.extract(req)) {
    std::vector<civic::gateway::ingest::outcome> outcomes(d->messages.size());
    if (d->answer) (void)d->answer(outcomes);
  }
  req.method = "GET";
  req.path = input.substr(0, 64);
  req.query = input;
  (void)a.respond_directly(req);
  return 0;
}
