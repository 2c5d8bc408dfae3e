// Issue 5, item 1: hostile client inputs against the real `serentak` binary. Every refusal is one
// line on stderr and exit 2 before any request (a scripted server counts zero); credentials in
// URLs never reach the log or the results; no item forges a log line or breaks a JSONL record.
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/percent_encoding.hpp"
#include "support/file_text.hpp"
#include "support/process_runner.hpp"
#include "support/scripted_http_server.hpp"
#include "support/serve_process.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::binary_path;
using testing::run_process;
using testing::scratch_dir;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;

using testing::ok_json;

using testing::serentak;

using testing::read_file;
using testing::write_file;

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += a + " ";
  return out;
}

// One refusal: exit 2, exactly one line on stderr naming the problem, nothing on stdout, no log
// or results file created, and the server never asked.
void expect_input_refused(const std::vector<std::string>& args, const std::string& expected_in_message,
                          const scripted_http_server& server, const scratch_dir& dir) {
  auto r = serentak(args, dir.path());
  ASSERT_FALSE(r.timed_out) << joined(args);
  EXPECT_EQ(r.exit_code, 2) << joined(args) << "\nstderr: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << joined(args) << "\nstderr: " << r.err;
  EXPECT_NE(r.err.find(expected_in_message), std::string::npos) << joined(args) << "\nstderr: " << r.err;
  EXPECT_TRUE(r.out.empty()) << joined(args) << "\nstdout: " << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "fetch_log.txt")) << joined(args);
  EXPECT_EQ(server.requests_seen(), 0u) << joined(args) << ": a request was sent";
}

TEST(hostile_inputs, nonsense_options_are_one_line_and_exit_2_before_any_request) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  const std::string url = server.url("/p?id={}");
  struct bad_option {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<bad_option> cases = {
      {{"-c", "0"}, "--concurrency"},
      {{"-c", "-1"}, "--concurrency"},
      {{"-c", "100001"}, "--concurrency"},
      {{"-c", "many"}, "--concurrency"},
      {{"--timeout", "-5"}, "--timeout"},
      {{"--timeout", "0"}, "--timeout"},
      {{"--timeout", "nan"}, "--timeout"},
      {{"--timeout", "inf"}, "--timeout"},
      {{"--timeout", "1e400"}, "--timeout"},
      {{"--connect-timeout", "-1"}, "--connect-timeout"},
      {{"--retries", "1e6"}, "--retries"},
      {{"--retries", "-1"}, "--retries"},
      {{"--retries", "101"}, "--retries"},
      {{"--rate", "0"}, "--rate"},
      {{"--rate", "-5"}, "--rate"},
      {{"--rate", "abc"}, "--rate"},
      {{"--rate", "5/d"}, "--rate"},
      {{"--rate", "nan"}, "--rate"},
      {{"--max-body", "-1"}, "--max-body"},
      {{"--max-body", "0"}, "--max-body"},
      {{"--max-body", "1x"}, "--max-body"},
      {{"--threads", "0"}, "--threads"},
      {{"--summary", "xml"}, "--summary"},
      {{"--format", "xml", "-o", "o.jsonl"}, "--format"},
      {{"--lang", "fr"}, "--lang"},
      {{"--resume"}, "--resume"},
      {{"--connect-timeout", "nan"}, "--connect-timeout"},
  };
  for (const bad_option& bad : cases) {
    std::vector<std::string> args{"fetch", "--url", url, "1", "2", "3"};
    args.insert(args.end(), bad.args.begin(), bad.args.end());
    expect_input_refused(args, bad.says, server, dir);
  }
}

// A rate so low that the first wait never ends (1e-300 a second) was accepted and the run hung:
// below one an hour is refused up front, for fetch and the theme commands alike.
TEST(hostile_inputs, rates_below_one_an_hour_are_refused_before_any_request) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  const std::string url = server.url("/p?id={}");
  for (const std::string option : {"--rate", "--host-rate"}) {
    const std::string says = option + " '1e-300' is below the lowest rate, 1 per hour (e.g. 1/h, 0.1/m)";
    expect_input_refused({"fetch", "--url", url, "1", option, "1e-300"}, says, server, dir);
    expect_input_refused({"fetch", "--url", url, "1", option, "0.001/m"}, option + " '0.001/m' is below", server, dir);
    expect_input_refused({"weather", "--base", server.url(""), option, "1e-300"}, says, server, dir);
    expect_input_refused({"health", option, "1e-300"}, says, server, dir);
  }
}

