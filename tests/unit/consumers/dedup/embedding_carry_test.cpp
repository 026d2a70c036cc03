// The embedding is computed once per message in the pipeline: dedup's first
// step (with the classification) puts it in a header, the second step uses it
// without classifying again, and feedback.unique carries it to the router.

#include <doctest/doctest.h>

#include "common/envelope/envelope_json.hpp"
#include "consumers/classify/model/embedding_codec.hpp"
#include "consumers/dedup/service/stages.hpp"

using namespace civic;
using namespace civic::dedup;

namespace {

std::optional<std::string> header(const kafka::record& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return std::nullopt;
}

envelope::message report_envelope() {
  envelope::message e;
  e.id = "0195c2a4-7a10-7c3e-9b21-4f0d2e6a8b99";
  e.received_at = "2025-03-10T00:02:14.000Z";
  e.channel = "web";
  e.channel_message_id = "w-1";
  e.idempotency_key = "web:w-1";
  e.text = "수돗물에서 수영장 냄새가 나요";
  e.language = "ko";
  return e;
}

}  // namespace

TEST_CASE("dedup computes the embedding once and carries it to step 2 and to the router") {
  int classified = 0;
  std::vector<float> vector(512, 0.0f);
  vector[3] = 0.6f;
  vector[100] = -0.8f;
  placement_function place([&](const placement_input& in) {
    ++classified;
    placement p{{"water"}, {"water"}, std::string("Mapo-gu")};
    p.embedding = in.embedding.empty()
                      ? vector
                      : std::vector<float>(in.embedding.begin(), in.embedding.end());
    return p;
  });
  place.embedding_model = embedding_model_info{"use-m3:test", 512};

  topics names;
  step_counters counters;
  const auto e = report_envelope();
  const std::string value = envelope::to_json(e);
  kafka::record routed =
      route_ingested({names.input, 0, e.idempotency_key, value, {}}, place, names, counters);
  CHECK(classified == 1);
  const auto carried = header(routed, embedding_header);
  REQUIRE(carried.has_value());
  CHECK(carried->size() == 4 + 512);
  CHECK(header(routed, embedding_model_header) == "use-m3:test");

  dedup_settings engine_settings;  // named: GCC 12 -O2 warns falsely on a temporary's set

  deduplicator engine{engine_settings};
  closed_cases closed(90LL * 24 * 3600 * 1000, 1000);
  lifecycle_settings lifecycle;
  lifecycle_context life{closed, lifecycle};
  std::vector<kafka::record> out;
  deduplicate_repartitioned({names.repartition, 0, routed.key, routed.value, routed.headers},
                            engine, life, place, names, out, counters);
  CHECK(classified == 1);  // step 2 read the headers, it did not classify again
  const auto unique = std::find_if(out.begin(), out.end(),
                                   [&](const kafka::record& r) { return r.topic == names.unique; });
  REQUIRE(unique != out.end());
  CHECK(header(*unique, embedding_header) == carried);
  CHECK(header(*unique, embedding_model_header) == "use-m3:test");
  const auto* c = engine.find("case-" + e.id);
  REQUIRE(c != nullptr);
  CHECK(c->embedding.nibbles.size() == 256);

  // A vector from another encoder is not used: step 2 classifies again.
  for (auto& h : routed.headers)
    if (h.name == embedding_model_header) h.value = "use-m3:other";
  dedup_settings fresh_settings;  // named: GCC 12 -O2 warns falsely on a temporary's set
  deduplicator fresh{fresh_settings};
  out.clear();
  deduplicate_repartitioned({names.repartition, 0, routed.key, routed.value, routed.headers}, fresh,
                            life, place, names, out, counters);
  CHECK(classified == 2);
}
