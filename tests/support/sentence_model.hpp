#pragma once
// The sentence model for tests: the heads shipped in deploy/config/model and
// the encoder script/bootstrap fetched (~/.cache/civic-gateway/models/use-m3,
// or $CIVIC_CACHE_DIR). A test that needs it and does not find it says so and
// exits with 77, which CTest reports as skipped (SKIP_RETURN_CODE 77):
// script/test always fetches it first, so a skip there is a failure to look at.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "consumers/classify/model/semantic_model.hpp"
#include "support/paths.hpp"

namespace civic::test {

inline std::filesystem::path shipped_heads() {
  return source_dir() / std::string(classify::model::default_head_path);
}

inline std::shared_ptr<const classify::model::semantic_model> sentence_model_or_skip(
    const char* test) {
  static auto loaded = classify::model::semantic_model::load(shipped_heads());
  if (!loaded) {
    std::printf("%s: SKIPPED: the sentence model is not available (%s); run script/bootstrap\n",
                test, loaded.error().c_str());
    std::fflush(stdout);
    std::_Exit(77);
  }
  return *loaded;
}

}  // namespace civic::test
