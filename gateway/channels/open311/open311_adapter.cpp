// Open311 GeoReport v2 under /open311/v2: services.json, services/{code}.json,
// POST requests.json (form-encoded, api_key) and GET requests/{id}.json. Errors are
// Open311's [{"code", "description"}] with 400, 403 and 404. The service_request_id
// is derived from the request's content (a resent request gets the same id, the
// idempotency key) and signed, so GET requests/{id}.json can tell the gateway's
// own ids from made-up ones without keeping state.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <sstream>

#include "common/crypto/hmac.hpp"
#include "gateway/channels/open311/service_list.hpp"
#include "gateway/channels/registry.hpp"
#include "gateway/channels/support/content_key.hpp"
#include "gateway/channels/support/form_or_json.hpp"
#include "gateway/channels/support/open311_ids.hpp"

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

response open311_error(unsigned status, std::string_view description) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartArray();
  w.StartObject();
  w.Key("code");
  w.Uint(status);
  w.Key("description");
  w.String(description.data(), static_cast<rapidjson::SizeType>(description.size()));
  w.EndObject();
  w.EndArray();
  return {status, "application/json", {buffer.GetString(), buffer.GetSize()}, status == 503};
}

std::optional<std::string> field(const form_fields& f, const char* name) {
  auto it = f.find(name);
  if (it == f.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::optional<double> number(const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

size_t characters(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

class open311_adapter final : public adapter {
 public:
  open311_adapter(std::vector<std::string> keys, open311::service_list services, std::string id_key)
      : api_keys_(std::move(keys)), services_(std::move(services)), ids_(std::move(id_key)) {}

  std::optional<response> respond_directly(const request& req) const override {
    if (req.method == "POST" && req.path == "/requests.json") return std::nullopt;
    if (req.method != "GET") return open311_error(404, "no such resource");
    if (req.path == "/services.json") {
      return response{200, "application/json", open311::services_json(services_), false};
    }
    if (auto code = between(req.path, "/services/", ".json")) {
      if (!services_.contains(*code)) return open311_error(404, "service_code not found");
      return response{200, "application/json",
                      "{\"service_code\":\"" + std::string(*code) + "\",\"attributes\":[]}", false};
    }
    if (auto id = between(req.path, "/requests/", ".json")) {
      auto code = ids_.issued_service(*id);
      if (!code) return open311_error(404, "service_request_id not found");
      // Status stays open until the answer loop reports back.
      return response{200, "application/json",
                      "[{\"service_request_id\":\"" + std::string(*id) +
                          "\",\"status\":\"open\",\"service_code\":\"" + *code + "\"}]",
                      false};
    }
    return open311_error(404, "no such resource");
  }

  // Open311 authenticates with api_key inside the form; extract() answers 403.
  bool authentic(const request&) const override { return true; }

  expected<delivery, response> extract(const request& req) const override {
    auto fields = read_fields(req.content_type, req.body);
    if (!fields)
      return unexpected(open311_error(fields.error().status, "the body must be form-encoded"));
    const form_fields& f = *fields;
    auto key = field(f, "api_key");
    bool known = false;
    for (const auto& k : api_keys_) known |= key && crypto::constant_time_equal(*key, k);
    if (!known) return unexpected(open311_error(403, "api_key is missing or not valid"));
    auto code = field(f, "service_code");
    if (!code) return unexpected(open311_error(400, "service_code is required"));
    if (!services_.contains(*code)) return unexpected(open311_error(400, "service_code not found"));
    auto description = field(f, "description");
    if (!description) return unexpected(open311_error(400, "description is required"));
    if (characters(*description) > max_description_chars) {
      return unexpected(open311_error(400, "description is longer than 4000 characters"));
    }
    auto lat = field(f, "lat"), lon = field(f, "long");
    auto address = field(f, "address_string"), address_id = field(f, "address_id");
    if (!(lat && lon) && !address && !address_id) {
      return unexpected(
          open311_error(400, "one of lat and long, address_string or address_id is required"));
    }
    ingest::inbound_message m;
    if (lat && lon) {
      auto la = number(*lat), lo = number(*lon);
      if (!la || !lo || *la < -90 || *la > 90 || *lo < -180 || *lo > 180) {
        return unexpected(open311_error(400, "lat and long must be valid coordinates"));
      }
      m.place = envelope::location{la, lo, address, std::nullopt};
    } else if (address) {
      m.place = envelope::location{std::nullopt, std::nullopt, address, std::nullopt};
    }
    m.author = field(f, "email");
    if (!m.author) m.author = field(f, "phone");
    if (!m.author) m.author = field(f, "account_id");
    if (!m.author) m.author = field(f, "device_id");
    std::string content = content_key(
        {*key, *code, *description, lat.value_or(""), lon.value_or(""), address.value_or(""),
         address_id.value_or(""), m.author.value_or(""), field(f, "media_url").value_or("")});
    m.id = ids_.issue(*code, content);
    m.channel = "open311";
    m.text = *description;
    if (auto media = field(f, "media_url")) m.media.push_back(*media);
    m.conversation_id = m.id;

    delivery d;
    d.messages.push_back(std::move(m));
    d.answer = [](const std::vector<ingest::outcome>& outcomes) {
      const auto& o = outcomes.at(0);
      if (o.error) {
        return o.retryable
                   ? open311_error(503, "the request could not be stored now; send it again")
                   : open311_error(400, o.error->pointer + " " + o.error->message);
      }
      return response{
          200, "application/json",
          "[{\"service_request_id\":\"" + o.id +
              "\",\"service_notice\":\"Received; the responsible division will follow up.\","
              "\"account_id\":null}]",
          false};
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
