#include "domain/customers.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/kpi/facts.h"

namespace mittari::domain {

std::string NoSuchCustomer(absl::string_view customer_id) {
  return absl::StrCat("no customer '", customer_id, "' in this workspace");
}

namespace {

constexpr size_t kMaxName = 200;
constexpr size_t kMaxEmail = 254;
constexpr size_t kMaxLabel = 64;
constexpr int kMaxAttributes = 50;
constexpr size_t kMaxAttribute = 256;

std::string CustomerName(absl::string_view ws, absl::string_view id) {
  return absl::StrCat("workspaces/", ws, "/customers/", id);
}

}  // namespace

void CustomerDirectory::Validate(const records::Customer& c, Violations& v) {
  v.Id("customer_id", c.id());
  v.MaxLength("customer.display_name", c.display_name(), kMaxName);
  v.MaxLength("customer.email", c.email(), kMaxEmail);
  if (!c.email().empty() && !absl::StrContains(c.email(), "@")) {
    v.Add("customer.email", "is not an e-mail address");
  }
  v.MaxLength("customer.segment", c.segment(), kMaxLabel);
  v.MaxLength("customer.region", c.region(), kMaxLabel);
  v.MaxLength("customer.customer_type", c.customer_type(), kMaxLabel);
  if (c.attributes_size() > kMaxAttributes) {
    v.Add("customer.attributes",
          absl::StrCat("has more than ", kMaxAttributes, " entries"));
  }
  for (const auto& [key, value] : c.attributes()) {
    if (key.empty() || key.size() > kMaxAttribute ||
        value.size() > kMaxAttribute) {
      v.Add("customer.attributes",
            "keys must be 1-256 characters, values at most 256");
      break;
    }
  }
  v.TimeInRange("customer.acquire_time", c.acquire_time_us());
  v.TimeInRange("customer.churn_time", c.churn_time_us());
  if (c.churn_time_us() != 0 && c.acquire_time_us() == 0) {
    v.Add("customer.churn_time", "needs an acquire_time");
  } else if (c.churn_time_us() != 0 &&
             c.churn_time_us() < c.acquire_time_us()) {
    v.Add("customer.churn_time", "is before acquire_time");
  }
}

absl::StatusOr<std::vector<std::string>> IdsOfCustomer(
    const storage::ReadView& view, absl::string_view ws,
    absl::string_view customer_id, keys::WorkspaceTag tag) {
  std::string prefix = keys::OfCustomerPrefix(ws, customer_id, tag);
  std::vector<std::string> ids;
  absl::Status status;
  RETURN_IF_ERROR(view.ScanPrefix(
      storage::ColumnFamily::kIndex, prefix,
      [&](absl::string_view key, absl::string_view) {
        absl::StatusOr<std::string> id =
            storage::KeyDecoder(key.substr(prefix.size())).Str();
        if (!id.ok()) {
          status = id.status();
          return false;
        }
        ids.push_back(*std::move(id));
        return true;
      }));
  RETURN_IF_ERROR(status);
  return ids;
}

absl::StatusOr<records::Customer> CustomerDirectory::Create(
    absl::string_view workspace_id, records::Customer customer) {
  Violations v;
  Validate(customer, v);
  RETURN_IF_ERROR(v.ToStatus());
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::optional<records::Customer> existing,
                   table_.Find(workspace_id, customer.id()));
  if (existing.has_value()) {
    return errors::AlreadyExists(CustomerName(workspace_id, customer.id()));
  }
  customer.set_create_time_us(absl::ToUnixMicros(clock_.Now()));
  customer.set_update_time_us(customer.create_time_us());
  RETURN_IF_ERROR(Save(workspace_id, nullptr, customer));
  return customer;
}

void CustomerDirectory::AddWrites(storage::WriteBatch& batch,
                                  kpi::RollupDeltas& deltas,
                                  absl::string_view ws,
                                  const kpi::Calendar& calendar,
                                  const records::Customer* old,
                                  const records::Customer& customer) const {
  if (old != nullptr) {
    kpi::WriteRows(batch, deltas, ws, calendar, kpi::FactKind::kLifecycle,
                   old->id(), kpi::RowsOf(*old), -1);
  }
  table_.Put(batch, ws, customer);
  kpi::WriteRows(batch, deltas, ws, calendar, kpi::FactKind::kLifecycle,
                 customer.id(), kpi::RowsOf(customer), 1);
}

