#include "gateway/subscribe/position.hpp"

#include <array>

#include "common/crypto/base64url.hpp"

namespace civic::gateway::subscribe {
namespace {

constexpr uint8_t token_version = 1;
constexpr size_t max_partitions = 4096;

uint32_t fnv1a(std::string_view bytes, uint32_t h = 2166136261u) {
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

class reader {
 public:
  explicit reader(std::string_view bytes) : bytes_(bytes) {}
  bool u8(uint8_t& v) {
    if (pos_ >= bytes_.size()) return false;
    v = static_cast<uint8_t>(bytes_[pos_++]);
    return true;
  }
  bool u32(uint32_t& v) {
    if (bytes_.size() - pos_ < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(static_cast<uint8_t>(bytes_[pos_++])) << (8 * i);
    return true;
  }
  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b;
      if (!u8(b)) return false;
      v |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

void put_marks(std::string& out, const std::vector<partition_mark>& marks) {
  put_varint(out, marks.size());
  for (const auto& m : marks) {
    put_varint(out, static_cast<uint64_t>(m.next < 0 ? 0 : m.next));
    put_u32(out, m.anchor);
  }
}

bool read_marks(reader& r, std::vector<partition_mark>& marks) {
  uint64_t n;
  if (!r.varint(n) || n > max_partitions) return false;
  marks.resize(n);
  for (auto& m : marks) {
    uint64_t next;
    if (!r.varint(next) || next > uint64_t(INT64_MAX)) return false;
    m.next = static_cast<int64_t>(next);
    if (!r.u32(m.anchor)) return false;
  }
  return true;
}

bool marks_cover(const std::vector<partition_mark>& a, const std::vector<partition_mark>& b) {
  for (size_t i = 0; i < b.size(); ++i) {
    int64_t mine = i < a.size() ? a[i].next : 0;
    if (mine < b[i].next) return false;
  }
  return true;
}

}  // namespace

bool position::covers(const position& other) const {
  return marks_cover(division, other.division) && marks_cover(cases, other.cases);
}

uint32_t stream_id(std::string_view division_topic, std::string_view cases_topic) {
  return fnv1a(cases_topic, fnv1a("\n", fnv1a(division_topic)));
}

uint32_t record_anchor(int64_t timestamp_ms, std::string_view key) {
  std::array<char, 8> t{};
  for (int i = 0; i < 8; ++i)
    t[size_t(i)] = static_cast<char>((uint64_t(timestamp_ms) >> (8 * i)) & 0xFF);
  uint32_t h = fnv1a(key, fnv1a(std::string_view(t.data(), t.size())));
  return h == 0 ? 1 : h;
}

std::string encode_position(const position& p) {
  std::string raw;
  raw.reserve(8 + 10 * (p.division.size() + p.cases.size()));
  raw.push_back(static_cast<char>(token_version));
  put_u32(raw, p.stream);
  put_marks(raw, p.division);
  put_marks(raw, p.cases);
  return crypto::base64url_encode(raw);
}

expected<position, std::string> decode_position(std::string_view token) {
  auto raw = crypto::base64url_decode(token);
  if (!raw) return unexpected(std::string("not base64url"));
  reader r(*raw);
  uint8_t version;
  if (!r.u8(version)) return unexpected(std::string("truncated"));
  if (version != token_version) return unexpected(std::string("unknown version"));
  position p;
  if (!r.u32(p.stream) || !read_marks(r, p.division) || !read_marks(r, p.cases) || !r.done()) {
    return unexpected(std::string("truncated"));
  }
  return p;
}

}  // namespace civic::gateway::subscribe
