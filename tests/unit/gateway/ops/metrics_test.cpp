#include "gateway/ops/metrics.hpp"

#include <doctest/doctest.h>

#include "common/error/errc.hpp"

using namespace civic;
using namespace civic::gateway;
using namespace std::chrono_literals;

TEST_CASE("metrics render in Prometheus text format with outcomes, reasons and latency") {
  ops::metrics m;
  m.stored(3ms);
  m.stored(700ms);
  m.rejected(errc::too_deep);
  m.refused(errc::unavailable);
  m.connection_opened(ops::protocol::websocket);
  std::string text = m.render({5, 1024, 7, true});

  CHECK(text.find("gateway_messages_total{outcome=\"stored\"} 2\n") != std::string::npos);
  CHECK(text.find("gateway_rejected_total{reason=\"too_deep\"} 1\n") != std::string::npos);
  CHECK(text.find("gateway_refused_total{reason=\"unavailable\"} 1\n") != std::string::npos);
  CHECK(text.find("gateway_in_flight_messages 5\n") != std::string::npos);
  CHECK(text.find("gateway_producer_queue_depth 7\n") != std::string::npos);
  CHECK(text.find("gateway_kafka_ready 1\n") != std::string::npos);
  CHECK(text.find("gateway_connections{protocol=\"websocket\"} 1\n") != std::string::npos);
  CHECK(text.find("gateway_ack_latency_seconds_bucket{le=\"0.005\"} 1\n") != std::string::npos);
  CHECK(text.find("gateway_ack_latency_seconds_bucket{le=\"1\"} 2\n") != std::string::npos);
  CHECK(text.find("gateway_ack_latency_seconds_count 2\n") != std::string::npos);
  CHECK(text.find("# TYPE gateway_ack_latency_seconds histogram") != std::string::npos);
}
