#include "service/webhook_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/digest.h"
#include "proto/json/alert_json.h"
#include "service/kpi_service.h"
#include "service/observability.h"

namespace mittari::service {
namespace {

// Deliveries taken from the outbox at once.
constexpr int kBatch = 50;

size_t Discard(char* /*data*/, size_t size, size_t count, void* /*user*/) {
  return size * count;
}

}  // namespace

WebhookSender::WebhookSender(domain::Webhooks& webhooks,
                             const domain::WorkspaceDirectory& workspaces,
                             Options options)
    : webhooks_(webhooks), workspaces_(workspaces), options_(options) {
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

WebhookSender::~WebhookSender() { Stop(); }

void WebhookSender::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void WebhookSender::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

int64_t WebhookSender::delivered() const {
  absl::MutexLock lock(&mu_);
  return delivered_;
}

int64_t WebhookSender::failed() const {
  absl::MutexLock lock(&mu_);
  return failed_;
}

int64_t WebhookSender::Post(const std::string& url, const std::string& body,
                            const std::string& signature,
                            const std::string& alert, int64_t version) const {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return 0;
  curl_slist* headers = nullptr;
  for (const std::string& h :
       {std::string("Content-Type: application/json"),
        absl::StrCat("X-Mittari-Signature: ", signature),
        absl::StrCat("X-Mittari-Alert: ", alert),
        absl::StrCat("X-Mittari-Alert-Version: ", version)}) {
    headers = curl_slist_append(headers, h.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(
      curl, CURLOPT_TIMEOUT_MS,
      static_cast<long>(  // NOLINT(google-runtime-int): curl's type
          absl::ToInt64Milliseconds(options_.timeout)));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  long code = 0;  // NOLINT(google-runtime-int): curl's type
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return code;
}

void WebhookSender::Loop() {
  for (;;) {
    absl::Time next = absl::InfiniteFuture();
    absl::StatusOr<std::vector<domain::Webhooks::Pending>> due =
        webhooks_.Due(kBatch, &next);
    if (!due.ok()) {
      LogWarning("webhook outbox unreadable",
                 {{"error", std::string(due.status().message())}});
      due = std::vector<domain::Webhooks::Pending>();
    }
    for (const domain::Webhooks::Pending& p : *due) {
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) return;
      }
      const records::WebhookDelivery& d = p.delivery;
      absl::Status status;
      if (absl::IsNotFound(workspaces_.Get(d.workspace_id()).status())) {
        status = webhooks_.Delivered(p);  // its workspace is gone
      } else if (absl::StatusOr<std::string> secret =
                     webhooks_.Secret(d.workspace_id());
                 !secret.ok()) {
        status = secret.status();
      } else {
        const v1::Alert alert = AlertToProto(d.workspace_id(), d.alert());
        const std::string body =
            json::AlertJson(alert, EncodeResumeToken(d.alert().sequence()))
                .dump();
        const std::string signature = absl::StrCat(
            "sha256=",
            absl::BytesToHexString(domain::HmacSha256(*secret, body)));
        const int64_t code =
            Post(d.url(), body, signature, alert.name(), alert.version());
        if (code >= 200 && code < 300) {
          status = webhooks_.Delivered(p);
          absl::MutexLock lock(&mu_);
          ++delivered_;
        } else {
          {
            absl::MutexLock lock(&mu_);
            ++failed_;
          }
          absl::StatusOr<bool> gave_up = webhooks_.Failed(p);
          status = gave_up.status();
          if (gave_up.ok() && *gave_up) {
            LogWarning("webhook delivery dropped after retrying",
                       {{"workspace", d.workspace_id()},
                        {"alert", alert.name()},
                        {"attempts", absl::StrCat(d.attempts() + 1)}});
          }
        }
      }
      if (!status.ok()) {
        LogWarning("webhook delivery not recorded",
                   {{"error", std::string(status.message())}});
      }
    }
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    if (static_cast<int>(due->size()) == kBatch) continue;
    auto stop = [this]()
                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
    mu_.AwaitWithDeadline(absl::Condition(&stop),
                          std::min(next, absl::Now() + options_.poll));
  }
}

}  // namespace mittari::service
