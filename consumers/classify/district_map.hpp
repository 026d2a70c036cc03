#pragma once
// Which Seoul gu a coordinate lies in, from the boundary polygons in
// deploy/config/districts/seoul-gu.geojson (see the README there for the source
// and its accuracy). Because the shipped borders are simplified, a point near a
// border is reported with every gu within the margin, and the caller lets a gu
// named in the address or text decide among them.

#include <filesystem>
#include <string>
#include <vector>

#include "common/error/expected.hpp"

namespace civic::classify {

struct district_lookup {
  // The gu containing the point, or the nearest one when the point lies just
  // outside every polygon (within the margin); empty when not in Seoul.
  std::string best;
  // best plus every other gu whose border is within the margin.
  std::vector<std::string> nearby;
};

class district_map {
 public:
  static expected<district_map, std::string> load(const std::filesystem::path& geojson);

  district_lookup locate(double lat, double lon, double margin_m) const;
  bool contains_id(const std::string& id) const;
  std::size_t size() const { return districts_.size(); }

 private:
  struct point {
    double lon, lat;
  };
  using ring = std::vector<point>;
  struct district {
    std::string id;
    std::vector<std::vector<ring>> polygons;  // each: outer ring then holes
  };
  static bool inside(const district& d, double lat, double lon);
  static double border_distance_m(const district& d, double lat, double lon);

  std::vector<district> districts_;
};

}  // namespace civic::classify
