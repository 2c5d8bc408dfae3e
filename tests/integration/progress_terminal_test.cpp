// The progress line and the --live view as a user sees them: serentak runs with stderr on a
// pseudo-terminal (as in an interactive shell or tmux), and the test reads what the terminal
// received, resizes it (TIOCSWINSZ) or sends SIGTERM while the run is going.

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <functional>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/process_runner.hpp"
#include "support/running_server.hpp"
#include "support/test_paths.hpp"

namespace {

using serentak::testing::binary_path;
using serentak::testing::running_server;

const std::string erase = "\r\x1b[2K";
const std::string enter_screen = "\x1b[?1049h";
const std::string leave_screen = "\x1b[?1049l";

struct terminal_run {
  std::string terminal;                      // every byte written to stderr
  std::size_t acted_at = std::string::npos;  // terminal.size() when the action ran
  int exit_code = -1;
};

struct terminal_setup {
  unsigned short columns = 0;  // 0: the pty's default, 0x0 (the program then assumes 80x24)
  unsigned short rows = 0;
  std::string act_after;  // once this text has arrived, run action (once)
  std::function<void(pid_t pid, int master)> action;
};

void set_size(int fd, unsigned short columns, unsigned short rows) {
  winsize size{};
  size.ws_col = columns;
  size.ws_row = rows;
  ::ioctl(fd, TIOCSWINSZ, &size);
}

// Runs serentak with stdout on /dev/null and stderr on a new pseudo-terminal; reads the terminal
// until the program ends (at most 30 s, then it is killed).
terminal_run run_on_terminal(std::vector<std::string> args, const terminal_setup& setup = {}) {
  int master = -1;
  int slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
    ADD_FAILURE() << "openpty: " << errno;
    return {};
  }
  if (setup.columns > 0) set_size(master, setup.columns, setup.rows);
  std::string program = binary_path().string();
  args.insert(args.begin(), program);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);

  pid_t pid = ::fork();
  if (pid == 0) {  // only async-signal-safe calls until exec
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(slave, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(slave);
  ::close(devnull);

  terminal_run run;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO: the last holder of the terminal's other end has exited
    run.terminal.append(buffer, static_cast<std::size_t>(n));
    if (setup.action && run.acted_at == std::string::npos && run.terminal.find(setup.act_after) != std::string::npos) {
      run.acted_at = run.terminal.size();
      setup.action(pid, master);
    }
  }
  if (std::chrono::steady_clock::now() >= deadline) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// The progress lines drawn, in order: the text after each erase up to the next control byte.
std::vector<std::string> drawn_lines(const std::string& terminal, std::size_t from = 0) {
  std::vector<std::string> lines;
  for (std::size_t at = terminal.find(erase, from); at != std::string::npos; at = terminal.find(erase, at + 1)) {
    std::size_t start = at + erase.size();
    std::size_t end = terminal.find_first_of("\r\n\x1b", start);
    std::string text = terminal.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!text.empty()) lines.push_back(text);
  }
  return lines;
}

// Items fetched one at a time with the seed's 0.1-0.5 s delays: long enough for the line,
// redrawn every 250 ms, to be drawn more than once. 9999 is a 404.
std::vector<std::string> slow_profiles_run(const running_server& server,
                                           std::vector<std::string> items = {"1121", "1122", "1123", "1124"}) {
  std::vector<std::string> args{"profiles", "--base", server.base_url(), "--no-log", "-c", "1"};
  args.insert(args.end(), items.begin(), items.end());
  return args;
}

TEST(progress_terminal, a_terminal_sees_one_line_redrawn_in_place_then_erased) {
  running_server server(/*delay_scale=*/1.0);
  terminal_run run = run_on_terminal(slow_profiles_run(server));
  ASSERT_EQ(run.exit_code, 0) << run.terminal;

  const std::regex drawn(R"(\r\x1b\[2K[0-4]/4 done \(\d+%\): [0-4] ok, 0 404, 0 failed; \d+\.\d/s, ETA (--|\d+s))");
  auto draws =
      std::distance(std::sregex_iterator(run.terminal.begin(), run.terminal.end(), drawn), std::sregex_iterator());
  EXPECT_GE(draws, 2) << run.terminal;
  // The line is redrawn in place (never a newline) and erased at the end, so the shell prompt
  // that follows starts on a clean line.
  EXPECT_EQ(run.terminal.find('\n'), std::string::npos) << run.terminal;
  ASSERT_GE(run.terminal.size(), erase.size());
  EXPECT_EQ(run.terminal.substr(run.terminal.size() - erase.size()), erase);
}

TEST(progress_terminal, a_404_is_counted_apart_from_failures) {
  running_server server(/*delay_scale=*/1.0);
  terminal_run run = run_on_terminal(slow_profiles_run(server, {"9999", "1121", "1122", "1123"}));
  EXPECT_TRUE(std::regex_search(run.terminal, std::regex(R"(: [0-3] ok, 1 404, 0 failed;)"))) << run.terminal;
  EXPECT_EQ(run.terminal.find("1 failed"), std::string::npos) << run.terminal;
}

