#include <rapidjson/document.h>

#include <array>
#include <set>

#include "common/error/errc.hpp"
#include "common/json/writer.hpp"
#include "common/responses/json_fields.hpp"
#include "common/responses/response.hpp"
#include "common/time/rfc3339.hpp"

namespace civic::responses {

std::string_view to_string(response_type t) {
  switch (t) {
    case response_type::update:
      return "update";
    case response_type::support:
      return "support";
    case response_type::threshold:
      return "threshold";
  }
  return "update";
}

namespace {

using writer = json::writer;
using detail::fields;
using detail::is_division_id;

bool is_author_id(std::string_view s) {
  return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

constexpr std::array<std::string_view, 6> common_members{"version", "type",     "id",
                                                         "case_id", "locality", "at"};
constexpr std::array<std::string_view, 7> update_members{
    "division", "actor", "status", "answer", "assign_to", "expected_at", "notify"};
constexpr std::array<std::string_view, 2> support_members{"supporter", "channel"};
constexpr std::array<std::string_view, 3> threshold_members{"threshold", "milestone",
                                                            "support_count"};

}  // namespace

std::string to_json(const response& r) {
  json::writer w;
  w.StartObject();
  w.member("version", r.version);
  w.member("type", to_string(r.type));
  w.member("id", r.id);
  w.member("case_id", r.case_id);
  w.member("locality", r.locality);
  w.member("at", r.at);
  switch (r.type) {
    case response_type::update: {
      w.member("division", r.division);
      w.member("actor", r.actor);
      w.Key("status");
      if (r.status) {
        auto s = to_string(*r.status);
        w.string(s);
      } else {
        w.Null();
      }
      w.object("answer", r.answer, [&](const auto& a) {
        w.member("text", a.text);
        w.member("language", a.language);
        w.member("public", a.published);
      });
      w.strings("assign_to", r.assign_to);
      w.member("expected_at", r.expected_at);
      w.member("notify", r.notify);
      break;
    }
    case response_type::support:
      w.member("supporter", r.supporter);
      w.member("channel", r.channel);
      break;
    case response_type::threshold:
      w.member("threshold", r.threshold);
      w.member("milestone", r.milestone);
      w.member("support_count", r.support_count);
      break;
  }
  w.EndObject();
  return w.str();
}

expected<response, field_error> parse_json(std::string_view json) {
  auto parsed = detail::parse_object(json);
  if (!parsed) return unexpected(std::move(parsed).error());
  const rapidjson::Document& doc = *parsed;
  fields f(doc, "");
  response r;
  auto version = f.integer("version", 1, 1);
  if (!version) return unexpected(version.error());
  r.version = static_cast<int>(*version);
  auto type = f.string("type", 1, 16);
  if (!type) return unexpected(type.error());
  std::span<const std::string_view> specific;
  if (*type == "update") {
    r.type = response_type::update;
    specific = update_members;
  } else if (*type == "support") {
    r.type = response_type::support;
    specific = support_members;
  } else if (*type == "threshold") {
    r.type = response_type::threshold;
    specific = threshold_members;
  } else {
    return unexpected(f.error(errc::invalid_value, "type", "must be update, support or threshold"));
  }
  if (auto odd = f.only(common_members, specific)) return unexpected(*odd);

  auto read_into = [&](const char* name, size_t min, size_t max, std::string& out) {
    auto s = f.string(name, min, max);
    if (s) out = *s;
    return s ? std::optional<field_error>() : std::optional<field_error>(s.error());
  };
  if (auto e = read_into("id", 1, response_limits::id_chars, r.id)) return unexpected(*e);
  if (auto e = read_into("case_id", 1, 256, r.case_id)) return unexpected(*e);
  if (auto e = read_into("locality", 1, 64, r.locality)) return unexpected(*e);
  if (auto e = read_into("at", 20, 40, r.at)) return unexpected(*e);
  if (!r.at.ends_with('Z') || !parse_rfc3339(r.at)) {
    return unexpected(f.error(errc::invalid_value, "at", "must be an RFC 3339 UTC timestamp"));
  }

  switch (r.type) {
    case response_type::update: {
      if (auto e = read_into("division", 1, 32, r.division)) return unexpected(*e);
      if (!is_division_id(r.division)) {
        return unexpected(f.error(errc::invalid_value, "division", "must be a division id"));
      }
      if (auto e = read_into("actor", 1, 256, r.actor)) return unexpected(*e);
      auto status = f.nullable_string("status", 1, 32);
      if (!status) return unexpected(status.error());
      if (*status) {
        r.status = parse_status(**status);
        if (!r.status) {
          return unexpected(f.error(errc::invalid_value, "status", "is not a case status"));
        }
      }
      auto answer = f.nullable_object("answer");
      if (!answer) return unexpected(answer.error());
      if (*answer) {
        fields a(***answer, "/answer");
        // "public" is written since open data; records from before have none.
        if (auto odd = a.only(std::array<std::string_view, 2>{"text", "language"}, {},
                              std::array<std::string_view, 1>{"public"})) {
          return unexpected(*odd);
        }
        auto text = a.string("text", 1, response_limits::answer_chars);
        if (!text) return unexpected(text.error());
        auto language = a.string("language", 2, 3);
        if (!language) return unexpected(language.error());
        bool published = false;
        if (a.find("public")) {
          auto p = a.boolean("public");
          if (!p) return unexpected(p.error());
          published = *p;
        }
        r.answer = answer_text{*text, *language, published};
      }
      auto assign = f.string_array("assign_to", response_limits::assign_divisions, 1, 32);
      if (!assign) return unexpected(assign.error());
      r.assign_to = std::move(*assign);
      std::set<std::string> distinct;
      for (size_t i = 0; i < r.assign_to.size(); ++i) {
        if (!is_division_id(r.assign_to[i]) || !distinct.insert(r.assign_to[i]).second) {
          return unexpected(f.error(errc::invalid_value, "assign_to/" + std::to_string(i),
                                    "must be a division id, each once"));
        }
      }
      auto expected_at = f.nullable_string("expected_at", 20, 40);
      if (!expected_at) return unexpected(expected_at.error());
      if (*expected_at) {
        if (!parse_rfc3339(**expected_at)) {
          return unexpected(
              f.error(errc::invalid_value, "expected_at", "must be an RFC 3339 timestamp"));
        }
        r.expected_at = std::string(**expected_at);
      }
      auto notify = f.boolean("notify");
      if (!notify) return unexpected(notify.error());
      r.notify = *notify;
      if (!r.status && !r.answer && r.assign_to.empty()) {
        return unexpected(f.error(errc::missing_field, "status",
                                  "an update has a status, an answer or assign_to"));
      }
      break;
    }
    case response_type::support:
      if (auto e = read_into("supporter", 32, 32, r.supporter)) return unexpected(*e);
      if (!is_author_id(r.supporter)) {
        return unexpected(f.error(errc::invalid_value, "supporter", "must be 32 hex digits"));
      }
      if (auto e = read_into("channel", 1, 32, r.channel)) return unexpected(*e);
      break;
    case response_type::threshold: {
      auto threshold = f.integer("threshold", 1, INT64_MAX);
      if (!threshold) return unexpected(threshold.error());
      r.threshold = static_cast<uint64_t>(*threshold);
      if (auto e = read_into("milestone", 1, 64, r.milestone)) return unexpected(*e);
      auto count = f.integer("support_count", 0, INT64_MAX);
      if (!count) return unexpected(count.error());
      r.support_count = static_cast<uint64_t>(*count);
      break;
    }
  }
  return r;
}

}  // namespace civic::responses
