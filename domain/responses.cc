#include "domain/responses.h"

#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/keys.h"
#include "domain/kpi/facts.h"
#include "domain/kpi/rollups.h"

namespace mittari::domain {
namespace {

using storage::ColumnFamily;

constexpr size_t kMaxComment = 4000;
constexpr int kMaxTags = 20;
constexpr size_t kMaxLabel = 64;

std::string ResponseName(absl::string_view ws, absl::string_view id) {
  return absl::StrCat("workspaces/", ws, "/responses/", id);
}

// Surveys and customers read once per submit, however many responses name
// them.
class Lookups {
 public:
  Lookups(const SurveyCatalog& surveys, const CustomerDirectory& customers,
          const storage::ReadView& view, absl::string_view workspace_id)
      : surveys_(surveys),
        customers_(customers),
        view_(view),
        workspace_id_(workspace_id) {}

  absl::StatusOr<const records::Survey*> Survey(const std::string& id) {
    auto it = survey_cache_.find(id);
    if (it == survey_cache_.end()) {
      ASSIGN_OR_RETURN(std::optional<records::Survey> s,
                       surveys_.Find(workspace_id_, id));
      it = survey_cache_.emplace(id, std::move(s)).first;
    }
    return it->second.has_value() ? &*it->second : nullptr;
  }

  absl::StatusOr<const records::Customer*> Customer(const std::string& id) {
    auto it = customer_cache_.find(id);
    if (it == customer_cache_.end()) {
      ASSIGN_OR_RETURN(std::optional<records::Customer> c,
                       customers_.Find(view_, workspace_id_, id));
      it = customer_cache_.emplace(id, std::move(c)).first;
    }
    return it->second.has_value() ? &*it->second : nullptr;
  }

