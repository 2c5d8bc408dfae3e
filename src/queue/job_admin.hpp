#pragma once
// The job operations that are not the worker: push, status, collect, retry, delete. Each runs on
// the caller's thread over one connection it owns. Startup problems (unreachable Redis, refused
// AUTH, no such job, a different specification under the name, a bad input) throw job_error with
// a one-line message for exit 2; the message never holds the password.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "client/inputs/item_inputs.hpp"
#include "core/result_record.hpp"
#include "queue/host_rate_status.hpp"
#include "queue/job_keys.hpp"
#include "queue/job_spec.hpp"
#include "queue/redis_connection.hpp"

namespace serentak::queue {

class job_error : public std::runtime_error {
 public:
  explicit job_error(const std::string& what, bool outage = false, bool loading = false)
      : std::runtime_error(what), outage_(outage || loading), loading_(loading) {}
  // Redis unreachable or still loading its data: worth waiting out (`status --watch`), unlike a
  // refusal (AUTH, a missing job, a script error).
  bool outage() const noexcept { return outage_; }
  // Redis answered, and is loading its data (just restarted): it will answer soon.
  bool loading() const noexcept { return loading_; }

 private:
  bool outage_;
  bool loading_;
};

// collect could not write its output (disk full, an I/O error, stdout closed or full): exit 3, as any
// command whose output fails; what it wrote is whole records, so --resume goes on.
class output_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How open_connection waits for a Redis that answers LOADING (restarted, reading its data back):
// loading(message) once, then it asks again every 250 ms until Redis answers (loaded() then) or
// *stop is set (the LOADING job_error then). Without one, LOADING is a job_error like any other.
struct loading_wait {
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const std::string& message)> loading;
  std::function<void()> loaded;
};

// Connects (TLS for rediss://) and authenticates, or throws job_error.
void open_connection(redis_connection& connection, const loading_wait* wait = nullptr);
// The job's stored specification, or job_error when there is no such job. With identity, also which
// job this is (job_identity), read in the same command: a job deleted and pushed again between two
// reads would pair one job's specification with the other's identity.
job_spec load_spec(redis_connection& connection, const job_keys& keys, const std::string& job_name,
                   job_identity* identity = nullptr);

struct push_report {
  std::size_t total = 0;              // items in the input
  std::size_t added = 0;              // items this push streamed in (0 when the job was already pushed whole)
  std::size_t job_items = 0;          // the job's items after it: more than total when an earlier push had more
  bool shorter_list_checked = false;  // fewer items than the job, found to be its first ones
};
push_report push_job(redis_connection& connection, const std::string& job_name, const job_spec& spec,
                     std::vector<client::input_part>& parts, const std::atomic<bool>* stop);

// active: it read, claimed or renewed within the lease. unresponsive: not within the lease, and entries
// are still pending for it (killed, stopped or cut from Redis, reclaimed once past the lease; or it
// stopped and handed its items back, and no other worker has taken them yet). gone: it exited (a worker
// that ends holding nothing leaves the consumer group), or silent past the lease with nothing pending.
enum class worker_state { active, unresponsive, gone };
std::string_view to_string(worker_state state);

struct worker_status {
  std::string name;
  std::size_t records = 0;  // records it wrote first
  std::size_t pending = 0;  // items delivered to it and without a record
  std::optional<long long> idle_ms;  // since it last read, claimed or renewed; nullopt: not in the group
  std::size_t pending_entries = 0;   // entries pending for it (XINFO CONSUMERS), recorded items or not
  worker_state state = worker_state::gone;
};

struct job_status {
  std::size_t pushed = 0;
  std::optional<std::size_t> total;  // set once a push completed
  std::size_t records = 0;
  std::map<std::string, std::size_t> outcomes;  // every outcome, zeros included
  std::size_t in_flight = 0;                    // items delivered and without a record
  std::size_t past_lease = 0;  // of those, in entries idle longer than the lease (of the first 100,000 entries)
  std::size_t dead = 0;
  std::size_t waiting = 0;  // neither recorded nor in flight
  std::vector<worker_status> workers;
  double seconds_since_push = 0;
  std::chrono::milliseconds lease{0};
  std::optional<host_rates_status> host_rates;  // the job's --host-rate buckets; nullopt: no --host-rate
};
// lease: the workers' --lease, which "past lease" is counted against (nullopt: the job's default).
job_status read_status(redis_connection& connection, const std::string& job_name,
                       std::optional<std::chrono::milliseconds> lease = std::nullopt);
std::string status_text(const job_status& status, std::optional<double> rate_per_second);
std::string status_json(const job_status& status, std::optional<double> rate_per_second);

struct collect_report {
  std::size_t written = 0;   // records written now
  std::size_t skipped = 0;   // records the file already had (--resume)
  std::size_t stale = 0;     // of those, how many differ from the job's record now (re-queued and fetched again)
  std::size_t items = 0;     // the job's items when the collect began
  bool reader_left = false;  // -o -: stdout's reader went away (EPIPE); the collect stopped there
};
collect_report collect_job(redis_connection& connection, const std::string& job_name, const std::filesystem::path& out,
                           result_format format, bool resume);

// Re-queues every item whose record has one of the outcomes; returns how many.
std::size_t retry_job(redis_connection& connection, const std::string& job_name,
                      const std::vector<std::string>& outcomes);

// Deletes every key of the job; returns how many keys existed.
std::size_t delete_job(redis_connection& connection, const std::string& job_name);

}  // namespace serentak::queue
