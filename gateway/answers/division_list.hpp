#pragma once
// The city's divisions, as the router knows them: the division ids of the
// routing rules file (router.rules; consumers/classify reads it) and "triage",
// where the router sends what no rule claims. A reassignment (assign_to) may
// name only these.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/expected.hpp"

namespace civic::gateway::answers {

class division_list {
 public:
  explicit division_list(std::vector<std::string> ids);
  // The rules file's divisions; an unreadable or invalid file says why.
  static expected<division_list, std::string> from_rules_file(const std::filesystem::path& file);

  bool contains(std::string_view id) const;
  // "transport, roads, ..., triage": for a refusal's detail.
  std::string joined() const;
  const std::vector<std::string>& ids() const { return ids_; }

 private:
  std::vector<std::string> ids_;
};

}  // namespace civic::gateway::answers
