#include "gateway/answers/case_api.hpp"

#include <rapidjson/document.h>

#include <array>
#include <chrono>
#include <set>

#include "common/crypto/hmac.hpp"
#include "common/envelope/field_checks.hpp"
#include "common/error/errc.hpp"
#include "common/json/number_range.hpp"
#include "common/json/parse.hpp"
#include "common/json/reader.hpp"
#include "common/json/writer.hpp"
#include "common/responses/json_fields.hpp"
#include "common/text/normalize.hpp"
#include "common/time/rfc3339.hpp"

namespace civic::gateway::answers {
namespace {

using responses::case_status;
using responses::detail::fields;
using responses::detail::is_division_id;

constexpr auto expected_at_past = std::chrono::hours(24);
constexpr auto expected_at_future = std::chrono::hours(24 * 366 * 5);

api_error refuse(errc code, std::string pointer, std::string message) {
  return {make_error_code(code), std::move(pointer), std::move(message)};
}

expected<rapidjson::Document, api_error> parse_object(std::string_view body) {
  rapidjson::Document doc;
  json::parse_checking_utf8(doc, body);
  if (doc.HasParseError()) {
    bool utf8 = doc.GetParseError() == rapidjson::kParseErrorStringInvalidEncoding;
    if (doc.GetParseError() == rapidjson::kParseErrorNumberTooBig) {
      if (auto at = json::unrepresentable_number_pointer(body))
        return unexpected(
            refuse(errc::out_of_range, std::move(*at), "is a number beyond what a double holds"));
    }
    return unexpected(refuse(utf8 ? errc::invalid_utf8 : errc::malformed_json, "",
                             utf8 ? "is not valid UTF-8" : "is not JSON"));
  }
  if (!doc.IsObject()) return unexpected(refuse(errc::wrong_type, "", "must be an object"));
  return doc;
}

api_error from_field(const field_error& e) { return e; }

}  // namespace

expected<update_request, api_error> parse_update_request(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return unexpected(doc.error());
  fields f(*doc, "");
  static constexpr std::array<std::string_view, 5> known{"status", "answer", "assign_to",
                                                         "expected_at", "notify"};
  // Const: comparing two non-const member iterators is ambiguous in C++20 (clang).
  const rapidjson::Value& members = *doc;
  unsigned given = 0;  // RapidJSON keeps a repeated member; which one counts would be a guess
  for (auto m = members.MemberBegin(); m != members.MemberEnd(); ++m) {
    std::string_view name(m->name.GetString(), m->name.GetStringLength());
    size_t at = known.size();
    for (size_t i = 0; i < known.size(); ++i) at = known[i] == name ? i : at;
    if (at == known.size()) {
      return unexpected(refuse(errc::unknown_field, "/" + std::string(name),
                               "is not a member of an update (status, answer, assign_to, "
                               "expected_at, notify)"));
    }
    if (given & (1u << at)) {
      return unexpected(
          refuse(errc::duplicate_field, "/" + std::string(name), "appears more than once"));
    }
    given |= 1u << at;
  }
  update_request r;
  if (f.find("status")) {
    auto s = f.string("status", 1, 32);
    if (!s) return unexpected(from_field(s.error()));
    r.status = responses::parse_status(*s);
    if (!r.status) {
      return unexpected(refuse(errc::invalid_value, "/status",
                               "must be one of received, assigned, investigating, in_progress, "
                               "action_scheduled, fixed, answered, duplicate, not_responsible, "
                               "closed, reopened"));
    }
    if (*r.status == case_status::received) {
      return unexpected(refuse(errc::invalid_value, "/status",
                               "received is where every case starts; it cannot be set"));
    }
  }
  if (const auto* a = f.find("answer")) {
    if (!a->IsObject()) {
      return unexpected(
          refuse(errc::wrong_type, "/answer", "must be an object {\"text\", \"language\"}"));
    }
    fields af(*a, "/answer");
    static constexpr std::array<std::string_view, 3> answer_members{"text", "language", "public"};
    unsigned seen_in_answer = 0;
    for (auto m = a->MemberBegin(); m != a->MemberEnd(); ++m) {
      std::string_view name(m->name.GetString(), m->name.GetStringLength());
      size_t at = answer_members.size();
      for (size_t i = 0; i < answer_members.size(); ++i) at = answer_members[i] == name ? i : at;
      if (at == answer_members.size()) {
        return unexpected(refuse(errc::unknown_field, "/answer/" + std::string(name),
                                 "is not a member of an answer (text, language, public)"));
      }
      if (seen_in_answer & (1u << at)) {
        return unexpected(refuse(errc::duplicate_field, "/answer/" + std::string(name),
                                 "appears more than once"));
      }
      seen_in_answer |= 1u << at;
    }
    auto text = af.string("text", 1, responses::response_limits::answer_chars);
    if (!text) return unexpected(from_field(text.error()));
    // What a citizen will read: cleaned as citizens' own text is (NFC, control
    // characters removed, trimmed), and refused when nothing visible is left ("   ",
    // "\u0000" were accepted and would have been sent).
    auto cleaned = text::clean_text(*text);
    if (!cleaned || !text::has_visible_character(*cleaned)) {
      return unexpected(refuse(errc::too_short, "/answer/text",
                               "has nothing but white space, control and invisible characters"));
    }
    if (json::count_code_points(*cleaned) > responses::response_limits::answer_chars) {
      return unexpected(refuse(errc::too_long, "/answer/text",
                               "is longer than " +
                                   std::to_string(responses::response_limits::answer_chars) +
                                   " characters once normalized (Unicode NFC)"));
    }
    *text = std::move(*cleaned);
    std::string language = "ko";
    if (af.find("language")) {
      auto l = af.string("language", 2, 3);
      if (!l) return unexpected(from_field(l.error()));
      language = *l;
      if (language.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos) {
        return unexpected(
            refuse(errc::invalid_value, "/answer/language", "must be an ISO 639 code (ko, en)"));
      }
    }
    bool published = false;
    if (af.find("public")) {
      auto p = af.boolean("public");
      if (!p) return unexpected(from_field(p.error()));
      published = *p;
    }
    r.answer = responses::answer_text{*text, language, published};
  }
  if (f.find("assign_to")) {
    auto list = f.string_array("assign_to", responses::response_limits::assign_divisions, 1, 32);
    if (!list) return unexpected(from_field(list.error()));
    std::set<std::string> seen;
    for (size_t i = 0; i < list->size(); ++i) {
      if (!is_division_id((*list)[i]) || !seen.insert((*list)[i]).second) {
        return unexpected(refuse(errc::invalid_value, "/assign_to/" + std::to_string(i),
                                 "must be a division id (roads, water, ...), each once"));
      }
    }
    r.assign_to = std::move(*list);
  }
  if (f.find("expected_at")) {
    auto e = f.string("expected_at", 20, 40);
    if (!e) return unexpected(from_field(e.error()));
    auto when = parse_rfc3339(*e);
    if (!when) {
      return unexpected(refuse(errc::invalid_value, "/expected_at",
                               "must be an RFC 3339 date-time (2026-11-25T18:00:00+09:00)"));
    }
    // A promise to the citizen: a date long past or years away is a typing error.
    const auto now = std::chrono::system_clock::now();
    if (*when < now - expected_at_past || *when > now + expected_at_future) {
      return unexpected(refuse(errc::out_of_range, "/expected_at",
                               "must be between a day ago and five years from now"));
    }
    r.expected_at = *e;
  }
  if (f.find("notify")) {
    auto n = f.boolean("notify");
    if (!n) return unexpected(from_field(n.error()));
    r.notify = *n;
  }
  if (!r.status && !r.answer && r.assign_to.empty()) {
    return unexpected(
        refuse(errc::missing_field, "/status", "an update needs a status, an answer or assign_to"));
  }
  return r;
}

std::optional<api_error> check_idempotency_key(std::optional<std::string_view> key) {
  if (!key || key->empty()) {
    return refuse(errc::missing_field, "",
                  "the Idempotency-Key header is required (any unique string per update, "
                  "reused when the same update is sent again)");
  }
  if (key->size() > 255) {
    return refuse(errc::too_long, "", "the Idempotency-Key header is longer than 255");
  }
  for (char c : *key) {
    if (c < 0x21 || c > 0x7E) {
      return refuse(errc::invalid_value, "",
                    "the Idempotency-Key header must be visible ASCII characters");
    }
  }
  return std::nullopt;
}

std::optional<api_error> check_assign_to(const update_request& request,
                                         const division_list* divisions) {
  if (request.assign_to.empty()) return std::nullopt;
  if (!divisions) {
    return refuse(errc::bad_config, "/assign_to",
                  "the gateway has no division list (gateway.answers.rules could not be read "
                  "at its start): reassignments are refused until it has one");
  }
  for (size_t i = 0; i < request.assign_to.size(); ++i) {
    if (!divisions->contains(request.assign_to[i])) {
      return refuse(errc::invalid_value, "/assign_to",
                    "assign_to[" + std::to_string(i) + "] is not one of the city's divisions (" +
                        divisions->joined() + ")");
    }
  }
  return std::nullopt;
}

expected<responses::response, api_error> make_update(const case_summary& c, const auth::claims& who,
                                                     const update_request& request,
                                                     std::string_view idempotency_key,
                                                     std::string_view id_secret,
                                                     std::chrono::system_clock::time_point now) {
  const std::string* division = nullptr;
  for (const auto& d : c.divisions) {
    if (who.grants_division(d)) {
      division = &d;
      break;
    }
  }
  if (!division) {
    return unexpected(
        refuse(errc::forbidden, "", "the token grants none of this case's divisions"));
  }
  if (request.status == case_status::reopened && responses::is_open(c.status)) {
    return unexpected(refuse(errc::state_conflict, "/status",
                             "the case is open; only a closed case can be reopened"));
  }
  responses::response r;
  r.type = responses::response_type::update;
  std::string base = c.id + "\n" + who.sub + "\n" + std::string(idempotency_key);
  auto digest = crypto::hmac_sha256(id_secret, "update\n" + base);
  r.id = "upd-" + crypto::to_hex(digest.data(), 16);
  r.case_id = c.id;
  r.locality = c.locality;
  r.at = format_rfc3339_utc(now);
  r.division = *division;
  r.actor = who.sub.empty() ? "unknown" : who.sub;
  r.status = request.status;
  r.answer = request.answer;
  r.assign_to = request.assign_to;
  r.expected_at = request.expected_at;
  r.notify = request.notify;
  return r;
}

expected<support_request, api_error> parse_support_request(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return unexpected(doc.error());
  fields f(*doc, "");
  if (auto odd = f.only(std::array<std::string_view, 1>{"supporter"}, {})) {
    return unexpected(from_field(*odd));
  }
  auto supporter = f.string("supporter", 1, 256);
  if (!supporter) return unexpected(from_field(supporter.error()));
  // An account name, like a message's author: a NUL or a line break is no one's.
  if (envelope::has_control_character(*supporter)) {
    return unexpected(refuse(errc::invalid_value, "/supporter", "may hold no control characters"));
  }
  // "\u200b" or "   " would count as supporters of their own, unseen beside a real one.
  if (!text::has_visible_character(*supporter) || envelope::has_invisible_formatting(*supporter)) {
    return unexpected(refuse(errc::invalid_value, "/supporter",
                             "must be a visible account name (no blank or zero-width characters)"));
  }
  return support_request{*supporter};
}

expected<responses::response, api_error> make_support(const case_summary& c,
                                                      std::string supporter_id, std::string channel,
                                                      std::chrono::system_clock::time_point now) {
  if (c.kind != supportable_kind) {
    return unexpected(
        refuse(errc::not_an_idea, "",
               "the case is of kind " + c.kind + ": only an idea (a proposal) gathers support"));
  }
  responses::response r;
  r.type = responses::response_type::support;
  r.id = "sup-" + supporter_id.substr(0, 16) + "-" + c.id;
  if (r.id.size() > responses::response_limits::id_chars) {
    r.id = r.id.substr(0, responses::response_limits::id_chars);
  }
  r.case_id = c.id;
  r.locality = c.locality;
  r.at = format_rfc3339_utc(now);
  r.supporter = std::move(supporter_id);
  r.channel = std::move(channel);
  return r;
}

std::string update_accepted_json(const responses::response& r, const case_summary& c,
                                 int32_t partition, int64_t offset) {
  json::writer w;
  w.StartObject();
  w.member("update_id", r.id);
  w.member("case_id", r.case_id);
  w.member("division", r.division);
  w.Key("status");
  auto status = r.status ? *r.status : (r.assign_to.empty() ? c.status : case_status::assigned);
  auto name = responses::to_string(status);
  w.string(name);
  w.member("open311_status", responses::open311_status(status));
  w.member("notify", r.notify);
  w.member("partition", partition);
  w.member("offset", offset);
  w.EndObject();
  return w.str();
}

std::string support_accepted_json(const responses::response& r, int32_t partition, int64_t offset) {
  json::writer w;
  w.StartObject();
  w.member("support_id", r.id);
  w.member("case_id", r.case_id);
  w.member("counted", "once per citizen");
  w.member("partition", partition);
  w.member("offset", offset);
  w.EndObject();
  return w.str();
}

std::optional<idempotency_cache::entry> idempotency_cache::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(key);
  if (found == entries_.end()) return std::nullopt;
  return found->second.first;
}

