// libFuzzer: arbitrary bytes into the gateway's message parser and, when they
// parse, through normalization to an envelope that must round-trip.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/envelope/envelope_json.hpp"
#include "gateway/ingest/inbound.hpp"
#include "gateway/ingest/normalize.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic::gateway::ingest;
  static const inbound_limits limits{4096, 8, 8000};
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_inbound(input, limits);
  if (!parsed) return 0;
  static const sender bridge{sender::kind::bridge, "fuzz", {}};
  auto e = normalize(std::move(*parsed), bridge, {"fuzz-author-key-0123"},
                     std::chrono::system_clock::now());
  if (!e) return 0;
  auto again = civic::envelope::parse_json(civic::envelope::to_json(*e));
  if (!again || !(*again == *e)) std::abort();  // what the gateway writes, consumers must read
  return 0;
}
