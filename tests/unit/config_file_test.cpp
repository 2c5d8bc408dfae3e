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

// A command with a flag that excludes an option, as monitor's --no-log excludes --log-dir.
struct command_line {
  CLI::App app{"a test command", "test"};
  std::string config;
  bool no_log = false;
  std::string log_dir;
  std::vector<std::string> headers;

  command_line() {
    app.add_option("--config", config);
    CLI::Option* dir = app.add_option("--log-dir", log_dir);
    app.add_flag("--no-log", no_log)->excludes(dir);
    app.add_option("--header", headers);
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

TEST(config_file, a_key_of_one_value_given_twice_is_refused_and_one_of_many_adds_its_values) {
  testing::scratch_dir dir;
  const std::string file = (dir.path() / "c.toml").string();
  const std::string refused = "--config '" + file + "': 'log-dir' is given more than once";
  testing::write_file(file, "log-dir = \"a\"\nlog-dir = \"b\"\n");
  EXPECT_EQ(command_line().run({"--config", file}), refused);
  testing::write_file(file, "log-dir = \"a\"\nno-log = false\nlog-dir = \"b\"\n");
  EXPECT_EQ(command_line().run({"--config", file}), refused);
  // At the top and again under the command's table is the same key twice.
  testing::write_file(file, "log-dir = \"a\"\n[test]\nlog-dir = \"b\"\n");
  EXPECT_EQ(command_line().run({"--config", file}), refused);
  testing::write_file(file, "log-dir = [\"a\", \"b\"]\n");
  EXPECT_EQ(command_line().run({"--config", file}), refused);
  // Refused even when the command line gives it, so the mistake is not hidden until then.
  testing::write_file(file, "log-dir = \"a\"\nno-log = false\nlog-dir = \"b\"\n");
  EXPECT_EQ(command_line().run({"--config", file, "--log-dir", "c"}), refused);

  testing::write_file(file, "header = \"A: 1\"\nlog-dir = \"a\"\nheader = [\"B: 2\", \"C: 3\"]\n");
  command_line headers;
  EXPECT_EQ(headers.run({"--config", file}), "");
  EXPECT_EQ(headers.headers, (std::vector<std::string>{"A: 1", "B: 2", "C: 3"}));
  command_line header_on_command_line;  // which replaces the file's, however many times it gives them
  EXPECT_EQ(header_on_command_line.run({"--config", file, "--header", "D: 4"}), "");
  EXPECT_EQ(header_on_command_line.headers, (std::vector<std::string>{"D: 4"}));
}

}  // namespace
}  // namespace serentak::cli
