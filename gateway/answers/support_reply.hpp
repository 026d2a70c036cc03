#pragma once
// A citizen's support sent as a message on any channel: a support word and the
// case's short reference from a notice or the city's post ("공감 3C4D5E6F",
// "+1 #3c4d5e6f", "동의 3C4D5E6F", "support 3C4D5E6F"). Such a message is not a
// report: the gateway turns it into a support record for that case.

#include <optional>
#include <string>
#include <string_view>

namespace civic::gateway::answers {

// The reference (8 upper-case hex digits) when the whole text is a support reply.
std::optional<std::string> support_reference(std::string_view text);

}  // namespace civic::gateway::answers
