#include "common/kafka/librdkafka_log.hpp"

#include "common/log/log.hpp"

namespace civic::kafka {
namespace {

log::level from_syslog_level(int syslog_level) {
  if (syslog_level <= 3) return log::level::error;
  if (syslog_level == 4) return log::level::warn;
  if (syslog_level <= 6) return log::level::info;
  return log::level::debug;
}

void on_log(const rd_kafka_t* rk, int syslog_level, const char* facility, const char* text) {
  log::write(from_syslog_level(syslog_level), "kafka.client_log",
             {{"client", rd_kafka_name(rk)}, {"facility", facility}, {"detail", text}});
}

void on_error(rd_kafka_t* rk, int err, const char* reason, void* /*opaque*/) {
  log::warn("kafka.client_error",
            {{"client", rd_kafka_name(rk)},
             {"code", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))},
             {"detail", reason}});
}

}  // namespace

void route_librdkafka_logs(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(conf, on_log);
  rd_kafka_conf_set_error_cb(conf, on_error);
}

}  // namespace civic::kafka
