#pragma once
// `router train-model`: trains the sentence model's heads from labelled
// messages and writes them (deploy/config/model/seoul-triage.head by default).

#include <span>
#include <string_view>

namespace civic::router {

int run_train_model(std::span<const std::string_view> args);

}  // namespace civic::router
