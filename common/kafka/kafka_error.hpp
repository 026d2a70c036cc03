#pragma once
// librdkafka's rd_kafka_resp_err_t as std::error_code values.

#include <librdkafka/rdkafka.h>

#include <system_error>

namespace civic {

const std::error_category& kafka_category() noexcept;

inline std::error_code make_kafka_error(rd_kafka_resp_err_t err) noexcept {
  return {static_cast<int>(err), kafka_category()};
}

// False only for errors where the same record can never be stored (too large,
// rejected as invalid, not authorised); timeouts and broker outages are retryable.
bool is_retryable_kafka_error(std::error_code ec) noexcept;

}  // namespace civic
