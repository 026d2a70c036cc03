#pragma once
// A minimal stand-in for C++23 std::expected (this tree is C++20). It keeps the
// std::expected spelling (expected, unexpected, has_value, value, error) so the
// switch to <expected> is a using-declaration when the toolchain moves on.

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace civic {

template <class E>
class unexpected {
 public:
  explicit unexpected(E error) : error_(std::move(error)) {}
  E& error() & { return error_; }
  E&& error() && { return std::move(error_); }

 private:
  E error_;
};

template <class E>
unexpected(E) -> unexpected<E>;

template <class T, class E>
class [[nodiscard]] expected {
 public:
  template <class U = T>
  requires std::is_constructible_v<T, U&&> expected(U&& value)
      : state_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT
  template <class G>
  expected(unexpected<G> error)  // NOLINT
      : state_(std::in_place_index<1>, std::move(error).error()) {}

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  E& error() & {
    assert(!has_value());
    return std::get<1>(state_);
  }
  const E& error() const& {
    assert(!has_value());
    return std::get<1>(state_);
  }
  E&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, E> state_;
};

}  // namespace civic
