#include "gateway/channels/support/form.hpp"

#include <boost/url/parse_query.hpp>

namespace civic::gateway::channels {

std::optional<form_fields> parse_form(std::string_view encoded) {
  // Boost.URL 1.81's parse_query rebuilds its view from data() alone and reads
  // to a NUL (fixed in 1.82): it gets a terminated copy, alive while decoding.
  const std::string terminated(encoded);
  auto parsed = boost::urls::parse_query(terminated);
  if (!parsed) return std::nullopt;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  form_fields fields;
  for (auto param : *parsed) {
    std::string key = param.key.decode(opts);
    if (key.empty() || fields.contains(key)) continue;
    fields.emplace(std::move(key), param.has_value ? param.value.decode(opts) : std::string());
  }
  return fields;
}

}  // namespace civic::gateway::channels
