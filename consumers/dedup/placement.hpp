#pragma once
// Which divisions own a report and in which district it is: the shared
// classifier decides (consumers/classify), so dedup and the router agree. The
// deduplicator takes it as a function so its tests can give their own.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "consumers/dedup/geo.hpp"

namespace civic::dedup {

struct placement_input {
  std::string_view text;
  std::optional<std::string_view> address;
  std::optional<geo_point> point;
  std::string_view channel;
  std::optional<std::string_view> district;  // as the envelope states it (classify::input)
  // An embedding computed earlier for this text (carried between dedup's steps).
  std::span<const float> embedding;
};

struct placement {
  std::vector<std::string> divisions;  // never empty: primary first ("triage" when nothing fits)
  // Every division the text gave real evidence for, strongest first (a superset
  // of divisions): the same issue worded differently often lands on different
  // top divisions (a flooded road: water or roads), so matching compares these.
  std::vector<std::string> related;
  std::optional<std::string> district;
  std::vector<float> embedding{};  // the classifier's sentence embedding; empty: rules only
  // For the dashboards: the rules' kind and urgency ("complaint", "normal", ...).
  std::string kind = "complaint";
  std::string urgency = "normal";
};

// The encoder behind placement::embedding, so that a vector carried in a header
// is used only by a reader of the same model.
struct embedding_model_info {
  std::string id;
  std::size_t dims = 0;
};

// A callable (tests pass a lambda) and, with the sentence model, its encoder.
struct placement_function {
  std::function<placement(const placement_input&)> fn;
  std::optional<embedding_model_info> embedding_model;

  placement_function() = default;
  template <class F>
  requires std::is_invocable_r_v<placement, F, const placement_input&> placement_function(F f)
      : fn(std::move(f)) {}  // NOLINT: a lambda is a placement function
  placement operator()(const placement_input& in) const { return fn(in); }
};

}  // namespace civic::dedup
