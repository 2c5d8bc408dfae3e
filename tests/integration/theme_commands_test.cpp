// The five seed commands end to end: the real `serentak` binary against the real mock server,
// asserting exit codes, stdout's closing lines and the exact log lines (timestamps aside).
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client/theme_run.hpp"
#include "support/process_runner.hpp"
#include "support/running_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::binary_path;
using testing::run_process;
using testing::running_server;
using testing::scratch_dir;

struct log_file {
  std::string header;
  std::vector<std::pair<std::string, std::string>> lines;  // (name, message) in file order
  std::map<std::string, std::vector<std::string>> by_name;
};

log_file read_log(const std::filesystem::path& path) {
  static const std::regex shape(R"(^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\] \[([^\]]+)\] (.*)$)");
  std::ifstream in(path);
  log_file log;
  std::getline(in, log.header);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    EXPECT_TRUE(std::regex_match(line, m, shape)) << "malformed log line: " << line;
    if (m.empty()) continue;
    log.lines.emplace_back(m[1], m[2]);
    log.by_name[m[1]].push_back(m[2]);
  }
  return log;
}

using testing::serentak;

TEST(theme_commands, weather_writes_exactly_the_seed_log) {
  running_server server(0.05);
  scratch_dir dir;
  auto log_path = dir.path() / "weather_client_log.txt";
  auto r = serentak({"weather", "--base", server.base_url(), "--log", log_path.string()});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 1) << r.err;  // KUALA_LUMPUR is not found: not every item is ok
  EXPECT_TRUE(std::regex_match(r.out, std::regex("\nLog aktivitas klien disimpan di: " + log_path.string() +
                                                 "\nTotal waktu eksekusi: \\d+\\.\\d\\d detik\\.\n")))
      << r.out;

  log_file log = read_log(log_path);
  EXPECT_TRUE(std::regex_match(log.header, std::regex(R"(^--- Weather Client Log Started: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} ---$)")))
      << log.header;
  ASSERT_EQ(log.lines.size(), 2u + 5u * 5u);
  EXPECT_EQ(log.lines.front(), std::make_pair(std::string("MainClient"),
                                              std::string("Memulai 5 permintaan prakiraan cuaca secara concurrent.")));
  EXPECT_EQ(log.lines.back().first, "MainClient");
  EXPECT_TRUE(std::regex_match(log.lines.back().second, std::regex(R"(Semua permintaan cuaca selesai dalam \d+\.\d\d detik\.)")));

  std::string base = server.base_url();
  auto worker = [&](std::string city, std::string outcome_line) {
    return std::vector<std::string>{"Memulai pekerjaan untuk kota: " + city, "Mengirim permintaan ke " + base + "/get_weather?city=" + city,
                                    outcome_line, "Permintaan untuk kota " + city + " selesai diproses.",
                                    "Selesai pekerjaan untuk kota: " + city};
  };
  EXPECT_EQ(log.by_name["Worker-0"], worker("JAKARTA", "Berhasil! Cuaca di JAKARTA: Cerah Berawan, 32°C"));
  EXPECT_EQ(log.by_name["Worker-1"], worker("BANDUNG", "Berhasil! Cuaca di BANDUNG: Hujan Ringan, 24°C"));
  EXPECT_EQ(log.by_name["Worker-2"],
            worker("KUALA_LUMPUR",
                   "Error: Kota KUALA_LUMPUR tidak ditemukan. Pesan: City 'KUALA_LUMPUR' not found in our database."));
  EXPECT_EQ(log.by_name["Worker-3"], worker("SURABAYA", "Berhasil! Cuaca di SURABAYA: Cerah, 34°C"));
  EXPECT_EQ(log.by_name["Worker-4"], worker("DENPASAR", "Berhasil! Cuaca di DENPASAR: Cerah, 31°C"));
}

