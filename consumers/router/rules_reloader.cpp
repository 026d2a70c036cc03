#include "consumers/router/rules_reloader.hpp"

#include "common/log/log.hpp"

namespace civic::router {

expected<std::unique_ptr<rules_reloader>, std::string> rules_reloader::create(std::filesystem::path file,
                                                                              std::chrono::milliseconds check_interval,
                                                                              acceptance_check accept) {
  std::unique_ptr<rules_reloader> r(new rules_reloader(std::move(file), check_interval, std::move(accept)));
  r->loaded_mtime_ = r->modified();
  auto loaded = classify::classifier::load(r->file_);
  if (!loaded) return unexpected(std::move(loaded.error()));
  if (r->accept_) {
    if (auto why = r->accept_(**loaded); !why.empty()) return unexpected(r->file_.string() + ": " + why);
  }
  r->rules_ = std::move(*loaded);
  r->next_check_ = std::chrono::steady_clock::now() + r->interval_;
  log::info("router.rules.loaded", {{"file", r->file_.string()}, {"version", r->rules_->rules_version()}});
  return r;
}

std::optional<std::filesystem::file_time_type> rules_reloader::modified() const {
  std::error_code ec;
  auto t = std::filesystem::last_write_time(file_, ec);
  if (ec) return std::nullopt;
  return t;
}

const std::shared_ptr<const classify::classifier>& rules_reloader::current() {
  if (requested_.exchange(false, std::memory_order_relaxed)) {
    loaded_mtime_ = modified();
    reload("signal");
  } else if (interval_.count() > 0) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_check_) {
      next_check_ = now + interval_;
      const auto mtime = modified();
      if (mtime && mtime != loaded_mtime_) {
        // Remembered before loading so that a refused file is not retried
        // until it changes again.
        loaded_mtime_ = mtime;
        reload("file-changed");
      }
    }
  }
  return rules_;
}

void rules_reloader::reload(const char* cause) {
  auto loaded = classify::classifier::load(file_);
  std::string error;
  if (!loaded) {
    error = loaded.error();
  } else if (accept_) {
    error = accept_(**loaded);
  }
  if (!error.empty()) {
    ++refused_;
    log::error("router.rules.refused", {{"file", file_.string()},
                                        {"cause", cause},
                                        {"error", error},
                                        {"kept_version", rules_->rules_version()}});
    return;
  }
  ++reloads_;
  log::info("router.rules.reloaded", {{"file", file_.string()},
                                      {"cause", cause},
                                      {"version", (*loaded)->rules_version()},
                                      {"previous_version", rules_->rules_version()}});
  rules_ = std::move(*loaded);
}

}  // namespace civic::router
