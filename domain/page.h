// One page of a listing ordered by id.
#ifndef MITTARI_DOMAIN_PAGE_H_
#define MITTARI_DOMAIN_PAGE_H_

#include <string>
#include <vector>

namespace mittari::domain {

template <typename T>
struct Page {
  std::vector<T> items;
  // The id to continue after; empty on the last page.
  std::string next_after;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_PAGE_H_
