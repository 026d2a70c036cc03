#include "consumers/dedup/geo.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

using namespace civic::dedup;

TEST_CASE("distance between two Seoul points in metres") {
  geo_point a{37.5576, 126.9240};
  CHECK(distance_m(a, a) == 0.0);
  // One thousandth of a degree of latitude is about 111 m.
  CHECK(distance_m(a, {37.5586, 126.9240}) == doctest::Approx(111.2).epsilon(0.01));
  // Gwanghwamun to Gangnam station: about 9.8 km.
  CHECK(distance_m({37.5759, 126.9768}, {37.4979, 127.0276}) ==
        doctest::Approx(9'800).epsilon(0.1));
}

TEST_CASE("every point within the cell size lies in the 3x3 cells around a point") {
  std::mt19937 random(42);
  std::uniform_real_distribution<double> lat(37.40, 37.70), lon(126.75, 127.20),
      angle(0, 6.2831853), reach(0, 250);
  for (int i = 0; i < 5000; ++i) {
    geo_point p{lat(random), lon(random)};
    double a = angle(random), r = reach(random);
    geo_point q{p.lat + r * std::cos(a) / 111'195.0,
                p.lon + r * std::sin(a) / (111'195.0 * std::cos(p.lat * 3.14159265 / 180))};
    if (distance_m(p, q) > 250) continue;
    auto around = cells_around(p, 250);
    REQUIRE_MESSAGE(std::find(around.begin(), around.end(), cell_of(q, 250)) != around.end(),
                    "point " << q.lat << "," << q.lon << " missed from " << p.lat << "," << p.lon);
  }
}

TEST_CASE("points far apart fall in different cells") {
  CHECK_FALSE(cell_of({37.5576, 126.9240}, 250) == cell_of({37.5676, 126.9240}, 250));
}