 private:
  const SurveyCatalog& surveys_;
  const CustomerDirectory& customers_;
  const storage::ReadView& view_;
  std::string workspace_id_;
  std::map<std::string, std::optional<records::Survey>> survey_cache_;
  std::map<std::string, std::optional<records::Customer>> customer_cache_;
};

// Checks one response and fills what is derived from its survey and
// customer.
absl::Status Prepare(Lookups& lookups, absl::Time now, records::Response& r,
                     Violations& v) {
  v.Id("response_id", r.id());
  v.Required("response.survey_id", r.survey_id());
  if (r.submit_time_us() == 0) {
    v.Add("response.submit_time", "is required");
  } else if (r.submit_time_us() < 0 || r.submit_time_us() >= kMaxTimeUs) {
    v.TimeInRange("response.submit_time", r.submit_time_us());
  } else if (absl::FromUnixMicros(r.submit_time_us()) > now + kMaxFutureSkew) {
    v.Add("response.submit_time", "is in the future");
  }
  v.MaxLength("response.comment", r.comment(), kMaxComment);
  v.MaxLength("response.channel", r.channel(), kMaxLabel);
  v.MaxLength("response.touchpoint", r.touchpoint(), kMaxLabel);
  if (!r.event_id().empty()) v.Id("response.event_id", r.event_id());
  if (r.tags_size() > kMaxTags) {
    v.Add("response.tags", absl::StrCat("has more than ", kMaxTags, " tags"));
  }
  for (const std::string& tag : r.tags()) {
    if (tag.empty() || tag.size() > kMaxLabel) {
      v.Add("response.tags", "tags must be 1-64 characters");
      break;
    }
  }

  if (!r.survey_id().empty()) {
    ASSIGN_OR_RETURN(const records::Survey* survey,
                     lookups.Survey(r.survey_id()));
    if (survey == nullptr) {
      v.Add("response.survey_id",
            absl::StrCat("no survey '", r.survey_id(), "' in this workspace"));
    } else {
      if (survey->state() != static_cast<int>(SurveyState::kOpen)) {
        v.Add("response.survey_id",
              absl::StrCat("survey '", r.survey_id(), "' is closed"));
      }
      if (survey->kind() == static_cast<int>(SurveyKind::kText)) {
        if (r.has_score())
          v.Add("response.score", "a text survey takes no score");
      } else if (!r.has_score()) {
        v.Add("response.score", "is required");
      } else if (r.score() < survey->scale_min() ||
                 r.score() > survey->scale_max()) {
        // The scale is not named: the public ingest key reads nothing.
        v.Add("response.score",
              absl::StrCat(r.score(), " is not on the survey's scale"));
      }
      if (survey->tag_vocabulary_size() > 0) {
        std::set<std::string> vocabulary(survey->tag_vocabulary().begin(),
                                         survey->tag_vocabulary().end());
        for (const std::string& tag : r.tags()) {
          if (!vocabulary.contains(tag)) {
            v.Add("response.tags",
                  absl::StrCat("'", tag, "' is not in the survey's tags"));
          }
        }
      }
      if (r.touchpoint().empty()) r.set_touchpoint(survey->touchpoint());
      if (r.event_id().empty()) r.set_event_id(survey->event_id());
      r.set_survey_kind(survey->kind());
      r.set_journey_stage(survey->journey_stage());
      r.set_low(r.has_score() && IsLow(*survey, r.score()));
      r.set_positive(r.has_score() && IsPositive(*survey, r.score()));
    }
  }
  if (!r.customer_id().empty()) {
    ASSIGN_OR_RETURN(const records::Customer* customer,
                     lookups.Customer(r.customer_id()));
    if (customer == nullptr) {
      v.Add("response.customer_id", NoSuchCustomer(r.customer_id()));
    } else {
      r.set_segment(customer->segment());
      r.set_region(customer->region());
      r.set_customer_type(customer->customer_type());
    }
  }
  return absl::OkStatus();
}

// The capped dimension values a response brings (dimension_caps.h).
void AddDimensionValues(const records::Response& r,
                        std::vector<DimensionValue>& out) {
  out.emplace_back("channel", r.channel());
  out.emplace_back("touchpoint", r.touchpoint());
  out.emplace_back("event", r.event_id());
  for (const std::string& tag : r.tags()) out.emplace_back("tag", tag);
}

// Whether two submissions of one id say the same thing.
bool SameSubmission(const records::Response& a, const records::Response& b) {
  return a.survey_id() == b.survey_id() && a.customer_id() == b.customer_id() &&
         a.submit_time_us() == b.submit_time_us() &&
         a.has_score() == b.has_score() && a.score() == b.score() &&
         a.channel() == b.channel() && a.touchpoint() == b.touchpoint() &&
         a.event_id() == b.event_id() && a.comment() == b.comment() &&
         std::equal(a.tags().begin(), a.tags().end(), b.tags().begin(),
                    b.tags().end());
}

absl::StatusOr<records::Response> ParseResponse(absl::string_view value) {
  records::Response r;
  if (!r.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return errors::DataLoss("unreadable response record");
  }
  return r;
}

absl::string_view StageName(FollowUpStage s) {
  switch (s) {
    case FollowUpStage::kOpen:
      return "open";
    case FollowUpStage::kContacted:
      return "contacted";
    case FollowUpStage::kClosed:
      return "closed";
    case FollowUpStage::kDismissed:
      return "dismissed";
  }
  return "unknown";
}

bool Matches(const ResponseFilter& f, const records::Response& r) {
  if (!f.survey_id.empty() && r.survey_id() != f.survey_id) return false;
  if (!f.channel.empty() && r.channel() != f.channel) return false;
  if (!f.touchpoint.empty() && r.touchpoint() != f.touchpoint) return false;
  if (!f.event_id.empty() && r.event_id() != f.event_id) return false;
  if (!f.tag.empty() &&
      std::find(r.tags().begin(), r.tags().end(), f.tag) == r.tags().end()) {
    return false;
  }
  if (!f.text.empty() && !absl::StrContains(absl::AsciiStrToLower(r.comment()),
                                            absl::AsciiStrToLower(f.text))) {
    return false;
  }
  return true;
}

// The scan bounds, in a newest-first index under `prefix`, of a range.
std::pair<std::string, std::string> NewestFirstBounds(const std::string& prefix,
                                                      const ResponseFilter& f,
                                                      absl::string_view after) {
  auto [begin, end] = keys::NewestFirstRange(prefix, f.from_us, f.to_us);
  if (!after.empty()) {
    std::string resume = storage::PrefixEnd(absl::StrCat(prefix, after));
    begin = std::max(begin, resume);
  }
  return {begin, end};
}

}  // namespace

absl::StatusOr<std::optional<records::Response>> ResponseLedger::FindStored(
    const storage::ReadView& view, absl::string_view workspace_id,
    absl::string_view id) const {
  ASSIGN_OR_RETURN(
      std::optional<std::string> time,
      view.Get(ColumnFamily::kIndex, keys::ResponseId(workspace_id, id)));
  if (!time.has_value()) return std::nullopt;
  storage::KeyDecoder decoder(*time);
  ASSIGN_OR_RETURN(int64_t submit_us, decoder.I64());
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   view.Get(ColumnFamily::kFacts,
                            keys::Response(workspace_id, submit_us, id)));
  if (!value.has_value()) {
    return errors::DataLoss(
        absl::StrCat("response ", id, " is indexed but missing"));
  }
  return ParseResponse(*value);
}

