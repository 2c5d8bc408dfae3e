// The man pages and shell completions that `make install` and the .deb ship, checked against the
// real command list: every subcommand and option that `--help` shows must be in each completion
// file and in the command's man page (scripts/gen-docs.sh makes them from --help at build time).

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/file_text.hpp"
#include "support/process_runner.hpp"
#include "support/test_paths.hpp"

namespace {

#ifndef SERENTAK_DOCS_DIR
// A sanitizer build makes no man pages or completions (its binary is not run at build time).
TEST(install_docs, not_made_by_a_sanitizer_build) { GTEST_SKIP() << "no serentak_docs target in this build"; }
#else

using serentak::testing::binary_path;
using serentak::testing::run_process;

const std::filesystem::path docs_dir = SERENTAK_DOCS_DIR;

std::string help_of(const std::vector<std::string>& args) {
  std::vector<std::string> argv{binary_path().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = run_process(argv, std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result.out;
}

// The subcommands: the first word of each row of the "Subcommands:" section.
std::vector<std::string> subcommands() {
  std::istringstream in(help_of({"--help"}));
  std::vector<std::string> names;
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != ' ') in_section = line == "Subcommands:";
    std::smatch m;
    if (in_section && std::regex_search(line, m, std::regex(R"(^  ([a-z][a-z0-9-]*))"))) names.push_back(m[1]);
  }
  return names;
}

// Every -x and --long named at the start of an option row of CMD --help.
std::set<std::string> options_of(const std::string& command) {
  std::istringstream in(help_of({command, "--help"}));
  std::set<std::string> names;
  const std::regex name(R"(([, ])(--?[A-Za-z0-9][A-Za-z0-9-]*))");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("  -", 0) != 0) continue;
    std::string term = " " + line.substr(2, line.find("  ", 2) - 2);  // up to two spaces: "-c, --concurrency N"
    for (auto it = std::sregex_iterator(term.begin(), term.end(), name); it != std::sregex_iterator(); ++it) {
      names.insert((*it)[2]);
    }
  }
  return names;
}

using serentak::testing::read_file;

bool has_word(const std::string& text, const std::string& word) {
  return std::regex_search(
      text, std::regex("(^|[\\s(\"])" + std::regex_replace(word, std::regex("-"), "\\-") + "($|[\\s)\"])"));
}

// A line of the fish file with both the command's condition and the flag.
bool fish_line_has(const std::string& fish, const std::string& condition, const std::string& flag) {
  std::istringstream in(fish);
  for (std::string line; std::getline(in, line);) {
    if (line.find(condition) != std::string::npos && (line + " ").find(flag) != std::string::npos) return true;
  }
  return false;
}

TEST(install_docs, every_subcommand_and_option_of_help_is_in_each_completion) {
  auto commands = subcommands();
  ASSERT_GE(commands.size(), 8u);
  std::string bash = read_file(docs_dir / "completions/serentak.bash");
  std::string zsh = read_file(docs_dir / "completions/_serentak");
  std::string fish = read_file(docs_dir / "completions/serentak.fish");
  ASSERT_FALSE(bash.empty());
  for (const auto& command : commands) {
    EXPECT_TRUE(has_word(bash, command)) << command;
    EXPECT_TRUE(has_word(zsh, command)) << command;
    EXPECT_NE(fish.find("-a " + command + " "), std::string::npos) << command;
    std::string fish_condition = "'__fish_seen_subcommand_from " + command + "'";
    auto options = options_of(command);
    EXPECT_GE(options.size(), 2u) << command;
    for (const auto& option : options) {
      EXPECT_TRUE(has_word(bash, option)) << command << " " << option;
      EXPECT_TRUE(has_word(zsh, option)) << command << " " << option;
      std::string fish_flag = option.rfind("--", 0) == 0 ? " -l " + option.substr(2) : " -s " + option.substr(1);
      EXPECT_TRUE(fish_line_has(fish, fish_condition, fish_flag + " ")) << command << " " << option;
    }
  }
}

TEST(install_docs, bash_completes_a_command_and_an_option) {
  std::string script = "source '" + (docs_dir / "completions/serentak.bash").string() +
                       "'; COMP_WORDS=(serentak fe); COMP_CWORD=1; _serentak; echo \"${COMPREPLY[*]}\";"
                       " COMP_WORDS=(serentak fetch --li); COMP_CWORD=2; _serentak; echo \"${COMPREPLY[*]}\"";
  auto result = run_process({"/bin/bash", "-c", script}, std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "fetch\n--live\n") << result.err;
}

TEST(install_docs, each_command_has_a_man_page_naming_every_option) {
  auto commands = subcommands();
  for (const auto& command : commands) {
    auto page = docs_dir / "man/man1" / ("serentak-" + command + ".1.gz");
    auto result = run_process({"/bin/sh", "-c", "gzip -dc '" + page.string() + "'"}, std::chrono::seconds(30));
    ASSERT_EQ(result.exit_code, 0) << page << result.err;
    EXPECT_NE(result.out.find(".TH SERENTAK-" +
                              [&] {
                                std::string upper = command;
                                for (char& c : upper)
                                  c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                                return upper;
                              }() +
                              " 1"),
              std::string::npos)
        << result.out;
    for (const auto& option : options_of(command)) {
      std::string roff = std::regex_replace(option, std::regex("-"), "\\-");
      EXPECT_NE(result.out.find(roff), std::string::npos) << command << " " << option;
    }
  }
  EXPECT_TRUE(std::filesystem::exists(docs_dir / "man/man1/serentak.1.gz"));
}

#endif  // SERENTAK_DOCS_DIR

}  // namespace
