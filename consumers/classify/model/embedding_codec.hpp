#pragma once
// One sentence embedding as 8-bit integers with one scale (4 + n bytes): how it
// travels in a record header from dedup to the router, and what the heads see
// everywhere (so a vector carried and a vector computed again decide alike).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace civic::classify::model {

// Record headers that carry a message's embedding from dedup (which computes it
// once) to the router: the encoded vector, and the encoder id it belongs to.
inline constexpr std::string_view embedding_header = "civic-embedding";
inline constexpr std::string_view embedding_model_header = "civic-embedding-model";

std::string encode_embedding(std::span<const float> v);
// nullopt when the bytes are not an encoded vector of `dims` values.
std::optional<std::vector<float>> decode_embedding(std::string_view bytes, std::size_t dims);
// The 8-bit values of v into `out` (v.size() of them); returns their scale.
float quantise_embedding(std::span<const float> v, std::span<int8_t> out);
// The vector after one round trip (what decode(encode(v)) gives).
void round_embedding(std::span<float> v);

}  // namespace civic::classify::model
