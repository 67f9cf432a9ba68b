// Update by field mask: copies the named fields of one record into
// another, by reflection, for every resource whose update is a plain copy
// of the named fields (targets, alert rules).
#ifndef MITTARI_DOMAIN_FIELD_MASK_H_
#define MITTARI_DOMAIN_FIELD_MASK_H_

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/validation.h"
#include "google/protobuf/message.h"

namespace mittari::domain {

// Copies `fields` (field names of `values`' type) from `values` into `to`;
// a field not in `updatable` is a violation of "update_mask". An optional
// field `values` leaves unset is cleared.
inline void CopyFields(const google::protobuf::Message& values,
                       const std::vector<std::string>& fields,
                       const std::set<std::string>& updatable,
                       google::protobuf::Message& to, Violations& v) {
  using google::protobuf::FieldDescriptor;
  const auto* descriptor = values.GetDescriptor();
  const auto* reflection = values.GetReflection();
  for (const std::string& field : fields) {
    const FieldDescriptor* f = descriptor->FindFieldByName(field);
    if (f == nullptr || !updatable.contains(field)) {
      v.Add("update_mask", absl::StrCat("'", field, "' is not updatable"));
      continue;
    }
    reflection->ClearField(&to, f);
    if (f->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(values, f); ++i) {
        reflection->AddMessage(&to, f)->CopyFrom(
            reflection->GetRepeatedMessage(values, f, i));
      }
      continue;
    }
    if (f->has_presence() && !reflection->HasField(values, f)) continue;
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(&to, f, reflection->GetString(values, f));
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        reflection->SetDouble(&to, f, reflection->GetDouble(values, f));
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        reflection->SetInt32(&to, f, reflection->GetInt32(values, f));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        reflection->SetInt64(&to, f, reflection->GetInt64(values, f));
        break;
      default:
        v.Add("update_mask", absl::StrCat("'", field, "' is not updatable"));
        break;
    }
  }
}

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_FIELD_MASK_H_
