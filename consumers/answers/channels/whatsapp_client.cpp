// WhatsApp Cloud API: POST /<phone-number-id>/messages (Authorization: Bearer).
// Free-form text (quoting the citizen's message through context.message_id) is
// allowed only within 24 hours of the citizen's last message; after that only
// an approved template (answers.whatsapp.template, body parameters {{1}} case
// reference, {{2}} status, {{3}} the answer on one line). A text refused with
// error 131047 (outside the window by Meta's clock) is sent as the template.
// The Cloud API has no idempotency key: a repeat is a second message.
#include <rapidjson/document.h>

#include "common/json/parse.hpp"
#include "consumers/answers/channels/channel_client.hpp"

namespace civic::answers {
namespace {

constexpr config::option options[] = {
    {"answers.whatsapp.enabled", "false", "Answer WhatsApp users.", config::value_type::boolean},
    {"answers.whatsapp.base_url", "https://graph.facebook.com/v21.0",
     "Graph API base URL with its version."},
    {"answers.whatsapp.access_token", "", "System user access token (Bearer); a secret."},
    {"answers.whatsapp.phone_number_id", "",
     "The business number id to send from when the citizen's message did not say (the "
     "webhook's metadata.phone_number_id normally does)."},
    {"answers.whatsapp.window_s", "86100",
     "Free text only while the citizen's last message is younger than this (WhatsApp: 24 h; "
     "the default keeps 5 minutes' margin).",
     config::value_type::integer, 0, 86400},
    {"answers.whatsapp.template", "",
     "Approved template for answers outside the window (body {{1}} case reference, {{2}} status, "
     "{{3}} answer); empty: such answers are recorded window_expired."},
    {"answers.whatsapp.template_language", "ko", "The template's language code."},
    {"answers.whatsapp.rate_per_second", "50",
     "Messages per second at most (WhatsApp: 80 per number by default).",
     config::value_type::integer, 0, 1000},
};

constexpr size_t max_text_chars = 4096;
constexpr int64_t outside_window = 131047;

std::string one_line(std::string_view text, size_t max_chars) {
  // Template parameters may not hold new lines, tabs or runs of spaces.
  std::string out;
  for (char c : text) {
    char d = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    if (d == ' ' && !out.empty() && out.back() == ' ') continue;
    out += d;
  }
  return fit(out.empty() ? std::string("-") : out, max_chars);
}

class whatsapp_client final : public channel_client {
 public:
  struct settings {
    std::string base, token, default_sender, template_name, template_language;
    int64_t window_ms = 0;
    double rate = 0;
  };
  explicit whatsapp_client(settings s) : s_(std::move(s)) {}

  std::string_view channel() const override { return "whatsapp"; }
  double rate_per_second() const override { return s_.rate; }
  bool repeat_safe(std::string_view) const override { return false; }

  plan choose(const delivery_job& job) const override {
    int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(job.now.time_since_epoch()).count();
    int64_t last = std::max(job.last_inbound_ms, job.address.written_at_ms);
    if (now_ms - last < s_.window_ms) return {"text", std::nullopt};
    if (!s_.template_name.empty()) return {"template", std::nullopt};
    return {"template", send_result{send_verdict::window_expired,
                                    "the citizen last wrote more than 24 hours ago and "
                                    "answers.whatsapp.template is not set",
                                    std::nullopt, "template"}};
  }

  send_result send(const delivery_job& job, http_client& http) const override {
    if (job.mode == "text") {
      auto r = post(job, http, text_body(job));
      if (error_code(r) != outside_window) return judge(r, job, "text");
      if (s_.template_name.empty()) {
        return {send_verdict::window_expired,
                "WhatsApp refused free text (131047, outside the 24-hour window) and "
                "answers.whatsapp.template is not set",
                std::nullopt, "text"};
      }
    }
    return judge(post(job, http, template_body(job)), job, "template");
  }

 private:
  http_result post(const delivery_job& job, http_client& http, const std::string& body) const {
    const std::string& sender = job.address.via.empty() ? s_.default_sender : job.address.via;
    return http.post(s_.base + "/" + sender + "/messages",
                     {"Content-Type: application/json", "Authorization: Bearer " + s_.token}, body);
  }

  std::string head(const delivery_job& job) const {
    return "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":" +
           json_string(job.address.to);
  }

  std::string text_body(const delivery_job& job) const {
    std::string body = head(job) + ",\"type\":\"text\",\"text\":{\"preview_url\":false,\"body\":" +
                       json_string(fit(job.message.text, max_text_chars)) + "}";
    if (!job.address.thread.empty()) {
      body += ",\"context\":{\"message_id\":" + json_string(job.address.thread) + "}";
    }
    return body + "}";
  }

  std::string template_body(const delivery_job& job) const {
    auto parameter = [](std::string_view text) {
      return "{\"type\":\"text\",\"text\":" + json_string(text) + "}";
    };
    return head(job) +
           ",\"type\":\"template\",\"template\":{\"name\":" + json_string(s_.template_name) +
           ",\"language\":{\"code\":" + json_string(s_.template_language) +
           "},\"components\":[{\"type\":\"body\",\"parameters\":[" +
           parameter(one_line(job.message.case_ref, 60)) + "," +
           parameter(one_line(job.message.status_label, 60)) + "," +
           parameter(one_line(job.message.answer, 900)) + "]}]}}";
  }

  static int64_t error_code(const http_result& r) {
    if (r.outcome != transport::answered || r.status < 400) return 0;
    rapidjson::Document doc;
    json::parse(doc, r.body);
    if (!doc.IsObject() || !doc.HasMember("error") || !doc["error"].IsObject()) return 0;
    const auto& e = doc["error"];
    return e.HasMember("code") && e["code"].IsInt64() ? e["code"].GetInt64() : 0;
  }

  static send_result judge(const http_result& r, const delivery_job& job, std::string mode) {
    if (r.outcome == transport::answered && r.status == 200) {
      return {send_verdict::delivered, "", std::nullopt, mode};
    }
    int64_t code = error_code(r);
    // Throughput limits: 130429 (per number), 131056 (per pair), 4 / 80007 (per app).
    if (code == 130429 || code == 131056 || code == 4 || code == 80007) {
      return {send_verdict::retry, "WhatsApp error " + std::to_string(code),
              retry_after(r, job.now), mode};
    }
    if (auto t = transient(r, job.now, mode)) return *t;
    if (code == 131050) {
      return {send_verdict::opted_out, "the citizen stopped messages from this business (131050)",
              std::nullopt, mode};
    }
    return {send_verdict::refused,
            "HTTP " + std::to_string(r.status) +
                (code ? " WhatsApp error " + std::to_string(code) : std::string()),
            std::nullopt, mode};
  }

  settings s_;
};

const bool registered = register_client(
    {"whatsapp", options,
     [](const config::settings& s) -> expected<std::unique_ptr<channel_client>, std::string> {
       whatsapp_client::settings w;
       w.base = s.text("answers.whatsapp.base_url");
       w.token = s.text("answers.whatsapp.access_token");
       w.default_sender = s.text("answers.whatsapp.phone_number_id");
       w.template_name = s.text("answers.whatsapp.template");
       w.template_language = s.text("answers.whatsapp.template_language");
       w.window_ms = s.integer("answers.whatsapp.window_s") * 1000;
       w.rate = static_cast<double>(s.integer("answers.whatsapp.rate_per_second"));
       if (w.token.empty())
         return unexpected(std::string("answers.whatsapp.access_token is required"));
       return std::unique_ptr<channel_client>(new whatsapp_client(std::move(w)));
     }});

}  // namespace
}  // namespace civic::answers
