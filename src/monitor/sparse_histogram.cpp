#include "monitor/sparse_histogram.hpp"

#include <algorithm>
#include <cmath>

#include "core/latency_histogram.hpp"

namespace serentak::monitor {
namespace {

constexpr char blob_version = 1;

void put(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)])) << (8 * i);
  return v;
}

}  // namespace

void sparse_histogram::record(std::uint64_t micros) {
  const auto b = static_cast<std::uint16_t>(latency_histogram::bucket_of(micros));
  auto it =
      std::lower_bound(buckets_.begin(), buckets_.end(), b, [](const auto& e, std::uint16_t k) { return e.first < k; });
  if (it != buckets_.end() && it->first == b) {
    ++it->second;
  } else {
    buckets_.insert(it, {b, 1});
  }
  ++count_;
  max_ = std::max(max_, micros);
}

void sparse_histogram::merge(const sparse_histogram& other) {
  std::vector<std::pair<std::uint16_t, std::uint64_t>> merged;
  merged.reserve(buckets_.size() + other.buckets_.size());
  auto a = buckets_.cbegin();
  auto b = other.buckets_.cbegin();
  while (a != buckets_.cend() || b != other.buckets_.cend()) {
    if (b == other.buckets_.end() || (a != buckets_.end() && a->first < b->first)) {
      merged.push_back(*a++);
    } else if (a == buckets_.end() || b->first < a->first) {
      merged.push_back(*b++);
    } else {
      merged.emplace_back(a->first, a->second + b->second);
      ++a;
      ++b;
    }
  }
  buckets_ = std::move(merged);
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

std::uint64_t sparse_histogram::percentile(double q) const noexcept {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (const auto& [bucket, n] : buckets_) {
    seen += n;
    if (seen >= rank) return std::min(latency_histogram::bucket_upper(bucket), max_);
  }
  return max_;
}

std::string sparse_histogram::to_blob() const {
  std::string out;
  out.reserve(9 + buckets_.size() * 10);
  out.push_back(blob_version);
  put(out, max_, 8);
  for (const auto& [bucket, n] : buckets_) {
    put(out, bucket, 2);
    put(out, n, 8);
  }
  return out;
}

std::optional<sparse_histogram> sparse_histogram::from_blob(std::string_view blob) {
  if (blob.size() < 9 || blob[0] != blob_version || (blob.size() - 9) % 10 != 0) return std::nullopt;
  sparse_histogram h;
  h.max_ = get(blob, 1, 8);
  for (std::size_t at = 9; at < blob.size(); at += 10) {
    const auto bucket = static_cast<std::uint16_t>(get(blob, at, 2));
    const auto n = get(blob, at + 2, 8);
    if (!h.buckets_.empty() && bucket <= h.buckets_.back().first) return std::nullopt;  // must be sorted
    h.buckets_.emplace_back(bucket, n);
    h.count_ += n;
  }
  return h;
}

}  // namespace serentak::monitor
