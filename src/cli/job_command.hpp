#pragma once
// `serentak job push|work|status|collect|retry|delete`: bulk jobs shared by workers on many
// machines through Redis Streams (docs/distributed.md). CLI code only fills job_options;
// run_job_command() maps it onto the queue layer and its failures onto exit statuses.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace serentak::cli {

struct job_options {
  std::string target;  // redis://[user:pass@]host:port/NAME
  std::string redis_cacert;  // rediss://: trusted CAs; empty: the system's
  std::string redis_cert;    // rediss://: client certificate; empty: none
  std::string redis_key;     // its key; empty: in redis_cert
  // push
  std::vector<std::string> items;        // positional items; "-" is stdin
  std::vector<std::string> input_files;  // -i FILE, repeatable
  std::string url_template;              // --url: "{}" is the encoded item
  bool items_are_urls = false;           // --urls
  double timeout_s = 30;                 // per attempt, seconds
  double connect_timeout_s = 0;          // seconds; 0: bounded by --timeout
  int retries = 0;                       // extra attempts for transient outcomes
  std::string rate;                      // R, R/s, R/m per worker; empty: unlimited
  std::string host_rate;                 // R, R/s, R/m per host for the whole job; empty: unlimited
  bool adaptive = false;                 // AIMD on the shared host rate (needs host_rate)
  std::string method;                    // -X; empty: GET, or POST with a body
  std::vector<std::string> headers;      // -H 'Name: value', repeatable; none may be a secret header
  std::string data;                      // -d TEXT or @FILE (given: count("--data"))
  std::string json_body;                 // --json TEMPLATE (given: count("--json"))
  std::string user_agent;                // -A (given: count("--user-agent"))
  std::vector<std::string> header_files; // --header-file FILE
  std::string bearer_env;                // --bearer-env VAR: the NAME is stored, workers read the value
  std::vector<std::string> header_env;   // --header-env 'Name: VAR': both names stored, workers read the value
  std::uint64_t max_body_bytes = 8 * 1024 * 1024;
  bool follow = false;
  // work
  std::size_t concurrency = 100;  // transfers in flight in this worker
  unsigned threads = 0;           // engine threads; 0: cores
  long long max_deliveries = 5;   // deliveries before dead-lettering
  double lease_s = 0;             // seconds; 0: 2 x (attempts x timeout + backoff) + 2 s
  // status
  bool json = false;
  double watch_s = 0;  // refresh every N seconds; 0: once
  // collect
  std::string out_path;
  std::string format;  // jsonl | csv; empty: from the extension
  bool resume = false;
  // retry
  std::vector<std::string> outcomes;  // outcomes to re-queue
};

struct job_command {
  CLI::App* app = nullptr;
  CLI::App* push = nullptr;
  CLI::App* work = nullptr;
  CLI::App* status = nullptr;
  CLI::App* collect = nullptr;
  CLI::App* retry = nullptr;
  CLI::App* remove = nullptr;
  job_options options;
};

// Registers `job` and its subcommands; the returned object must outlive parsing.
std::unique_ptr<job_command> add_job_command(CLI::App& root);

int run_job_command(const job_command& command);

}  // namespace serentak::cli
