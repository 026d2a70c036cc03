#include "common/kafka/kafka_error.hpp"

namespace civic {
namespace {

class kafka_error_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kafka"; }
  std::string message(int value) const override {
    return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(value));
  }
};

}  // namespace

const std::error_category& kafka_category() noexcept {
  static const kafka_error_category category;
  return category;
}

bool is_retryable_kafka_error(std::error_code ec) noexcept {
  switch (static_cast<rd_kafka_resp_err_t>(ec.value())) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR__BAD_MSG:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
      return false;
    default:
      return true;
  }
}

}  // namespace civic
