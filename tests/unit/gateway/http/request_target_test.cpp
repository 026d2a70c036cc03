#include "gateway/http/request_target.hpp"

#include <doctest/doctest.h>

using civic::gateway::http::origin_form;

TEST_CASE("an absolute-form target is routed by its path and query") {
  CHECK(origin_form("/v1/messages") == "/v1/messages");
  CHECK(origin_form("/v1/cases?status=open") == "/v1/cases?status=open");
  CHECK(origin_form("http://gateway.example/v1/messages") == "/v1/messages");
  CHECK(origin_form("HTTPS://gateway.example:8443/v1/cases?status=open") ==
        "/v1/cases?status=open");
  CHECK(origin_form("http://gateway.example") == "/");
  CHECK(origin_form("http://gateway.example?x=1") == "?x=1");
  // Not absolute-form: left for routing to refuse.
  CHECK(origin_form("ftp://gateway.example/v1/messages") == "ftp://gateway.example/v1/messages");
  CHECK(origin_form("*") == "*");
  CHECK(origin_form("gateway.example:443") == "gateway.example:443");
}