// A header name or value (-H, --header-file, -A) with a control character was sent as typed: a bare
// CR or LF ended the line (header injection through -A), \x01 or DEL went to the server raw.
TEST(hostile_inputs, control_characters_in_a_header_are_refused_in_one_line_before_any_request) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  const std::string url = server.url("/p?id={}");
  auto r = serentak({"fetch", "--url", url, "1", "-H", "X-A: a\001b"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "serentak fetch: -H (header 1 of the arguments): the value of header 'X-A' contains a control character "
            "(see 'serentak fetch --help')\n");
  for (const std::string bad : {"a\x7f", "a\rb", "a\nb", "\x1b[2J"}) {
    expect_input_refused({"fetch", "--url", url, "1", "-H", "X-A: " + bad}, "contains a control character", server,
                         dir);
    expect_input_refused({"fetch", "--url", url, "1", "-A", "ua" + bad},
                         "-A: the User-Agent contains a control character", server, dir);
    expect_input_refused({"profiles", "--base", server.url(""), "1", "-H", "X-A: " + bad},
                         "contains a control character", server, dir);
    if (bad == "a\nb") continue;  // in a file, two lines
    write_file(dir.path() / "headers.txt", "X-Ok: 1\nX-A: " + bad + "\n");
    expect_input_refused({"fetch", "--url", url, "1", "--header-file", "headers.txt"},
                         "headers.txt':2: the value of header 'X-A' contains a control character", server, dir);
  }
  expect_input_refused({"fetch", "--url", url, "1", "-H", "X\001A: v"}, "the header name is not an HTTP token", server,
                       dir);
}

// A port out of range in a URL went to libcurl item by item ("URL using bad/illegal format",
// outcome unexpected, exit 1): refused up front, naming the port, in every place a URL is typed.
TEST(hostile_inputs, ports_out_of_range_are_refused_in_one_line_before_any_request) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  auto r = serentak({"fetch", "--url", "http://127.0.0.1:99999/{}", "1"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "serentak fetch: --url: 'http://127.0.0.1:99999/{}': the port '99999' is not 1 to 65535\n");
  expect_input_refused({"fetch", "--url", "http://127.0.0.1:-1/{}", "1"}, "the port '-1' is not 1 to 65535", server,
                       dir);
  expect_input_refused({"weather", "--base", "http://127.0.0.1:65536"}, "--base: 'http://127.0.0.1:65536': the port",
                       server, dir);
  expect_input_refused({"health", "http://127.0.0.1:0/status/ok"}, "the port '0' is not 1 to 65535", server, dir);
  expect_input_refused({"fetch", "--urls", server.url("/ok"), "http://[::1]:70000/x"}, "the port '70000'", server, dir);
  expect_input_refused({"fetch", "--url", server.url("/p?id={}"), "1", "--proxy", "http://127.0.0.1:99999"},
                       "--proxy 'http://127.0.0.1:99999': the port '99999' is not 1 to 65535", server, dir);
  for (const std::string port : {"99999", "-1"}) {  // serve refused them already: kept so
    auto served = serentak({"serve", "--port", port}, dir.path());
    EXPECT_EQ(served.exit_code, 2) << port;
    EXPECT_EQ(std::count(served.err.begin(), served.err.end(), '\n'), 1) << served.err;
  }
}

