#pragma once
// `gateway open-export --day=YYYY-MM-DD --out=DIR`: reads feedback.cases from
// the beginning to its end (committed records) and writes that day's export
// (daily_export.hpp) to DIR as open-cases-<day>.csv, open-cases-<day>.jsonl and
// open-cases-dictionary.csv, each replaced atomically. Meant for a daily
// scheduled job (cron, a Kubernetes CronJob) after the day ended.

#include <span>
#include <string_view>

namespace civic::gateway::open {

int run_export_command(std::span<const std::string_view> args);

}  // namespace civic::gateway::open