// The outcome line of each worker, for the other four seed commands with their default items.
TEST(theme_commands, books_pizza_health_profiles_log_the_seed_outcomes) {
  running_server server(0.05);
  std::string base = server.base_url();
  const std::map<std::string, std::vector<std::string>> expected{
      {"books",
       {"Berhasil! Buku 'The Art of Concurrent Programming' status: Available",
        "Berhasil! Buku 'The Lord of The Rings' status: On Loan",
        "Error: ISBN 999-9-99-999999-9 tidak ditemukan. Pesan: Book with ISBN '999-9-99-999999-9' not found in the catalog.",
        "Berhasil! Buku 'Harry Potter and the Philosopher's Stone' status: Available"}},
      {"pizza",
       {"Berhasil! Pesanan ORD-101 untuk Budi status: Baking", "Berhasil! Pesanan ORD-103 untuk Cici status: Preparing",
        "Error: ID Pesanan ORD-999 tidak ditemukan. Pesan: Order ID 'ORD-999' not found.",
        "Berhasil! Pesanan ORD-102 untuk Ani status: Out for Delivery", "Berhasil! Pesanan ORD-105 untuk Eka status: Baking"}},
      {"health",
       {"SUKSES! URL " + base + "/status/ok merespons dengan status 200.",
        "SUKSES! URL " + base + "/status/slow merespons dengan status 200.",  // 2-3 s x 0.05: well within 2.5 s
        "GAGAL! URL " + base + "/status/error merespons dengan status 500.",
        "GAGAL! URL " + base + "/status/nonexistent merespons dengan status 404.",
        "SUKSES! URL " + base + "/status/ok merespons dengan status 200."}},
      {"profiles",
       {"Berhasil! Profil untuk @alpha_dev ditemukan (1024 followers).",
        "Berhasil! Profil untuk @gamma_user ditemukan (512 followers).",
        "Error: User ID 9999 tidak ditemukan. Pesan: User with ID '9999' does not exist.",
        "Berhasil! Profil untuk @delta_pm ditemukan (2048 followers).",
        "Berhasil! Profil untuk @beta_tester ditemukan (256 followers)."}},
  };
  for (const auto& [command, outcome_lines] : expected) {
    scratch_dir dir;
    auto log_path = dir.path() / "log.txt";
    auto r = serentak({command, "--base", base, "--log", log_path.string()});
    ASSERT_FALSE(r.timed_out) << command;
    EXPECT_EQ(r.exit_code, 1) << command << ": " << r.err;
    log_file log = read_log(log_path);
    ASSERT_EQ(log.lines.size(), 2 + outcome_lines.size() * 5) << command;
    for (std::size_t i = 0; i < outcome_lines.size(); ++i) {
      const auto& lines = log.by_name["Worker-" + std::to_string(i)];
      ASSERT_EQ(lines.size(), 5u) << command << " Worker-" << i;
      EXPECT_EQ(lines[2], outcome_lines[i]) << command << " Worker-" << i;
    }
  }
}

