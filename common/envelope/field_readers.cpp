#include "common/envelope/field_readers.hpp"

#include <array>

#include "common/envelope/field_checks.hpp"

namespace civic::envelope {

using json::make_error;

std::optional<field_error> read_location(json::value& v, const std::string& pointer,
                                         location_members members, location& out) {
  static constexpr std::array<std::string_view, 4> names{"lat", "lon", "address", "district"};
  json::member_set set = members == location_members::all_present ? json::member_set(names)
                                                                  : json::member_set({}, names);
  auto failed = json::for_each_member(
      v, pointer, set,
      [&](std::string_view name, json::value& m,
          const std::string& p) -> std::optional<field_error> {
        if (name == "lat" || name == "lon") {
          bool lat = name == "lat";
          auto d = json::read_nullable_number(m, p, lat ? -90 : -180, lat ? 90 : 180);
          if (!d) return std::move(d).error();
          (lat ? out.lat : out.lon) = *d;
          return std::nullopt;
        }
        bool address = name == "address";
        auto s = json::read_nullable_string(
            m, p, {1, address ? limits::address_chars : limits::district_chars});
        if (!s) return std::move(s).error();
        if (*s) (address ? out.address : out.district) = std::string(**s);
        return std::nullopt;
      });
  if (failed) return failed;
  if (out.lat.has_value() != out.lon.has_value()) {
    return make_error(errc::invalid_value, pointer + (out.lat ? "/lon" : "/lat"),
                      "lat and lon must be given together");
  }
  return std::nullopt;
}

std::optional<field_error> read_media(json::value& v, const std::string& pointer,
                                      std::vector<std::string>& out) {
  return json::for_each_item(
      v, pointer, "must be an array of URLs", limits::media_items, "media links",
      [&](json::value& item, const std::string& item_pointer) -> std::optional<field_error> {
        auto url = json::read_string_matching(
            item, item_pointer, {1, limits::url_chars}, is_http_url,
            "must be an http or https URL with a host, no user name or password, no spaces");
        if (!url) return std::move(url).error();
        out.emplace_back(*url);
        return std::nullopt;
      });
}

}  // namespace civic::envelope
