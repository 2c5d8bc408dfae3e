#include "scenario/latency_model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include <fmt/format.h>

namespace serentak::server {
namespace {

// Shares are typed by people as decimals ("0.05" + "0.95"); their binary sum may miss 1 by a few ulps.
constexpr double share_sum_tolerance = 1e-9;

bool non_negative(double x) { return std::isfinite(x) && x >= 0; }

}  // namespace

latency_model latency_model::fixed(double seconds) {
  latency_model m;
  m.model = kind::fixed;
  m.seconds = seconds;
  return m;
}

latency_model latency_model::uniform(double min_s, double max_s) {
  latency_model m;
  m.model = kind::uniform;
  m.min_s = min_s;
  m.max_s = max_s;
  return m;
}

latency_model latency_model::lognormal(double median_s, double sigma, double cap_s) {
  latency_model m;
  m.model = kind::lognormal;
  m.median_s = median_s;
  m.sigma = sigma;
  m.cap_s = cap_s;
  return m;
}

latency_model latency_model::mix(std::vector<latency_share> parts) {
  latency_model m;
  m.model = kind::mix;
  m.parts = std::move(parts);
  return m;
}

double latency_model::max_delay_s() const {
  switch (model) {
    case kind::fixed:
      return seconds;
    case kind::uniform:
      return max_s;
    case kind::lognormal:
      return cap_s;
    case kind::mix: {
      double longest = 0;
      for (const latency_share& part : parts) {
        if (part.share > 0) longest = std::max(longest, part.latency.max_delay_s());
      }
      return longest;
    }
  }
  return 0;
}

double latency_model::sample(double pick, double u1, double u2) const {
  switch (model) {
    case kind::fixed:
      return seconds;
    case kind::uniform:
      return min_s + (max_s - min_s) * u1;  // the seed's random.uniform
    case kind::lognormal: {
      // Box-Muller: 1 - u1 is in (0, 1], so the log is finite.
      double normal = std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * std::numbers::pi * u2);
      return std::min(cap_s, median_s * std::exp(sigma * normal));
    }
    case kind::mix: {
      double edge = 0;
      for (const latency_share& part : parts) {
        edge += part.share;
        if (pick < edge) return part.latency.sample(0, u1, u2);
      }
      // pick fell in the rounding gap above the last edge: the last part with a share.
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        if (it->share > 0) return it->latency.sample(0, u1, u2);
      }
      return 0;
    }
  }
  return 0;
}

std::optional<std::string> latency_model::problem() const {
  switch (model) {
    case kind::fixed:
      if (!non_negative(seconds)) return "seconds: must be a number >= 0";
      return std::nullopt;
    case kind::uniform:
      if (!non_negative(min_s)) return "min_s: must be a number >= 0";
      if (!non_negative(max_s) || max_s < min_s) return "max_s: must be a number >= min_s";
      return std::nullopt;
    case kind::lognormal:
      if (!std::isfinite(median_s) || median_s <= 0) return "median_s: must be a number > 0";
      if (!non_negative(sigma)) return "sigma: must be a number >= 0";
      if (!std::isfinite(cap_s) || cap_s < median_s) return "cap_s: must be a number >= median_s";
      return std::nullopt;
    case kind::mix: {
      if (parts.empty()) return "parts: must list at least one part";
      double sum = 0;
      for (std::size_t i = 0; i < parts.size(); ++i) {
        const latency_share& part = parts[i];
        if (!(part.share >= 0 && part.share <= 1)) return fmt::format("parts[{}].share: must be in [0, 1]", i);
        if (part.latency.model == kind::mix) return fmt::format("parts[{}].latency: a part cannot be a mix", i);
        if (auto p = part.latency.problem()) return fmt::format("parts[{}].latency.{}", i, *p);
        sum += part.share;
      }
      if (std::abs(sum - 1.0) > share_sum_tolerance) {
        return fmt::format("parts: the shares must add up to 1, not {}", sum);
      }
      return std::nullopt;
    }
  }
  return "model: unknown";
}

}  // namespace serentak::server