void ResponseLedger::AddWrites(storage::WriteBatch& batch,
                               kpi::RollupDeltas& rollups, absl::string_view ws,
                               const kpi::Calendar& calendar,
                               const records::Response& r) const {
  kpi::AddResponseRollups(
      rollups, ws, r, calendar.DayOf(absl::FromUnixMicros(r.submit_time_us())));
  batch.Put(ColumnFamily::kFacts,
            keys::Response(ws, r.submit_time_us(), r.id()),
            r.SerializeAsString());
  batch.Put(ColumnFamily::kIndex, keys::ResponseId(ws, r.id()),
            storage::KeyEncoder().I64(r.submit_time_us()).key());
  if (r.low()) {
    batch.Put(ColumnFamily::kIndex,
              keys::FollowUp(ws, r.submit_time_us(), r.id()), "");
    // A new follow-up item, open (followup_* metrics).
    kpi::WriteRows(batch, rollups, ws, calendar, kpi::FactKind::kFollowUp,
                   r.id(), kpi::RowsOf(r, records::FollowUpState()), 1);
  }
  if (!r.customer_id().empty()) {
    batch.Put(ColumnFamily::kIndex,
              keys::OfCustomer(ws, r.customer_id(),
                               keys::WorkspaceTag::kResponse, r.id()),
              "");
  }
}

absl::Status ResponseLedger::AddAnonymization(storage::WriteBatch& batch,
                                              absl::string_view ws,
                                              absl::string_view id,
                                              absl::string_view token) const {
  ASSIGN_OR_RETURN(std::optional<records::Response> r,
                   FindStored(store_, ws, id));
  if (!r.has_value()) return absl::OkStatus();
  batch.Delete(ColumnFamily::kIndex,
               keys::OfCustomer(ws, r->customer_id(),
                                keys::WorkspaceTag::kResponse, r->id()));
  r->set_customer_id(std::string(token));
  r->clear_comment();
  batch.Put(ColumnFamily::kIndex,
            keys::OfCustomer(ws, token, keys::WorkspaceTag::kResponse, id), "");
  batch.Put(ColumnFamily::kFacts, keys::Response(ws, r->submit_time_us(), id),
            r->SerializeAsString());
  // Notes about the person go with their comment.
  ASSIGN_OR_RETURN(records::FollowUpState state,
                   FollowUpStateOf(store_, ws, id));
  if (!state.notes().empty()) {
    state.clear_notes();
    batch.Put(ColumnFamily::kCatalog,
              keys::CatalogRecord(ws, keys::WorkspaceTag::kFollowUpState, id),
              state.SerializeAsString());
  }
  return absl::OkStatus();
}

absl::StatusOr<records::Response> ResponseLedger::Submit(
    absl::string_view workspace_id, records::Response response) {
  std::string id = response.id();
  std::vector<records::Response> one;
  one.push_back(std::move(response));
  ASSIGN_OR_RETURN(SubmitCounts counts,
                   SubmitAll(workspace_id, std::move(one), ""));
  (void)counts;
  return Get(workspace_id, id);
}

