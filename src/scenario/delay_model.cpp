#include "scenario/delay_model.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "core/fnv1a.hpp"
#include "core/splitmix64.hpp"

namespace serentak::server {
namespace {

constexpr std::uint64_t purpose_delay = 1;
constexpr std::uint64_t purpose_pick = 2;
constexpr std::uint64_t purpose_delay_second = 3;  // lognormal's second uniform (Box-Muller)
constexpr std::uint64_t purpose_mix_part = 4;      // which part of a mix

std::mt19937_64& thread_engine() {
  thread_local std::mt19937_64 engine = [] {
    std::random_device device;
    std::seed_seq seq{device(), device(), device(), device()};
    return std::mt19937_64(seq);
  }();
  return engine;
}

}  // namespace

delay_model::delay_model(std::optional<std::uint64_t> seed, double delay_scale)
    : seed_(seed), delay_scale_(delay_scale) {
  if (!std::isfinite(delay_scale) || delay_scale < 0) {
    throw std::invalid_argument("delay scale must be a finite number >= 0, not " + std::to_string(delay_scale));
  }
}

double delay_model::unit_interval(std::uint64_t bits) noexcept { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

std::uint64_t delay_model::draw(std::string_view path, std::string_view item, std::uint64_t purpose) const {
  if (!seed_) return thread_engine()();
  // The length prefix keeps ("/a", "bc") and ("/ab", "c") apart.
  const std::uint64_t hash = fnv1a_64().add(std::to_string(path.size()) + ':').add(path).add(item).value();
  return splitmix64(splitmix64(*seed_ ^ hash) ^ purpose);
}

double delay_model::delay_s(std::string_view path, std::string_view item, themes::delay_range range) const {
  return delay_s(path, item, latency_model::uniform(range.min_s, range.max_s));
}

double delay_model::delay_s(std::string_view path, std::string_view item, const latency_model& model) const {
  if (delay_scale_ == 0 || model.max_delay_s() <= 0) return 0.0;
  using kind = latency_model::kind;
  double pick = model.model == kind::mix ? unit_interval(draw(path, item, purpose_mix_part)) : 0.0;
  double u1 = unit_interval(draw(path, item, purpose_delay));
  // Only a lognormal somewhere in the model needs the second number; skipping it keeps unseeded
  // draws cheap.
  bool second = model.model == kind::lognormal ||
                (model.model == kind::mix && std::any_of(model.parts.begin(), model.parts.end(), [](const auto& p) {
                   return p.latency.model == kind::lognormal;
                 }));
  double u2 = second ? unit_interval(draw(path, item, purpose_delay_second)) : 0.0;
  return model.sample(pick, u1, u2) * delay_scale_;
}

std::size_t delay_model::pick(std::string_view path, std::string_view item, std::size_t count) const {
  if (count == 0) throw std::invalid_argument("delay_model::pick needs count > 0");
  return static_cast<std::size_t>(unit_interval(draw(path, item, purpose_pick)) * static_cast<double>(count));
}

std::chrono::nanoseconds to_duration(double seconds) {
  // A huge delay_scale must not overflow the nanosecond count: cap at about 31 years.
  constexpr double max_seconds = 1e9;
  return std::chrono::nanoseconds(std::llround(std::clamp(seconds, 0.0, max_seconds) * 1e9));
}

}  // namespace serentak::server
