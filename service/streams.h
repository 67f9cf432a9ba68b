// Reading a client stream whose messages each carry the workspace
// (`parent`) and a list of items: the key and role are checked before the
// first read, the workspace on the first message, and the size is bounded.
// The key is checked again on every message and once the stream has ended,
// so a stream whose key is revoked (or whose workspace is deleted) while it
// runs ends with UNAUTHENTICATED and stores nothing. Every message counts
// at least one item, so empty messages cannot keep a stream going for
// free, and the items are paced to the workspace's row rate: past it the
// handler waits before reading on, which slows the sender through HTTP/2
// flow control instead of failing a long import. A stream whose client
// sends nothing for the idle timeout, or that runs past the stream
// deadline, is cancelled (StreamWatchdog) and stores nothing.
#ifndef MITTARI_SERVICE_STREAMS_H_
#define MITTARI_SERVICE_STREAMS_H_

#include <algorithm>
#include <initializer_list>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "grpcpp/support/sync_stream.h"
#include "service/auth.h"

namespace mittari::service {

// The longest a stream waits between two messages for the row rate.
inline constexpr absl::Duration kMaxPace = absl::Seconds(5);

// Calls `take(call, message)` for every message; it returns how many items
// the message carried, or an error that ends the stream. More than
// `max_items` in all is RESOURCE_EXHAUSTED.
template <typename Request, typename Take>
absl::StatusOr<WorkspaceCall> ReadChunks(
    const grpc::ServerContextBase& context, grpc::ServerReader<Request>* reader,
    const Authorizer& auth, std::initializer_list<domain::Permission> any_of,
    size_t max_items, Take take) {
  RETURN_IF_ERROR(auth.Authorize(context, any_of).status());
  StreamWatchdog::Watch watch(auth.streams(), context);
  std::optional<WorkspaceCall> call;
  size_t items = 0;
  Request message;
  while (reader->Read(&message)) {
    watch.Touch();
    if (!call.has_value()) {
      ASSIGN_OR_RETURN(
          call, auth.AuthorizeIn(context, any_of, message.parent(), "parent"));
    } else {
      RETURN_IF_ERROR(auth.Recheck(context, any_of));
    }
    if (!message.parent().empty() &&
        message.parent() != absl::StrCat("workspaces/", call->workspace_id)) {
      return errors::InvalidArgument(
          "parent", "every message of a stream names the same workspace");
    }
    ASSIGN_OR_RETURN(const size_t took, take(*call, message));
    const size_t taken = std::max<size_t>(1, took);
    items += taken;
    const absl::Duration wait =
        auth.PaceRows(*call, static_cast<int64_t>(taken));
    if (wait > absl::ZeroDuration()) {
      absl::SleepFor(std::min(wait, kMaxPace));
      watch.Touch();  // the wait was the server's, not the client's
    }
    if (items > max_items) {
      return errors::ResourceExhausted(
          absl::StrCat("a stream carries at most ", max_items, " items"));
    }
  }
  if (context.IsCancelled()) {
    // By the client, or by the watchdog: the status the client sees is
    // CANCELLED either way; nothing is stored.
    return errors::Cancelled(
        "the stream was cancelled (idle too long, past its deadline, or by "
        "the client)");
  }
  if (!call.has_value()) {
    return errors::InvalidArgument(
        "parent", "is required: the stream carried no message");
  }
  RETURN_IF_ERROR(auth.Recheck(context, any_of));
  return *std::move(call);
}

// ReadChunks for streams read whole before anything is checked:
// `take(message)` keeps the message's items and returns their number.
template <typename Request, typename Take>
absl::StatusOr<WorkspaceCall> ReadStream(
    const grpc::ServerContextBase& context, grpc::ServerReader<Request>* reader,
    const Authorizer& auth, std::initializer_list<domain::Permission> any_of,
    size_t max_items, Take take) {
  return ReadChunks(context, reader, auth, any_of, max_items,
                    [&](const WorkspaceCall& /*call*/,
                        const Request& message) -> absl::StatusOr<size_t> {
                      return static_cast<size_t>(take(message));
                    });
}

// The most items an import job's stream carries (StreamLimits).
inline size_t MaxImportRows(const Authorizer& auth) {
  return static_cast<size_t>(auth.streams().limits().max_import_rows);
}

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_STREAMS_H_
