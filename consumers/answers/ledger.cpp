#include "consumers/answers/ledger.hpp"

#include <openssl/sha.h>
#include <rapidjson/document.h>

#include <array>
#include <cstdio>

#include "common/json/record_reader.hpp"
#include "common/json/writer.hpp"

namespace civic::answers {
namespace {

using writer = json::writer;

void write_notice(writer& w, const notice& n) {
  w.StartObject();
  w.member("kind", n.kind);
  w.member("status", n.status);
  w.member("status_label", n.status_label);
  w.member("answer", n.answer);
  w.member("language", n.language);
  w.member("case_ref", n.case_ref);
  w.member("text", n.text);
  w.EndObject();
}

}  // namespace

std::string_view to_string(job_state s) {
  switch (s) {
    case job_state::pending:
      return "pending";
    case job_state::attempting:
      return "attempting";
    case job_state::done:
      return "done";
  }
  return "pending";
}

std::string ledger_key(std::string_view update_id, std::string_view recipient) {
  std::string key(update_id);
  key += '/';
  key += recipient;
  return key;
}

std::string to_json(const ledger_entry& e) {
  json::writer w;
  w.StartObject();
  w.member("version", 1);
  w.member("state", to_string(e.state));
  w.member("update_id", e.update_id);
  w.member("case_id", e.case_id);
  w.member("locality", e.locality);
  w.member("recipient", e.recipient);
  w.member("channel", e.channel);
  w.member("token", e.token);
  w.member("kind", e.kind);
  w.member("recipients", e.recipients);
  w.member("last_inbound_ms", e.last_inbound_ms);
  w.member("created_at", e.created_at);
  w.Key("message");
  write_notice(w, e.message);
  w.member("attempts", e.attempts);
  w.member("mode", e.mode);
  w.Key("outcome");
  if (e.outcome) {
    auto o = responses::to_string(*e.outcome);
    w.string(o);
  } else {
    w.Null();
  }
  w.member("detail", e.detail);
  w.member("finished_at", e.finished_at);
  w.EndObject();
  return w.str();
}

expected<ledger_entry, std::string> ledger_entry_from_json(std::string_view json) {
  rapidjson::Document doc;
  if (!json::parse_object(json, doc)) return unexpected(std::string("not a JSON object"));
  ledger_entry e;
  std::string state;
  if (!json::read(doc, "state", state)) return unexpected(std::string("state missing"));
  if (state == "pending") {
    e.state = job_state::pending;
  } else if (state == "attempting") {
    e.state = job_state::attempting;
  } else if (state == "done") {
    e.state = job_state::done;
  } else {
    return unexpected("unknown state " + state);
  }
  auto m = doc.FindMember("message");
  if (!json::read(doc, "update_id", e.update_id) || !json::read(doc, "case_id", e.case_id) ||
      !json::read(doc, "locality", e.locality) || !json::read(doc, "recipient", e.recipient) ||
      !json::read(doc, "channel", e.channel) || !json::read(doc, "token", e.token) ||
      !json::read(doc, "kind", e.kind) || !json::read(doc, "recipients", e.recipients) ||
      !json::read(doc, "last_inbound_ms", e.last_inbound_ms) ||
      !json::read(doc, "created_at", e.created_at) || !json::read(doc, "attempts", e.attempts) ||
      !json::read(doc, "mode", e.mode) || !json::read(doc, "detail", e.detail) ||
      !json::read(doc, "finished_at", e.finished_at) || m == doc.MemberEnd() ||
      !m->value.IsObject()) {
    return unexpected(std::string("a member is missing or of the wrong type"));
  }
  const auto& n = m->value;
  if (!json::read(n, "kind", e.message.kind) || !json::read(n, "status", e.message.status) ||
      !json::read(n, "status_label", e.message.status_label) ||
      !json::read(n, "answer", e.message.answer) ||
      !json::read(n, "language", e.message.language) ||
      !json::read(n, "case_ref", e.message.case_ref) || !json::read(n, "text", e.message.text)) {
    return unexpected(std::string("the message is incomplete"));
  }
  auto outcome = doc.FindMember("outcome");
  if (outcome != doc.MemberEnd() && outcome->value.IsString()) {
    e.outcome = responses::parse_delivery_outcome(outcome->value.GetString());
    if (!e.outcome) return unexpected(std::string("unknown outcome"));
  }
  if (e.state == job_state::done && !e.outcome) {
    return unexpected(std::string("a done entry without its outcome"));
  }
  return e;
}

std::string idempotency_key(std::string_view update_id, std::string_view recipient) {
  std::string data(update_id);
  data += '\n';
  data += recipient;
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0F) | 0x80);  // version 8
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3F) | 0x80);  // RFC 9562 variant
  char out[37];
  std::snprintf(
      out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
      digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
      digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]);
  return out;
}

}  // namespace civic::answers
