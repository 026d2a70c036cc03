#pragma once
// Reads a rules file (YAML, schemas/rules.v1.schema.json) into a rules_set.
// Everything is checked here, so a broken file is refused before it replaces
// working rules: errors read "seoul.yaml:42: divisions.water.rules[3].weight: ...".

#include <filesystem>
#include <string>
#include <string_view>

#include "common/error/expected.hpp"
#include "consumers/classify/rules.hpp"

namespace civic::classify {

expected<rules_set, std::string> load_rules_file(const std::filesystem::path& file);

// The same from text; `name` is used in messages and relative paths resolve
// against its folder.
expected<rules_set, std::string> parse_rules(std::string_view yaml,
                                             const std::filesystem::path& name);

}  // namespace civic::classify
