#include "domain/customers.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "google/protobuf/util/message_differencer.h"

namespace mittari::domain {
namespace {

constexpr size_t kMaxName = 200;
constexpr size_t kMaxEmail = 254;
constexpr size_t kMaxLabel = 64;
constexpr int kMaxAttributes = 50;
constexpr size_t kMaxAttribute = 256;

std::string CustomerName(absl::string_view ws, absl::string_view id) {
  return absl::StrCat("workspaces/", ws, "/customers/", id);
}

bool SameContent(records::Customer a, records::Customer b) {
  for (records::Customer* c : {&a, &b}) {
    c->clear_create_time_us();
    c->clear_update_time_us();
  }
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
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
  if (c.churn_time_us() != 0 && c.acquire_time_us() == 0) {
    v.Add("customer.churn_time", "needs an acquire_time");
  } else if (c.churn_time_us() != 0 &&
             c.churn_time_us() < c.acquire_time_us()) {
    v.Add("customer.churn_time", "is before acquire_time");
  }
}

absl::StatusOr<records::Customer> CustomerDirectory::Create(
    absl::string_view workspace_id, records::Customer customer) {
  Violations v;
  Validate(customer, v);
  RETURN_IF_ERROR(v.ToStatus());
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(table_.Insert(workspace_id, customer, clock_.Now(),
                                CustomerName(workspace_id, customer.id())));
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
    if (kUpdatable.count(field) == 0) {
      v.Add("update_mask", absl::StrCat("'", field, "' is not updatable"));
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(records::Customer customer, Get(workspace_id, id));
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
  customer.set_update_time_us(absl::ToUnixMicros(clock_.Now()));
  storage::WriteBatch batch;
  table_.Put(batch, workspace_id, customer);
  RETURN_IF_ERROR(store_.Write(batch));
  return customer;
}

absl::StatusOr<ImportCounts> CustomerDirectory::Import(
    absl::string_view workspace_id, std::vector<records::Customer> customers) {
  ImportCounts counts;
  counts.received = static_cast<int64_t>(customers.size());
  absl::MutexLock lock(&mu_);
  Violations all;
  storage::WriteBatch batch;
  std::set<std::string> ids;
  int64_t now = absl::ToUnixMicros(clock_.Now());
  for (size_t i = 0; i < customers.size(); ++i) {
    records::Customer& c = customers[i];
    Violations v(absl::StrCat("customers[", i, "]."));
    Validate(c, v);
    if (!ids.insert(c.id()).second) {
      v.Add("customer_id", "is repeated in the import");
    }
    all.Merge(v.ToStatus());
    if (!v.empty()) continue;
    ASSIGN_OR_RETURN(std::optional<records::Customer> existing,
                     table_.Find(workspace_id, c.id()));
    if (existing.has_value()) {
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
    table_.Put(batch, workspace_id, c);
  }
  RETURN_IF_ERROR(all.ToStatus());
  if (!batch.empty()) RETURN_IF_ERROR(store_.Write(batch));
  return counts;
}

}  // namespace mittari::domain
