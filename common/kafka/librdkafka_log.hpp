#pragma once
#include <librdkafka/rdkafka.h>

namespace civic::kafka {

// Sends librdkafka's own log lines and client errors to the JSON log.
void route_librdkafka_logs(rd_kafka_conf_t* conf);

}  // namespace civic::kafka
