#pragma once
// What a citizen reads about their case: a short notice in their language
// (Korean unless they wrote in English) with the case reference, the new status
// and the division's answer as written; and the proposer's notice when their
// idea's support crosses a threshold.

#include <string>
#include <string_view>

#include "common/responses/response.hpp"
#include "consumers/answers/channels/channel_client.hpp"

namespace civic::answers {

// A short reference the citizen can quote: the case id's last 8 hex digits.
std::string case_reference(std::string_view case_id);

// "ko" or "en": the labels' language for a citizen whose report was in `language`.
std::string notice_language(std::string_view language);

std::string status_label(responses::case_status s, std::string_view language);

notice update_notice(const responses::response& update, std::string_view recipient_language);
notice threshold_notice(const responses::response& threshold, std::string_view recipient_language);

// True when the citizens hear about this response: an update with notify and
// something to say (a status or an answer), or a threshold event.
bool citizens_hear_about(const responses::response& r);

}  // namespace civic::answers
