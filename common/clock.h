// The clock interface. Code that needs the time takes a Clock&; the server
// passes the real clock and tests pass a fake (tests/testing/fake_clock.h).
#ifndef MITTARI_COMMON_CLOCK_H_
#define MITTARI_COMMON_CLOCK_H_

#include "absl/time/time.h"

namespace mittari {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system clock; lives for the whole program.
Clock& SystemClock();

}  // namespace mittari

#endif  // MITTARI_COMMON_CLOCK_H_
