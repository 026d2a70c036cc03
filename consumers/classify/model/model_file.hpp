#pragma once
// A model file in the project's format (script/lib/convert_use_weights.py
// writes it): named tensors, mapped read-only into memory as they lie in the
// file, so loading costs a page-table update, not a parse.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/error/expected.hpp"

namespace civic::classify::model {

enum class dtype : uint32_t { f32 = 0, u8 = 1 };

struct tensor {
  dtype type = dtype::f32;
  std::size_t rows = 1;  // first dimension
  std::size_t cols = 1;  // product of the others
  const void* data = nullptr;
  const float* f32() const { return static_cast<const float*>(data); }
  const uint8_t* u8() const { return static_cast<const uint8_t*>(data); }
  std::size_t size() const { return rows * cols; }
};

// One tensor to write: `bytes` must be rows * cols * (4 for f32, 1 for u8).
struct tensor_to_write {
  std::string name;  // at most 31 bytes
  dtype type = dtype::f32;
  std::size_t rows = 1, cols = 1;
  const void* data = nullptr;
};

// Writes the tensors in the format model_file reads (rank 2, 64-byte aligned);
// returns the file's size.
expected<std::size_t, std::string> write_model_file(const std::filesystem::path& path,
                                                    std::span<const tensor_to_write> tensors);

class model_file {
 public:
  static expected<std::shared_ptr<const model_file>, std::string> open(
      const std::filesystem::path& path);

  // The tensor, checked to have this type and shape (0: any).
  expected<tensor, std::string> get(const std::string& name, dtype type, std::size_t rows,
                                    std::size_t cols) const;
  bool has(std::string_view name) const { return tensors_.find(name) != tensors_.end(); }
  std::size_t bytes() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

  model_file(const model_file&) = delete;
  model_file& operator=(const model_file&) = delete;
  ~model_file();

 private:
  model_file() = default;
  std::filesystem::path path_;
  const std::byte* base_ = nullptr;
  std::size_t size_ = 0;
  std::map<std::string, tensor, std::less<>> tensors_;
};

}  // namespace civic::classify::model