absl::StatusOr<SubmitCounts> ResponseLedger::SubmitAll(
    absl::string_view workspace_id, std::vector<records::Response> responses,
    absl::string_view list_field) {
  if (responses.size() > kMaxResponsesPerSubmit) {
    return errors::ResourceExhausted(absl::StrCat(
        "at most ", kMaxResponsesPerSubmit, " responses in one submit"));
  }
  // From checking customers and surveys until the write: no erasure and no
  // scale change in between.
  absl::ReaderMutexLock erasure_gate(
      &customers_.erasure_gate(workspace_id).mutex());
  absl::ReaderMutexLock scale_gate(&surveys_.scale_gate(workspace_id).mutex());
  std::vector<std::string> ids;
  ids.reserve(responses.size());
  for (const records::Response& r : responses) {
    ids.push_back(absl::StrCat(workspace_id, "/", r.id()));
  }
  KeyLocks::Guard guard(locks_, std::move(ids));
  storage::WriteBatch batch;
  SubmitCounts counts;
  std::vector<std::string> written;
  RETURN_IF_ERROR(PrepareAll(workspace_id, std::move(responses), list_field, 0,
                             store_, batch, counts, written));
  NoteWritten(workspace_id, written);
  if (!batch.empty()) RETURN_IF_ERROR(store_.Write(batch));
  return counts;
}

absl::Status ResponseLedger::PrepareAll(
    absl::string_view workspace_id, std::vector<records::Response> responses,
    absl::string_view list_field, size_t first_index,
    const storage::ReadView& view, storage::WriteBatch& batch,
    SubmitCounts& counts, std::vector<std::string>& written) {
  counts.received += static_cast<int64_t>(responses.size());
  auto prefix = [&](size_t i) {
    return list_field.empty()
               ? std::string()
               : absl::StrCat(list_field, "[", first_index + i, "].");
  };
  absl::Time now = clock_.Now();
  int64_t now_us = absl::ToUnixMicros(now);

  // Validate everything first: a bad response stores none of them.
  Violations all;
  {
    Lookups lookups(surveys_, customers_, store_, workspace_id);
    for (size_t i = 0; i < responses.size(); ++i) {
      Violations v(prefix(i));
      RETURN_IF_ERROR(Prepare(lookups, now, responses[i], v));
      responses[i].set_create_time_us(now_us);
      all.Merge(v.ToStatus());
    }
  }
  RETURN_IF_ERROR(all.ToStatus());
  ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(workspace_id));
  kpi::Calendar calendar(zone);

  kpi::RollupDeltas rollups;
  std::map<std::string, const records::Response*> in_batch;
  std::vector<DimensionValue> dimension_values;
  for (size_t i = 0; i < responses.size(); ++i) {
    const records::Response& r = responses[i];
    const records::Response* earlier = nullptr;
    std::optional<records::Response> stored;
    if (auto it = in_batch.find(r.id()); it != in_batch.end()) {
      earlier = it->second;
    } else {
      ASSIGN_OR_RETURN(stored, FindStored(view, workspace_id, r.id()));
      if (stored.has_value()) earlier = &*stored;
    }
    if (earlier != nullptr) {
      if (!SameSubmission(*earlier, r)) {
        return errors::AlreadyExists(
            ResponseName(workspace_id, r.id()),
            absl::StrCat(prefix(i),
                         "response_id names a response stored with "
                         "other content"));
      }
      ++counts.duplicates;
      continue;
    }
    in_batch.emplace(r.id(), &r);
    AddWrites(batch, rollups, workspace_id, calendar, r);
    AddDimensionValues(r, dimension_values);
    written.push_back(r.id());
    ++counts.stored;
  }
  ASSIGN_OR_RETURN(
      std::vector<std::string> new_values,
      workspaces_.dimension_caps().Admit(workspace_id, dimension_values));
  for (std::string& key : new_values) {
    batch.Put(ColumnFamily::kIndex, std::move(key), "");
  }
  rollups.FlushTo(batch);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ResponseImport>> ResponseLedger::StartImport(
    absl::string_view workspace_id, absl::string_view list_field) {
  ASSIGN_OR_RETURN(std::unique_ptr<ImportJob> job,
                   ImportJob::Start(store_, watches_, workspace_id,
                                    {&customers_.erasure_gate(workspace_id),
                                     &surveys_.scale_gate(workspace_id)}));
  return std::unique_ptr<ResponseImport>(
      new ResponseImport(*this, std::move(job), std::string(list_field)));
}

