#include "consumers/answers/channels/channel_client.hpp"

#include <charconv>
#include <ctime>

#include "common/json/writer.hpp"

namespace civic::answers {
namespace {

std::vector<client_registration>& registry() {
  static std::vector<client_registration> clients;
  return clients;
}

std::optional<std::chrono::system_clock::time_point> http_date(const std::string& text) {
  std::tm tm{};
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

bool register_client(client_registration r) {
  registry().push_back(std::move(r));
  return true;
}

const std::vector<client_registration>& registered_clients() { return registry(); }

expected<std::vector<std::unique_ptr<channel_client>>, std::string> make_enabled_clients(
    const config::settings& s) {
  std::vector<std::unique_ptr<channel_client>> out;
  for (const auto& r : registry()) {
    if (!s.boolean(r.options.front().key)) continue;
    auto client = r.make(s);
    if (!client) return unexpected(std::string(r.channel) + ": " + client.error());
    out.push_back(std::move(*client));
  }
  return out;
}

std::optional<std::chrono::milliseconds> retry_after(const http_result& r,
                                                     std::chrono::system_clock::time_point now) {
  auto found = r.headers.find("retry-after");
  if (found == r.headers.end()) return std::nullopt;
  const std::string& v = found->second;
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (ec == std::errc() && end == v.data() + v.size() && seconds >= 0) {
    return std::chrono::milliseconds(seconds * 1000);
  }
  if (auto at = http_date(v)) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*at - now);
    return wait.count() > 0 ? wait : std::chrono::milliseconds(0);
  }
  return std::nullopt;
}

std::optional<send_result> transient(const http_result& r,
                                     std::chrono::system_clock::time_point now,
                                     std::string_view mode) {
  if (r.outcome == transport::not_sent) {
    return send_result{send_verdict::retry, "not sent: " + r.error, std::nullopt,
                       std::string(mode)};
  }
  if (r.outcome == transport::no_answer) {
    return send_result{send_verdict::ambiguous, "no answer: " + r.error, std::nullopt,
                       std::string(mode)};
  }
  if (r.status == 429 || r.status >= 500) {
    return send_result{send_verdict::retry, "HTTP " + std::to_string(r.status), retry_after(r, now),
                       std::string(mode)};
  }
  return std::nullopt;
}

std::string fit(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars == max_chars - 1) {
      // Is there more than one further character?
      size_t rest = 0;
      for (size_t j = i; j < text.size() && rest < 2; ++j) {
        rest += (static_cast<unsigned char>(text[j]) & 0xC0) != 0x80;
      }
      if (rest > 1) return std::string(text.substr(0, i)) + "\xE2\x80\xA6";  // …
      return std::string(text);
    }
    ++chars;
  }
  return std::string(text);
}

std::string json_string(std::string_view text) {
  json::writer w;
  w.string(text);
  return w.str();
}

}  // namespace civic::answers
