#include "queue/redis_reply.hpp"

#include <charconv>

#include <hiredis.h>

namespace serentak::queue {

void redis_reply::deleter::operator()(redisReply* r) const noexcept { freeReplyObject(r); }

bool reply_view::is_nil() const noexcept { return node_ == nullptr || node_->type == REDIS_REPLY_NIL; }
bool reply_view::is_array() const noexcept { return node_ != nullptr && node_->type == REDIS_REPLY_ARRAY; }
bool reply_view::is_integer() const noexcept { return node_ != nullptr && node_->type == REDIS_REPLY_INTEGER; }
bool reply_view::is_error() const noexcept { return node_ != nullptr && node_->type == REDIS_REPLY_ERROR; }
bool reply_view::is_string() const noexcept {
  return node_ != nullptr && (node_->type == REDIS_REPLY_STRING || node_->type == REDIS_REPLY_STATUS);
}

std::string_view reply_view::text() const noexcept {
  if (node_ == nullptr || node_->str == nullptr) return {};
  if (node_->type != REDIS_REPLY_STRING && node_->type != REDIS_REPLY_STATUS && node_->type != REDIS_REPLY_ERROR)
    return {};
  return {node_->str, node_->len};
}

long long reply_view::integer() const noexcept {
  if (node_ == nullptr) return 0;
  if (node_->type == REDIS_REPLY_INTEGER) return node_->integer;
  std::string_view t = text();
  long long value = 0;
  std::from_chars(t.data(), t.data() + t.size(), value);
  return value;
}

std::size_t reply_view::size() const noexcept { return is_array() ? node_->elements : 0; }

reply_view reply_view::operator[](std::size_t i) const noexcept {
  return reply_view(i < size() ? node_->element[i] : nullptr);
}

}  // namespace serentak::queue
