#include "common/error/errc.hpp"

#include <doctest/doctest.h>

#include <set>

#include "common/kafka/kafka_error.hpp"

using namespace civic;

TEST_CASE("every error has one row: a distinct name, a status, a retryable flag") {
  std::set<std::string_view> names;
  for (std::string_view name : error_names()) CHECK(names.insert(name).second);
  for (int value = 1; value < 250; ++value) {
    std::error_code ec = make_error_code(static_cast<errc>(value));
    const error_traits& t = traits(ec);
    if (t.name == "unknown_error") continue;
    CAPTURE(t.name);
    CHECK(t.http_status >= 400);
    CHECK(t.http_status < 600);
    CHECK(error_names()[error_index(ec)] == t.name);
    // Retryable means "come back later": 429 or 503. Everything else is final.
    CHECK(t.retryable == (t.http_status == 429 || t.http_status == 503));
    CHECK(!t.title.empty());
    CHECK(std::string(ec.message()) == std::string(t.name));
  }
}

TEST_CASE("the answers a sender sees") {
  CHECK(traits(errc::bad_request).http_status == 400);
  CHECK(traits(errc::header_too_large).http_status == 431);
  CHECK(traits(errc::unauthenticated).http_status == 401);
  CHECK(traits(errc::credential_expired).http_status == 401);
  CHECK(traits(errc::forbidden).http_status == 403);
  CHECK(traits(errc::rate_limited).http_status == 429);
  CHECK(traits(errc::overloaded).http_status == 503);
  CHECK(traits(errc::unavailable).http_status == 503);
  CHECK(traits(errc::shutting_down).ws_close_code == 1001);
  CHECK(traits(errc::invalid_utf8).ws_close_code == 1007);
  CHECK(traits(errc::too_large).ws_close_code == 1009);
  CHECK(traits(errc::missing_field).ws_close_code == 0);  // a nack; the connection stays
}

TEST_CASE("Kafka's errors and foreign ones have traits too") {
  auto timed_out = make_kafka_error(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
  CHECK(error_name(timed_out) == "kafka_error");
  CHECK(is_retryable(timed_out));
  CHECK(traits(timed_out).http_status == 503);
  auto denied = make_kafka_error(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  CHECK_FALSE(is_retryable(denied));
  CHECK(traits(denied).http_status == 500);
  CHECK(error_name(make_kafka_error(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)) == "too_large");
  CHECK(error_name(std::make_error_code(std::errc::io_error)) == "internal_error");
}
