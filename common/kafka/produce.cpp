#include "common/kafka/produce.hpp"

#include <array>
#include <vector>

#include "common/kafka/kafka_error.hpp"

namespace civic::kafka {
namespace {

// The fields of one rd_kafka_produceva call: on the stack for the usual few headers.
class produce_fields {
 public:
  explicit produce_fields(size_t headers) {
    if (headers + 6 > stack_.size()) heap_.resize(headers + 6);
  }
  rd_kafka_vu_t& add(rd_kafka_vtype_t type) {
    rd_kafka_vu_t& f = heap_.empty() ? stack_[size_] : heap_[size_];
    ++size_;
    f.vtype = type;
    return f;
  }
  std::error_code produce(rd_kafka_t* client) {
    error_handle failure(
        rd_kafka_produceva(client, heap_.empty() ? stack_.data() : heap_.data(), size_));
    if (!failure) return {};
    return make_kafka_error(rd_kafka_error_code(failure.get()));
  }

 private:
  std::array<rd_kafka_vu_t, 16> stack_{};
  std::vector<rd_kafka_vu_t> heap_;
  size_t size_ = 0;
};

}  // namespace

// rd_kafka_produceva rather than the producev macros, which use C casts.
std::error_code produce(rd_kafka_t* client, const record& rec, produce_options options) {
  produce_fields fields(rec.headers.size());
  fields.add(RD_KAFKA_VTYPE_TOPIC).u.cstr = rec.topic.c_str();
  fields.add(RD_KAFKA_VTYPE_PARTITION).u.i32 =
      rec.partition >= 0 ? rec.partition : RD_KAFKA_PARTITION_UA;
  fields.add(RD_KAFKA_VTYPE_KEY).u.mem = {const_cast<char*>(rec.key.data()), rec.key.size()};
  fields.add(RD_KAFKA_VTYPE_VALUE).u.mem = {
      rec.tombstone ? nullptr : const_cast<char*>(rec.value.data()),
      rec.tombstone ? 0 : rec.value.size()};
  fields.add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = options.copy_value ? RD_KAFKA_MSG_F_COPY : 0;
  if (options.opaque) fields.add(RD_KAFKA_VTYPE_OPAQUE).u.ptr = options.opaque;
  for (const auto& h : rec.headers) {
    fields.add(RD_KAFKA_VTYPE_HEADER).u.header = {h.name.c_str(), h.value.data(),
                                                  static_cast<ssize_t>(h.value.size())};
  }
  return fields.produce(client);
}

std::error_code produce(rd_kafka_t* client, const record_view& rec, produce_options options) {
  produce_fields fields(rec.headers.size());
  fields.add(RD_KAFKA_VTYPE_TOPIC).u.cstr = rec.topic;
  fields.add(RD_KAFKA_VTYPE_PARTITION).u.i32 =
      rec.partition >= 0 ? rec.partition : RD_KAFKA_PARTITION_UA;
  fields.add(RD_KAFKA_VTYPE_KEY).u.mem = {const_cast<char*>(rec.key.data()), rec.key.size()};
  fields.add(RD_KAFKA_VTYPE_VALUE).u.mem = {const_cast<char*>(rec.value.data()), rec.value.size()};
  fields.add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = options.copy_value ? RD_KAFKA_MSG_F_COPY : 0;
  if (options.opaque) fields.add(RD_KAFKA_VTYPE_OPAQUE).u.ptr = options.opaque;
  for (const auto& h : rec.headers) {
    fields.add(RD_KAFKA_VTYPE_HEADER).u.header = {h.name, h.value.data(),
                                                  static_cast<ssize_t>(h.value.size())};
  }
  return fields.produce(client);
}

}  // namespace civic::kafka