TEST(progress_terminal, at_40_columns_the_line_is_cut_and_never_wraps) {
  running_server server(/*delay_scale=*/1.0);
  terminal_run run =
      run_on_terminal(slow_profiles_run(server), {.columns = 40, .rows = 10, .act_after = {}, .action = {}});
  auto lines = drawn_lines(run.terminal);
  ASSERT_GE(lines.size(), 2u) << run.terminal;
  for (const auto& line : lines) EXPECT_LT(line.size(), 40u) << line;
  EXPECT_EQ(run.terminal.find('\n'), std::string::npos) << run.terminal;
}

TEST(progress_terminal, after_a_resize_the_line_fits_the_new_width) {
  running_server server(/*delay_scale=*/1.0);
  terminal_setup setup{.columns = 120, .rows = 30, .act_after = " done (", .action = [](pid_t, int master) {
                         set_size(master, 30, 30);
                       }};
  terminal_run run =
      run_on_terminal(slow_profiles_run(server, {"1121", "1122", "1123", "1124", "1125", "1121"}), setup);
  ASSERT_NE(run.acted_at, std::string::npos) << run.terminal;
  auto before = drawn_lines(run.terminal.substr(0, run.acted_at));
  ASSERT_FALSE(before.empty());
  EXPECT_GT(before.front().size(), 30u) << before.front();  // the full line did not fit the new width
  auto after = drawn_lines(run.terminal, run.acted_at);
  // A draw measured just before the resize may still arrive after it; every later one fits.
  ASSERT_GE(after.size(), 2u) << run.terminal;
  for (std::size_t i = 1; i < after.size(); ++i) EXPECT_LT(after[i].size(), 30u) << after[i];
}

TEST(progress_terminal, a_verbose_line_erases_the_progress_line_first_and_it_is_redrawn_after) {
  running_server server(/*delay_scale=*/1.0);
  auto args = slow_profiles_run(server);
  args.push_back("-v");
  terminal_run run = run_on_terminal(args);
  ASSERT_EQ(run.exit_code, 0) << run.terminal;
  // Every log line starts at the beginning of a clean row: right after an erase or a newline,
  // never after the progress text.
  std::size_t log_lines = 0;
  for (std::size_t at = run.terminal.find("[20"); at != std::string::npos; at = run.terminal.find("[20", at + 1)) {
    ++log_lines;
    if (at == 0) continue;  // the first line, before anything was drawn
    bool after_erase = at >= erase.size() && run.terminal.compare(at - erase.size(), erase.size(), erase) == 0;
    bool after_newline = run.terminal[at - 1] == '\n';
    EXPECT_TRUE(after_erase || after_newline)
        << "log line at " << at << " follows: " << run.terminal.substr(at > 40 ? at - 40 : 0, 40);
  }
  EXPECT_GE(log_lines, 20u) << run.terminal;
  // The progress line comes back right after a log line printed while it was shown.
  EXPECT_TRUE(std::regex_search(run.terminal, std::regex(R"(\n[0-4]/4 done \()"))) << run.terminal;
}

TEST(progress_terminal, quiet_draws_nothing_even_on_a_terminal) {
  running_server server(/*delay_scale=*/1.0);
  auto args = slow_profiles_run(server);
  args.push_back("--quiet");
  terminal_run run = run_on_terminal(args);
  ASSERT_EQ(run.exit_code, 0) << run.terminal;
  EXPECT_EQ(run.terminal, "");
}

TEST(live_terminal, shows_counts_percentiles_and_histogram_then_restores_the_screen) {
  running_server server(/*delay_scale=*/1.0);
  auto args = slow_profiles_run(server, {"9999", "1121", "1122", "1123"});
  args.push_back("--live");
  terminal_run run = run_on_terminal(args, {.columns = 80, .rows = 30, .act_after = {}, .action = {}});
  EXPECT_EQ(run.exit_code, 1) << run.terminal;  // the 404 is a failed item
  std::size_t entered = run.terminal.find(enter_screen);
  std::size_t left = run.terminal.rfind(leave_screen);
  ASSERT_NE(entered, std::string::npos) << run.terminal;
  ASSERT_NE(left, std::string::npos) << run.terminal;
  EXPECT_LT(entered, left);
  EXPECT_GT(left, run.terminal.rfind("\x1b[H")) << "a frame was drawn after the screen was left";
  // Frames while running, and the last one with every item counted by class.
  EXPECT_NE(run.terminal.find("Outcomes   ok 3   404 1   other failures 0"), std::string::npos) << run.terminal;
  EXPECT_NE(run.terminal.find("4/4 done (100%)"), std::string::npos) << run.terminal;
  EXPECT_TRUE(std::regex_search(run.terminal, std::regex(R"(p50 \d+\.\d ms   p90 \d+\.\d ms   p99 \d+\.\d ms)")))
      << run.terminal;
  EXPECT_TRUE(std::regex_search(run.terminal, std::regex(R"( ms \| #+ \d)"))) << run.terminal;
  // No line of a frame is wider than the terminal.
  std::regex row(R"((?:\x1b\[H|\r\n)([^\x1b\r\n]*)\x1b\[K)");
  for (auto it = std::sregex_iterator(run.terminal.begin(), run.terminal.end(), row); it != std::sregex_iterator();
       ++it) {
    EXPECT_LT((*it)[1].length(), 80) << (*it)[1];
  }
}

