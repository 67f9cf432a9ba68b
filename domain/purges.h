// Purges: the compaction that makes deleted values leave every file (after
// an erasure or a workspace's deletion), as a durable job. Its marker is
// written in the same batch as the deletions; the compaction of that
// workspace's key ranges runs from it and clears it; a crash in between
// leaves the marker, and the next start runs the purge again.
#ifndef MITTARI_DOMAIN_PURGES_H_
#define MITTARI_DOMAIN_PURGES_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/store.h"

namespace mittari::domain {

// Adds to `batch` the marker of a purge of workspace `ws`.
void AddPurgeMarker(storage::WriteBatch& batch, absl::string_view ws);

// Compacts workspace `ws`'s key ranges, then clears its marker.
absl::Status Purge(storage::Store& store, absl::string_view ws);

// Runs every purge whose marker is still there; returns how many ran.
absl::StatusOr<int> ResumePurges(storage::Store& store);

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_PURGES_H_
