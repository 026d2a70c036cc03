#include "consumers/router/rules_reloader.hpp"

#include "common/log/log.hpp"

namespace civic::router {

expected<std::unique_ptr<rules_reloader>, std::string> rules_reloader::create(
    std::filesystem::path file, std::chrono::milliseconds check_interval, acceptance_check accept,
    std::shared_ptr<const classify::model::semantic_model> model) {
  std::unique_ptr<rules_reloader> r(
      new rules_reloader(std::move(file), check_interval, std::move(accept), std::move(model)));
  const auto before = r->stamp();
  auto loaded = classify::classifier::load(r->file_, r->model_);
  if (!loaded) return unexpected(std::move(loaded.error()));
  if (before != r->stamp())
    return unexpected(r->file_.string() +
                      ": changed while it was read; start again once it is written");
  if (r->accept_) {
    if (auto why = r->accept_(**loaded); !why.empty())
      return unexpected(r->file_.string() + ": " + why);
  }
  r->loaded_stamp_ = before;
  r->rules_ = std::move(*loaded);
  r->next_check_ = std::chrono::steady_clock::now() + r->interval_;
  log::info("router.rules.loaded",
            {{"file", r->file_.string()}, {"version", r->rules_->rules_version()}});
  return r;
}

std::optional<rules_reloader::file_stamp> rules_reloader::stamp() const {
  std::error_code ec;
  const auto modified = std::filesystem::last_write_time(file_, ec);
  if (ec) return std::nullopt;
  const auto size = std::filesystem::file_size(file_, ec);
  if (ec) return std::nullopt;
  return file_stamp{modified, size};
}

const std::shared_ptr<const classify::classifier>& rules_reloader::current() {
  if (requested_.exchange(false, std::memory_order_relaxed)) {
    reload("signal");
  } else if (interval_.count() > 0) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_check_) {
      next_check_ = now + interval_;
      check_file();
    }
  }
  return rules_;
}

void rules_reloader::check_file() {
  const auto now = stamp();
  if (!now || now == loaded_stamp_) {
    // Missing (being replaced) or back to what was read last: nothing to load.
    changed_stamp_.reset();
    return;
  }
  if (now != changed_stamp_) {
    // Changed since the last check: maybe still being written. Wait one interval.
    changed_stamp_ = now;
    return;
  }
  changed_stamp_.reset();
  reload("file-changed");
}

void rules_reloader::reload(const char* cause) {
  const auto before = stamp();
  auto loaded = classify::classifier::load(file_, model_);
  const auto after = stamp();
  if (!before || before != after) {
    // Written while we read it: what we read may be any mixture. The next
    // checks load it once it has stayed the same for an interval.
    log::warn(
        "router.rules.changing",
        {{"file", file_.string()}, {"cause", cause}, {"kept_version", rules_->rules_version()}});
    loaded_stamp_.reset();
    return;
  }
  // Remembered also when refused, so that a refused file is not retried until
  // it changes again.
  loaded_stamp_ = before;
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
