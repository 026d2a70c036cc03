#include "consumers/classify/model/model_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

namespace civic::classify::model {
namespace {

constexpr char magic[8] = {'C', 'I', 'V', 'I', 'C', 'U', 'S', 'E'};
constexpr std::size_t entry_bytes = 32 + 4 + 4 + 4 * 8 + 8;

template <class T>
T read_le(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // the format is little-endian, as is every target here
  return v;
}

}  // namespace

model_file::~model_file() {
  if (base_) munmap(const_cast<std::byte*>(base_), size_);
}

expected<std::shared_ptr<const model_file>, std::string> model_file::open(
    const std::filesystem::path& path) {
  const std::string where = path.string() + ": ";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return unexpected(where + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || st.st_size < 16) {
    ::close(fd);
    return unexpected(where + "not a model file (too short)");
  }
  void* mapped = mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapped == MAP_FAILED) return unexpected(where + "mmap: " + std::strerror(errno));
  std::shared_ptr<model_file> f(new model_file());
  f->path_ = path;
  f->base_ = static_cast<const std::byte*>(mapped);
  f->size_ = static_cast<std::size_t>(st.st_size);

  if (std::memcmp(f->base_, magic, sizeof magic) != 0)
    return unexpected(where + "not a model file (no CIVICUSE magic)");
  if (read_le<uint32_t>(f->base_ + 8) != 1)
    return unexpected(where + "model file version " +
                      std::to_string(read_le<uint32_t>(f->base_ + 8)) + ", this build reads 1");
  const auto count = read_le<uint32_t>(f->base_ + 12);
  if (16 + count * entry_bytes > f->size_) return unexpected(where + "truncated header");
  for (uint32_t i = 0; i < count; ++i) {
    const std::byte* e = f->base_ + 16 + i * entry_bytes;
    char name[33] = {};
    std::memcpy(name, e, 32);
    tensor t;
    const auto type = read_le<uint32_t>(e + 32);
    if (type > 1) return unexpected(where + name + ": unknown dtype");
    t.type = static_cast<dtype>(type);
    const auto rank = read_le<uint32_t>(e + 36);
    std::size_t dims[4];
    for (int d = 0; d < 4; ++d) dims[d] = read_le<uint64_t>(e + 40 + 8 * d);
    t.rows = rank == 0 ? 1 : dims[0];
    t.cols = dims[1] * dims[2] * dims[3];
    const auto offset = read_le<uint64_t>(e + 72);
    const std::size_t bytes = t.size() * (t.type == dtype::f32 ? 4 : 1);
    if (offset % 64 != 0 || offset > f->size_ || bytes > f->size_ - offset)
      return unexpected(where + name + ": data outside the file (truncated download?)");
    t.data = f->base_ + offset;
    f->tensors_.emplace(name, t);
  }
  return std::shared_ptr<const model_file>(std::move(f));
}

expected<std::size_t, std::string> write_model_file(const std::filesystem::path& path,
                                                    std::span<const tensor_to_write> tensors) {
  auto align = [](std::size_t n) { return (n + 63) / 64 * 64; };
  std::string header(magic, sizeof magic);
  auto put = [&header](auto v) {
    char b[sizeof v];
    std::memcpy(b, &v, sizeof v);
    header.append(b, sizeof v);
  };
  put(uint32_t{1});
  put(static_cast<uint32_t>(tensors.size()));
  std::size_t offset = align(16 + tensors.size() * entry_bytes);
  std::vector<std::size_t> offsets;
  for (const auto& t : tensors) {
    if (t.name.size() > 31) return unexpected("tensor name too long: " + t.name);
    std::string name = t.name;
    name.resize(32, '\0');
    header += name;
    put(static_cast<uint32_t>(t.type));
    put(uint32_t{2});
    put(static_cast<uint64_t>(t.rows));
    put(static_cast<uint64_t>(t.cols));
    put(uint64_t{1});
    put(uint64_t{1});
    put(static_cast<uint64_t>(offset));
    offsets.push_back(offset);
    offset = align(offset + t.rows * t.cols * (t.type == dtype::f32 ? 4 : 1));
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return unexpected(path.string() + ": cannot write");
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  std::size_t at = header.size();
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const std::string pad(offsets[i] - at, '\0');
    out.write(pad.data(), static_cast<std::streamsize>(pad.size()));
    const auto bytes = tensors[i].rows * tensors[i].cols * (tensors[i].type == dtype::f32 ? 4 : 1);
    out.write(static_cast<const char*>(tensors[i].data), static_cast<std::streamsize>(bytes));
    at = offsets[i] + bytes;
  }
  if (!out.flush()) return unexpected(path.string() + ": write failed");
  return at;
}

expected<tensor, std::string> model_file::get(const std::string& name, dtype type, std::size_t rows,
                                              std::size_t cols) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) return unexpected(path_.string() + ": no tensor '" + name + "'");
  const tensor& t = it->second;
  if (t.type != type || (rows && t.rows != rows) || (cols && t.cols != cols))
    return unexpected(path_.string() + ": tensor '" + name + "' is " + std::to_string(t.rows) +
                      "x" + std::to_string(t.cols) + ", expected " + std::to_string(rows) + "x" +
                      std::to_string(cols));
  return t;
}

}  // namespace civic::classify::model