// A command-line item was echoed as typed in front of its redacted reason: `health
// 'http://u:s3cret@h:99999/'` showed the password in the refusal. The item is redacted too.
TEST(hostile_inputs, a_refused_url_item_never_shows_its_password) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"health", "http://u:s3cret@127.0.0.1:99999/"},
        std::vector<std::string>{"fetch", "--urls", "http://u:s3cret@127.0.0.1:99999/x"}}) {
    auto r = serentak(args, dir.path());
    EXPECT_EQ(r.exit_code, 2) << joined(args) << r.err;
    EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << joined(args) << r.err;
    EXPECT_NE(r.err.find("'http://***@127.0.0.1:99999/"), std::string::npos) << joined(args) << r.err;
  }
  // A '/' in the password ends the authority early, where redact_url stops looking for the '@'.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"health", "http://u:s3/cret@127.0.0.1/"},
        std::vector<std::string>{"fetch", "--urls", "http://u:s3/cret@127.0.0.1/x"},
        std::vector<std::string>{"fetch", "--url", "http://u:s3/cret@127.0.0.1/ {}", "1"},
        std::vector<std::string>{"fetch", "--url", server.url("/p?id={}"), "1", "--proxy", "u:s3/cret@h:1 x"}}) {
    auto r = serentak(args, dir.path());
    EXPECT_EQ(r.exit_code, 2) << joined(args) << r.err;
    EXPECT_EQ(r.err.find("cret"), std::string::npos) << joined(args) << r.err;
  }
  EXPECT_EQ(server.requests_seen(), 0u);
}

// libcurl quotes a proxy URL whole in some errors ("Unsupported proxy syntax in 'http://user:
// secret@[bad'"), which went into the log, the results and -v: a --proxy it cannot take is refused
// up front with its password masked, and a proxy from the environment is masked in every error.
TEST(hostile_inputs, proxy_passwords_never_reach_an_error_the_log_or_the_results) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  const std::string url = server.url("/p?id={}");
  for (const std::string transport : {"curl", "auto"}) {
    expect_input_refused(
        {"fetch", "--transport", transport, "--url", url, "1", "--proxy", "ftp://user:s3cret@127.0.0.1:1"},
        "--proxy 'ftp://***@127.0.0.1:1' uses the scheme 'ftp'", server, dir);
    expect_input_refused({"fetch", "--transport", transport, "--url", url, "1", "--proxy", "http://user:s3cret@[bad"},
                         "--proxy 'http://***@[bad' has an unclosed '['", server, dir);
    expect_input_refused(
        {"fetch", "--transport", transport, "--url", url, "1", "--proxy", "http://user:s3cret@h:1/x y"},
        "--proxy 'http://***@h:1/x y' contains spaces", server, dir);
  }
  expect_input_refused(
      {"fetch", "--transport", "native", "--url", url, "1", "--proxy", "http://user:s3cret@127.0.0.1:1"},
      "--proxy needs libcurl", server, dir);
  for (const std::string transport : {"curl", "auto"}) {
    auto r = run_process({"/usr/bin/env", "http_proxy=http://user:s3cret@[bad", binary_path().string(), "fetch",
                          "--transport", transport, "--url", url, "1", "-o", "out.jsonl", "-v", "--summary", "json"},
                         30s, dir.path().string());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const std::string all =
        r.out + r.err + read_file(dir.path() / "fetch_log.txt") + read_file(dir.path() / "out.jsonl");
    EXPECT_EQ(all.find("s3cret"), std::string::npos) << all;
    EXPECT_NE(read_file(dir.path() / "out.jsonl").find("http://***@[bad"), std::string::npos) << all;
    std::filesystem::remove(dir.path() / "fetch_log.txt");
  }
  EXPECT_EQ(server.requests_seen(), 0u);
}