absl::Status ResponseImport::Add(std::vector<records::Response> responses) {
  storage::WriteBatch batch;
  std::vector<std::string> written;
  const size_t first = next_index_;
  next_index_ += responses.size();
  RETURN_IF_ERROR(ledger_.PrepareAll(job_->workspace_id(), std::move(responses),
                                     list_field_, first, job_->view(), batch,
                                     counts_, written));
  return job_->Stage(std::move(batch));
}

absl::StatusOr<SubmitCounts> ResponseImport::Commit() {
  RETURN_IF_ERROR(job_->Commit());
  return counts_;
}

void ResponseLedger::NoteWritten(absl::string_view ws,
                                 const std::vector<std::string>& ids) {
  if (!watches_.open()) return;
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (const std::string& id : ids) keys.push_back(keys::ResponseId(ws, id));
  watches_.Note(ws, ColumnFamily::kIndex, keys);
}

void ResponseLedger::SubmitAsync(
    absl::string_view workspace_id, records::Response response,
    std::function<void(absl::StatusOr<Submitted>)> done) {
  absl::Time now = clock_.Now();
  // Read before the response is checked: the committer checks it again if
  // an erasure or a scale change came after.
  const uint64_t catalog_changes = CatalogChanges(workspace_id);
  Violations v;
  absl::Status status;
  {
    Lookups lookups(surveys_, customers_, store_, workspace_id);
    status = Prepare(lookups, now, response, v);
  }
  if (status.ok()) status = v.ToStatus();
  std::vector<std::string> new_values;
  if (status.ok()) {
    std::vector<DimensionValue> values;
    AddDimensionValues(response, values);
    absl::StatusOr<std::vector<std::string>> admitted =
        workspaces_.dimension_caps().Admit(workspace_id, values);
    if (admitted.ok()) {
      new_values = *std::move(admitted);
    } else {
      status = admitted.status();
    }
  }
  if (!status.ok()) {
    done(status);
    return;
  }
  response.set_create_time_us(absl::ToUnixMicros(now));
  Pending pending{std::string(workspace_id), std::move(response),
                  catalog_changes, std::move(new_values), std::move(done)};
  if (!committer_.Enqueue(pending)) {
    // Back-pressure: the committer is this far behind the disk.
    pending.done(QueueFull("responses"));
  }
}

