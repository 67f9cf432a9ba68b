// The CSV reader of `mittari import` on any bytes: it never crashes, and a
// table it accepts has a header and records whose lines increase.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "clients/cli/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);
  auto table = mittari::cli::ParseCsv(in);
  if (!table.ok()) return 0;
  int line = 0;
  for (const auto& record : table->records) {
    if (record.line <= line) std::abort();
    line = record.line;
  }
  return 0;
}
