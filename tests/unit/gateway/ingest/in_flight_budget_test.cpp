#include "gateway/ingest/in_flight_budget.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

using civic::gateway::ingest::in_flight_budget;

TEST_CASE("the budget admits up to its bytes and no more") {
  in_flight_budget budget(100);
  CHECK(budget.try_acquire(60));
  CHECK_FALSE(budget.try_acquire(41));
  CHECK(budget.try_acquire(40));
  CHECK(budget.used_bytes() == 100);
  CHECK(budget.messages() == 2);
  budget.release(60);
  CHECK(budget.try_acquire(50));
}

TEST_CASE("a waiter is woken by the release that frees room, once") {
  in_flight_budget budget(10);
  REQUIRE(budget.try_acquire(10));
  int woken = 0;
  budget.wait([&] { ++woken; });
  CHECK(woken == 0);
  budget.release(10);
  CHECK(woken == 1);
  REQUIRE(budget.try_acquire(10));
  budget.release(10);
  CHECK(woken == 1);
}

TEST_CASE("a waiter registered after room came free is woken at once") {
  in_flight_budget budget(10);
  int woken = 0;
  budget.wait([&] { ++woken; });
  CHECK(woken == 1);
}

TEST_CASE("concurrent acquire and release never exceed the budget") {
  in_flight_budget budget(1000);
  std::atomic<bool> exceeded{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        if (budget.try_acquire(300)) {
          if (budget.used_bytes() > 1000) exceeded = true;
          budget.release(300);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK_FALSE(exceeded);
  CHECK(budget.used_bytes() == 0);
  CHECK(budget.messages() == 0);
}
