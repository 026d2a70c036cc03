#pragma once
// The rules in force, and their replacement when the file changes or a reload
// is requested (SIGHUP). Only the processing thread calls current(), at the start
// of each batch, so one batch is always classified by one edition of the rules
// and a reload never loses or repeats a message. A file that does not load (or
// names a division without a topic) is refused with its error and the rules in
// force stay.
//
// A file being written in place (editors truncate, then write) can be a valid
// prefix of the new rules, e.g. without its urgency rules. So a changed file is
// loaded only once its (modification time, size) stayed the same over one full
// check interval, and a load whose file changed while it was read is discarded
// and tried again later. The safe ways to deploy remain: write a new file and
// rename it over the old one (atomic), or write it and send SIGHUP.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/error/expected.hpp"
#include "consumers/classify/classifier.hpp"

namespace civic::router {

class rules_reloader {
 public:
  // Returns an error when the loaded rules cannot be used (e.g. a division whose
  // topic is missing); empty when they can.
  using acceptance_check = std::function<std::string(const classify::classifier&)>;

  static expected<std::unique_ptr<rules_reloader>, std::string> create(
      std::filesystem::path file, std::chrono::milliseconds check_interval,
      acceptance_check accept = {},
      std::shared_ptr<const classify::model::semantic_model> model = nullptr);

  // Async-signal-safe: the next current() reloads.
  void request_reload() noexcept { requested_.store(true, std::memory_order_relaxed); }

  // The rules to use now; reloads first when requested, or when the file's
  // (modification time, size) changed and then stayed the same for one check
  // interval (checked at most once per check_interval).
  const std::shared_ptr<const classify::classifier>& current();

  uint64_t reloads() const { return reloads_; }
  uint64_t refused() const { return refused_; }

 private:
  rules_reloader(std::filesystem::path file, std::chrono::milliseconds interval,
                 acceptance_check accept,
                 std::shared_ptr<const classify::model::semantic_model> model)
      : file_(std::move(file)),
        interval_(interval),
        accept_(std::move(accept)),
        model_(std::move(model)) {}
  struct file_stamp {
    std::filesystem::file_time_type modified;
    std::uintmax_t size = 0;
    bool operator==(const file_stamp&) const = default;
  };
  std::optional<file_stamp> stamp() const;
  void check_file();
  void reload(const char* cause);

  std::filesystem::path file_;
  std::chrono::milliseconds interval_;
  acceptance_check accept_;
  std::shared_ptr<const classify::model::semantic_model> model_;  // kept over reloads
  std::shared_ptr<const classify::classifier> rules_;
  std::optional<file_stamp> loaded_stamp_;   // of the last complete read, accepted or refused
  std::optional<file_stamp> changed_stamp_;  // a change seen at the last check, not yet loaded
  std::chrono::steady_clock::time_point next_check_{};
  std::atomic<bool> requested_{false};
  uint64_t reloads_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace civic::router
