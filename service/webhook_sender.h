// Delivers the webhook outbox (domain/webhooks.h) with libcurl, on a
// thread of its own so that no write waits for an endpoint: each delivery
// is POSTed as JSON (the shape `mittari alerts watch` prints) with
// `X-Mittari-Signature: sha256=<hex HMAC-SHA256 of the body>` under the
// workspace's secret; a 2xx answer removes it, anything else (an error
// status, a refused connection, a timeout) puts it off with backoff. The
// outbox is durable, so deliveries pending at a stop go out after the next
// start.
#ifndef MITTARI_SERVICE_WEBHOOK_SENDER_H_
#define MITTARI_SERVICE_WEBHOOK_SENDER_H_

#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "domain/webhooks.h"
#include "domain/workspaces.h"

namespace mittari::service {

class WebhookSender {
 public:
  struct Options {
    // How long one POST may take, connecting included.
    absl::Duration timeout = absl::Seconds(10);
    // The longest sleep between two looks at the outbox.
    absl::Duration poll = absl::Milliseconds(250);
  };

  WebhookSender(domain::Webhooks& webhooks,
                const domain::WorkspaceDirectory& workspaces, Options options);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  void Start();
  // Finishes the POST under way, then stops.
  void Stop();

  // Deliveries answered 2xx, and attempts that failed, so far.
  int64_t delivered() const;
  int64_t failed() const;

 private:
  void Loop();
  // POSTs `body` to `url`; the HTTP status, or 0 when none came.
  int64_t Post(const std::string& url, const std::string& body,
               const std::string& signature, const std::string& alert,
               int64_t version) const;

  domain::Webhooks& webhooks_;
  const domain::WorkspaceDirectory& workspaces_;
  const Options options_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t delivered_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_WEBHOOK_SENDER_H_
