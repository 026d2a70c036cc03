// `dedup cluster`: one answer line per input line, in the corpus format.

#include "consumers/dedup/cluster_command.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <sstream>

using namespace civic::dedup;

namespace {

placement_function roads_in_mapo() {
  return [](const placement_input&) {
    return placement{{"roads"}, {"roads"}, std::string("Mapo-gu")};
  };
}

std::vector<rapidjson::Document> answers(const std::string& input, cluster_totals& totals) {
  std::istringstream in(input);
  std::ostringstream out;
  const dedup_settings settings;  // named: GCC 12 -O2 warns falsely on a temporary's set
  totals = run_cluster(in, out, settings, roads_in_mapo());
  std::vector<rapidjson::Document> docs;
  std::istringstream lines(out.str());
  std::string line;
  while (std::getline(lines, line)) {
    docs.emplace_back();
    docs.back().Parse(line.c_str());
    REQUIRE(docs.back().IsObject());
  }
  return docs;
}

}  // namespace

TEST_CASE("dedup cluster answers every corpus line with its case and what it duplicates") {
  std::string input =
      R"({"id":"d1","channel":"twitter","source_id":"t-1","received_at":"2025-03-10T08:50:00+09:00","author":"hongdae_daily","text":"홍대입구 9번 출구 앞 도로에 포트홀 #포트홀","lat":37.5576,"lon":126.924,"address":null})"
      "\n"
      R"({"id":"d2","channel":"twitter","source_id":"t-1","received_at":"2025-03-10T08:50:30+09:00","author":"hongdae_daily","text":"홍대입구 9번 출구 앞 도로에 포트홀 #포트홀","lat":37.5576,"lon":126.924,"address":null})"
      "\n"
      R"({"id":"d3","channel":"instagram","source_id":"i-9","received_at":"2025-03-10T09:10:00+09:00","author":"hongdae_daily","text":"홍대입구 9번 출구 앞 도로에 포트홀 #포트홀 🚧 @mapo_gu","lat":null,"lon":null,"address":null})"
      "\n\n"
      R"({"id":"d4","channel":"open311","source_id":"311-2","received_at":"2025-03-10T09:02:14+09:00","author":"mapo_jhk","text":"Big pothole at Hongik Univ. station exit 9","lat":37.5577,"lon":126.9242,"address":"Yanghwa-ro"})"
      "\n"
      "not json\n";
  cluster_totals totals;
  auto docs = answers(input, totals);
  REQUIRE(docs.size() == 5);  // the blank line is no input
  CHECK(totals.lines == 5);
  CHECK(totals.errors == 1);

  CHECK(std::string(docs[0]["id"].GetString()) == "d1");
  CHECK(std::string(docs[0]["case"].GetString()) == "case-d1");
  CHECK(docs[0]["duplicate_of"].IsNull());
  CHECK(std::string(docs[0]["match"].GetString()) == "new");
  CHECK(std::string(docs[0]["district"].GetString()) == "Mapo-gu");

  // A retry (same channel and source id).
  CHECK(std::string(docs[1]["match"].GetString()) == "exact_duplicate");
  CHECK(std::string(docs[1]["duplicate_of"].GetString()) == "d1");
  // The same author's cross-post on another channel: handles are pseudonymised
  // without the channel offline, so it is an exact duplicate too.
  CHECK(std::string(docs[2]["match"].GetString()) == "exact_duplicate");
  CHECK(std::string(docs[2]["case"].GetString()) == "case-d1");
  // Another citizen at the same spot.
  CHECK(std::string(docs[3]["match"].GetString()) == "near_duplicate");
  CHECK(std::string(docs[3]["case"].GetString()) == "case-d1");
  CHECK(std::string(docs[3]["duplicate_of"].GetString()) == "d1");

  CHECK(docs[4]["id"].IsNull());
  CHECK(std::string(docs[4]["error"].GetString()).find("line 5") == 0);
}
