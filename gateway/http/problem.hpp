#pragma once
// The one way an error becomes an HTTP answer: RFC 9457 problem details whose
// status, title, code and retryable flag come from the error's row in
// common/error/errc.cpp. Retryable errors carry Retry-After; 401s carry
// WWW-Authenticate (RFC 6750).

#include <string>
#include <string_view>
#include <system_error>

#include "gateway/http/message.hpp"

namespace civic::gateway::http {

// How long a client told to come back should wait.
inline constexpr std::chrono::seconds retry_after_default{1};

struct problem_details {
  std::string_view detail;   // human-readable; never echoes a value (it may be personal data)
  std::string_view pointer;  // RFC 6901 pointer to the field at fault, "" for the whole request
  std::string_view id;       // the sender's message id when known
};

// {"type","title","status","detail","code","pointer","id","retryable"}
std::string problem_json(std::error_code code, const problem_details& d);

response problem(std::error_code code, std::string_view detail, std::string_view pointer = {},
                 std::string_view id = {});

// A JSON answer, or one of any content type.
response json(unsigned status, std::string body);
response answer(unsigned status, std::string content_type, std::string body);

}  // namespace civic::gateway::http