// A proxy without a scheme (libcurl takes it as http://) was shown as typed: in the refusal of
// --proxy and, from http_proxy, in libcurl's error quoting it (the log, the results, -v).
TEST(hostile_inputs, a_proxy_without_a_scheme_has_its_password_masked_too) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  const std::string url = server.url("/p?id={}");
  expect_input_refused({"fetch", "--url", url, "1", "--proxy", "user:s3cret@[bad"},
                       "--proxy '***@[bad' has an unclosed '['", server, dir);
  expect_input_refused({"fetch", "--url", url, "1", "--proxy", "user:s3cret@127.0.0.1:99999"},
                       "--proxy '***@127.0.0.1:99999': the port '99999' is not 1 to 65535", server, dir);
  auto r = run_process({"/usr/bin/env", "http_proxy=user:s3cret@[bad", binary_path().string(), "fetch", "--transport",
                        "curl", "--url", url, "1", "-o", "out.jsonl", "-v", "--summary", "json"},
                       30s, dir.path().string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string all = r.out + r.err + read_file(dir.path() / "fetch_log.txt") + read_file(dir.path() / "out.jsonl");
  EXPECT_EQ(all.find("s3cret"), std::string::npos) << all;
  EXPECT_NE(read_file(dir.path() / "out.jsonl").find("***@[bad"), std::string::npos) << all;
  EXPECT_EQ(server.requests_seen(), 0u);
}

// Files read whole were read to their end before their size was checked: -d @/dev/zero and
// --header-file /dev/zero took 2 GB and 15-18 s before their one line; --config /dev/zero, monitor
// /dev/zero and serve --scenario /dev/zero until memory ran out. A directory was read as an empty
// body, header file or config. Each is now read with its bound and refused in one line.
TEST(hostile_inputs, endless_files_and_directories_given_as_files_are_refused_in_one_line_at_their_bound) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  std::filesystem::create_directory(dir.path() / "folder");
  const std::string url = server.url("/p?id={}");
  struct bad_file {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<bad_file> cases = {
      {{"-d", "@/dev/zero"}, "--data: '/dev/zero' is over 16 MiB"},
      {{"-d", "@folder"}, "--data: 'folder' is a directory"},
      {{"--header-file", "/dev/zero"}, "--header-file: '/dev/zero' is over 16 MiB"},
      {{"--header-file", "/dev/full"}, "--header-file: '/dev/full' is over 16 MiB"},
      {{"--header-file", "folder"}, "--header-file: 'folder' is a directory"},
      {{"--config", "/dev/zero"}, "--config '/dev/zero' is over 16 MiB"},
      {{"--config", "folder"}, "--config 'folder' is a directory"},
      {{"--config", "missing.toml"}, "--config 'missing.toml' cannot be read: No such file or directory"},
  };
  for (const bad_file& bad : cases) {
    std::vector<std::string> args{"fetch", "--url", url, "1"};
    args.insert(args.end(), bad.args.begin(), bad.args.end());
    auto started = std::chrono::steady_clock::now();
    auto r = serentak(args, dir.path());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s) << joined(args);
    EXPECT_LT(r.max_rss_kb, 256 * 1024) << joined(args) << ": read past its bound";
    expect_input_refused(args, bad.says, server, dir);
  }
  for (const auto& [args, says] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"monitor", "/dev/zero", "--no-log"}, "/dev/zero: is over 16 MiB"},
           {{"monitor", "folder", "--no-log"}, "folder: is a directory"},
           {{"serve", "--port", "0", "--scenario", "/dev/zero"}, "serentak serve: /dev/zero: is over 64 MiB"},
           {{"serve", "--port", "0", "--scenario", "folder"}, "serentak serve: folder: is a directory"}}) {
    auto r = serentak(args, dir.path());
    ASSERT_FALSE(r.timed_out) << joined(args);
    EXPECT_EQ(r.exit_code, 2) << joined(args) << r.err;
    EXPECT_EQ(r.err, says + "\n") << joined(args);
    EXPECT_LT(r.max_rss_kb, 512 * 1024) << joined(args) << ": read past its bound";
  }
}

// `serve --host '[::1]'` listened well but printed http://[[::1]]:PORT, a URL nothing can open.
TEST(hostile_inputs, serve_prints_an_ipv6_host_bracketed_once) {
  for (const std::string host : {"[::1]", "::1"}) {
    testing::serve_process serve({"--host", host, "--quiet"});
    ASSERT_NE(serve.port(), 0) << host;
    const auto lines = serve.lines();
    ASSERT_FALSE(lines.empty()) << host;
    EXPECT_EQ(lines[0].text, "serentak mock API server running on http://[::1]:" + std::to_string(serve.port()))
        << host;
  }
}

