// Webhook deliveries of alerts. Every new version of an alert whose rule
// names endpoints leaves one delivery per endpoint in a server-wide outbox,
// in the same write as the version itself, so none is lost to a crash; a
// sender (service/webhook_sender.h) posts them and removes each once its
// endpoint answers 2xx, retrying with backoff until then (at least once;
// receivers deduplicate by the alert's name and version). Each workspace
// has a secret that signs its deliveries.
#ifndef MITTARI_DOMAIN_WEBHOOKS_H_
#define MITTARI_DOMAIN_WEBHOOKS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "domain/records.pb.h"
#include "domain/validation.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "storage/store.h"

namespace mittari::domain {

// The most endpoints one rule names.
inline constexpr int kMaxWebhooksPerRule = 5;

class Webhooks {
 public:
  struct Options {
    // The first retry's delay, doubled each time up to `max_backoff`.
    absl::Duration first_backoff = absl::Seconds(1);
    absl::Duration max_backoff = absl::Minutes(5);
    // A delivery still unanswered this long after its alert changed is
    // dropped.
    absl::Duration give_up_after = absl::Hours(72);
  };

  Webhooks(storage::Store& store, const Clock& clock, Options options)
      : store_(store), clock_(clock), options_(options) {}

  // Violations of a rule's endpoints ("alert_rule.webhooks[i]"): http or
  // https URLs with a host, at most 2048 characters, at most
  // kMaxWebhooksPerRule.
  static void Check(const google::protobuf::RepeatedPtrField<std::string>& urls,
                    Violations& v);

  // Adds to `batch` a delivery of `alert` (of workspace `ws`) to each of
  // `urls`.
  void AddDeliveries(
      storage::WriteBatch& batch, absl::string_view ws,
      const google::protobuf::RepeatedPtrField<std::string>& urls,
      const records::Alert& alert) const;

  struct Pending {
    std::string key;
    records::WebhookDelivery delivery;
  };
  // Up to `limit` deliveries due now, oldest first; `next` gets when the
  // earliest of the others is due (InfiniteFuture when none).
  absl::StatusOr<std::vector<Pending>> Due(int limit, absl::Time* next) const;
  // The endpoint answered 2xx.
  absl::Status Delivered(const Pending& p);
  // The endpoint failed: the next attempt is put off (or, past
  // give_up_after, the delivery dropped: then true).
  absl::StatusOr<bool> Failed(const Pending& p);

  // The workspace's signing secret (64 hex digits), made on first use.
  absl::StatusOr<std::string> Secret(absl::string_view ws);
  // A new secret in its place.
  absl::StatusOr<std::string> Rotate(absl::string_view ws);

 private:
  // Makes and stores a new secret for `ws`.
  absl::StatusOr<std::string> NewSecret(absl::string_view ws)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(secret_mu_);

  storage::Store& store_;
  const Clock& clock_;
  const Options options_;
  absl::Mutex secret_mu_;  // one secret is made at a time
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_WEBHOOKS_H_
