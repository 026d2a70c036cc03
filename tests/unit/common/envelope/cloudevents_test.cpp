#include "common/envelope/cloudevents.hpp"

#include <doctest/doctest.h>

using namespace civic;

namespace {
std::string find(const std::vector<kafka::header>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (h.name == name) return h.value;
  }
  return "<absent>";
}
}  // namespace

TEST_CASE("CloudEvents binary-mode headers carry the envelope's id, time and source") {
  envelope::message e;
  e.id = "0193f2a4-6b1c-7d3e-9f00-1a2b3c4d5e6f";
  e.received_at = "2026-11-22T01:12:33.512Z";
  e.channel = "telegram";
  auto headers = envelope::cloudevents_headers(e, std::nullopt);
  CHECK(find(headers, "ce_specversion") == "1.0");
  CHECK(find(headers, "ce_id") == e.id);
  CHECK(find(headers, "ce_time") == e.received_at);
  CHECK(find(headers, "ce_source") == "/gateway/channels/telegram");
  CHECK(find(headers, "ce_type") == "city.feedback.ingested.v1");
  CHECK(find(headers, "content-type") == "application/json");
  CHECK(find(headers, "traceparent") == "<absent>");

  std::string trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  CHECK(find(envelope::cloudevents_headers(e, trace), "traceparent") == trace);
}
