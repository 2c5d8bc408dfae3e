// --config FILE against CLI11's excludes and needs, which CLI11 checks on the command line only: one
// on the command line replaces the option it excludes in the file, two in the file that exclude each
// other are refused, and a flag set to false in the file is as good as absent.
#include "cli/config_file.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/file_text.hpp"
#include "support/refusal_text.hpp"
#include "support/test_paths.hpp"

namespace serentak::cli {
namespace {

// A command with a flag that excludes an option, as monitor's --no-log excludes --log-dir, and an
// option that needs another, as --web-token needs --web.
struct command_line {
  CLI::App app{"test"};
  std::string config;
  bool no_log = false;
  std::string log_dir;
  std::string web;
  std::string token;

  command_line() {
    app.add_option("--config", config);
    CLI::Option* dir = app.add_option("--log-dir", log_dir);
    app.add_flag("--no-log", no_log)->excludes(dir);
    CLI::Option* web_option = app.add_option("--web", web);
    app.add_option("--web-token", token)->needs(web_option);
  }

  // Parses args, then applies the config file: "" or the refusal's text.
  std::string run(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());  // CLI11 takes the vector form back to front
    app.parse(args);
    return testing::refusal_text([&] { apply_config_file(app); });
  }
};

TEST(config_file, a_flag_set_to_false_excludes_nothing_and_set_to_true_it_does) {
  testing::scratch_dir dir;
  const std::string file = (dir.path() / "c.toml").string();
  testing::write_file(file, "no-log = false\nlog-dir = \"logs\"\n");
  command_line quiet_false;
  EXPECT_EQ(quiet_false.run({"--config", file}), "");
  EXPECT_EQ(quiet_false.log_dir, "logs");
  EXPECT_FALSE(quiet_false.no_log);

  testing::write_file(file, "no-log = true\nlog-dir = \"logs\"\n");
  command_line quiet_true;
  EXPECT_NE(quiet_true.run({"--config", file}).find("'log-dir' and 'no-log' exclude each other"), std::string::npos);

  command_line on_command_line;  // the command line's --no-log replaces the file's log-dir
  EXPECT_EQ(on_command_line.run({"--config", file, "--no-log"}), "");
  EXPECT_TRUE(on_command_line.no_log);
  EXPECT_EQ(on_command_line.log_dir, "");
}

TEST(config_file, an_option_from_the_file_without_one_it_needs_is_refused) {
  testing::scratch_dir dir;
  const std::string file = (dir.path() / "c.toml").string();
  testing::write_file(file, "web-token = \"t\"\n");
  command_line alone;
  EXPECT_NE(alone.run({"--config", file}).find("'web-token' needs 'web'"), std::string::npos);
  command_line with_web;
  EXPECT_EQ(with_web.run({"--config", file, "--web", "127.0.0.1:0"}), "");
  EXPECT_EQ(with_web.token, "t");
}

}  // namespace
}  // namespace serentak::cli
