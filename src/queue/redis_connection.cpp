#include "queue/redis_connection.hpp"

#include <hiredis.h>

#include <charconv>

#include "core/log_text.hpp"

namespace serentak::queue {

redis_connection::redis_connection(redis_endpoint endpoint, redis_timeouts timeouts)
    : endpoint_(std::move(endpoint)), timeouts_(timeouts) {}

redis_connection::~redis_connection() { close(); }

void redis_connection::close() noexcept {
  socket_.reset();
  if (reader_ != nullptr) redisReaderFree(reader_);
  reader_ = nullptr;
  pending_.clear();
  appended_ = 0;
  append_error_.reset();
}

redis_error redis_connection::io_failure(std::string_view what) {
  std::string detail(what);
  if (detail.empty()) detail = "connection lost";
  close();
  return {redis_error::kind::io, "Redis at " + endpoint_.display() + ": " + escape_for_log(detail)};
}

std::optional<redis_error> redis_connection::connect() {
  close();
  // A stopping command's deadline has passed: no new connection (a stopped Redis would take its time).
  if (timeouts_.give_up != nullptr && timeouts_.give_up->passed()) return io_failure("no answer while stopping");
  std::string error;
  socket_ = redis_socket::open(endpoint_, timeouts_.connect, timeouts_.command, error, timeouts_.give_up);
  if (socket_ == nullptr) return io_failure(error.empty() ? "cannot connect" : error);
  reader_ = replies_.make_reader();
  if (reader_ == nullptr) return io_failure("out of memory");
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

namespace {

// RESP's multi-bulk request: "*<count>\r\n", then "$<length>\r\n<bytes>\r\n" per argument.
void append_resp(std::string& out, char mark, std::size_t count) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, count).ptr;
  out += mark;
  out.append(digits, end);
  out += "\r\n";
}

}  // namespace

void redis_connection::append(std::span<const std::string_view> args) {
  if (socket_ == nullptr) {
    if (!append_error_)
      append_error_ = redis_error{redis_error::kind::io, "Redis at " + endpoint_.display() + ": not connected"};
    ++appended_;
    return;
  }
  // Redis answers "*0" with nothing, so an empty command goes as one empty name, which it refuses
  // with an error reply: the replies stay in step with the commands.
  static constexpr std::string_view unnamed[] = {""};
  if (args.empty()) args = unnamed;
  std::size_t bytes = 16;
  for (std::string_view a : args) bytes += a.size() + 16;
  pending_.reserve(pending_.size() + bytes);
  append_resp(pending_, '*', args.size());
  for (std::string_view a : args) {
    append_resp(pending_, '$', a.size());
    pending_.append(a);
    pending_ += "\r\n";
  }
  ++appended_;
}

void redis_connection::append(const std::vector<std::string>& args) {
  const std::vector<std::string_view> views(args.begin(), args.end());
  append(std::span<const std::string_view>(views));
}

void redis_connection::append(std::initializer_list<std::string_view> args) {
  append(std::span<const std::string_view>(args.begin(), args.size()));
}

redis_result redis_connection::read_one() {
  redis_result result;
  if (socket_ == nullptr) {
    result.error = redis_error{redis_error::kind::io, "Redis at " + endpoint_.display() + ": not connected"};
    return result;
  }
  if (!pending_.empty()) {  // the pipelined commands go out whole before the first reply is read
    std::optional<std::string> failed = socket_->write_all(pending_);
    pending_.clear();
    if (failed) {
      result.error = io_failure(*failed);
      return result;
    }
  }
  void* raw = nullptr;
  for (;;) {
    if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
      result.error =
          io_failure("bad reply: " + (replies_.problem().empty() ? std::string(reader_->errstr) : replies_.problem()));
      return result;
    }
    if (raw != nullptr) break;
    char buffer[16 * 1024];
    std::string error;
    const std::size_t n = socket_->read_some(buffer, sizeof buffer, error);
    if (n == 0 || redisReaderFeed(reader_, buffer, n) != REDIS_OK) {
      result.error = io_failure(n == 0 ? error : std::string("bad reply"));
      return result;
    }
  }
  result.reply = replies_.take();
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

redis_result redis_connection::command(std::span<const std::string_view> args) {
  append(args);
  auto replies = read_replies();
  return std::move(replies.front());
}

}  // namespace serentak::queue