TEST(hostile_inputs, inputs_that_cannot_be_read_are_exit_2_before_any_request) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  std::filesystem::create_directory(dir.path() / "folder");
  write_file(dir.path() / "ok.txt", "1\n2\n");
  const std::string url = server.url("/p?id={}");
  expect_input_refused({"fetch", "--url", url, "-i", "missing.txt"}, "No such file", server, dir);
  expect_input_refused({"fetch", "--url", url, "-i", "folder"}, "is a directory", server, dir);
  // /proc/self/mem opens but cannot be read at offset 0 (EIO), even for root: an unreadable input.
  expect_input_refused({"fetch", "--url", url, "-i", "ok.txt", "-i", "/proc/self/mem"}, "/proc/self/mem", server, dir);
  if (::geteuid() != 0) {  // root reads files whatever their mode
    write_file(dir.path() / "secret.txt", "1\n");
    ::chmod((dir.path() / "secret.txt").c_str(), 0);
    expect_input_refused({"fetch", "--url", url, "-i", "secret.txt"}, "Permission denied", server, dir);
  }
  expect_input_refused({"fetch", "--url", url, "-", "-i", "-"}, "standard input", server, dir);
}

TEST(hostile_inputs, outputs_that_cannot_be_written_are_exit_2_before_any_request) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  std::filesystem::create_directory(dir.path() / "folder.jsonl");
  const std::string url = server.url("/p?id={}");
  expect_input_refused({"fetch", "--url", url, "1", "--log", "folder.jsonl"}, "log", server, dir);
  expect_input_refused({"fetch", "--url", url, "1", "--log", "missing/log.txt"}, "missing/log.txt", server, dir);
  expect_input_refused({"fetch", "--url", url, "1", "-o", "folder.jsonl", "--no-log"}, "folder.jsonl", server, dir);
  expect_input_refused({"fetch", "--url", url, "1", "-o", "missing/out.jsonl", "--no-log"}, "missing/out.jsonl", server,
                       dir);
  // A path is untrusted text too: its newline is escaped, so the refusal stays one line.
  expect_input_refused({"fetch", "--url", url, "1", "-o", "missing/a\nb.jsonl", "--no-log"}, "missing/a\\nb.jsonl",
                       server, dir);
  // A full device cannot take the log's first line: refused before anything is sent.
  expect_input_refused({"fetch", "--url", url, "1", "--log", "/dev/full"}, "No space left on device", server, dir);
  expect_input_refused({"fetch", "--url", url, "1", "--no-log", "-o", "/dev/full", "--format", "csv"},
                       "No space left on device", server, dir);
}