void ResponseLedger::CommitGroup(std::vector<Pending>& group) {
  std::vector<std::string> ids;
  ids.reserve(group.size());
  for (const Pending& p : group) {
    ids.push_back(absl::StrCat(p.workspace_id, "/", p.response.id()));
  }
  // Reserved: `in_group` points into it.
  std::vector<absl::StatusOr<Submitted>> results;
  results.reserve(group.size());
  storage::WriteBatch batch;
  kpi::RollupDeltas rollups;
  {
    // The gates of the group's workspaces, in workspace order.
    std::set<absl::string_view> workspaces;
    for (const Pending& p : group) workspaces.insert(p.workspace_id);
    std::vector<std::unique_ptr<absl::ReaderMutexLock>> gates;
    for (absl::string_view ws : workspaces) {
      gates.push_back(std::make_unique<absl::ReaderMutexLock>(
          &customers_.erasure_gate(ws).mutex()));
      gates.push_back(std::make_unique<absl::ReaderMutexLock>(
          &surveys_.scale_gate(ws).mutex()));
    }
    KeyLocks::Guard guard(locks_, ids);
    // The first stored response of each id in the group, by its result.
    std::map<std::string, size_t> in_group;
    std::map<std::string, kpi::Calendar> calendars;
    for (size_t i = 0; i < group.size(); ++i) {
      records::Response& r = group[i].response;
      const std::string& ws = group[i].workspace_id;
      const records::Response* earlier = nullptr;
      absl::StatusOr<std::optional<records::Response>> stored = std::nullopt;
      if (auto it = in_group.find(ids[i]); it != in_group.end()) {
        earlier = &results[it->second]->response;
      } else {
        stored = FindStored(store_, ws, r.id());
        if (!stored.ok()) {
          results.emplace_back(stored.status());
          continue;
        }
        if (stored->has_value()) earlier = &**stored;
      }
      if (earlier != nullptr) {
        if (SameSubmission(*earlier, r)) {
          results.emplace_back(Submitted{*earlier, false});
        } else {
          results.emplace_back(errors::AlreadyExists(
              ResponseName(ws, r.id()),
              "response_id names a response stored with other content"));
        }
        continue;
      }
      if (group[i].catalog_changes != CatalogChanges(ws)) {
        // A customer was erased or a survey's scale changed since this
        // response was checked: check it again.
        Lookups lookups(surveys_, customers_, store_, ws);
        Violations v;
        absl::Status checked =
            Prepare(lookups, absl::FromUnixMicros(r.create_time_us()), r, v);
        if (checked.ok()) checked = v.ToStatus();
        if (!checked.ok()) {
          results.emplace_back(checked);
          continue;
        }
      }
      auto cal = calendars.find(ws);
      if (cal == calendars.end()) {
        absl::StatusOr<absl::TimeZone> zone = workspaces_.TimeZoneOf(ws);
        if (!zone.ok()) {
          results.emplace_back(zone.status());
          continue;
        }
        cal = calendars.emplace(ws, kpi::Calendar(*zone)).first;
      }
      in_group.emplace(ids[i], results.size());
      AddWrites(batch, rollups, ws, cal->second, r);
      for (std::string& key : group[i].new_values) {
        batch.Put(ColumnFamily::kIndex, std::move(key), "");
      }
      results.emplace_back(Submitted{std::move(r), true});
    }
    rollups.FlushTo(batch);
    for (const auto& [key, index] : in_group) {
      const Pending& p = group[index];
      NoteWritten(p.workspace_id, {p.response.id()});
    }
    if (!batch.empty()) {
      // One synced write for the whole group: durable before any answer.
      absl::Status written = store_.Write(batch);
      if (!written.ok()) {
        for (auto& result : results) {
          if (result.ok()) result = written;
        }
      }
    }
  }
  for (size_t i = 0; i < group.size(); ++i) {
    group[i].done(std::move(results[i]));
  }
}

absl::StatusOr<records::Response> ResponseLedger::Get(
    absl::string_view workspace_id, absl::string_view id) const {
  ASSIGN_OR_RETURN(std::optional<records::Response> r,
                   FindStored(store_, workspace_id, id));
  if (!r.has_value()) return errors::NotFound(ResponseName(workspace_id, id));
  return *std::move(r);
}

absl::StatusOr<Page<records::Response>> ResponseLedger::List(
    absl::string_view workspace_id, const ResponseFilter& filter,
    absl::string_view after, int limit) const {
  std::string prefix =
      keys::InWorkspace(workspace_id, keys::WorkspaceTag::kResponse).key();
  auto [begin, end] = NewestFirstBounds(prefix, filter, after);
  Page<records::Response> page;
  absl::Status status;
  RETURN_IF_ERROR(
      store_.Scan(ColumnFamily::kFacts, begin, end,
                  [&](absl::string_view key, absl::string_view value) {
                    absl::StatusOr<records::Response> r = ParseResponse(value);
                    if (!r.ok()) {
                      status = r.status();
                      return false;
                    }
                    if (!Matches(filter, *r)) return true;
                    if (static_cast<int>(page.items.size()) == limit)
                      return false;
                    page.items.push_back(*std::move(r));
                    page.next_after = std::string(key.substr(prefix.size()));
                    return true;
                  }));
  RETURN_IF_ERROR(status);
  if (static_cast<int>(page.items.size()) < limit) page.next_after.clear();
  return page;
}

