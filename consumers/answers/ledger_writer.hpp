#pragma once
// The delivery worker's writes: ledger states, outcomes and summaries in one
// Kafka transaction at a time, with a transactional id of its own per
// partition ("<prefix><partition>"), whichever instance holds it: a new owner's
// init fences the old one (whose next write then fails) and completes or
// aborts whatever transaction the old one left open.

#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "common/error/expected.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/record.hpp"

namespace civic::answers {

class ledger_writer {
 public:
  static expected<std::unique_ptr<ledger_writer>, std::string> create(
      const kafka::properties& kafka, const std::string& transactional_id);
  ~ledger_writer();

  // Commits the records together, or nothing (an abortable failure is retried a
  // few times). An error means this writer must stop: fenced by a newer owner,
  // or a fatal producer error.
  std::error_code write(const std::vector<kafka::record>& records);

 private:
  struct impl;
  explicit ledger_writer(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace civic::answers
