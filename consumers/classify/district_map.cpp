#include "consumers/classify/district_map.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "common/json/parse.hpp"

namespace civic::classify {
namespace {

using ring_points = std::vector<std::pair<double, double>>;

bool read_ring(const rapidjson::Value& v, ring_points& out) {
  if (!v.IsArray() || v.Size() < 4) return false;
  for (const auto& p : v.GetArray()) {
    if (!p.IsArray() || p.Size() < 2 || !p[0].IsNumber() || !p[1].IsNumber()) return false;
    out.emplace_back(p[0].GetDouble(), p[1].GetDouble());
  }
  return true;
}

// Over a city, an equirectangular projection is accurate to well under a metre.
constexpr double metres_per_degree_lat = 110'574.0;
constexpr double pi = 3.14159265358979323846;

}  // namespace

expected<district_map, std::string> district_map::load(const std::filesystem::path& geojson) {
  std::ifstream in(geojson, std::ios::binary);
  if (!in) return unexpected(geojson.string() + ": cannot be read");
  std::ostringstream content;
  content << in.rdbuf();
  rapidjson::Document doc;
  json::parse(doc, content.str());
  if (doc.HasParseError())
    return unexpected(geojson.string() + ": not JSON at byte " +
                      std::to_string(doc.GetErrorOffset()) + ": " +
                      rapidjson::GetParseError_En(doc.GetParseError()));
  if (!doc.IsObject() || !doc.HasMember("features") || !doc["features"].IsArray())
    return unexpected(geojson.string() + ": not a GeoJSON FeatureCollection");
  district_map map;
  std::size_t index = 0;
  for (const auto& f : doc["features"].GetArray()) {
    const auto where = geojson.string() + ": features[" + std::to_string(index++) + "]";
    if (!f.IsObject() || !f.HasMember("properties") || !f["properties"].IsObject() ||
        !f["properties"].HasMember("id") || !f["properties"]["id"].IsString())
      return unexpected(where + ": needs properties.id (the district id, e.g. Jongno-gu)");
    if (!f.HasMember("geometry") || !f["geometry"].IsObject() || !f["geometry"].HasMember("type") ||
        !f["geometry"]["type"].IsString() || !f["geometry"].HasMember("coordinates"))
      return unexpected(where + ": needs a Polygon or MultiPolygon geometry");
    district d;
    d.id = f["properties"]["id"].GetString();
    const std::string type = f["geometry"]["type"].GetString();
    const auto& coords = f["geometry"]["coordinates"];
    auto add_polygon = [&](const rapidjson::Value& poly) {
      if (!poly.IsArray() || poly.Empty()) return false;
      std::vector<ring> rings;
      for (const auto& r : poly.GetArray()) {
        ring_points pts;
        if (!read_ring(r, pts)) return false;
        ring out;
        for (auto [lon, lat] : pts) out.push_back({lon, lat});
        rings.push_back(std::move(out));
      }
      d.polygons.push_back(std::move(rings));
      return true;
    };
    bool ok = coords.IsArray();
    if (ok && type == "Polygon") {
      ok = add_polygon(coords);
    } else if (ok && type == "MultiPolygon") {
      for (const auto& poly : coords.GetArray()) ok = ok && add_polygon(poly);
    } else {
      ok = false;
    }
    if (!ok)
      return unexpected(where + " (" + d.id + "): geometry is not a valid Polygon or MultiPolygon");
    map.districts_.push_back(std::move(d));
  }
  if (map.districts_.empty()) return unexpected(geojson.string() + ": no features");
  return map;
}

bool district_map::inside(const district& d, double lat, double lon) {
  for (const auto& poly : d.polygons) {
    bool in_poly = false;
    for (std::size_t r = 0; r < poly.size(); ++r) {
      bool in_ring = false;
      const auto& ring = poly[r];
      for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const auto& a = ring[i];
        const auto& b = ring[j];
        if ((a.lat > lat) != (b.lat > lat) &&
            lon < (b.lon - a.lon) * (lat - a.lat) / (b.lat - a.lat) + a.lon)
          in_ring = !in_ring;
      }
      if (r == 0)
        in_poly = in_ring;
      else if (in_ring)
        in_poly = false;  // inside a hole
    }
    if (in_poly) return true;
  }
  return false;
}

double district_map::border_distance_m(const district& d, double lat, double lon) {
  const double mx = metres_per_degree_lat * std::cos(lat * pi / 180.0);
  const double my = metres_per_degree_lat;
  double best = std::numeric_limits<double>::infinity();
  for (const auto& poly : d.polygons)
    for (const auto& ring : poly)
      for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
        const double ax = (ring[i].lon - lon) * mx, ay = (ring[i].lat - lat) * my;
        const double bx = (ring[i + 1].lon - lon) * mx, by = (ring[i + 1].lat - lat) * my;
        const double dx = bx - ax, dy = by - ay;
        const double len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
        t = std::clamp(t, 0.0, 1.0);
        const double px = ax + t * dx, py = ay + t * dy;
        best = std::min(best, std::sqrt(px * px + py * py));
      }
  return best;
}

district_lookup district_map::locate(double lat, double lon, double margin_m) const {
  district_lookup out;
  std::string nearest;
  double nearest_m = std::numeric_limits<double>::infinity();
  std::vector<std::string> within;
  for (const auto& d : districts_) {
    if (inside(d, lat, lon)) {
      out.best = d.id;
      continue;
    }
    const double m = border_distance_m(d, lat, lon);
    if (m <= margin_m) within.push_back(d.id);
    if (m < nearest_m) {
      nearest_m = m;
      nearest = d.id;
    }
  }
  if (out.best.empty() && nearest_m <= margin_m) out.best = nearest;
  if (out.best.empty()) return out;
  out.nearby.push_back(out.best);
  for (auto& id : within)
    if (id != out.best) out.nearby.push_back(std::move(id));
  return out;
}

bool district_map::contains_id(const std::string& id) const {
  return std::any_of(districts_.begin(), districts_.end(),
                     [&](const district& d) { return d.id == id; });
}

}  // namespace civic::classify
