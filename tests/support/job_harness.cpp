#include "support/job_harness.hpp"

#include <algorithm>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/test_paths.hpp"

namespace serentak::testing {

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

process_result run_job(const std::vector<std::string>& args, std::chrono::milliseconds deadline) {
  std::vector<std::string> argv{binary_path().string(), "job"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, deadline);
}

std::unique_ptr<child_process> start_worker(const std::string& target, const std::vector<std::string>& extra,
                                            const std::filesystem::path& dir, const std::string& name) {
  std::vector<std::string> argv{binary_path().string(), "job", "work", target};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<child_process>(argv, dir / name);
}

std::string write_items(const std::filesystem::path& dir, int count, const std::string& prefix) {
  auto path = dir / (prefix + "items.txt");
  std::ofstream out(path);
  for (int i = 0; i < count; ++i) out << prefix << i << "\n";
  return path.string();
}

collected collect(const std::string& target, const std::filesystem::path& dir) {
  auto path = dir / "collected.jsonl";
  process_result r = run_job({"collect", target, "-o", path.string()});
  collected c;
  if (r.exit_code != 0) return c;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    ++c.lines;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    ++c.per_index[j.value("index", std::size_t{0})];
    ++c.per_outcome[j.value("outcome", std::string())];
    std::string error = j.value("error", std::string());
    if (error.find("dead-lettered") != std::string::npos) c.dead_errors.push_back(error);
  }
  return c;
}

std::size_t records(const redis_server& redis, const std::string& name) {
  const std::string n = redis.cli({"HLEN", "serentak:" + name + ":records"});
  return n.empty() ? 0 : std::stoul(n);
}

std::string stream_items(const redis_server& redis, const std::string& name) {
  return redis.cli({"EVAL",
                    "local n = 0 for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do "
                    "for m = 1, #e[2], 2 do if e[2][m] == 'item' then n = n + 1 end end end return n",
                    "1", "serentak:" + name + ":items"});
}

long long item_deliveries(const redis_server& redis, const std::string& name, std::size_t index) {
  const std::string n =
      redis.cli({"EVAL",
                 "for _, p in ipairs(redis.call('XPENDING', KEYS[1], 'workers', '-', '+', 100000)) do "
                 "local e = redis.call('XRANGE', KEYS[1], p[1], p[1])[1] "
                 "if e then local f, first, items, prior = e[2], tonumber(e[2][2]), 0, 0 "
                 "for m = 3, #f - 1, 2 do if f[m] == 'item' then items = items + 1 end if f[m] == 'd' then prior = "
                 "tonumber(f[m + 1]) end end "
                 "local i = tonumber(ARGV[1]) "
                 "if first and i >= first and i < first + items then return p[4] + prior end end end return 0",
                 "1", "serentak:" + name + ":items", std::to_string(index)});
  return n.empty() ? 0 : std::stoll(n);
}

bool wait_for_records(const redis_server& redis, const std::string& name, std::size_t count,
                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (records(redis, name) >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace serentak::testing
