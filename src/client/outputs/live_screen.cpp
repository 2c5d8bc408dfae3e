#include "client/outputs/live_screen.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace serentak::client {
namespace {

std::string eta_text(std::uint64_t done, std::uint64_t total, double elapsed_s) {
  if (done >= total) return "0s";
  double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
  if (rate <= 0) return "--";
  return fmt::format("{:.0f}s", static_cast<double>(total - done) / rate);
}

std::string other_outcomes(const meter_snapshot& meter) {
  std::string text;
  for (outcome kind : all_outcomes) {
    if (kind == outcome::ok || kind == outcome::not_found || meter.of(kind) == 0) continue;
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}", to_string(kind), meter.of(kind));
  }
  return text;
}

// Up to `bins` rows of "   12.3 ms | ##### 7", linear from the fastest to the slowest item.
std::vector<std::string> histogram_rows(const latency_histogram& latencies, std::size_t bins, std::size_t columns) {
  std::vector<std::string> rows;
  if (latencies.count() == 0) {
    rows.emplace_back("  (no item has finished yet)");
    return rows;
  }
  std::uint64_t lo = latencies.min();
  std::uint64_t hi = latencies.max();
  if (hi == lo) bins = 1;
  std::vector<std::uint64_t> edges;
  std::vector<std::uint64_t> counts;
  std::uint64_t below = lo > 0 ? latencies.count_at_most(lo - 1) : 0;
  for (std::size_t i = 1; i <= bins; ++i) {
    std::uint64_t edge = i == bins ? hi : lo + (hi - lo) * i / bins;
    std::uint64_t at_most = latencies.count_at_most(edge);
    edges.push_back(edge);
    counts.push_back(at_most - std::min(at_most, below));
    below = std::max(below, at_most);
  }
  std::uint64_t largest = *std::max_element(counts.begin(), counts.end());
  std::size_t count_width = fmt::format("{}", largest).size();
  std::size_t room = columns > 14 + count_width ? columns - 14 - count_width : 0;  // label 10, " | ", " "
  for (std::size_t i = 0; i < edges.size(); ++i) {
    std::size_t bar = largest > 0 ? static_cast<std::size_t>(counts[i] * room / largest) : 0;
    if (counts[i] > 0 && bar == 0 && room > 0) bar = 1;
    rows.push_back(fmt::format("{:>10} | {} {}", format_latency(edges[i]), std::string(bar, '#'), counts[i]));
  }
  return rows;
}

}  // namespace

std::string cut_to_columns(std::string_view text, std::size_t columns) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte
    if (seen == columns) return std::string(text.substr(0, i));
    ++seen;
  }
  return std::string(text);
}

std::string format_latency(std::uint64_t micros) {
  if (micros < 1000) return fmt::format("{} us", micros);
  if (micros < 1000000) return fmt::format("{:.1f} ms", static_cast<double>(micros) / 1e3);
  return fmt::format("{:.2f} s", static_cast<double>(micros) / 1e6);
}

std::string sparkline(const std::vector<std::uint64_t>& values, bool utf8) {
  static constexpr std::array<std::string_view, 8> blocks{"\u2581", "\u2582", "\u2583", "\u2584",
                                                          "\u2585", "\u2586", "\u2587", "\u2588"};
  static constexpr std::string_view ascii = " _.-=+*#";
  std::uint64_t peak = values.empty() ? 0 : *std::max_element(values.begin(), values.end());
  std::string line;
  for (std::uint64_t v : values) {
    // 0 stays the lowest mark; any value above 0 is at least the second, so a slow second shows.
    std::size_t level = peak == 0 || v == 0 ? 0 : 1 + static_cast<std::size_t>((v * 6 + peak - 1) / peak);
    level = std::min<std::size_t>(level, 7);
    if (utf8) {
      line += v == 0 ? std::string_view(" ") : blocks[level];
    } else {
      line += ascii[level];
    }
  }
  return line;
}

std::vector<std::string> render_live_screen(const live_screen_input& in, std::size_t columns, std::size_t rows) {
  const meter_snapshot& m = in.meter;
  std::uint64_t done = m.done();
  double percent = in.total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(in.total) : 100.0;
  std::vector<std::string> lines;
  lines.push_back(fmt::format("{}  {}/{} done ({:.0f}%)  {:.1f} s  ETA {}", in.title, done, in.total, percent,
                              in.elapsed_s, eta_text(done, in.total, in.elapsed_s)));
  lines.emplace_back();
  lines.push_back(
      fmt::format("Outcomes   ok {}   404 {}   other failures {}", m.ok(), m.not_found(), m.other_failures()));
  if (std::string others = other_outcomes(m); !others.empty()) lines.push_back("           " + others);
  lines.emplace_back();

  std::size_t spark_width = columns > 2 ? columns - 2 : 1;
  std::size_t shown = std::min(in.per_second.size(), spark_width);
  std::vector<std::uint64_t> window(in.per_second.end() - static_cast<std::ptrdiff_t>(shown), in.per_second.end());
  std::uint64_t peak = window.empty() ? 0 : *std::max_element(window.begin(), window.end());
  double mean = in.elapsed_s > 0 ? static_cast<double>(done) / in.elapsed_s : 0;
  lines.push_back(fmt::format("Rate, items/s, last {} s   mean {:.1f}/s   peak {}/s", shown, mean, peak));
  lines.push_back("  " + sparkline(window, in.utf8));
  lines.emplace_back();

  const latency_histogram& lat = m.latencies;
  lines.push_back(fmt::format("Latency    p50 {}   p90 {}   p99 {}   max {}", format_latency(lat.percentile(0.50)),
                              format_latency(lat.percentile(0.90)), format_latency(lat.percentile(0.99)),
                              format_latency(lat.max())));
  std::size_t log_rows = in.recent_log.empty() ? 0 : in.recent_log.size() + 2;
  std::size_t used = lines.size() + log_rows + 2;  // + the closing blank line and hint
  std::size_t bins = rows > used + 3 ? std::min<std::size_t>(rows - used, 10) : 3;
  for (auto& row : histogram_rows(lat, bins, columns)) lines.push_back(std::move(row));
  if (!in.recent_log.empty()) {
    lines.emplace_back();
    lines.emplace_back("Log (-v), last lines:");
    for (const auto& line : in.recent_log) lines.push_back(line);
  }
  lines.emplace_back();
  lines.emplace_back("Ctrl-C stops the run; the results so far are kept.");

  if (lines.size() > rows) lines.resize(rows);
  for (auto& line : lines) line = cut_to_columns(line, columns);
  return lines;
}

}  // namespace serentak::client