absl::StatusOr<Page<FollowUpItem>> ResponseLedger::FollowUps(
    absl::string_view workspace_id, const ResponseFilter& filter,
    absl::string_view after, int limit) const {
  std::string prefix =
      keys::InWorkspace(workspace_id, keys::WorkspaceTag::kFollowUp).key();
  auto [begin, end] = NewestFirstBounds(prefix, filter, after);
  std::unique_ptr<storage::ReadView> view = store_.NewSnapshot();
  Page<FollowUpItem> page;
  absl::Status status;
  RETURN_IF_ERROR(view->Scan(
      ColumnFamily::kIndex, begin, end,
      [&](absl::string_view key, absl::string_view) {
        std::string suffix(key.substr(prefix.size()));
        storage::KeyDecoder decoder(suffix);
        absl::StatusOr<int64_t> neg_time = decoder.I64();
        absl::StatusOr<std::string> id =
            neg_time.ok() ? decoder.Str() : neg_time.status();
        if (!id.ok()) {
          status = id.status();
          return false;
        }
        absl::StatusOr<std::optional<std::string>> value =
            view->Get(ColumnFamily::kFacts,
                      keys::Response(workspace_id, -*neg_time, *id));
        if (!value.ok() || !value->has_value()) {
          status = value.ok()
                       ? errors::DataLoss("follow-up of a missing response")
                       : value.status();
          return false;
        }
        absl::StatusOr<records::Response> r = ParseResponse(**value);
        if (!r.ok()) {
          status = r.status();
          return false;
        }
        if (!Matches(filter, *r)) return true;
        absl::StatusOr<records::FollowUpState> state =
            FollowUpStateOf(*view, workspace_id, r->id());
        if (!state.ok()) {
          status = state.status();
          return false;
        }
        if ((filter.follow_up_state.has_value() &&
             state->state() != *filter.follow_up_state) ||
            (filter.assignee.has_value() &&
             state->assignee() != *filter.assignee)) {
          return true;
        }
        if (static_cast<int>(page.items.size()) == limit) return false;
        FollowUpItem item;
        item.state = *std::move(state);
        if (!r->customer_id().empty()) {
          absl::StatusOr<std::optional<records::Customer>> c =
              customers_.Find(*view, workspace_id, r->customer_id());
          if (!c.ok()) {
            status = c.status();
            return false;
          }
          item.customer = *std::move(c);
        }
        item.response = *std::move(r);
        page.items.push_back(std::move(item));
        page.next_after = suffix;
        return true;
      }));
  RETURN_IF_ERROR(status);
  if (static_cast<int>(page.items.size()) < limit) page.next_after.clear();
  return page;
}

absl::StatusOr<records::FollowUpState> ResponseLedger::FollowUpStateOf(
    const storage::ReadView& view, absl::string_view ws,
    absl::string_view id) const {
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   view.Get(ColumnFamily::kCatalog,
                            keys::CatalogRecord(
                                ws, keys::WorkspaceTag::kFollowUpState, id)));
  records::FollowUpState state;
  if (value.has_value() && !state.ParseFromString(*value)) {
    return errors::DataLoss("unreadable follow-up state");
  }
  if (state.state() == 0)
    state.set_state(static_cast<int>(FollowUpStage::kOpen));
  return state;
}

