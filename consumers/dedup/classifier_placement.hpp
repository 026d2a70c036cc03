#pragma once
// placement_function backed by the shared rules classifier (civic_classify).

#include <filesystem>
#include <string>

#include "common/error/expected.hpp"
#include "consumers/dedup/placement.hpp"

namespace civic::dedup {

// related_share: a division joins placement::related when its rules scored at
// least this share of the top division's score.
// model: the sentence model's heads (empty: rules only), model_dir: its encoder
// (empty: the bootstrap cache).
expected<placement_function, std::string> load_classifier_placement(
    const std::filesystem::path& rules_file, double related_share,
    const std::filesystem::path& model = {}, const std::filesystem::path& model_dir = {});

}  // namespace civic::dedup