void CustomerDirectory::AddErasure(storage::WriteBatch& batch,
                                   kpi::RollupDeltas& deltas,
                                   absl::string_view ws,
                                   const kpi::Calendar& calendar,
                                   const records::Customer& customer,
                                   absl::string_view token) const {
  batch.Delete(
      storage::ColumnFamily::kCatalog,
      keys::CatalogRecord(ws, keys::WorkspaceTag::kCustomer, customer.id()));
  records::Customer anonymous = customer;
  anonymous.set_id(std::string(token));
  kpi::RekeyRows(batch, deltas, ws, calendar, kpi::FactKind::kLifecycle,
                 customer.id(), kpi::RowsOf(customer), token,
                 kpi::RowsOf(anonymous));
}

absl::Status CustomerDirectory::Save(absl::string_view ws,
                                     const records::Customer* old,
                                     const records::Customer& customer) {
  ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(ws));
  storage::WriteBatch batch;
  kpi::RollupDeltas deltas;
  AddWrites(batch, deltas, ws, kpi::Calendar(zone), old, customer);
  deltas.FlushTo(batch);
  return store_.Write(batch);
}

absl::StatusOr<records::Customer> CustomerDirectory::Churn(absl::string_view ws,
                                                           absl::string_view id,
                                                           absl::Time time) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(records::Customer customer, Get(ws, id));
  const records::Customer old = customer;
  int64_t us = absl::ToUnixMicros(time);
  if (customer.acquire_time_us() == 0) {
    return errors::FailedPrecondition("NOT_ACTIVE",
                                      "the customer has no acquire_time");
  }
  if (customer.churn_time_us() != 0) {
    return errors::FailedPrecondition("NOT_ACTIVE",
                                      "the customer has already churned");
  }
  if (us < customer.acquire_time_us()) {
    return errors::InvalidArgument("churn_time", "is before acquire_time");
  }
  if (time > clock_.Now() + kMaxFutureSkew) {
    return errors::InvalidArgument("churn_time", "is in the future");
  }
  customer.set_churn_time_us(us);
  customer.set_update_time_us(absl::ToUnixMicros(clock_.Now()));
  RETURN_IF_ERROR(Save(ws, &old, customer));
  return customer;
}

absl::StatusOr<records::Customer> CustomerDirectory::Reactivate(
    absl::string_view ws, absl::string_view id, absl::Time time) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(records::Customer customer, Get(ws, id));
  const records::Customer old = customer;
  int64_t us = absl::ToUnixMicros(time);
  if (customer.churn_time_us() == 0) {
    return errors::FailedPrecondition("NOT_CHURNED",
                                      "only a churned customer returns");
  }
  if (us < customer.churn_time_us()) {
    return errors::InvalidArgument("acquire_time", "is before churn_time");
  }
  if (time > clock_.Now() + kMaxFutureSkew) {
    return errors::InvalidArgument("acquire_time", "is in the future");
  }
  records::Interval* past = customer.add_past_intervals();
  past->set_acquire_time_us(customer.acquire_time_us());
  past->set_churn_time_us(customer.churn_time_us());
  customer.set_acquire_time_us(us);
  customer.set_churn_time_us(0);
  customer.set_update_time_us(absl::ToUnixMicros(clock_.Now()));
  RETURN_IF_ERROR(Save(ws, &old, customer));
  return customer;
}

absl::StatusOr<records::Customer> CustomerDirectory::Get(
    absl::string_view workspace_id, absl::string_view id) const {
  return table_.Get(workspace_id, id, CustomerName(workspace_id, id));
}

absl::StatusOr<Page<records::Customer>> CustomerDirectory::List(
    absl::string_view workspace_id, absl::string_view after_id, int limit,
    const CustomerFilter& filter) const {
  return table_.List(
      workspace_id, after_id, limit, [&](const records::Customer& c) {
        return (filter.segment.empty() || c.segment() == filter.segment) &&
               (filter.region.empty() || c.region() == filter.region) &&
               (filter.customer_type.empty() ||
                c.customer_type() == filter.customer_type);
      });
}

