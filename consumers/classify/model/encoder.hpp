#pragma once
// A sentence encoder: text in, a unit-length vector out, the same vector for
// the same text on every call and thread. Implementations: the multilingual
// Universal Sentence Encoder v3 (use_encoder) and the static token table
// distilled from it (static_encoder).

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace civic::classify::model {

class encoder {
 public:
  virtual ~encoder() = default;
  virtual std::size_t dims() const = 0;
  // Writes dims() floats, L2-normalised (all zero for a text with no tokens).
  virtual void encode(std::string_view text, std::span<float> out) const = 0;
  // Names the weights, so that a vector carried between services is used only
  // by a reader of the same model ("use-m3:<sha prefix>").
  virtual const std::string& id() const = 0;
};

}  // namespace civic::classify::model
