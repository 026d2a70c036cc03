#include "gateway/subscribe/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace civic::gateway::subscribe {
namespace {

namespace fs = std::filesystem;

std::string content_type_of(const fs::path& p) {
  auto ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".geojson") return "application/geo+json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  return "application/octet-stream";
}

std::optional<std::string> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

expected<static_files, std::string> static_files::load(
    const std::string& folder, const std::map<std::string, std::string>& extra) {
  static_files out;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return unexpected("dashboard folder " + folder + " not found");
  for (auto it = fs::recursive_directory_iterator(folder, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    auto name = it->path().filename().string();
    if (it->is_directory() &&
        (name == "node_modules" || name == "tests" || name.starts_with("."))) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || name.starts_with(".") || name == "package.json" ||
        name == "package-lock.json") {
      continue;
    }
    auto body = read_all(it->path());
    if (!body) return unexpected("cannot read " + it->path().string());
    std::string key = fs::relative(it->path(), folder).generic_string();
    out.files_[key] = {content_type_of(it->path()), std::move(*body)};
  }
  for (const auto& [url, file] : extra) {
    auto body = read_all(file);
    if (!body) return unexpected("cannot read " + file);
    out.files_[url] = {content_type_of(url), std::move(*body)};
  }
  return out;
}

const static_file* static_files::find(std::string_view path) const {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) path = "index.html";
  auto found = files_.find(path);
  return found == files_.end() ? nullptr : &found->second;
}

}  // namespace civic::gateway::subscribe
