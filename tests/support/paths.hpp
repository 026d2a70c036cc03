#pragma once
// Where tests find the source tree and the shared corpus.

#include <filesystem>

namespace civic::test {

inline std::filesystem::path source_dir() { return CIVIC_SOURCE_DIR; }
inline std::filesystem::path schemas_dir() { return source_dir() / "schemas"; }

}  // namespace civic::test
