#include "gateway/answers/support_reply.hpp"

#include <array>
#include <cctype>

#include "common/text/trim.hpp"

namespace civic::gateway::answers {
namespace {

constexpr std::array<std::string_view, 8> support_words{
    "+1", "공감", "동의", "찬성", "support", "Support", "SUPPORT", "\xF0\x9F\x91\x8D"};  // 👍

}  // namespace

std::optional<std::string> support_reference(std::string_view text) {
  // "공감!" and "+1." say the same as "공감" and "+1".
  text = civic::text::trim_end(civic::text::trim_start(text, " \t\n"), " \t\n.!");
  for (std::string_view word : support_words) {
    if (!text.starts_with(word)) continue;
    std::string_view rest = text.substr(word.size());
    size_t start = rest.find_first_not_of(" \t:#");
    if (start == std::string_view::npos || start == 0) continue;
    rest = rest.substr(start);
    if (rest.size() != 8) continue;
    std::string ref;
    for (char c : rest) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
      ref += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return ref;
  }
  return std::nullopt;
}

}  // namespace civic::gateway::answers
