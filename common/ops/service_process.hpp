#pragma once
// The process around a consumer service (dedup, router, answers) once the service is
// made: its ops endpoints, the signals that stop it (SIGTERM, SIGINT) and, for a
// service that can reload (reload_rules()), SIGHUP; its run; and the line that says
// how it stopped.

#include <atomic>
#include <csignal>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "common/log/log.hpp"
#include "common/ops/ops_server.hpp"

namespace civic::ops {

template <class Service>
class service_process {
 public:
  // The process's exit status: 0 after a stop that was asked for, 1 on a failure
  // (logged as <name>.start_failed or <name>.stopped with its error).
  static int run(std::string_view name, Service& svc, std::string_view ops_listen) {
    const std::string prefix(name);
    std::unique_ptr<ops_server> endpoints;
    if (!ops_listen.empty()) {
      auto started = ops_server::start(
          ops_listen, {[&svc] { return svc.readiness(); }, [&svc] { return svc.metrics_text(); }});
      if (!started) {
        log::error(prefix + ".start_failed", {{"detail", started.error()}});
        return 1;
      }
      endpoints = std::move(*started);
    }
    running_.store(&svc);
    std::signal(SIGTERM, on_stop);
    std::signal(SIGINT, on_stop);
    if constexpr (reloads) std::signal(SIGHUP, on_reload);
    const std::error_code error = svc.run();
    // Stopping: a second SIGTERM/SIGINT (e.g. while the producer closes) ends the
    // process as usual instead of being swallowed.
    if constexpr (reloads) std::signal(SIGHUP, SIG_IGN);
    std::signal(SIGTERM, SIG_DFL);
    std::signal(SIGINT, SIG_DFL);
    running_.store(nullptr);
    if (error) {
      log::error(prefix + ".stopped", {{"error", error.message()}});
      return 1;
    }
    log::info(prefix + ".stopped");
    return 0;
  }

 private:
  static constexpr bool reloads = requires(Service & s) { s.reload_rules(); };

  // Read by the signal handlers: an atomic pointer (lock-free, so async-signal-safe);
  // stop() and reload_rules() only set flags.
  static inline std::atomic<Service*> running_{nullptr};
  static_assert(std::atomic<Service*>::is_always_lock_free);

  static void on_stop(int) {
    if (Service* s = running_.load()) s->stop();
  }
  static void on_reload(int) {
    if constexpr (reloads) {
      if (Service* s = running_.load()) s->reload_rules();
    }
  }
};

}  // namespace civic::ops
