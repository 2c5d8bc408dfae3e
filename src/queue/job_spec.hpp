#pragma once
// A job's request specification: everything a worker on any machine needs to turn an item into a
// request, stored once in Redis as canonical JSON with its digest. Two pushes under one name must
// agree on it (the digest); a different one is refused. Secrets are never stored: a URL with
// credentials in it is refused at push (they would be readable by everyone with Redis access),
// and so is a secret header (Authorization, Cookie, ...): a bearer token or a secret header is stored
// by reference, the NAME of the environment variable each worker reads it from (--bearer-env,
// --header-env).
// Fields added after version 1 are written only when set, so an older job's digest is unchanged.
// Pure values; thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/request_shape.hpp"

namespace serentak::queue {

struct job_spec {
  std::string url_template;                      // "{}" is the percent-encoded item; empty with items_are_urls
  bool items_are_urls = false;                   // each item is a whole http(s) URL
  std::chrono::milliseconds timeout{5000};       // per attempt
  std::chrono::milliseconds connect_timeout{0};  // 0: bounded by timeout
  int retries = 0;                               // extra attempts for transient outcomes
  std::optional<double> rate_per_second;         // --rate: attempts/s per worker process, all hosts
  // --host-rate: attempts/s per host for the whole job, all workers together (a token bucket in
  // Redis, queue/shared_host_rate.hpp); with adaptive its starting and highest rate.
  std::optional<double> host_rate_per_second;
  bool adaptive = false;  // --adaptive: AIMD on the shared host rate (needs host_rate)
  std::string method;     // -X; empty: GET, or POST with a body
  std::vector<std::pair<std::string, std::string>> headers;  // -H, --header-file; none of them secret
  std::optional<std::string> body;                           // --data / --json template; "{}" is the item
  bool json_body = false;                                    // --json
  std::optional<std::string> user_agent;                     // -A; nullopt: serentak/<version>
  std::string bearer_env;                                    // --bearer-env: the variable's NAME; workers read it
  std::vector<std::pair<std::string, std::string>> header_env;  // --header-env: header name -> variable's NAME
  std::uint64_t max_body_bytes = 8 * 1024 * 1024;
  bool follow_redirects = false;
  // The layout of the job's items stream. 2: up to items_per_entry items per entry (queue/item_entries.hpp).
  // 1: an entry per item, a job pushed by an earlier serentak, which refuses a version-2 job (its workers
  // would read one item of each entry); pushes to a version-1 job go on writing an entry per item.
  // 3: version 2's layout with header_env set, which a serentak from before --header-env would ignore
  // and send its requests without those headers; version 3 makes it refuse the job instead.
  int version = 2;

  std::string to_json() const;  // canonical: sorted keys, no spaces
  std::string digest() const;   // 16 hex digits of FNV-1a 64 over to_json()
};

// The request's method, headers and body as request_shape::prepare takes them, without the bearer
// token and the headers from the environment (a worker adds them from its own).
request_spec request_spec_of(const job_spec& spec);

// spec with what the defaults already do stored as the defaults (-X GET without a body, POST with
// one, a connect timeout no shorter than the timeout), so that spelling a default out does not make
// another specification on a re-push.
job_spec normalized(job_spec spec);

// The first field in which two specifications differ, as "url is 'a' in the job, 'b' in this push"
// (values escaped and cut to 80 bytes); empty when their JSON is the same.
std::string first_difference(const job_spec& stored, const job_spec& pushed);

// Parses what to_json() wrote; nullopt (and problem set) for anything else.
std::optional<job_spec> parse_job_spec(std::string_view json, std::string& problem);

// The lease after which a delivered item is reclaimed by another worker: twice the longest an item
// can take (every attempt to its deadline, the backoff waits between them) plus 2 s of slack for
// the time it may sit in a worker's local queue before it is sent.
std::chrono::milliseconds default_lease(const job_spec& spec);

}  // namespace serentak::queue
