// The nearest labelled examples' vote: the k most similar examples decide,
// weighted by exp(similarity / temperature), a second division counts by its
// share, and the neighbours come back most similar first.

#include "consumers/classify/model/nearest_examples.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <span>
#include <utility>
#include <vector>

using civic::classify::model::nearest_examples;
using civic::classify::model::neighbour;

namespace {

std::vector<float> unit(float x, float y) {
  const float n = std::sqrt(x * x + y * y);
  return {x / n, y / n};
}

nearest_examples three_examples() {
  nearest_examples e;
  e.classes = 3;
  e.dims = 2;
  e.k = 2;
  const std::pair<std::size_t, float> only0[] = {{0, 1.0f}};
  const std::pair<std::size_t, float> only1[] = {{1, 1.0f}};
  const std::pair<std::size_t, float> split12[] = {{1, 2.0f / 3}, {2, 1.0f / 3}};
  e.add("a", unit(1, 0), only0);
  e.add("b", unit(0, 1), only1);
  e.add("c", unit(1, 1), split12);
  return e;
}

}  // namespace

TEST_CASE("nearest examples: the k nearest vote, the nearer one more, second divisions by share") {
  const auto e = three_examples();
  std::vector<float> p(3);
  std::vector<neighbour> nearest;
  e.probabilities(unit(1, 0.2f), p, &nearest);
  REQUIRE(nearest.size() == 2);  // k = 2: "b" is too far to vote
  CHECK(e.ids[nearest[0].example] == "a");
  CHECK(e.ids[nearest[1].example] == "c");
  CHECK(nearest[0].similarity > nearest[1].similarity);
  CHECK(p[0] + p[1] + p[2] == doctest::Approx(1.0f));
  CHECK(p[0] > 0.9f);                                      // a is much nearer at temperature 0.05
  CHECK(p[1] == doctest::Approx(2 * p[2]).epsilon(1e-4));  // c's two divisions by their share

  // A hotter vote listens to the farther neighbour more.
  auto warm = e;
  warm.temperature = 1.0f;
  std::vector<float> q(3);
  warm.probabilities(unit(1, 0.2f), q);
  CHECK(q[0] < p[0]);
  CHECK(q[1] > p[1]);
}

TEST_CASE("nearest examples: none, or a vector of other dimensions, gives no vote") {
  nearest_examples empty;
  empty.classes = 3;
  empty.dims = 2;
  std::vector<float> p(3, 0.5f);
  empty.probabilities(unit(1, 0), p);
  CHECK(p == std::vector<float>(3, 0.0f));
  const auto e = three_examples();
  std::vector<neighbour> nearest(1);
  e.probabilities(std::vector<float>{1, 0, 0}, p, &nearest);
  CHECK(p == std::vector<float>(3, 0.0f));
  CHECK(nearest.empty());
}

TEST_CASE("nearest examples: the same neighbours vote for their kinds, weighted alike") {
  nearest_examples e;
  e.classes = 2;
  e.kind_classes = 4;
  e.dims = 2;
  e.k = 2;
  const std::pair<std::size_t, float> only0[] = {{0, 1.0f}};
  e.add("a", unit(1, 0), only0, 3);  // a question
  e.add("b", unit(0, 1), only0, 0);  // a complaint, too far to vote
  e.add("c", unit(1, 1), only0, 1);  // an idea
  std::vector<float> p(2), kinds(4);
  std::vector<neighbour> nearest;
  e.probabilities(unit(1, 0.2f), p, &nearest);
  e.kind_probabilities(nearest, kinds);
  CHECK(kinds[0] == 0.0f);
  CHECK(kinds[2] == 0.0f);
  CHECK(kinds[1] + kinds[3] == doctest::Approx(1.0f));
  CHECK(kinds[3] > 0.9f);  // a is the nearer, as in the divisions' vote
  // The weights are the divisions' own: with one division, each neighbour's
  // share of the kind vote is its share of that division's vote.
  const float a_share =
      1.0f / (1.0f + std::exp((nearest[1].similarity - nearest[0].similarity) / e.temperature));
  CHECK(kinds[3] == doctest::Approx(a_share).epsilon(1e-4));

  // Examples kept without kinds (heads of before) give no kind vote.
  const auto old = three_examples();
  CHECK(old.kinds.empty());
  old.probabilities(unit(1, 0.2f), std::span<float>(kinds).first(3), &nearest);
  old.kind_probabilities(nearest, kinds);
  CHECK(kinds == std::vector<float>(4, 0.0f));
}
