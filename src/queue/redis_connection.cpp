#include "queue/redis_connection.hpp"

#include <sys/time.h>

#include <hiredis.h>

#include "core/log_text.hpp"

namespace serentak::queue {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

}  // namespace

redis_connection::redis_connection(redis_endpoint endpoint, redis_timeouts timeouts)
    : endpoint_(std::move(endpoint)), timeouts_(timeouts) {}

redis_connection::~redis_connection() { close(); }

void redis_connection::close() noexcept {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
  appended_ = 0;
  append_error_.reset();
}

redis_error redis_connection::io_failure(std::string_view what) {
  std::string detail = context_ != nullptr && context_->err != 0 ? std::string(context_->errstr) : std::string(what);
  if (detail.empty()) detail = "connection lost";
  close();
  return {redis_error::kind::io, "Redis at " + endpoint_.display() + ": " + escape_for_log(detail)};
}

std::optional<redis_error> redis_connection::connect() {
  close();
  context_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, to_timeval(timeouts_.connect));
  if (context_ == nullptr)
    return redis_error{redis_error::kind::io, "Redis at " + endpoint_.display() + ": out of memory"};
  if (context_->err != 0) return io_failure("cannot connect");
  redisSetTimeout(context_, to_timeval(timeouts_.command));
  redisEnableKeepAlive(context_);
  if (!endpoint_.password.empty()) {
    redis_result auth = endpoint_.user.empty() ? command({"AUTH", endpoint_.password})
                                               : command({"AUTH", endpoint_.user, endpoint_.password});
    if (!auth.ok()) {
      // Redis's text for a refusal ("WRONGPASS invalid username-password pair") holds no secret,
      // but ours is fixed anyway so no future server wording can echo one.
      if (auth.error->what == redis_error::kind::server) {
        close();
        return redis_error{redis_error::kind::server,
                           "Redis at " + endpoint_.display() + " refused the credentials (AUTH)"};
      }
      return auth.error;
    }
  }
  return std::nullopt;
}

void redis_connection::append_argv(const std::vector<std::string_view>& args) {
  if (context_ == nullptr) {
    if (!append_error_)
      append_error_ = redis_error{redis_error::kind::io, "Redis at " + endpoint_.display() + ": not connected"};
    ++appended_;
    return;
  }
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (std::string_view a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  if (redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK) {
    if (!append_error_) append_error_ = io_failure("cannot queue a command");
  }
  ++appended_;
}

void redis_connection::append(const std::vector<std::string>& args) {
  append_argv(std::vector<std::string_view>(args.begin(), args.end()));
}

void redis_connection::append(std::initializer_list<std::string_view> args) {
  append_argv(std::vector<std::string_view>(args));
}

redis_result redis_connection::read_one() {
  redis_result result;
  if (context_ == nullptr) {
    result.error = redis_error{redis_error::kind::io, "Redis at " + endpoint_.display() + ": not connected"};
    return result;
  }
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
    result.error = io_failure("no reply");
    return result;
  }
  result.reply = redis_reply(static_cast<redisReply*>(raw));
  if (result.view().is_error()) {
    result.error = redis_error{redis_error::kind::server, escape_for_log(result.view().text())};
  }
  return result;
}

std::vector<redis_result> redis_connection::read_replies() {
  std::vector<redis_result> results;
  std::size_t wanted = appended_;
  appended_ = 0;
  results.reserve(wanted);
  std::optional<redis_error> failed = std::move(append_error_);
  append_error_.reset();
  for (std::size_t i = 0; i < wanted; ++i) {
    if (failed) {
      results.push_back(redis_result{{}, failed});
      continue;
    }
    results.push_back(read_one());
    if (!results.back().ok() && results.back().error->what == redis_error::kind::io) failed = results.back().error;
  }
  return results;
}

redis_result redis_connection::command(const std::vector<std::string>& args) {
  append(args);
  auto replies = read_replies();
  return std::move(replies.front());
}

redis_result redis_connection::command(std::initializer_list<std::string_view> args) {
  append(args);
  auto replies = read_replies();
  return std::move(replies.front());
}

}  // namespace serentak::queue