// A refused run changes no output it could not open: every output is opened before any is
// truncated, so a bad --log costs neither an earlier run's results (torn last line included,
// which only a run that goes ahead may cut) nor, the other way round, an --out that cannot be
// opened an earlier log.
TEST(hostile_inputs, a_refused_output_leaves_an_earlier_runs_files_byte_identical) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  const std::string url = server.url("/p?id={}");
  auto record = [&](std::string index, std::string item) {
    return "{\"index\":" + index + ",\"item\":\"" + item + "\",\"url\":\"" + server.url("/p?id=" + item) +
           "\",\"outcome\":\"ok\",\"status\":200,\"attempts\":1,\"latency_ms\":1.0}\n";
  };
  const std::string earlier_jsonl = "{\"serentak_results\":1,\"spec\":{\"method\":\"GET\",\"url\":\"" + url +
                                    "\",\"headers\":[],\"body_sha256\":\"\",\"theme\":\"fetch\"}}\n" + record("0", "1") +
                                    record("1", "2") + "{\"index\":2,\"it";
  const std::string earlier_csv = "index,item,url,outcome,status,attempts,latency_ms,error,data\n0,1,u,ok,200,1,1,,\n";
  const std::string earlier_log = "--- Fetch Log Started: 2024-01-01 00:00:00.000000 ---\n";
  write_file(dir.path() / "earlier.jsonl", earlier_jsonl);
  write_file(dir.path() / "earlier.csv", earlier_csv);
  write_file(dir.path() / "earlier.log", earlier_log);
  struct refused_run {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<refused_run> cases = {
      {{"fetch", "--url", url, "1", "2", "3", "-o", "earlier.jsonl", "--log", "missing/x.log"}, "missing/x.log"},
      {{"fetch", "--url", url, "1", "2", "3", "-o", "earlier.jsonl", "--resume", "--log", "missing/x.log"},
       "missing/x.log"},
      {{"fetch", "--url", url, "1", "2", "3", "-o", "earlier.jsonl", "--log", "/dev/full"}, "No space left on device"},
      {{"fetch", "--url", url, "1", "2", "3", "-o", "earlier.jsonl", "--resume", "--log", "/dev/full"},
       "No space left on device"},
      {{"fetch", "--url", url, "1", "-o", "earlier.csv", "--log", "missing/x.log"}, "missing/x.log"},
      {{"profiles", "--base", server.url(""), "1121", "-o", "earlier.jsonl", "--log", "missing/x.log"},
       "missing/x.log"},
      {{"fetch", "--url", url, "1", "--log", "earlier.log", "-o", "missing/out.jsonl"}, "missing/out.jsonl"},
      {{"fetch", "--url", url, "1", "--log", "earlier.log", "-o", "missing/out.jsonl", "--resume"},
       "missing/out.jsonl"},
  };
  for (const refused_run& run : cases) {
    auto r = serentak(run.args, dir.path());
    ASSERT_FALSE(r.timed_out) << joined(run.args);
    EXPECT_EQ(r.exit_code, 2) << joined(run.args) << "\nstderr: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << joined(run.args) << "\nstderr: " << r.err;
    EXPECT_NE(r.err.find(run.says), std::string::npos) << joined(run.args) << "\nstderr: " << r.err;
    EXPECT_EQ(read_file(dir.path() / "earlier.jsonl"), earlier_jsonl) << joined(run.args);
    EXPECT_EQ(read_file(dir.path() / "earlier.csv"), earlier_csv) << joined(run.args);
    EXPECT_EQ(read_file(dir.path() / "earlier.log"), earlier_log) << joined(run.args);
  }
  // Nor does it leave a results file behind that was not there before.
  auto r = serentak({"fetch", "--url", url, "1", "-o", "fresh.jsonl", "--log", "missing/x.log"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "fresh.jsonl"));
  EXPECT_EQ(server.requests_seen(), 0u) << "a request was sent";

  // The same run with a log that can be written goes ahead: --resume cuts the torn line and
  // fetches only item 2, a plain run starts the results afresh.
  r = serentak({"fetch", "--url", url, "1", "2", "3", "-o", "earlier.jsonl", "--resume", "--log", "earlier.log"},
               dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server.requests_seen(), 1u);
  std::string resumed = read_file(dir.path() / "earlier.jsonl");
  EXPECT_EQ(resumed.substr(0, earlier_jsonl.rfind('\n') + 1), earlier_jsonl.substr(0, earlier_jsonl.rfind('\n') + 1));
  EXPECT_EQ(std::count(resumed.begin(), resumed.end(), '\n'), 4) << resumed;  // the preamble and three records
  EXPECT_NE(read_file(dir.path() / "earlier.log"), earlier_log);
  r = serentak({"fetch", "--url", url, "1", "-o", "earlier.csv", "--log", "earlier.log"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string fresh_csv = read_file(dir.path() / "earlier.csv");
  EXPECT_EQ(std::count(fresh_csv.begin(), fresh_csv.end(), '\n'), 3) << fresh_csv;  // preamble, header, one record
  EXPECT_EQ(fresh_csv.find("0,1,u,ok"), std::string::npos) << fresh_csv;
}

// A path or option value is untrusted text in an error message too: an ESC or a newline in it is
// shown escaped, so the refusal stays one line and cannot clear or repaint the terminal.
TEST(hostile_inputs, control_characters_in_paths_are_escaped_in_the_refusal) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  const std::string url = server.url("/p?id={}");
  const std::string hostile = "missing/\x1b[2J\nx";
  const std::string shown = "missing/\\x1B[2J\\nx";
  const std::vector<std::vector<std::string>> cases = {
      {"fetch", "--url", url, "1", "--log", hostile + ".log"},
      {"fetch", "--url", url, "1", "-o", hostile + ".jsonl", "--no-log"},
      {"fetch", "--url", url, "1", "-i", hostile + ".txt", "--no-log"},
      {"weather", "--base", server.url(""), "--log", hostile + ".log"},
      {"fetch", "--url", url, "1", "--format", hostile},  // CLI11's own refusal quotes the value
  };
  for (const auto& args : cases) {
    auto r = serentak(args, dir.path());
    ASSERT_FALSE(r.timed_out) << joined(args);
    EXPECT_EQ(r.exit_code, 2) << joined(args) << "\nstderr: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << joined(args) << "\nstderr: " << r.err;
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << joined(args) << "\nstderr: " << r.err;
    EXPECT_NE(r.err.find(shown), std::string::npos) << joined(args) << "\nstderr: " << r.err;
  }
  EXPECT_EQ(server.requests_seen(), 0u) << "a request was sent";
}

TEST(hostile_inputs, credentials_in_urls_are_sent_but_never_logged_or_recorded) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, R"({"ok": true})"); });
  scratch_dir dir;
  std::string host = "127.0.0.1:" + std::to_string(server.port());
  std::string tmpl = "http://alice:pa55word@" + host + "/p?id={}&token=SECRET1&password=SECRET2&api_key=SECRET3";
  auto r = serentak({"fetch", "--url", tmpl, "1", "2", "--log", "log.txt", "-o", "out.jsonl", "-v"}, dir.path());
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  write_file(dir.path() / "urls.txt", "http://bob:hunter2@" + host + "/status?access_token=SECRET4\n");
  auto urls = serentak({"fetch", "--urls", "-i", "urls.txt", "--log", "log2.txt", "-o", "out2.csv"}, dir.path());
  EXPECT_EQ(urls.exit_code, 0) << urls.err;

  for (const char* file : {"log.txt", "out.jsonl", "log2.txt", "out2.csv"}) {
    std::string text = read_file(dir.path() / file);
    ASSERT_FALSE(text.empty()) << file;
    for (const char* secret : {"pa55word", "alice", "hunter2", "bob:", "SECRET"}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked into " << file << ":\n" << text;
    }
    EXPECT_NE(text.find("***@" + host), std::string::npos) << file << ":\n" << text;
  }
  for (const std::string& text : {r.out, r.err, urls.out, urls.err}) EXPECT_EQ(text.find("SECRET"), std::string::npos) << text;
  EXPECT_NE(read_file(dir.path() / "log.txt").find("&token=***&password=***&api_key=***"), std::string::npos);

  const std::vector<std::string> targets = server.targets();
  ASSERT_EQ(targets.size(), 3u);
  std::set<std::string> sent(targets.begin(), targets.end());
  EXPECT_EQ(sent.count("/p?id=1&token=SECRET1&password=SECRET2&api_key=SECRET3"), 1u) << "the request keeps its credentials";
  EXPECT_EQ(sent.count("/status?access_token=SECRET4"), 1u);
}

