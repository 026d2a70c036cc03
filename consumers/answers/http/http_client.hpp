#pragma once
// The answers service's one outbound client, over libcurl (Debian's
// libcurl4-openssl-dev): HTTPS with keep-alive for the channels' APIs, and SMTP
// for e-mail. libcurl rather than a Beast client because one well-kept library
// covers both protocols, TLS and proxies, and the consumers never link Asio.
// One client per thread (a curl easy handle is not thread-safe).

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace civic::answers {

struct http_settings {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{15000};
};

// What happened on the wire, which decides whether a repeat could be a second copy.
enum class transport { answered, not_sent, no_answer };

struct http_result {
  transport outcome = transport::answered;
  long status = 0;                             // when answered
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string error;  // libcurl's reason when not answered (never the request's content)
};

struct mail {
  std::string from;     // envelope sender and From:
  std::string to;       // one recipient address
  std::string message;  // the whole RFC 5322 message, CRLF line ends
};

struct smtp_settings {
  std::string url;  // smtp://host:port or smtps://host:port
  std::string user;
  std::string password;
  bool require_tls = false;  // STARTTLS on smtp://
};

class http_client {
 public:
  explicit http_client(http_settings s);
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // POST with the given header lines ("Name: value") and body.
  http_result post(const std::string& url, const std::vector<std::string>& headers,
                   const std::string& body);

  // Sends one message; status is the SMTP reply code (250 on success).
  http_result send_mail(const smtp_settings& smtp, const mail& m);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace civic::answers
