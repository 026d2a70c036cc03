// Open311 GeoReport v2 under /open311/v2: services.json, services/{code}.json,
// POST requests.json (form-encoded, api_key) and GET requests/{id}.json. Errors are
// Open311's [{"code", "description"}] with 400, 403 and 404. The service_request_id
// is derived from the request's content (a resent request gets the same id, the
// idempotency key) and signed, so GET requests/{id}.json can tell the gateway's
// own ids from made-up ones without keeping state.

#include <algorithm>
#include <sstream>

#include "common/crypto/hmac.hpp"
#include "common/envelope/field_checks.hpp"
#include "common/error/errc.hpp"
#include "common/json/writer.hpp"
#include "gateway/channels/open311/service_list.hpp"
#include "gateway/channels/registry.hpp"
#include "gateway/channels/support/content_key.hpp"
#include "gateway/channels/support/coordinate.hpp"
#include "gateway/channels/support/form_or_json.hpp"
#include "gateway/channels/support/open311_ids.hpp"
#include "gateway/http/problem.hpp"

namespace civic::gateway::channels {
namespace {

constexpr config::option options[] = {
    {"channels.open311.enabled", "false", "Serve Open311 GeoReport v2 at /open311/v2.",
     config::value_type::boolean},
    {"channels.open311.api_keys", "", "Comma-separated API keys that may POST requests."},
    {"channels.open311.services_file", "deploy/config/open311-services.json",
     "The services offered, each with the division that owns it."},
    {"channels.open311.request_id_key", "",
     "Secret that signs service_request_ids, so look-ups of ids never issued answer 404."},
};

constexpr size_t max_description_chars = 4000;

// Open311's error format, [{"code", "description"}], with the status of the
// error's row in common/error/errc.cpp.
response open311_error(std::error_code error, std::string_view description) {
  const error_traits& t = traits(error);
  unsigned status = t.http_status;
  json::writer w;
  w.StartArray();
  w.StartObject();
  w.member("code", status);
  w.member("description", description);
  w.EndObject();
  w.EndArray();
  response r = http::json(status, w.str());
  if (t.retryable) r.retry_after = http::retry_after_default;
  return r;
}

size_t characters(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::optional<std::string> field(const form_pairs& f, const char* name) {
  return first_value(f, name);
}

// attribute[CODE]=value and, for a multivaluelist, attribute[CODE][]=value
// (GeoReport v2, POST Service Request), grouped by code in the order sent.
expected<std::vector<envelope::attribute>, std::string> attributes(const form_pairs& f) {
  constexpr std::string_view prefix = "attribute[";
  std::vector<envelope::attribute> out;
  for (const auto& [name, value] : f) {
    if (!std::string_view(name).starts_with(prefix)) continue;
    std::string_view rest = std::string_view(name).substr(prefix.size());
    size_t close = rest.find(']');
    std::string_view tail = close == std::string_view::npos ? "" : rest.substr(close + 1);
    if (close == std::string_view::npos || close == 0 || !(tail.empty() || tail == "[]")) {
      return unexpected(name + " is not attribute[CODE] or attribute[CODE][]");
    }
    std::string_view code = rest.substr(0, close);
    if (!envelope::is_identifier(code) || code.size() > envelope::limits::attribute_code_chars) {
      return unexpected("attribute codes have 1 to 64 characters and no control characters");
    }
    auto same = std::find_if(out.begin(), out.end(), [&](const auto& a) { return a.code == code; });
    if (same == out.end()) {
      if (out.size() == envelope::limits::attributes) {
        return unexpected("at most " + std::to_string(envelope::limits::attributes) +
                          " attributes");
      }
      out.push_back({std::string(code), {}});
      same = out.end() - 1;
    }
    if (same->values.size() == envelope::limits::attribute_values) {
      return unexpected("attribute[" + std::string(code) + "] has more than 16 values");
    }
    if (characters(value) > envelope::limits::attribute_value_chars) {
      return unexpected("attribute[" + std::string(code) + "] is longer than 500 characters");
    }
    same->values.push_back(value);
  }
  return out;
}

class open311_adapter final : public adapter {
 public:
  open311_adapter(std::vector<std::string> keys, open311::service_list services, std::string id_key)
      : api_keys_(std::move(keys)), services_(std::move(services)), ids_(std::move(id_key)) {}

  std::optional<response> respond_directly(const request& req) const override {
    if (req.method == "POST" && req.path == "/requests.json") return std::nullopt;
    if (req.method != "GET") return open311_error(errc::method_not_allowed, "use GET");
    if (req.path == "/services.json") {
      return http::json(200, open311::services_json(services_));
    }
    if (auto code = between(req.path, "/services/", ".json")) {
      if (!services_.contains(*code))
        return open311_error(errc::not_found, "service_code not found");
      return http::json(200, open311::definition_json(*code));
    }
    if (auto id = between(req.path, "/requests/", ".json")) {
      auto code = ids_.issued_service(*id);
      if (!code) return open311_error(errc::not_found, "service_request_id not found");
      // Status stays open until the answer loop reports back.
      return http::json(200, open311::request_json(*id, *code));
    }
    return open311_error(errc::not_found, "no such resource");
  }

  // Open311 authenticates with api_key inside the form; extract() answers 403.
  bool authentic(const request&) const override { return true; }

  expected<delivery, response> extract(const request& req) const override {
    auto fields = read_fields(req.content_type, req.body);
    if (!fields) return unexpected(open311_error(fields.error().code, fields.error().message));
    const form_pairs& f = *fields;
    auto key = field(f, "api_key");
    bool known = false;
    for (const auto& k : api_keys_) known |= key && crypto::constant_time_equal(*key, k);
    if (!known)
      return unexpected(open311_error(errc::forbidden, "api_key is missing or not valid"));
    auto code = field(f, "service_code");
    if (!code) return unexpected(open311_error(errc::missing_field, "service_code is required"));
    auto service = services_.find(*code);
    if (service == services_.end()) {
      return unexpected(open311_error(errc::invalid_value, "service_code not found"));
    }
    auto description = field(f, "description");
    if (!description)
      return unexpected(open311_error(errc::missing_field, "description is required"));
    if (characters(*description) > max_description_chars) {
      return unexpected(
          open311_error(errc::too_long, "description is longer than 4000 characters"));
    }
    auto answers = attributes(f);
    if (!answers) return unexpected(open311_error(errc::invalid_value, answers.error()));
    auto lat = field(f, "lat"), lon = field(f, "long");
    auto address = field(f, "address_string"), address_id = field(f, "address_id");
    if (!(lat && lon) && !address && !address_id) {
      return unexpected(open311_error(
          errc::missing_field, "one of lat and long, address_string or address_id is required"));
    }
    ingest::inbound_message m;
    if (lat && lon) {
      auto la = latitude(*lat), lo = longitude(*lon);
      if (!la || !lo) {
        return unexpected(
            open311_error(errc::out_of_range, "lat and long must be valid coordinates"));
      }
      m.place = envelope::location{la, lo, address, std::nullopt};
    } else if (address) {
      m.place = envelope::location{std::nullopt, std::nullopt, address, std::nullopt};
    }
    m.author = field(f, "email");
    if (!m.author) m.author = field(f, "phone");
    if (!m.author) m.author = field(f, "account_id");
    if (!m.author) m.author = field(f, "device_id");
    std::string answered;
    for (const auto& a : *answers) {
      answered.append(std::to_string(a.code.size())).append(":").append(a.code);
      for (const auto& v : a.values)
        answered.append(std::to_string(v.size())).append(":").append(v);
    }
    std::string content =
        content_key({*key, *code, *description, lat.value_or(""), lon.value_or(""),
                     address.value_or(""), address_id.value_or(""), m.author.value_or(""),
                     field(f, "media_url").value_or(""), answered});
    m.id = ids_.issue(*code, content);
    m.channel = "open311";
    m.text = *description;
    if (auto media = field(f, "media_url")) m.media.push_back(*media);
    m.conversation_id = m.id;
    m.service = envelope::service_reference{*code, service->second.division};
    m.attributes = std::move(*answers);

    delivery d;
    d.messages.push_back(std::move(m));
    d.answer = [](const std::vector<ingest::outcome>& outcomes) {
      const auto& o = outcomes.at(0);
      if (o.error) {
        return o.retryable()
                   ? open311_error(o.error->code,
                                   "the request could not be stored now; send it again")
                   : open311_error(o.error->code, o.error->pointer + " " + o.error->message);
      }
      return http::json(200, open311::created_json(o.id));
    };
    return d;
  }

 private:
  static std::optional<std::string_view> between(std::string_view path, std::string_view prefix,
                                                 std::string_view suffix) {
    if (!path.starts_with(prefix) || !path.ends_with(suffix) ||
        path.size() <= prefix.size() + suffix.size()) {
      return std::nullopt;
    }
    return path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  }

  std::vector<std::string> api_keys_;
  open311::service_list services_;
  open311_ids ids_;
};

const bool registered = register_channel(
    {"open311", options,
     [](const setting_lookup& get) -> expected<std::unique_ptr<adapter>, std::string> {
       std::vector<std::string> keys;
       std::stringstream list(get("channels.open311.api_keys"));
       for (std::string k; std::getline(list, k, ',');) {
         if (!k.empty()) keys.push_back(k);
       }
       if (keys.empty()) return unexpected(std::string("channels.open311.api_keys is required"));
       if (get("channels.open311.request_id_key").size() < 16) {
         return unexpected(
             std::string("channels.open311.request_id_key needs at least 16 characters"));
       }
       auto services = open311::load_services(get("channels.open311.services_file"));
       if (!services) return unexpected(services.error());
       return std::unique_ptr<adapter>(new open311_adapter(std::move(keys), std::move(*services),
                                                           get("channels.open311.request_id_key")));
     }});

}  // namespace
}  // namespace civic::gateway::channels
