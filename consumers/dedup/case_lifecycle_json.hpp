#pragma once
// A case's lifecycle as JSON: the members it adds to the feedback.cases record
// (lifecycle, support, deliveries, service_requests; schemas/case.v1.schema.json)
// and its full form inside the dedup changelog state.

#include <rapidjson/document.h>

#include <string>

#include "common/error/expected.hpp"
#include "common/json/writer.hpp"
#include "consumers/dedup/case_lifecycle.hpp"

namespace civic::dedup {

using json_writer = json::writer;

// Writes the keys "lifecycle", "support", "deliveries" and "service_requests".
// `milestones`: the configured support thresholds, for a case that gathers
// support (an idea); nullptr writes support.milestones null.
void write_public_lifecycle(json_writer& w, const case_lifecycle& l,
                            const std::vector<support_threshold>* milestones = nullptr);

// Writes the key "lifecycle" with everything, for the changelog.
void write_lifecycle_state(json_writer& w, const case_lifecycle& l);
// Reads it back from the changelog state's root; absent (a state written before
// the answer loop existed) reads as a case just received.
expected<case_lifecycle, std::string> read_lifecycle_state(const rapidjson::Value& root);

}  // namespace civic::dedup
