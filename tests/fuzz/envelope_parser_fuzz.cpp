// libFuzzer: arbitrary bytes into the envelope parser consumers use; whatever it
// accepts must write back to an equal envelope.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/envelope/envelope_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = civic::envelope::parse_json(input);
  if (!parsed) return 0;
  auto again = civic::envelope::parse_json(civic::envelope::to_json(*parsed));
  if (!again || !(*again == *parsed)) std::abort();
  return 0;
}