TEST(theme_commands, items_replace_the_defaults_and_are_percent_encoded_and_escaped) {
  running_server server(0.0);
  scratch_dir dir;
  auto log_path = dir.path() / "log.txt";
  auto r = serentak({"weather", "--base", server.base_url(), "--log", log_path.string(), "medan", "X\r\n[Worker-9] forged"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 1);
  log_file log = read_log(log_path);
  ASSERT_EQ(log.lines.size(), 2u + 2u * 5u) << "a hostile item must not add a line";
  EXPECT_EQ(log.by_name.count("Worker-9"), 0u);
  EXPECT_EQ(log.by_name["Worker-0"][2], "Berhasil! Cuaca di MEDAN: Badai Petir, 33°C");  // the server upper-cases
  const auto& hostile = log.by_name["Worker-1"];
  EXPECT_EQ(hostile[0], "Memulai pekerjaan untuk kota: X\\r\\n[Worker-9] forged");
  EXPECT_EQ(hostile[1], "Mengirim permintaan ke " + server.base_url() + "/get_weather?city=X%0D%0A%5BWorker-9%5D%20forged");
  EXPECT_EQ(hostile[2], "Error: Kota X\\r\\n[Worker-9] forged tidak ditemukan. Pesan: City 'X\\r\\n[WORKER-9] FORGED' not found "
                        "in our database.");
}

TEST(theme_commands, english_messages_with_lang_en) {
  running_server server(0.0);
  scratch_dir dir;
  auto log_path = dir.path() / "log.txt";
  auto r = serentak({"profiles", "--lang", "en", "--base", server.base_url(), "--log", log_path.string(), "1125"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Client activity log saved to: " + log_path.string()), std::string::npos) << r.out;
  log_file log = read_log(log_path);
  EXPECT_EQ(log.lines.front().second, "Starting 1 user profile fetch.");  // singular (it once said "1 ... fetches")
  EXPECT_EQ(log.by_name["Worker-0"][2], "Success! Profile for @epsilon_ds found (4096 followers).");
}

TEST(theme_commands, five_items_take_about_the_slowest_delay_not_the_sum) {
  running_server server(1.0, 42);  // the seed's real delays, reproducible
  scratch_dir dir;
  client::theme_run_config config;
  config.theme = themes::find_theme("weather");  // 0.2-0.6 s each
  config.base_url = server.base_url();
  config.log_path = dir.path() / "log.txt";
  auto result = client::run_theme(config);
  const run_summary& s = result.summary;
  ASSERT_EQ(s.items(), 5u);
  double wall = s.wall_seconds();
  double slowest = static_cast<double>(s.latency.max()) / 1e6;
  EXPECT_GE(wall, slowest);
  // Sequential would be the sum (at least 5 x 0.2 s); concurrent is about the slowest (at most 0.6 s).
  EXPECT_LT(wall, 0.7 * s.sequential_seconds()) << "wall " << wall << " s, sum " << s.sequential_seconds() << " s";
}

TEST(theme_commands, no_server_gives_connection_errors_quickly_not_a_hang) {
  scratch_dir dir;
  auto log_path = dir.path() / "log.txt";
  std::string base = "http://127.0.0.1:" + std::to_string(testing::unused_port());
  auto r = serentak({"health", "--base", base, "--log", log_path.string(), "--summary", "json"}, 20s);
  ASSERT_FALSE(r.timed_out) << "the client hung without a server";
  EXPECT_EQ(r.exit_code, 1);
  log_file log = read_log(log_path);
  for (int i = 0; i < 5; ++i) {
    const auto& lines = log.by_name["Worker-" + std::to_string(i)];
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_TRUE(lines[2].starts_with("KONEKSI GAGAL! Tidak dapat terhubung ke " + base + "/status/")) << lines[2];
  }
  auto last_line_start = r.out.rfind('\n', r.out.size() - 2);
  auto json_line = r.out.substr(last_line_start + 1);
  auto summary = nlohmann::json::parse(json_line);
  EXPECT_EQ(summary["outcomes"]["connection_error"], 5);
  EXPECT_EQ(summary["outcomes"]["ok"], 0);
}

TEST(theme_commands, bad_options_give_one_line_and_exit_2_before_any_request) {
  for (std::vector<std::string> args : {std::vector<std::string>{"weather", "--timeout", "-5"},
                                        {"weather", "--bogus"},
                                        {"nosuchcommand"},
                                        {},
                                        {"weather", "--base", "ftp://127.0.0.1/"},
                                        {"weather", "--lang", "fr"},
                                        {"weather", "-c", "0"},
                                        {"health", "file:///etc/passwd"},
                                        {"books", "--log", "/nonexistent-dir/log.txt"}}) {
    scratch_dir dir;
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    auto r = run_process([&] {
      std::vector<std::string> full{binary_path().string()};
      full.insert(full.end(), args.begin(), args.end());
      return full;
    }(), 10s, dir.path().string());
    EXPECT_EQ(r.exit_code, 2) << joined << "\nstderr: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << joined << "\nstderr: " << r.err;
    EXPECT_TRUE(r.out.empty()) << joined << "\nstdout: " << r.out;
  }
}

TEST(theme_commands, demo_runs_all_five_and_checks_the_seed_expectations) {
  scratch_dir dir;
  auto r = serentak({"demo", "--delay-scale", "0.05", "--seed", "3", "--log-dir", dir.path().string()}, 60s);
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* name : {"weather", "books", "pizza", "health", "profiles"}) {
    EXPECT_NE(r.out.find(std::string("\n") + name), std::string::npos) << name << " missing from the table:\n" << r.out;
  }
  EXPECT_NE(r.out.find("Every item got the outcome the seed data implies"), std::string::npos) << r.out;
  for (const auto& t : themes::seed_themes()) EXPECT_TRUE(std::filesystem::exists(dir.path() / t.log_file)) << t.log_file;
}

}  // namespace
}  // namespace serentak
