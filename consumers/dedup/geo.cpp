#include "consumers/dedup/geo.hpp"

#include <cmath>
#include <numbers>

namespace civic::dedup {
namespace {

constexpr double earth_radius_m = 6'371'000.0;
constexpr double metres_per_degree_lat = earth_radius_m * std::numbers::pi / 180.0;

double radians(double degrees) { return degrees * std::numbers::pi / 180.0; }

double row_height_deg(double cell_m) { return cell_m / metres_per_degree_lat; }

// Column width of a row, from the cosine at the row's edge nearer the pole, so
// a column is never narrower than cell_m anywhere in the row.
double column_width_deg(int32_t row, double cell_m) {
  double height = row_height_deg(cell_m);
  double edge_lat =
      std::fmin(89.0, std::fmax(std::fabs(row * height), std::fabs((row + 1) * height)));
  return cell_m / (metres_per_degree_lat * std::cos(radians(edge_lat)));
}

int32_t column_of(double lon, int32_t row, double cell_m) {
  return static_cast<int32_t>(std::floor(lon / column_width_deg(row, cell_m)));
}

}  // namespace

double distance_m(geo_point a, geo_point b) {
  double dlat = radians(b.lat - a.lat);
  double dlon = radians(b.lon - a.lon);
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(radians(a.lat)) *
                                                           std::cos(radians(b.lat)) *
                                                           std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * earth_radius_m * std::asin(std::sqrt(std::fmin(1.0, h)));
}

geo_cell cell_of(geo_point p, double cell_m) {
  auto row = static_cast<int32_t>(std::floor(p.lat / row_height_deg(cell_m)));
  return {row, column_of(p.lon, row, cell_m)};
}

std::vector<geo_cell> cells_around(geo_point p, double cell_m) {
  geo_cell own = cell_of(p, cell_m);
  std::vector<geo_cell> out;
  out.reserve(9);
  for (int32_t dr = -1; dr <= 1; ++dr) {
    int32_t row = own.row + dr;
    // Rows have their own column widths: find p's column in that row.
    int32_t column = column_of(p.lon, row, cell_m);
    for (int32_t dc = -1; dc <= 1; ++dc) out.push_back({row, column + dc});
  }
  return out;
}

}  // namespace civic::dedup