TEST(live_terminal, sigterm_ends_the_run_and_restores_the_screen) {
  running_server server(/*delay_scale=*/1.0);
  auto args = slow_profiles_run(server, {"1121", "1122", "1123", "1124", "1125", "1121", "1122", "1123"});
  args.push_back("--live");
  terminal_setup setup{
      .columns = 80, .rows = 30, .act_after = "Outcomes", .action = [](pid_t pid, int) { ::kill(pid, SIGTERM); }};
  terminal_run run = run_on_terminal(args, setup);
  EXPECT_EQ(run.exit_code, 143) << run.terminal;
  ASSERT_NE(run.acted_at, std::string::npos);
  std::size_t left = run.terminal.rfind(leave_screen);
  ASSERT_NE(left, std::string::npos) << run.terminal;
  EXPECT_GT(left, run.terminal.rfind("\x1b[H"));
  EXPECT_NE(run.terminal.find("\x1b[?25h", run.acted_at), std::string::npos) << "the cursor is shown again";
}

TEST(live_terminal, ctrl_c_ends_the_run_and_restores_the_screen_and_a_second_one_too) {
  running_server server(/*delay_scale=*/1.0);
  for (int presses : {1, 2}) {
    auto args = slow_profiles_run(server, {"1121", "1122", "1123", "1124", "1125", "1121", "1122", "1123"});
    args.push_back("--live");
    terminal_setup setup{.columns = 80, .rows = 30, .act_after = "Outcomes", .action = [presses](pid_t pid, int) {
                           for (int i = 0; i < presses; ++i) ::kill(pid, SIGINT);
                         }};
    terminal_run run = run_on_terminal(args, setup);
    EXPECT_EQ(run.exit_code, 130) << presses << " Ctrl-C: " << run.terminal;
    ASSERT_NE(run.acted_at, std::string::npos);
    std::size_t left = run.terminal.rfind(leave_screen);
    ASSERT_NE(left, std::string::npos) << presses << " Ctrl-C: the screen was never left: " << run.terminal;
    EXPECT_GT(left, run.terminal.rfind("\x1b[H")) << "a frame was drawn after the screen was left";
    EXPECT_NE(run.terminal.find("\x1b[?25h", run.acted_at), std::string::npos) << "the cursor is shown again";
  }
}

TEST(live_terminal, after_a_resize_every_frame_fits_the_new_size) {
  running_server server(/*delay_scale=*/1.0);
  auto args = slow_profiles_run(server, {"1121", "1122", "1123", "1124", "1125", "1121"});
  args.push_back("--live");
  terminal_setup setup{.columns = 100, .rows = 30, .act_after = "Outcomes", .action = [](pid_t, int master) {
                         set_size(master, 40, 12);
                       }};
  terminal_run run = run_on_terminal(args, setup);
  EXPECT_EQ(run.exit_code, 0) << run.terminal;
  ASSERT_NE(run.acted_at, std::string::npos);
  // Frames begin at the home position; skip the first one after the resize (it may have been drawn
  // for the old size), then every row of every frame fits 40 columns and 12 rows.
  std::size_t first_frame = run.terminal.find("\x1b[H", run.acted_at);
  ASSERT_NE(first_frame, std::string::npos) << run.terminal;
  std::size_t later = run.terminal.find("\x1b[H", first_frame + 1);
  ASSERT_NE(later, std::string::npos) << "no frame after the resize: " << run.terminal;
  std::string after = run.terminal.substr(later, run.terminal.rfind(leave_screen) - later);
  std::regex row(R"((?:\x1b\[H|\r\n)([^\x1b\r\n]*)\x1b\[K)");
  std::size_t rows_in_frame = 0, most_rows = 0;
  for (auto it = std::sregex_iterator(after.begin(), after.end(), row); it != std::sregex_iterator(); ++it) {
    EXPECT_LT((*it)[1].length(), 40) << (*it)[1];
    rows_in_frame = it->str().starts_with("\x1b[H") ? 1 : rows_in_frame + 1;
    most_rows = std::max(most_rows, rows_in_frame);
  }
  EXPECT_GT(most_rows, 0u) << after;
  EXPECT_LE(most_rows, 12u) << after;
}

TEST(live_terminal, without_a_terminal_live_is_a_note_and_the_normal_run) {
  running_server server(/*delay_scale=*/0.0);
  std::vector<std::string> argv{
      binary_path().string(), "profiles", "--base", server.base_url(), "--no-log", "--live", "1121"};
  auto result = serentak::testing::run_process(argv, std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "serentak profiles: --live needs a terminal on stderr; running without the live view\n");
  EXPECT_NE(result.out.find("Total waktu eksekusi"), std::string::npos) << result.out;
}

}  // namespace
