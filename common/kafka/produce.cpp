#include "common/kafka/produce.hpp"

#include <vector>

#include "common/kafka/kafka_error.hpp"

namespace civic::kafka {

std::error_code produce(rd_kafka_t* client, const record& rec, produce_options options) {
  // rd_kafka_produceva rather than the producev macros, which use C casts.
  std::vector<rd_kafka_vu_t> fields;
  fields.reserve(6 + rec.headers.size());
  auto add = [&](rd_kafka_vtype_t type) -> rd_kafka_vu_t& {
    fields.emplace_back();
    fields.back().vtype = type;
    return fields.back();
  };
  add(RD_KAFKA_VTYPE_TOPIC).u.cstr = rec.topic.c_str();
  add(RD_KAFKA_VTYPE_PARTITION).u.i32 = rec.partition >= 0 ? rec.partition : RD_KAFKA_PARTITION_UA;
  add(RD_KAFKA_VTYPE_KEY).u.mem = {const_cast<char*>(rec.key.data()), rec.key.size()};
  add(RD_KAFKA_VTYPE_VALUE).u.mem = {rec.tombstone ? nullptr : const_cast<char*>(rec.value.data()),
                                     rec.tombstone ? 0 : rec.value.size()};
  add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = options.copy_value ? RD_KAFKA_MSG_F_COPY : 0;
  if (options.opaque) add(RD_KAFKA_VTYPE_OPAQUE).u.ptr = options.opaque;
  for (const auto& h : rec.headers) {
    add(RD_KAFKA_VTYPE_HEADER).u.header = {h.name.c_str(), h.value.data(),
                                           static_cast<ssize_t>(h.value.size())};
  }
  error_handle failure(rd_kafka_produceva(client, fields.data(), fields.size()));
  if (!failure) return {};
  return make_kafka_error(rd_kafka_error_code(failure.get()));
}

}  // namespace civic::kafka
