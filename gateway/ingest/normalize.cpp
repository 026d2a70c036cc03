#include "gateway/ingest/normalize.hpp"

#include "common/crypto/hmac.hpp"
#include "common/error/errc.hpp"
#include "common/id/uuid7.hpp"
#include "common/json/reader.hpp"
#include "common/text/normalize.hpp"
#include "common/text/pii_mask.hpp"
#include "common/time/rfc3339.hpp"

namespace civic::gateway::ingest {

std::string pseudonymous_author(const std::string& key, std::string_view channel,
                                std::string_view handle) {
  std::string data;
  data.reserve(channel.size() + 1 + handle.size());
  data.append(channel).append("\n").append(handle);
  auto digest = crypto::hmac_sha256_reusing_key(key, data);
  return crypto::to_hex(digest.data(), 16);
}

namespace {

// NFC and masking can lengthen a text the limits let in (U+0958 becomes two code
// points; "a@b.co" becomes "[email]"): refused here, with the length it came to,
// rather than acked and then dead-lettered downstream by the envelope's own limit.
std::optional<field_error> too_long_once_normalized(std::string_view value, size_t limit,
                                                    const char* pointer) {
  if (value.size() <= limit) return std::nullopt;  // bytes >= characters
  const size_t chars = json::count_code_points(value);
  if (chars <= limit) return std::nullopt;
  return field_error{errc::too_long, pointer,
                     "has " + std::to_string(chars) +
                         " characters once normalized (Unicode NFC, personal data masked); at "
                         "most " +
                         std::to_string(limit)};
}

}  // namespace

expected<envelope::message, field_error> normalize(inbound_message in, const sender& from,
                                                   const normalize_settings& settings,
                                                   std::chrono::system_clock::time_point now) {
  auto text = text::clean_text(in.text);
  if (!text) return unexpected(field_error{errc::invalid_utf8, "/text", "is not valid UTF-8"});
  if (!text::has_visible_character(*text)) {
    return unexpected(field_error{errc::too_short, "/text",
                                  "has nothing but white space, control and invisible characters"});
  }
  text::mask_personal_data(*text);
  if (auto fault = too_long_once_normalized(*text, envelope::limits::text_chars, "/text"))
    return unexpected(std::move(*fault));

  envelope::message e;
  e.id = make_uuid7(now);
  e.received_at = format_rfc3339_utc(now);
  e.channel = in.channel;
  e.channel_message_id = in.id;
  e.idempotency_key = idempotency_key(from, in.channel, in.id);
  e.source = event_source(from, in.channel);
  e.kind = in.kind;
  e.language = in.language ? *in.language : std::string(text::guess_language(*text));
  e.text = std::move(*text);
  e.place = std::move(in.place);
  if (e.place && e.place->address) {
    // The same rule as for the text: control characters (NUL included) removed.
    auto address = text::clean_text(*e.place->address);
    if (!address) {
      return unexpected(field_error{errc::invalid_utf8, "/location/address", "is not valid UTF-8"});
    }
    if (address->empty()) {
      e.place->address.reset();
    } else {
      text::mask_personal_data(*address);
      if (auto fault = too_long_once_normalized(*address, envelope::limits::address_chars,
                                                "/location/address"))
        return unexpected(std::move(*fault));
      e.place->address = std::move(*address);
    }
    if (*e.place == envelope::location{}) e.place.reset();
  }
  e.media = std::move(in.media);
  // An adapter may read an empty string where a channel sent one: not a reference.
  for (auto* field : {&in.author, &in.conversation_id, &in.reply_message_id}) {
    if (*field && (*field)->empty()) field->reset();
  }
  if (in.author) e.author_id = pseudonymous_author(settings.author_key, in.channel, *in.author);
  e.service = std::move(in.service);
  for (auto& a : in.attributes) {
    envelope::attribute cleaned{std::move(a.code), {}};
    for (auto& value : a.values) {
      auto v = text::clean_text(value);
      if (!v) {
        return unexpected(field_error{errc::invalid_utf8, "/attributes", "is not valid UTF-8"});
      }
      text::mask_personal_data(*v);
      if (auto fault =
              too_long_once_normalized(*v, envelope::limits::attribute_value_chars, "/attributes"))
        return unexpected(std::move(*fault));
      cleaned.values.push_back(std::move(*v));
    }
    e.attributes.push_back(std::move(cleaned));
  }
  if (in.conversation_id && settings.reply_sealer) {
    crypto::reply_address address{
        in.channel,
        *in.conversation_id,
        in.reply_message_id.value_or(""),
        in.reply_via.value_or(""),
        in.reply_handle.value_or(""),
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count()};
    auto token = settings.reply_sealer->seal(address);
    if (!token) {
      return unexpected(
          field_error{errc::too_long, "/conversation_id",
                      "the reply reference is too long to seal (" + token.error() + ")"});
    }
    e.reply_to = envelope::reply_reference{in.channel, std::move(*token)};
  }
  return e;
}

}  // namespace civic::gateway::ingest
