#include "consumers/answers/http/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace civic::answers {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t collect_body(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  // Answers of the channels' APIs are small; a runaway body is cut, not buffered.
  constexpr size_t max_body = 1 << 20;
  size_t n = size * count;
  if (out->size() < max_body) out->append(data, std::min(n, max_body - out->size()));
  return n;
}

size_t collect_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(data, size * count);
  size_t colon = line.find(':');
  if (line.starts_with("HTTP/")) {
    headers->clear();  // a new response (after 100 Continue or a redirect)
  } else if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    size_t begin = line.find_first_not_of(" \t", colon + 1);
    size_t end = line.find_last_not_of(" \t\r\n");
    (*headers)[name] = begin == std::string::npos || end < begin
                           ? std::string()
                           : line.substr(begin, end - begin + 1);
  }
  return size * count;
}

struct upload_cursor {
  const std::string* data;
  size_t at = 0;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* user) {
  auto* cursor = static_cast<upload_cursor*>(user);
  size_t n = std::min(size * count, cursor->data->size() - cursor->at);
  std::copy_n(cursor->data->data() + cursor->at, n, buffer);
  cursor->at += n;
  return n;
}

struct slist_free {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using slist_ptr = std::unique_ptr<curl_slist, slist_free>;

// The handle reset for a new transfer, with the client's timeouts and no signals; nullptr
// (and `result` says why) when libcurl could not make one.
CURL* prepare(CURL* h, const http_settings& settings, http_result& result) {
  if (!h) {
    result.outcome = transport::not_sent;
    result.error = "libcurl could not be initialised";
    return nullptr;
  }
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(settings.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(settings.total_timeout.count()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  return h;
}

}  // namespace

struct http_client::impl {
  http_settings settings;
  CURL* handle = nullptr;
};

http_client::http_client(http_settings s) : impl_(std::make_unique<impl>()) {
  global_init();
  impl_->settings = s;
  impl_->handle = curl_easy_init();
}

http_client::~http_client() {
  if (impl_ && impl_->handle) curl_easy_cleanup(impl_->handle);
}

http_result http_client::post(const std::string& url, const std::vector<std::string>& headers,
                              const std::string& body) {
  http_result result;
  CURL* h = prepare(impl_->handle, impl_->settings, result);
  if (!h) return result;
  slist_ptr list;
  for (const auto& line : headers) list.reset(curl_slist_append(list.release(), line.c_str()));
  // libcurl would otherwise send "Expect: 100-continue" for larger bodies.
  list.reset(curl_slist_append(list.release(), "Expect:"));
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &result.headers);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OK) {
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
    return result;
  }
  long sent = 0;
  curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent);
  result.outcome = sent > 0 ? transport::no_answer : transport::not_sent;
  result.error = curl_easy_strerror(code);
  return result;
}

http_result http_client::send_mail(const smtp_settings& smtp, const mail& m) {
  http_result result;
  CURL* h = prepare(impl_->handle, impl_->settings, result);
  if (!h) return result;
  slist_ptr recipients(curl_slist_append(nullptr, ("<" + m.to + ">").c_str()));
  upload_cursor cursor{&m.message};
  std::string from = "<" + m.from + ">";
  curl_easy_setopt(h, CURLOPT_URL, smtp.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (!smtp.user.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, smtp.user.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, smtp.password.c_str());
  }
  if (smtp.require_tls) curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(h, CURLOPT_READDATA, &cursor);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  CURLcode code = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
  if (code == CURLE_OK) return result;
  curl_off_t uploaded = 0;
  curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  // A refusal with an SMTP reply (550 no such user, 452 try later) is an answer.
  if (result.status >= 400) return result;
  result.outcome = uploaded > 0 ? transport::no_answer : transport::not_sent;
  result.error = curl_easy_strerror(code);
  return result;
}

}  // namespace civic::answers
