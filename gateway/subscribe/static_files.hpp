#pragma once
// The dashboard's static files, read once at start from a folder in the repo
// (dashboard/) and served from memory at /dashboard/: nothing on the page comes
// from anywhere else (no CDN, no tiles; the 25 gu come from the districts file).

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/error/expected.hpp"

namespace civic::gateway::subscribe {

struct static_file {
  std::string content_type;
  std::string body;
};

class static_files {
 public:
  // Every regular file under `folder` (not its node_modules or tests) by its
  // path below it, plus `extra` (URL name -> file). Error: the folder is missing.
  static expected<static_files, std::string> load(const std::string& folder,
                                                  const std::map<std::string, std::string>& extra);

  // path below the mount point ("" and "/" mean index.html).
  const static_file* find(std::string_view path) const;
  size_t size() const { return files_.size(); }

 private:
  std::map<std::string, static_file, std::less<>> files_;
};

}  // namespace civic::gateway::subscribe