absl::StatusOr<FollowUpItem> ResponseLedger::UpdateFollowUp(
    absl::string_view ws, absl::string_view id,
    const records::FollowUpState& values,
    const std::vector<std::string>& fields) {
  const std::string name = absl::StrCat("workspaces/", ws, "/followUps/", id);
  // From reading the item until the write: no erasure in between.
  absl::ReaderMutexLock gate(&customers_.erasure_gate(ws).mutex());
  absl::MutexLock lock(&follow_up_mu_);
  ASSIGN_OR_RETURN(std::optional<records::Response> r,
                   FindStored(store_, ws, id));
  if (!r.has_value() || !r->low()) return errors::NotFound(name);
  ASSIGN_OR_RETURN(const records::FollowUpState before,
                   FollowUpStateOf(store_, ws, id));
  records::FollowUpState after = before;
  Violations v;
  for (const std::string& field : fields) {
    if (field == "state") {
      after.set_state(values.state());
    } else if (field == "assignee") {
      after.set_assignee(values.assignee());
    } else if (field == "notes") {
      after.set_notes(values.notes());
    } else {
      v.Add("update_mask", absl::StrCat("'", field, "' is not updatable"));
    }
  }
  v.MaxLength("follow_up.assignee", after.assignee(), 200);
  v.MaxLength("follow_up.notes", after.notes(), 10'000);
  const auto stage = static_cast<FollowUpStage>(after.state());
  const auto was = static_cast<FollowUpStage>(before.state());
  if (after.state() < 1 || after.state() > 4) {
    v.Add("follow_up.state", "must be open, contacted, closed or dismissed");
  } else if (stage != was) {
    const bool allowed =
        (was == FollowUpStage::kOpen && stage != FollowUpStage::kOpen) ||
        (was == FollowUpStage::kContacted &&
         (stage == FollowUpStage::kClosed ||
          stage == FollowUpStage::kDismissed));
    if (!allowed) {
      v.Add("follow_up.state", absl::StrCat("cannot move from ", StageName(was),
                                            " to ", StageName(stage)));
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  const int64_t now = absl::ToUnixMicros(clock_.Now());
  if (stage != was) {
    if ((stage == FollowUpStage::kContacted ||
         stage == FollowUpStage::kClosed) &&
        after.contact_time_us() == 0) {
      after.set_contact_time_us(now);
    }
    if (stage == FollowUpStage::kClosed || stage == FollowUpStage::kDismissed) {
      after.set_close_time_us(now);
    }
  }
  after.set_update_time_us(now);
  ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(ws));
  const kpi::Calendar calendar(zone);
  storage::WriteBatch batch;
  kpi::RollupDeltas rollups;
  kpi::WriteRows(batch, rollups, ws, calendar, kpi::FactKind::kFollowUp, id,
                 kpi::RowsOf(*r, before), -1);
  kpi::WriteRows(batch, rollups, ws, calendar, kpi::FactKind::kFollowUp, id,
                 kpi::RowsOf(*r, after), 1);
  rollups.FlushTo(batch);
  batch.Put(ColumnFamily::kCatalog,
            keys::CatalogRecord(ws, keys::WorkspaceTag::kFollowUpState, id),
            after.SerializeAsString());
  RETURN_IF_ERROR(store_.Write(batch));
  FollowUpItem item;
  if (!r->customer_id().empty()) {
    ASSIGN_OR_RETURN(item.customer,
                     customers_.Find(store_, ws, r->customer_id()));
  }
  item.response = *std::move(r);
  item.state = std::move(after);
  return item;
}

absl::StatusOr<records::InvitationBatch> ResponseLedger::RecordInvitations(
    absl::string_view workspace_id, records::InvitationBatch batch) {
  Violations v;
  v.Id("invitation_batch_id", batch.id());
  v.Required("invitation_batch.survey_id", batch.survey_id());
  v.MaxLength("invitation_batch.channel", batch.channel(), kMaxLabel);
  v.Between("invitation_batch.count", batch.count(), 1, kMaxCount);
  v.TimeInRange("invitation_batch.send_time", batch.send_time_us());
  if (!batch.survey_id().empty()) {
    ASSIGN_OR_RETURN(std::optional<records::Survey> survey,
                     surveys_.Find(workspace_id, batch.survey_id()));
    if (!survey.has_value()) {
      v.Add("invitation_batch.survey_id",
            absl::StrCat("no survey '", batch.survey_id(),
                         "' in this workspace"));
    }
  }
  if (batch.send_time_us() == 0) {
    batch.set_send_time_us(absl::ToUnixMicros(clock_.Now()));
  }
  RETURN_IF_ERROR(v.ToStatus());
  KeyLocks::Guard guard(locks_,
                        {absl::StrCat(workspace_id, "/inv/", batch.id())});
  ASSIGN_OR_RETURN(std::optional<records::InvitationBatch> existing,
                   invitations_.Find(workspace_id, batch.id()));
  if (existing.has_value()) {
    if (existing->survey_id() == batch.survey_id() &&
        existing->channel() == batch.channel() &&
        existing->count() == batch.count()) {
      return *existing;
    }
    return errors::AlreadyExists(
        absl::StrCat("workspaces/", workspace_id, "/invitationBatches/",
                     batch.id()),
        "with other content");
  }
  ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(workspace_id));
  storage::WriteBatch write;
  invitations_.Put(write, workspace_id, batch);
  kpi::AddInvitationRollup(
      write, workspace_id, batch,
      kpi::Calendar(zone).DayOf(absl::FromUnixMicros(batch.send_time_us())));
  RETURN_IF_ERROR(store_.Write(write));
  return batch;
}

}  // namespace mittari::domain