void idempotency_cache::put(const std::string& key, entry e) {
  std::lock_guard lock(mutex_);
  put_locked(key, std::move(e));
}

idempotency_cache::started idempotency_cache::begin(const std::string& key,
                                                    const std::string& request_hash,
                                                    waiter on_first_answer) {
  std::lock_guard lock(mutex_);
  if (auto found = entries_.find(key); found != entries_.end()) {
    const entry& first = found->second.first;
    if (first.request_hash != request_hash) return {start::other_body, std::nullopt};
    return {start::repeat, first};
  }
  if (auto pending = in_flight_.find(key); pending != in_flight_.end()) {
    if (pending->second.request_hash != request_hash) return {start::other_body, std::nullopt};
    pending->second.waiters.push_back(std::move(on_first_answer));
    return {start::waiting, std::nullopt};
  }
  in_flight_.emplace(key, in_flight{request_hash, {}});
  return {start::first, std::nullopt};
}

void idempotency_cache::finish(const std::string& key, entry e) {
  std::vector<waiter> waiters;
  {
    std::lock_guard lock(mutex_);
    waiters = take_waiters_locked(key);
    put_locked(key, e);
  }
  for (auto& w : waiters) w(e);
}

void idempotency_cache::abandon(const std::string& key) {
  std::vector<waiter> waiters;
  {
    std::lock_guard lock(mutex_);
    waiters = take_waiters_locked(key);
  }
  for (auto& w : waiters) w(std::nullopt);
}

std::vector<idempotency_cache::waiter> idempotency_cache::take_waiters_locked(
    const std::string& key) {
  auto pending = in_flight_.find(key);
  if (pending == in_flight_.end()) return {};
  std::vector<waiter> waiters = std::move(pending->second.waiters);
  in_flight_.erase(pending);
  return waiters;
}

void idempotency_cache::put_locked(const std::string& key, entry e) {
  if (entries_.contains(key)) return;  // the first result stays
  order_.push_front(key);
  entries_.emplace(key, std::make_pair(std::move(e), order_.begin()));
  while (entries_.size() > capacity_) {
    entries_.erase(order_.back());
    order_.pop_back();
  }
}

std::string update_cache_key(std::string_view actor, std::string_view case_id,
                             std::string_view idempotency_key) {
  std::string key(actor);
  key += '\n';
  key += case_id;
  key += '\n';
  key += idempotency_key;
  return key;
}

std::string request_hash(std::string_view body) {
  auto digest = crypto::hmac_sha256("request", body);
  return crypto::to_hex(digest.data(), 16);
}

}  // namespace civic::gateway::answers
