#include "domain/workspaces.h"

#include <openssl/rand.h>

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/keys.h"
#include "domain/purges.h"
#include "domain/validation.h"

namespace mittari::domain {
namespace {

using storage::ColumnFamily;

constexpr size_t kMaxDisplayName = 200;
constexpr size_t kMaxIdLength = 63;
constexpr absl::string_view kInitializedRecord = "initialized";

// Active ISO 4217 currency codes.
constexpr std::array<absl::string_view, 153> kCurrencies = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM",
    "BBD", "BDT", "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN",
    "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD",
    "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL",
    "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY",
    "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP",
    "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
    "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR",
    "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP",
    "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT",
    "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR"};

absl::StatusOr<records::Workspace> Parse(absl::string_view id,
                                         const std::string& value) {
  records::Workspace record;
  if (!record.ParseFromString(value)) {
    return errors::DataLoss(absl::StrCat("unreadable workspace record ", id));
  }
  return record;
}

// A new workspace's record: every workspace starts with what a new one
// keeps (the visitor-day index).
records::Workspace NewRecord(std::string id, absl::string_view display_name,
                             std::string time_zone, std::string currency_code,
                             absl::Time now) {
  records::Workspace w;
  w.set_id(std::move(id));
  w.set_display_name(std::string(display_name));
  w.set_time_zone(std::move(time_zone));
  w.set_currency_code(std::move(currency_code));
  w.set_create_time_us(absl::ToUnixMicros(now));
  w.set_update_time_us(w.create_time_us());
  w.set_visitor_days(true);
  w.set_visitor_scopes(true);
  return w;
}

absl::Status ValidateDisplayName(absl::string_view name) {
  if (absl::StripAsciiWhitespace(name).empty()) {
    return errors::InvalidArgument("workspace.display_name", "is required");
  }
  if (name.size() > kMaxDisplayName) {
    return errors::InvalidArgument(
        "workspace.display_name",
        absl::StrCat("must be at most ", kMaxDisplayName, " characters"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> GenerateId() {
  std::array<unsigned char, 5> bytes{};
  if (RAND_bytes(bytes.data(), bytes.size()) != 1) {
    return errors::Internal("no randomness available for a workspace id");
  }
  return absl::StrCat(
      "ws-", absl::BytesToHexString(absl::string_view(
                 reinterpret_cast<const char*>(bytes.data()), bytes.size())));
}

}  // namespace

absl::Status ValidateWorkspaceId(absl::string_view id,
                                 absl::string_view field) {
  if (id.empty()) return errors::InvalidArgument(field, "is required");
  if (id.size() > kMaxIdLength) {
    return errors::InvalidArgument(
        field, absl::StrCat("must be at most ", kMaxIdLength, " characters"));
  }
  if (!absl::ascii_islower(id[0])) {
    return errors::InvalidArgument(field, "must start with a letter a-z");
  }
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') {
      return errors::InvalidArgument(
          field, "may contain only lowercase letters, digits and '-'");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateTimeZone(absl::string_view zone, absl::string_view field) {
  absl::TimeZone tz;
  // absl accepts "UTC" and fixed offsets too; names must be IANA zones.
  if (zone.empty() || !absl::LoadTimeZone(std::string(zone), &tz)) {
    return errors::InvalidArgument(
        field,
        absl::StrCat("'", zone,
                     "' is not an IANA time zone (e.g. Europe/Helsinki)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateCurrency(absl::string_view code, absl::string_view field) {
  for (absl::string_view known : kCurrencies) {
    if (known == code) return absl::OkStatus();
  }
  return errors::InvalidArgument(
      field, absl::StrCat("'", code, "' is not an ISO 4217 currency code"));
}

absl::StatusOr<records::Workspace> WorkspaceDirectory::Load(
    absl::string_view id) const {
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   store_.Get(ColumnFamily::kMeta, keys::Workspace(id)));
  if (!value.has_value()) {
    return errors::NotFound(absl::StrCat("workspaces/", id));
  }
  return Parse(id, *value);
}

absl::StatusOr<CreatedWorkspace> WorkspaceDirectory::Create(
    absl::string_view id, absl::string_view display_name,
    absl::string_view time_zone, absl::string_view currency_code) {
  std::string zone(time_zone.empty() ? kDefaultTimeZone : time_zone);
  std::string currency(currency_code.empty() ? kDefaultCurrency
                                             : currency_code);
  Violations violations;
  if (!id.empty()) violations.Merge(ValidateWorkspaceId(id, "workspace_id"));
  violations.Merge(ValidateDisplayName(display_name));
  violations.Merge(ValidateTimeZone(zone, "workspace.time_zone"));
  violations.Merge(ValidateCurrency(currency, "workspace.currency_code"));
  RETURN_IF_ERROR(violations.ToStatus());

  std::string workspace_id(id);
  if (workspace_id.empty()) {
    ASSIGN_OR_RETURN(workspace_id, GenerateId());
  }

  absl::MutexLock lock(&mu_);
  absl::StatusOr<records::Workspace> existing = Load(workspace_id);
  if (existing.ok()) {
    return errors::AlreadyExists(absl::StrCat("workspaces/", workspace_id));
  }
  if (!absl::IsNotFound(existing.status())) return existing.status();

  CreatedWorkspace created;
  created.workspace =
      NewRecord(workspace_id, display_name, zone, currency, clock_.Now());
  const records::Workspace& w = created.workspace;

  storage::WriteBatch batch;
  batch.Put(ColumnFamily::kMeta, keys::Workspace(workspace_id),
            w.SerializeAsString());
  ASSIGN_OR_RETURN(created.admin_key, keys_.Prepare(workspace_id, Role::kAdmin,
                                                    "first admin key", batch));
  RETURN_IF_ERROR(store_.Write(batch));
  return created;
}

absl::StatusOr<records::Workspace> WorkspaceDirectory::Get(
    absl::string_view id) const {
  absl::MutexLock lock(&mu_);
  return Load(id);
}

absl::StatusOr<Page<records::Workspace>> WorkspaceDirectory::List(
    absl::string_view after_id, int limit) const {
  std::string prefix = keys::WorkspacePrefix();
  std::string begin =
      after_id.empty() ? prefix : storage::PrefixEnd(keys::Workspace(after_id));
  Page<records::Workspace> page;
  absl::Status parse_status;
  RETURN_IF_ERROR(store_.Scan(
      ColumnFamily::kMeta, begin, storage::PrefixEnd(prefix),
      [&](absl::string_view, absl::string_view value) {
        if (static_cast<int>(page.items.size()) == limit) {
          page.next_after = page.items.back().id();
          return false;
        }
        absl::StatusOr<records::Workspace> w = Parse("", std::string(value));
        if (!w.ok()) {
          parse_status = w.status();
          return false;
        }
        page.items.push_back(*std::move(w));
        return true;
      }));
  RETURN_IF_ERROR(parse_status);
  return page;
}

absl::StatusOr<records::Workspace> WorkspaceDirectory::Update(
    absl::string_view id, const WorkspaceUpdate& update) {
  Violations violations;
  if (update.display_name) {
    violations.Merge(ValidateDisplayName(*update.display_name));
  }
  if (update.time_zone) {
    violations.Merge(
        ValidateTimeZone(*update.time_zone, "workspace.time_zone"));
  }
  if (update.currency_code) {
    violations.Merge(
        ValidateCurrency(*update.currency_code, "workspace.currency_code"));
  }
  RETURN_IF_ERROR(violations.ToStatus());

  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(records::Workspace w, Load(id));
  // Rollups are cut in local days: the zone is fixed once data is stored.
  if (update.time_zone && *update.time_zone != w.time_zone() && HoldsData(id)) {
    return errors::FailedPrecondition(
        "TIME_ZONE_LOCKED",
        "workspace.time_zone: cannot change once the workspace holds data "
        "(KPI buckets are cut in its zone); create a new workspace instead");
  }
  if (update.display_name) w.set_display_name(*update.display_name);
  if (update.time_zone) w.set_time_zone(*update.time_zone);
  if (update.currency_code) w.set_currency_code(*update.currency_code);
  w.set_update_time_us(absl::ToUnixMicros(clock_.Now()));
  storage::WriteBatch batch;
  batch.Put(ColumnFamily::kMeta, keys::Workspace(id), w.SerializeAsString());
  RETURN_IF_ERROR(store_.Write(batch));
  keys_.ForgetVerified();
  absl::MutexLock zones(&zones_mu_);
  zones_.erase(std::string(id));
  return w;
}

bool WorkspaceDirectory::HoldsData(absl::string_view id) const {
  bool any = false;
  store_
      .ScanPrefix(ColumnFamily::kRollups, keys::WorkspaceData(id),
                  [&](absl::string_view, absl::string_view) {
                    any = true;
                    return false;
                  })
      .IgnoreError();
  return any;
}

absl::StatusOr<absl::TimeZone> WorkspaceDirectory::TimeZoneOf(
    absl::string_view id) const {
  {
    absl::MutexLock zones(&zones_mu_);
    if (auto it = zones_.find(id); it != zones_.end()) return it->second;
  }
  records::Workspace w;
  {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(w, Load(id));
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(w.time_zone(), &zone)) {
    return errors::Internal(
        absl::StrCat("workspace ", id, " has unknown zone ", w.time_zone()));
  }
  absl::MutexLock zones(&zones_mu_);
  zones_[std::string(id)] = zone;
  return zone;
}

absl::Status WorkspaceDirectory::Delete(absl::string_view id) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Load(id).status());
  storage::WriteBatch batch;
  batch.Delete(ColumnFamily::kMeta, keys::Workspace(id));
  RETURN_IF_ERROR(keys_.PrepareDeleteAll(id, batch));
  std::string prefix = keys::WorkspaceData(id);
  for (const storage::ColumnFamilySpec& spec : storage::kColumnFamilies) {
    if (spec.id == ColumnFamily::kMeta) continue;
    batch.DeleteRange(spec.id, prefix, storage::PrefixEnd(prefix));
  }
  AddPurgeMarker(batch, id);
  RETURN_IF_ERROR(store_.Write(batch));
  keys_.ForgetVerified();
  {
    absl::MutexLock zones(&zones_mu_);
    zones_.erase(std::string(id));
  }
  caps_.Forget(id);
  // The deleted data leaves the files too, not only the key space (after a
  // crash, when the server starts again).
  return Purge(store_, id);
}

absl::StatusOr<std::optional<FirstStart>>
WorkspaceDirectory::InitializeOnFirstStart() {
  absl::MutexLock lock(&mu_);
  std::string marker = keys::ServerRecord(kInitializedRecord);
  ASSIGN_OR_RETURN(std::optional<std::string> initialized,
                   store_.Get(ColumnFamily::kMeta, marker));
  if (initialized.has_value()) return std::nullopt;

  FirstStart first;
  first.workspace =
      NewRecord(std::string(kDefaultWorkspaceId), "Default workspace",
                std::string(kDefaultTimeZone), std::string(kDefaultCurrency),
                clock_.Now());
  const records::Workspace& w = first.workspace;

  storage::WriteBatch batch;
  batch.Put(ColumnFamily::kMeta, keys::Workspace(w.id()),
            w.SerializeAsString());
  ASSIGN_OR_RETURN(first.admin_key, keys_.Prepare(w.id(), Role::kAdmin,
                                                  "first admin key", batch));
  ASSIGN_OR_RETURN(first.operator_key,
                   keys_.Prepare("", Role::kOperator, "operator key", batch));
  batch.Put(ColumnFamily::kMeta, marker,
            absl::StrCat(absl::ToUnixMicros(clock_.Now())));
  RETURN_IF_ERROR(store_.Write(batch));
  return first;
}

}  // namespace mittari::domain
