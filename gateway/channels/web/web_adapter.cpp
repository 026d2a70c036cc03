// The city website's feedback form, posted by the site's server as JSON or
// application/x-www-form-urlencoded. A shared token (when configured) comes in
// X-Form-Token. submission_id is the key when the site sends one; otherwise a
// hash of the author and text.
#include <charconv>

#include "common/crypto/hmac.hpp"
#include "common/error/errc.hpp"
#include "gateway/channels/registry.hpp"
#include "gateway/channels/support/content_key.hpp"
#include "gateway/channels/support/form_or_json.hpp"

namespace civic::gateway::channels {
namespace {

constexpr config::option options[] = {
    {"channels.web.enabled", "false", "Take the city website's form posts at /v1/webhooks/web.",
     config::value_type::boolean},
    {"channels.web.token", "",
     "Shared token the website sends in X-Form-Token; empty accepts posts without one (the "
     "per-address rate limit still applies)."},
};

std::optional<double> to_number(const form_fields& f, const char* name) {
  auto it = f.find(name);
  if (it == f.end() || it->second.empty()) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  if (ec != std::errc() || end != it->second.data() + it->second.size()) return std::nullopt;
  return value;
}

std::optional<std::string> field(const form_fields& f, const char* name) {
  auto it = f.find(name);
  if (it == f.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

class web_adapter final : public adapter {
 public:
  explicit web_adapter(std::string token) : token_(std::move(token)) {}

  bool authentic(const request& req) const override {
    if (token_.empty()) return true;
    auto given = req.header("X-Form-Token");
    return given && crypto::constant_time_equal(*given, token_);
  }

  expected<delivery, response> extract(const request& req) const override {
    auto fields = read_fields(req.content_type, req.body);
    if (!fields) return unexpected(std::move(fields).error());
    const form_fields& f = *fields;
    auto text = field(f, "text");
    if (!text) text = field(f, "description");
    if (!text) return unexpected(problem(400, "missing_field", "/text is required"));

    ingest::inbound_message m;
    m.channel = "web";
    m.text = *text;
    m.author = field(f, "email");  // pseudonymized downstream; never stored raw
    if (!m.author) m.author = field(f, "phone");
    auto submission = field(f, "submission_id");
    m.id = submission ? *submission : content_key({m.author.value_or(""), *text});
    if (auto kind = field(f, "kind")) {
      m.kind = envelope::parse_kind(*kind);
      if (!m.kind)
        return unexpected(
            problem(400, "invalid_value", "/kind must be complaint, idea, praise or question"));
    }
    auto lat = to_number(f, "lat"), lon = to_number(f, "lon");
    if (lat.has_value() != lon.has_value() ||
        (lat && (*lat < -90 || *lat > 90 || *lon < -180 || *lon > 180))) {
      return unexpected(
          problem(400, "invalid_value", "/lat and /lon must be valid coordinates given together"));
    }
    auto address = field(f, "address");
    if (lat || address) m.place = envelope::location{lat, lon, address, std::nullopt};
    if (auto media = field(f, "media_url")) m.media.push_back(*media);
    // The answer goes by e-mail when the form gave an address (sealed in the reply
    // token, never in a topic); otherwise the submission is all there is.
    auto email = field(f, "email");
    m.conversation_id = email ? *email : m.id;

    delivery d;
    d.messages.push_back(std::move(m));
    d.answer = [](const std::vector<ingest::outcome>& outcomes) {
      const auto& o = outcomes.at(0);
      if (!o.error) {
        return response{200, "application/json",
                        "{\"status\":\"stored\",\"receipt\":\"" + o.id.substr(0, 12) + "\"}",
                        false};
      }
      if (!o.retryable) {
        return problem(400, error_name(o.error->code), o.error->pointer + " " + o.error->message);
      }
      auto later = problem(503, "unavailable", "not stored; send the form again shortly");
      later.retry_later = true;
      return later;
    };
    return d;
  }

 private:
  std::string token_;
};

const bool registered = register_channel(
    {"web", options,
     [](const setting_lookup& get) -> expected<std::unique_ptr<adapter>, std::string> {
       return std::unique_ptr<adapter>(new web_adapter(get("channels.web.token")));
     }});

}  // namespace
}  // namespace civic::gateway::channels