// Items a hostile input file may hold; the last line of the file adds two more ("line", "break").
std::vector<std::string> hostile_items() {
  return {
      "cr\rin the middle",       "ansi \x1b[31mred\x1b[0m", "rtl \xE2\x80\xAEgnp.exe", "invalid \xC0\xAF\xFF utf8",
      "/ ? # & = + %",           ".",                       "..",                     "../../etc/passwd",
      "tab\there",               "nul-free \x7F del",       "[Worker-9] fake",        "back\\slash",
  };
}

void write_hostile_items(const std::filesystem::path& path) {
  std::string input;
  for (const auto& item : hostile_items()) input += item + "\n";
  input += "line\nbreak\n";  // a newline always ends an item: two items
  write_file(path, input);
}

// Every line has the seed's shape, lines_per_item per item, no raw control or bidi bytes.
void expect_clean_log(const std::filesystem::path& path, std::size_t items, int lines_per_item) {
  static const std::regex shape(R"(^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\] \[(MainClient|Worker-\d+)\] .*$)");
  std::ifstream log(path, std::ios::binary);
  std::string line;
  std::getline(log, line);  // the header
  std::map<std::string, int> per_name;
  while (std::getline(log, line)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, shape)) << "malformed log line: " << line;
    ++per_name[m[1]];
    for (char c : line) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7F) << line;
    EXPECT_EQ(line.find("\xE2\x80\xAE"), std::string::npos) << line;
  }
  for (std::size_t i = 0; i < items; ++i) EXPECT_EQ(per_name["Worker-" + std::to_string(i)], lines_per_item) << i;
}

