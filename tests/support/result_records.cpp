#include "support/result_records.hpp"

#include <fstream>
#include <string>

namespace serentak::testing {

std::vector<nlohmann::json> read_result_records(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> records;
  for (std::string line; std::getline(in, line);) {
    auto record = nlohmann::json::parse(line);
    if (!record.contains("serentak_results")) records.push_back(std::move(record));
  }
  return records;
}

}  // namespace serentak::testing
