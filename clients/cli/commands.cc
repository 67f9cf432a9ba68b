#include "clients/cli/commands.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "mittari/v1/admin.grpc.pb.h"

namespace mittari::cli {

int Invocation::Finish(const grpc::Status& status, const Json& result) const {
  if (!status.ok()) {
    PrintError(err, status);
    return kExitCallFailed;
  }
  Print(out, result, format);
  return kExitOk;
}

int Invocation::Usage(const std::string& problem) const {
  err << "mittari: " << problem << "\n";
  return kExitUsage;
}

grpc::Status Invocation::Workspace(std::string* name) {
  if (workspace_.empty()) {
    v1::ServerInfo info;
    grpc::Status status =
        v1::AdminService::NewStub(client.channel())
            ->GetServerInfo(client.Context().get(), v1::GetServerInfoRequest(),
                            &info);
    if (!status.ok()) return status;
    if (info.workspace().empty()) {
      return {grpc::StatusCode::INVALID_ARGUMENT,
              "the operator key has no workspace: name one"};
    }
    workspace_ = info.workspace();
  }
  *name = workspace_;
  return grpc::Status::OK;
}

grpc::Status Invocation::WorkspaceInfo(v1::Workspace* workspace) {
  if (!workspace_info_) {
    v1::GetWorkspaceRequest request;
    grpc::Status status = Workspace(request.mutable_name());
    if (!status.ok()) return status;
    v1::Workspace got;
    status = v1::AdminService::NewStub(client.channel())
                 ->GetWorkspace(client.Context().get(), request, &got);
    if (!status.ok()) return status;
    workspace_info_ = std::move(got);
  }
  *workspace = *workspace_info_;
  return grpc::Status::OK;
}

grpc::Status Invocation::ZoneFor(const std::vector<std::string>& values,
                                 absl::TimeZone* zone) {
  *zone = absl::UTCTimeZone();
  bool any_date = false;
  for (const std::string& v : values) any_date = any_date || v.size() == 10;
  if (!any_date) return grpc::Status::OK;
  v1::Workspace workspace;
  grpc::Status status = WorkspaceInfo(&workspace);
  if (!status.ok()) return status;
  if (!absl::LoadTimeZone(workspace.time_zone(), zone)) {
    return {grpc::StatusCode::INTERNAL,
            "unknown time zone " + workspace.time_zone()};
  }
  return grpc::Status::OK;
}

grpc::Status FillFromFlags(Invocation& inv, const std::vector<FieldSpec>& specs,
                           google::protobuf::Message& item,
                           std::vector<std::string>* paths) {
  std::vector<std::string> values;
  for (const FieldSpec& spec : specs) {
    if (!spec.flag.empty()) {
      for (const std::string& v : inv.args.GetAll(spec.flag))
        values.push_back(v);
    }
  }
  absl::TimeZone zone;
  grpc::Status status = inv.ZoneFor(values, &zone);
  if (!status.ok()) return status;
  for (const FieldSpec& spec : specs) {
    if (spec.flag.empty() || !inv.args.Has(spec.flag)) continue;
    absl::Status set = SetField(
        item, spec.path, absl::StrJoin(inv.args.GetAll(spec.flag), ";"), zone);
    if (!set.ok()) {
      return {grpc::StatusCode::INVALID_ARGUMENT,
              absl::StrCat("--", spec.flag, ": ", set.message())};
    }
    if (paths != nullptr) {
      paths->push_back(spec.path.substr(spec.path.find('.') + 1));
    }
  }
  return grpc::Status::OK;
}

std::set<std::string> FlagsOf(const std::vector<FieldSpec>& specs,
                              std::set<std::string> extra) {
  for (const FieldSpec& spec : specs) {
    if (!spec.flag.empty()) extra.insert(spec.flag);
  }
  return extra;
}

std::string ChildOf(const std::string& workspace, const std::string& collection,
                    const std::string& id) {
  if (absl::StartsWith(id, "workspaces/")) return id;
  return absl::StrCat(workspace, "/", collection, "/", id);
}

std::string ParsePairs(const Invocation& inv, absl::string_view flag,
                       absl::string_view what,
                       google::protobuf::Map<std::string, std::string>* map) {
  for (const std::string& f : inv.args.GetAll(std::string(flag))) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(f, absl::MaxSplits('=', 1));
    if (kv.first.empty() || f.find('=') == std::string::npos) {
      return absl::StrCat("--", flag, " takes ", what, "=VALUE, not '", f, "'");
    }
    (*map)[kv.first] = kv.second;
  }
  return "";
}

}  // namespace mittari::cli