TEST(hostile_inputs, hostile_items_are_encoded_never_forge_a_log_line_and_keep_jsonl_valid) {
  scripted_http_server server([](const scripted_request&) {
    return scripted_reply::respond(200, "not json \x1b[2J\r\n[Worker-0] forged by the server");
  });
  scratch_dir dir;
  const std::vector<std::string> items = hostile_items();
  write_hostile_items(dir.path() / "items.txt");
  auto r = serentak({"fetch", "--url", server.url("/p/{}/x?id={}"), "-i", "items.txt", "--log", "log.txt", "-o", "out.jsonl"},
                    dir.path());
  ASSERT_FALSE(r.timed_out);
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << r.err;  // the run completes
  const std::size_t expected_items = items.size() + 2;

  // The log: fetch writes one line per item (its outcome).
  expect_clean_log(dir.path() / "log.txt", expected_items, 1);
  std::string line;

  // The results: one valid JSON object per line, one per item.
  std::set<std::size_t> indexes;
  std::ifstream out(dir.path() / "out.jsonl", std::ios::binary);
  while (std::getline(out, line)) {
    auto record = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(record.is_discarded()) << line;
    if (record.is_object() && record.contains("serentak_results")) continue;  // the results preamble (docs/cli.md)
    indexes.insert(record["index"].get<std::size_t>());
  }
  EXPECT_EQ(indexes.size(), expected_items);

  // The requests: the item's part of each target holds only unreserved bytes and %XX, and
  // decodes back to the item; "." and ".." cannot remove a path segment.
  const std::vector<std::string> targets = server.targets();
  ASSERT_EQ(targets.size(), expected_items);
  std::set<std::string> decoded;
  static const std::regex target_shape(R"(^/p/([A-Za-z0-9._~%-]*)/x\?id=([A-Za-z0-9._~%-]*)$)");
  for (const std::string& target : targets) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(target, m, target_shape)) << target;
    EXPECT_EQ(m[1], m[2]);
    EXPECT_NE(m[1], ".") << "a dot segment would be removed on the way";
    EXPECT_NE(m[1], "..");
    decoded.insert(percent_decode(m[2].str()).value_or("<bad escape>"));
  }
  for (const auto& item : items) EXPECT_EQ(decoded.count(item), 1u) << item;
}

// The seed commands print the raw item in their five lines per item ("Memulai pekerjaan untuk
// ...: {item}"): escaped there too, never a forged line.
TEST(hostile_inputs, hostile_items_in_the_seed_voice_never_forge_a_log_line) {
  scripted_http_server server([](const scripted_request&) {
    return scripted_reply::respond(404, "{\"error\": \"user_not_found\", \"message\": \"\\u001b[2J\\n[Worker-0] x\"}");
  });
  scratch_dir dir;
  write_hostile_items(dir.path() / "items.txt");
  auto r = serentak({"profiles", "--base", server.url(""), "-i", "items.txt", "--log", "log.txt"}, dir.path());
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 1) << r.err;  // every item is a 404
  expect_clean_log(dir.path() / "log.txt", hostile_items().size() + 2, 5);
}

}  // namespace
}  // namespace serentak
