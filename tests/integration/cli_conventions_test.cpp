// Issue 15, points 3 and 6, as a user meets them: did-you-mean for a misspelled command or option,
// `serentak help CMD`, errors that point at the command's help, help text without CLI11's type
// noise and nothing of the seed in `fetch --help`, durations and sizes as people write them,
// plurals, --version's libraries, --config FILE with command line > file > defaults, and every
// URL checked before anything is sent.
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/process_runner.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::binary_path;
using testing::scratch_dir;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;

using testing::serentak;

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(cli_conventions, a_misspelled_command_or_option_gets_a_suggestion_and_exit_2) {
  auto command = serentak({"wether"});
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_EQ(command.err, "serentak: unknown command 'wether'; did you mean 'weather'? (see 'serentak --help')\n");
  EXPECT_EQ(command.out, "");
  auto option = serentak({"fetch", "--timout", "5", "--url", "http://127.0.0.1:1/{}", "1"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_EQ(option.err,
            "serentak fetch: unknown option '--timout'; did you mean '--timeout'? (see 'serentak fetch --help')\n");
  auto far = serentak({"deploy"});
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_EQ(far.err, "serentak: unknown command 'deploy' (see 'serentak --help')\n");
  // A subcommand's option is checked against that subcommand's options, not its parent's: the
  // message named a valid option ('--lease') for a mistyped one after it.
  auto sub = serentak({"job", "work", "redis://127.0.0.1:1/x", "--lease", "5", "--json"});
  EXPECT_EQ(sub.exit_code, 2);
  EXPECT_EQ(sub.err, "serentak job work: unknown option '--json' (see 'serentak job work --help')\n");
  auto near = serentak({"job", "status", "redis://127.0.0.1:1/x", "--jsn"});
  EXPECT_EQ(near.err,
            "serentak job status: unknown option '--jsn'; did you mean '--json'? (see 'serentak job status --help')\n");
}

TEST(cli_conventions, errors_point_at_the_commands_help) {
  for (std::vector<std::string> args : {std::vector<std::string>{"weather", "--timeout", "-5"},
                                        {"fetch", "--summary", "xml", "--url", "http://h/{}", "1"},
                                        {"fetch", "1"}}) {
    auto r = serentak(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("(see 'serentak " + args[0] + " --help')"), std::string::npos) << r.err;
  }
}

TEST(cli_conventions, help_cmd_is_the_commands_help_without_type_noise) {
  auto help = serentak({"help", "fetch"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.out, serentak({"fetch", "--help"}).out);
  EXPECT_NE(help.out.find("Usage: serentak fetch"), std::string::npos) << help.out;
  for (const char* noise : {"UINT", "TEXT", "FLOAT", "INT ", "kb(=1024b)", "[b, kb", "the seed", "127.0.0.1:5000"}) {
    EXPECT_EQ(help.out.find(noise), std::string::npos) << noise << " in:\n" << help.out;
  }
  EXPECT_NE(help.out.find("--timeout DURATION"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--max-body SIZE"), std::string::npos) << help.out;
  EXPECT_EQ(serentak({"help"}).out, serentak({"--help"}).out);
  auto unknown = serentak({"help", "wether"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("did you mean 'weather'?"), std::string::npos) << unknown.err;
  // Every option of every command states its default or says it has none worth naming.
  for (const char* command : {"weather", "fetch", "serve", "demo"}) {
    auto text = serentak({"help", command}).out;
    EXPECT_EQ(text.find("TEXT"), std::string::npos) << command << ":\n" << text;
    EXPECT_NE(text.find("--config FILE"), std::string::npos) << command;
  }
}

TEST(cli_conventions, version_names_the_libraries) {
  auto r = serentak({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(std::regex_search(r.out, std::regex("^serentak \\d+\\.\\d+\\.\\d+\\n"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\\nlibcurl \\d+\\.\\d+\\.\\d+\\n"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\\nBoost \\d+\\.\\d+\\.\\d+\\n"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\\nTLS OpenSSL/\\d+\\.\\d+"))) << r.out;
}

TEST(cli_conventions, durations_and_sizes_are_taken_as_people_write_them) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::hang(); });
  // 300ms: the hanging server times out after about 0.3 s, not 300 s.
  auto r = serentak({"fetch", "--url", server.url("/p?id={}"), "--timeout", "300ms", "--connect-timeout", "1s",
                     "--max-body", "64k", "--no-log", "--summary", "json", "-q", "1"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("\"timeout\":1"), std::string::npos) << r.out;
  for (const char* good : {"2m", "1h", "5s", "2.5"}) {
    auto help_run = serentak({"fetch", "--timeout", good, "--help"});
    EXPECT_EQ(help_run.exit_code, 0) << good << help_run.err;
  }
  for (const char* bad : {"5x", "-1s", "nan", "0ms"}) {
    auto refused = serentak({"fetch", "--url", server.url("/{}"), "--timeout", bad, "1"});
    EXPECT_EQ(refused.exit_code, 2) << bad;
    EXPECT_NE(refused.err.find("--timeout"), std::string::npos) << refused.err;
  }
  EXPECT_EQ(server.requests_seen(), 1u);
  // The job commands take durations the same way, refused before any Redis is dialled.
  for (const std::vector<std::string>& good :
       {std::vector<std::string>{"job", "work", "--lease", "90s", "--help"},
        std::vector<std::string>{"job", "status", "--watch", "500ms", "--lease", "2m", "--help"},
        std::vector<std::string>{"job", "push", "--timeout", "1m", "--connect-timeout", "2s", "--help"}}) {
    auto help_run = serentak(good);
    EXPECT_EQ(help_run.exit_code, 0) << good[1] << help_run.err;
  }
  for (const auto& [sub, option] :
       {std::pair{"work", "--lease"}, std::pair{"status", "--watch"}, std::pair{"push", "--timeout"}}) {
    auto refused = serentak({"job", sub, "redis://127.0.0.1:1/x", option, "5x"});
    EXPECT_EQ(refused.exit_code, 2) << sub;
    EXPECT_NE(refused.err.find(option), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("is not a duration"), std::string::npos) << refused.err;
  }
}

TEST(cli_conventions, english_messages_count_one_item_and_one_retry_in_the_singular) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  auto r = serentak({"fetch", "--url", server.url("/p?id={}"), "--no-log", "-q", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Summary: 1 item in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", 0 retries\n"), std::string::npos) << r.out;
  int calls = 0;
  scripted_http_server flaky([&calls](const scripted_request&) {
    return ++calls == 1 ? scripted_reply::respond(503, "") : scripted_reply::respond(200, "{}");
  });
  auto retried = serentak({"fetch", "--url", flaky.url("/p?id={}"), "--no-log", "-q", "--retries", "1", "1"});
  EXPECT_NE(retried.out.find(", 1 retry\n"), std::string::npos) << retried.out;
}

TEST(cli_conventions, a_config_file_sets_options_and_the_command_line_wins) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  scratch_dir dir;
  {
    std::ofstream(dir.path() / "fetch.toml") << "# options of serentak fetch\n"
                                             << "url = \"" << server.url("/p?id={}") << "\"\n"
                                             << "summary = \"json\"\nno-log = true\ntimeout = \"2s\"\n"
                                             << "items = [\"a\", \"b\"]\n";
  }
  auto from_file = serentak({"fetch", "--config", "fetch.toml", "-q"}, dir.path().string());
  EXPECT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_TRUE(from_file.out.starts_with("{\"items\":2,")) << "summary json and the items from the file:\n"
                                                          << from_file.out;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "fetch_log.txt")) << "no-log from the file";
  // The command line wins over the file, and the file over the defaults.
  auto overridden = serentak({"fetch", "--config", "fetch.toml", "--summary", "none", "-q", "c"}, dir.path().string());
  EXPECT_EQ(overridden.exit_code, 0) << overridden.err;
  EXPECT_EQ(overridden.out.find('{'), std::string::npos) << overridden.out;
  EXPECT_EQ(server.requests_seen(), 3u) << "a, b from the file; then c from the command line, replacing them";
  { std::ofstream(dir.path() / "bad.toml") << "timout = \"5s\"\n"; }
  auto bad = serentak({"fetch", "--config", "bad.toml", "1"}, dir.path().string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("'timout' is not an option of fetch"), std::string::npos) << bad.err;
  auto missing = serentak({"fetch", "--config", "missing.toml", "1"}, dir.path().string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(server.requests_seen(), 3u);
}

// Options that exclude each other (--data and --json): one on the command line replaces the other in
// the file; both in the file are refused, as both on the command line are.
TEST(cli_conventions, an_option_on_the_command_line_replaces_the_one_it_excludes_in_a_config_file) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  scratch_dir dir;
  {
    std::ofstream(dir.path() / "body.toml") << "url = \"" << server.url("/p?id={}") << "\"\n"
                                            << "json = '{\"id\":\"{}\"}'\nno-log = true\n";
    std::ofstream(dir.path() / "both.toml") << "data = \"a={}\"\njson = '{}'\n";
  }
  auto from_file = serentak({"fetch", "--config", "body.toml", "-q", "a"}, dir.path().string());
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  auto replaced = serentak({"fetch", "--config", "body.toml", "-q", "-d", "v={}", "b"}, dir.path().string());
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].body, R"({"id":"a"})");
  EXPECT_EQ(seen[0].header("Content-Type"), "application/json");
  EXPECT_EQ(seen[1].body, "v=b") << "-d on the command line replaces the file's --json";
  EXPECT_EQ(seen[1].header("Content-Type"), "application/x-www-form-urlencoded");

  auto both = serentak({"fetch", "--config", "both.toml", "--url", server.url("/p?id={}"), "c"}, dir.path().string());
  EXPECT_EQ(both.exit_code, 2) << both.err;
  EXPECT_NE(both.err.find("--config 'both.toml': 'json' and 'data' exclude each other"), std::string::npos) << both.err;
  EXPECT_EQ(lines(both.err), 1u) << both.err;
  // And an option that needs another (--web-token needs --web) from the file without it.
  std::ofstream(dir.path() / "token.toml") << "web-token = \"t0ken-t0ken-t0ken\"\n";
  auto token = serentak({"fetch", "--config", "token.toml", "--url", server.url("/p?id={}"), "d"}, dir.path().string());
  EXPECT_EQ(token.exit_code, 2) << token.err;
  EXPECT_NE(token.err.find("--web-token needs --web HOST:PORT"), std::string::npos) << token.err;
  EXPECT_EQ(token.err.find("t0ken"), std::string::npos) << token.err;
  EXPECT_EQ(lines(token.err), 1u) << token.err;
  // The other way round: --web-token-env on the command line, --web (and --every) in the file. The
  // file's address is read (and refused for its form), not the command line refused for lacking it.
  std::ofstream(dir.path() / "web.toml") << "every = \"1s\"\nweb = \"nowhere\"\n";
  auto web = serentak({"fetch", "--config", "web.toml", "--web-token-env", "SERENTAK_NO_SUCH_TOKEN", "--url",
                       server.url("/p?id={}"), "e"},
                      dir.path().string());
  EXPECT_EQ(web.exit_code, 2) << web.err;
  EXPECT_NE(web.err.find("--web 'nowhere': expected HOST:PORT"), std::string::npos) << web.err;
  EXPECT_EQ(lines(web.err), 1u) << web.err;
  EXPECT_EQ(server.requests_seen(), 2u);
}

TEST(cli_conventions, every_url_is_checked_before_anything_is_sent) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  std::string hostport = "127.0.0.1:" + std::to_string(server.port());
  scratch_dir dir;
  { std::ofstream(dir.path() / "urls.txt") << server.url("/ok") << "\n" << hostport << "/status/ok\n"; }
  struct refused {
    std::vector<std::string> args;
    std::string names;
  };
  for (const refused& bad : {
           refused{{"fetch", "--url", hostport + "/p?id={}", "1"}, hostport + "/p?id={}"},
           refused{{"fetch", "--url", "ftp://" + hostport + "/{}", "1"}, "ftp"},
           refused{{"fetch", "--urls", "-i", "urls.txt"}, hostport + "/status/ok"},
           refused{{"fetch", "--urls", "/status/ok"}, "/status/ok"},
           refused{{"weather", "--base", hostport}, hostport},
           refused{{"weather", "--base", "http://"}, "has no host"},
           refused{{"health", "--base", server.url(""), hostport + "/status/ok"}, hostport + "/status/ok"},
       }) {
    auto r = serentak(bad.args, dir.path().string());
    EXPECT_EQ(r.exit_code, 2) << bad.args[2] << ": " << r.err;
    EXPECT_NE(r.err.find(bad.names), std::string::npos) << r.err;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
  }
  EXPECT_EQ(server.requests_seen(), 0u) << "a request was sent";
}

}  // namespace
}  // namespace serentak