absl::StatusOr<records::Customer> CustomerDirectory::Update(
    absl::string_view workspace_id, absl::string_view id,
    const records::Customer& values, const std::vector<std::string>& fields) {
  static const std::set<std::string> kUpdatable = {
      "display_name",  "email",      "segment",         "region",
      "customer_type", "attributes", "acquire_time_us", "churn_time_us"};
  Violations v;
  for (const std::string& field : fields) {
    if (!kUpdatable.contains(field)) {
      v.Add("update_mask", absl::StrCat("'", field, "' is not updatable"));
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(records::Customer customer, Get(workspace_id, id));
  const records::Customer old = customer;
  const auto* reflection = records::Customer::GetReflection();
  for (const std::string& field : fields) {
    const auto* f = records::Customer::descriptor()->FindFieldByName(field);
    reflection->ClearField(&customer, f);
    if (f->is_map()) {
      *customer.mutable_attributes() = values.attributes();
    } else if (f->cpp_type() ==
               google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
      reflection->SetString(&customer, f, reflection->GetString(values, f));
    } else {
      reflection->SetInt64(&customer, f, reflection->GetInt64(values, f));
    }
  }
  Validate(customer, v);
  RETURN_IF_ERROR(v.ToStatus());
  if (!customer.past_intervals().empty() &&
      customer.acquire_time_us() <
          customer.past_intervals().rbegin()->churn_time_us()) {
    v.Add("customer.acquire_time", "is before the previous interval's end");
    return v.ToStatus();
  }
  customer.set_update_time_us(absl::ToUnixMicros(clock_.Now()));
  RETURN_IF_ERROR(Save(workspace_id, &old, customer));
  return customer;
}

void CustomerDirectory::ValidatePastIntervals(const records::Customer& c,
                                              Violations& v) {
  int64_t end = 0;  // of the interval before
  for (int i = 0; i < c.past_intervals_size(); ++i) {
    const records::Interval& past = c.past_intervals(i);
    const std::string field = absl::StrCat("past_intervals[", i, "]");
    v.TimeInRange(absl::StrCat(field, ".acquire_time"), past.acquire_time_us());
    v.TimeInRange(absl::StrCat(field, ".churn_time"), past.churn_time_us());
    if (past.acquire_time_us() == 0 || past.churn_time_us() == 0) {
      v.Add(field, "needs both its acquire_time and its churn_time");
    } else if (past.churn_time_us() < past.acquire_time_us()) {
      v.Add(field, "ends before it begins");
    } else if (past.acquire_time_us() < end) {
      v.Add(field, "begins before the interval before it ended");
    }
    end = std::max(end, past.churn_time_us());
  }
  if (c.past_intervals_size() > 0 &&
      (c.acquire_time_us() == 0 || c.acquire_time_us() < end)) {
    v.Add("customer.acquire_time",
          "is required after past intervals, and not before their end");
  }
}

absl::StatusOr<ImportCounts> CustomerDirectory::Import(
    absl::string_view workspace_id, std::vector<records::Customer> customers) {
  ImportCounts counts;
  counts.received = static_cast<int64_t>(customers.size());
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(workspace_id));
  kpi::Calendar calendar(zone);
  Violations all;
  storage::WriteBatch batch;
  kpi::RollupDeltas deltas;
  std::set<std::string> ids;
  int64_t now = absl::ToUnixMicros(clock_.Now());
  for (size_t i = 0; i < customers.size(); ++i) {
    records::Customer& c = customers[i];
    Violations v(absl::StrCat("customers[", i, "]."));
    Validate(c, v);
    ValidatePastIntervals(c, v);
    if (!ids.insert(c.id()).second) {
      v.Add("customer_id", "is repeated in the import");
    }
    all.Merge(v.ToStatus());
    if (!v.empty()) continue;
    ASSIGN_OR_RETURN(std::optional<records::Customer> existing,
                     table_.Find(workspace_id, c.id()));
    if (existing.has_value()) {
      // Intervals the import does not give stay as stored.
      if (c.past_intervals().empty()) {
        *c.mutable_past_intervals() = existing->past_intervals();
      }
      if (SameContent(*existing, c)) {
        ++counts.unchanged;
        continue;
      }
      c.set_create_time_us(existing->create_time_us());
      ++counts.updated;
    } else {
      c.set_create_time_us(now);
      ++counts.created;
    }
    c.set_update_time_us(now);
    AddWrites(batch, deltas, workspace_id, calendar,
              existing.has_value() ? &*existing : nullptr, c);
  }
  RETURN_IF_ERROR(all.ToStatus());
  deltas.FlushTo(batch);
  if (!batch.empty()) RETURN_IF_ERROR(store_.Write(batch));
  return counts;
}

}  // namespace mittari::domain
