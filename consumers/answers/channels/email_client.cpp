// The city website's citizens are answered by e-mail over SMTP (libcurl), at
// the address the form gave (sealed in the reply token).
// SMTP has no idempotency key; the Message-ID is fixed per (update, recipient),
// so a mail program that folds messages with one Message-ID (Gmail does) shows
// a repeat once.
#include <openssl/evp.h>

#include <ctime>

#include "consumers/answers/channels/channel_client.hpp"

namespace civic::answers {
namespace {

constexpr config::option options[] = {
    {"answers.web.enabled", "false", "Answer the website's citizens by e-mail.",
     config::value_type::boolean},
    {"answers.web.smtp_url", "smtp://127.0.0.1:25",
     "SMTP server: smtp://host:port (STARTTLS with answers.web.smtp_starttls) or smtps://."},
    {"answers.web.smtp_user", "", "SMTP user name; empty: no authentication."},
    {"answers.web.smtp_password", "", "SMTP password; a secret."},
    {"answers.web.smtp_starttls", "false", "Require STARTTLS on smtp://.",
     config::value_type::boolean},
    {"answers.web.from", "noreply@example.org", "The sender address."},
    {"answers.web.rate_per_second", "10", "Messages per second at most.",
     config::value_type::integer, 0, 1000},
};

std::string base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool plausible_address(std::string_view a) {
  size_t at = a.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < a.size() && a.size() <= 254 &&
         a.find_first_of("\r\n<>, \t\"") == std::string_view::npos;
}

std::string rfc5322_date(std::chrono::system_clock::time_point t) {
  std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buffer;
}

class email_client final : public channel_client {
 public:
  email_client(smtp_settings smtp, std::string from, double rate)
      : smtp_(std::move(smtp)), from_(std::move(from)), rate_(rate) {}

  std::string_view channel() const override { return "web"; }
  double rate_per_second() const override { return rate_; }
  bool repeat_safe(std::string_view) const override { return false; }
  plan choose(const delivery_job& job) const override {
    if (!plausible_address(job.address.to)) {
      return {"email", send_result{send_verdict::refused,
                                   "no e-mail address: the form gave none (only a phone number, "
                                   "or nothing)",
                                   std::nullopt, "email"}};
    }
    return {"email", std::nullopt};
  }

  send_result send(const delivery_job& job, http_client& http) const override {
    std::string domain = from_.substr(from_.find('@') + 1);
    bool korean = job.message.language == "ko";
    std::string subject = (korean ? "[서울시] 민원 처리 안내 " : "[Seoul] Your report ") +
                          std::string("(") + job.message.case_ref + ")";
    std::string body = job.message.text;
    std::string wrapped;
    std::string encoded = base64(body);
    for (size_t i = 0; i < encoded.size(); i += 76) wrapped += encoded.substr(i, 76) + "\r\n";
    std::string message = "From: <" + from_ + ">\r\nTo: <" + job.address.to +
                          ">\r\nSubject: =?UTF-8?B?" + base64(subject) +
                          "?=\r\nDate: " + rfc5322_date(job.now) + "\r\nMessage-ID: <" +
                          job.idempotency_key + "@" + domain +
                          ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                          "Content-Transfer-Encoding: base64\r\n\r\n" +
                          wrapped;
    auto r = http.send_mail(smtp_, {from_, job.address.to, message});
    if (r.outcome == transport::not_sent) {
      return {send_verdict::retry, "not sent: " + r.error, std::nullopt, "email"};
    }
    if (r.outcome == transport::no_answer) {
      return {send_verdict::ambiguous, "no answer: " + r.error, std::nullopt, "email"};
    }
    if (r.status >= 200 && r.status < 300) {
      return {send_verdict::delivered, "", std::nullopt, "email"};
    }
    if (r.status >= 400 && r.status < 500) {
      return {send_verdict::retry, "SMTP " + std::to_string(r.status), std::nullopt, "email"};
    }
    return {send_verdict::refused, "SMTP " + std::to_string(r.status), std::nullopt, "email"};
  }

 private:
  smtp_settings smtp_;
  std::string from_;
  double rate_;
};

const bool registered = register_client(
    {"web", options,
     [](const config::settings& s) -> expected<std::unique_ptr<channel_client>, std::string> {
       smtp_settings smtp{s.text("answers.web.smtp_url"), s.text("answers.web.smtp_user"),
                          s.text("answers.web.smtp_password"),
                          s.boolean("answers.web.smtp_starttls")};
       const std::string& from = s.text("answers.web.from");
       if (!plausible_address(from)) {
         return unexpected(std::string("answers.web.from must be an e-mail address"));
       }
       return std::unique_ptr<channel_client>(new email_client(
           std::move(smtp), from, static_cast<double>(s.integer("answers.web.rate_per_second"))));
     }});

}  // namespace
}  // namespace civic::answers
