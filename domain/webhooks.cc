#include "domain/webhooks.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/digest.h"
#include "domain/keys.h"

namespace mittari::domain {
namespace {

using storage::ColumnFamily;

constexpr size_t kMaxUrlLength = 2048;

std::string SecretKey(absl::string_view ws) {
  return keys::CatalogRecord(ws, keys::WorkspaceTag::kWebhookSecret, "");
}

bool IsHttpUrl(absl::string_view url) {
  for (absl::string_view scheme : {"http://", "https://"}) {
    if (absl::StartsWith(url, scheme)) {
      absl::string_view rest = url.substr(scheme.size());
      const size_t end = rest.find_first_of("/?#");
      absl::string_view host = rest.substr(0, end);
      return !host.empty() &&
             host.find_first_of(" @\\") == absl::string_view::npos;
    }
  }
  return false;
}

}  // namespace

void Webhooks::Check(
    const google::protobuf::RepeatedPtrField<std::string>& urls,
    Violations& v) {
  if (urls.size() > kMaxWebhooksPerRule) {
    v.Add("alert_rule.webhooks",
          absl::StrCat("at most ", kMaxWebhooksPerRule, " endpoints"));
  }
  for (int i = 0; i < urls.size(); ++i) {
    const std::string field = absl::StrCat("alert_rule.webhooks[", i, "]");
    if (urls[i].size() > kMaxUrlLength) {
      v.Add(field,
            absl::StrCat("is longer than ", kMaxUrlLength, " characters"));
    } else if (!IsHttpUrl(urls[i]) ||
               urls[i].find_first_of(" \t\r\n") != std::string::npos) {
      v.Add(field, "must be an http:// or https:// URL with a host");
    }
  }
}

void Webhooks::AddDeliveries(
    storage::WriteBatch& batch, absl::string_view ws,
    const google::protobuf::RepeatedPtrField<std::string>& urls,
    const records::Alert& alert) const {
  const int64_t now = absl::ToUnixMicros(clock_.Now());
  for (int i = 0; i < urls.size() && i < kMaxWebhooksPerRule; ++i) {
    records::WebhookDelivery d;
    d.set_workspace_id(std::string(ws));
    d.set_url(urls[i]);
    *d.mutable_alert() = alert;
    d.set_next_attempt_us(now);
    d.set_create_time_us(now);
    batch.Put(ColumnFamily::kMeta,
              keys::WebhookOutbox(alert.sequence(), static_cast<uint8_t>(i)),
              d.SerializeAsString());
  }
}

absl::StatusOr<std::vector<Webhooks::Pending>> Webhooks::Due(
    int limit, absl::Time* next) const {
  *next = absl::InfiniteFuture();
  const int64_t now = absl::ToUnixMicros(clock_.Now());
  std::vector<Pending> out;
  absl::Status parse;
  RETURN_IF_ERROR(store_.ScanPrefix(
      ColumnFamily::kMeta, keys::WebhookOutboxPrefix(),
      [&](absl::string_view key, absl::string_view value) {
        Pending p;
        if (!p.delivery.ParseFromArray(value.data(),
                                       static_cast<int>(value.size()))) {
          parse = errors::DataLoss("unreadable webhook delivery");
          return false;
        }
        if (p.delivery.next_attempt_us() > now) {
          *next = std::min(*next,
                           absl::FromUnixMicros(p.delivery.next_attempt_us()));
          return true;
        }
        p.key = std::string(key);
        out.push_back(std::move(p));
        return static_cast<int>(out.size()) < limit;
      }));
  RETURN_IF_ERROR(parse);
  return out;
}

absl::Status Webhooks::Delivered(const Pending& p) {
  storage::WriteBatch batch;
  batch.Delete(ColumnFamily::kMeta, p.key);
  return store_.Write(batch);
}

absl::StatusOr<bool> Webhooks::Failed(const Pending& p) {
  storage::WriteBatch batch;
  const absl::Time now = clock_.Now();
  if (now - absl::FromUnixMicros(p.delivery.create_time_us()) >=
      options_.give_up_after) {
    batch.Delete(ColumnFamily::kMeta, p.key);
    RETURN_IF_ERROR(store_.Write(batch));
    return true;
  }
  records::WebhookDelivery d = p.delivery;
  d.set_attempts(d.attempts() + 1);
  absl::Duration backoff = options_.first_backoff;
  for (int i = 1; i < d.attempts() && backoff < options_.max_backoff; ++i) {
    backoff *= 2;
  }
  backoff = std::min(backoff, options_.max_backoff);
  d.set_next_attempt_us(absl::ToUnixMicros(now + backoff));
  batch.Put(ColumnFamily::kMeta, p.key, d.SerializeAsString());
  RETURN_IF_ERROR(store_.Write(batch));
  return false;
}

absl::StatusOr<std::string> Webhooks::Secret(absl::string_view ws) {
  absl::MutexLock lock(&secret_mu_);
  ASSIGN_OR_RETURN(std::optional<std::string> stored,
                   store_.Get(ColumnFamily::kCatalog, SecretKey(ws)));
  if (stored.has_value()) return *stored;
  return NewSecret(ws);
}

absl::StatusOr<std::string> Webhooks::Rotate(absl::string_view ws) {
  absl::MutexLock lock(&secret_mu_);
  return NewSecret(ws);
}

absl::StatusOr<std::string> Webhooks::NewSecret(absl::string_view ws) {
  ASSIGN_OR_RETURN(std::string bytes, RandomBytes(32));
  const std::string secret = absl::BytesToHexString(bytes);
  storage::WriteBatch batch;
  batch.Put(ColumnFamily::kCatalog, SecretKey(ws), secret);
  RETURN_IF_ERROR(store_.Write(batch));
  return secret;
}

}  // namespace mittari::domain
