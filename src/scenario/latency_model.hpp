#pragma once
// How long a route waits before answering, as data: a fixed delay, uniform in a range, lognormal
// (a median and a spread, capped, the long tail real APIs have), or a mix of those by share
// ("5% take 2 s, the rest uniform 0.1-0.3"). A plain value, immutable once built; sample() is a
// pure function of the uniform numbers it is given, so delay_model decides where randomness
// comes from (seeded per (path, item) or per thread).

#include <optional>
#include <string>
#include <vector>

namespace serentak::server {

struct latency_share;

struct latency_model {
  enum class kind { fixed, uniform, lognormal, mix };

  kind model = kind::fixed;
  double seconds = 0;  // fixed: the delay, >= 0
  double min_s = 0;    // uniform: in [min_s, max_s), 0 <= min_s <= max_s
  double max_s = 0;
  double median_s = 0;               // lognormal: exp(N(ln median_s, sigma^2)) seconds, > 0
  double sigma = 0;                  // lognormal: the spread of the log, >= 0
  double cap_s = 0;                  // lognormal: no draw waits longer than this, >= median_s
  std::vector<latency_share> parts;  // mix: shares in [0, 1] adding up to 1; parts are not mixes

  static latency_model fixed(double seconds);
  static latency_model uniform(double min_s, double max_s);
  static latency_model lognormal(double median_s, double sigma, double cap_s);
  static latency_model mix(std::vector<latency_share> parts);

  // The longest delay this model can produce, in seconds (before any delay scale).
  double max_delay_s() const;

  // One delay in seconds from independent uniform numbers in [0, 1): pick chooses a mix's part,
  // u1 and u2 draw within the part (u2 only for lognormal). Always within [0, max_delay_s()].
  double sample(double pick, double u1, double u2) const;

  // nullopt when the model is well formed; otherwise what is wrong, e.g. "sigma: must be >= 0"
  // (the part before ':' is the offending field, relative to this model).
  std::optional<std::string> problem() const;

  friend bool operator==(const latency_model&, const latency_model&) = default;
};

struct latency_share {
  double share = 0;  // the fraction of requests that take this part, in [0, 1]
  latency_model latency;
  friend bool operator==(const latency_share&, const latency_share&) = default;
};

}  // namespace serentak::server
