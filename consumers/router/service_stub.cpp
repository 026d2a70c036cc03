#include <iostream>

#include "consumers/router/service.hpp"

namespace civic::router {
int run_service(std::span<const std::string_view>) {
  std::cerr << "router: service not built yet\n";
  return 2;
}
}  // namespace civic::router
