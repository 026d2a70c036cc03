// The city website's feedback form, posted by the site's server as JSON or
// application/x-www-form-urlencoded. A shared token (when configured) comes in
// X-Form-Token. submission_id is the key when the site sends one; otherwise a
// hash of the author and text.
#include "common/error/errc.hpp"
#include "gateway/channels/registry.hpp"
#include "gateway/channels/support/content_key.hpp"
#include "gateway/channels/support/coordinate.hpp"
#include "gateway/channels/support/form_or_json.hpp"
#include "gateway/channels/support/signature.hpp"
#include "gateway/http/problem.hpp"

namespace civic::gateway::channels {
namespace {

constexpr config::option options[] = {
    {"channels.web.enabled", "false", "Take the city website's form posts at /v1/webhooks/web.",
     config::value_type::boolean},
    {"channels.web.token", "",
     "Shared token the website sends in X-Form-Token; empty accepts posts without one (the "
     "per-address rate limit still applies)."},
};

std::optional<std::string> field(const form_pairs& f, const char* name) {
  return first_value(f, name);
}

class web_adapter final : public adapter {
 public:
  explicit web_adapter(std::string token) : token_(std::move(token)) {}

  bool authentic(const request& req) const override {
    if (token_.empty()) return true;
    return secret_matches(req.header("X-Form-Token"), token_);
  }

  expected<delivery, response> extract(const request& req) const override {
    auto fields = read_fields(req.content_type, req.body);
    if (!fields) return unexpected(http::problem(fields.error().code, fields.error().message));
    const form_pairs& f = *fields;
    auto text = field(f, "text");
    if (!text) text = field(f, "description");
    if (!text) return unexpected(http::problem(errc::missing_field, "/text is required", "/text"));

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
        return unexpected(http::problem(
            errc::invalid_value, "/kind must be complaint, idea, praise or question", "/kind"));
    }
    auto lat_text = field(f, "lat"), lon_text = field(f, "lon");
    std::optional<double> lat, lon;
    if (lat_text) lat = latitude(*lat_text);
    if (lon_text) lon = longitude(*lon_text);
    if (lat_text.has_value() != lon_text.has_value() || (lat_text && (!lat || !lon))) {
      return unexpected(http::problem(
          errc::invalid_value, "/lat and /lon must be valid coordinates given together", "/lat"));
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
        return http::json(200,
                          "{\"status\":\"stored\",\"receipt\":\"" + o.id.substr(0, 12) + "\"}");
      }
      if (!o.retryable()) {
        return http::problem(o.error->code, o.error->pointer + " " + o.error->message,
                             o.error->pointer);
      }
      return http::problem(o.error->code, "not stored; send the form again shortly");
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
