#pragma once
// Distances between reports and the grid of cells that finds nearby cases
// without looking at the others.

#include <cstdint>
#include <vector>

namespace civic::dedup {

struct geo_point {
  double lat = 0;
  double lon = 0;
  bool operator==(const geo_point&) const = default;
};

// Great-circle distance in metres (haversine; exact enough at city scale).
double distance_m(geo_point a, geo_point b);

// Cells at least `cell_m` wide in both directions: every point within cell_m
// of p lies in one of the 3x3 cells around p's own cell.
struct geo_cell {
  int32_t row = 0;
  int32_t column = 0;
  bool operator==(const geo_cell&) const = default;
};

geo_cell cell_of(geo_point p, double cell_m);
// p's cell and its eight neighbours.
std::vector<geo_cell> cells_around(geo_point p, double cell_m);

}  // namespace civic::dedup
