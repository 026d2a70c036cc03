// router: routes each unique citizen message to the divisions that own it.
//   router [--config FILE] [--key=value ...]   the service (feedback.unique -> division.<id>)
//   router classify [--rules FILE] [--model HEADS]  offline: corpus JSON Lines on stdin ->
//                                                   decisions on stdout
//   router train-model [DATA.jsonl ...]        trains the sentence model's heads

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.hpp"
#include "consumers/classify/model/semantic_model.hpp"
#include "consumers/router/offline_classify.hpp"
#include "consumers/router/service.hpp"
#include "consumers/router/train_model.hpp"

namespace {

int run_classify(std::span<const std::string_view> args) {
  std::string rules(civic::classify::default_rules_path);
  std::string model(civic::classify::model::default_head_path);
  std::string model_dir;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout
          << "usage: router classify [--rules FILE] [--model HEADS] [--model-dir DIR]\n"
             "--model= (empty) classifies with the rules alone.\n"
             "Reads corpus-format JSON Lines (id, text, address, lat, lon, channel) on stdin and\n"
             "writes one line per input: "
             "{\"id\",\"divisions\",\"kind\",\"district\",\"urgency\",\"matched\"}.\n"
             "Default rules: "
          << civic::classify::default_rules_path << "\n";
      return 0;
    }
    if (a == "--rules" && i + 1 < args.size()) {
      rules = std::string(args[++i]);
    } else if (a.starts_with("--rules=")) {
      rules = std::string(a.substr(8));
    } else if (a == "--model" && i + 1 < args.size()) {
      model = std::string(args[++i]);
    } else if (a.starts_with("--model=")) {
      model = std::string(a.substr(8));
    } else if (a == "--model-dir" && i + 1 < args.size()) {
      model_dir = std::string(args[++i]);
    } else if (a.starts_with("--model-dir=")) {
      model_dir = std::string(a.substr(12));
    } else {
      std::cerr << "router classify: unknown argument '" << a << "' (try --help)\n";
      return 2;
    }
  }
  std::shared_ptr<const civic::classify::model::semantic_model> semantic;
  if (!model.empty()) {
    auto loaded = civic::classify::model::semantic_model::load(model, model_dir);
    if (!loaded) {
      std::cerr << "router classify: sentence model: " << loaded.error()
                << " (--model= classifies with the rules alone)\n";
      return 2;
    }
    semantic = std::move(*loaded);
  }
  auto c = civic::classify::classifier::load(rules, semantic);
  if (!c) {
    std::cerr << "router classify: rules refused: " << c.error() << '\n';
    return 2;
  }
  std::ios::sync_with_stdio(false);
  const auto totals = civic::router::classify_lines(**c, std::cin, std::cout);
  if (totals.errors > 0) {
    std::cerr << "router classify: " << totals.errors << " of " << totals.lines
              << " lines could not be read\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = civic::config::arguments(argc, argv);
  if (!args.empty() && args[0] == "classify")
    return run_classify(std::span<const std::string_view>(args).subspan(1));
  if (!args.empty() && args[0] == "train-model")
    return civic::router::run_train_model(std::span<const std::string_view>(args).subspan(1));
  return civic::router::run_service(args);
}
