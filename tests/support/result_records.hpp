#pragma once
// The records of a JSONL results file, as a test reads them: every line after the preamble
// (docs/cli.md, "Results files"), parsed. A line that is not JSON throws, failing the test.

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

namespace serentak::testing {

std::vector<nlohmann::json> read_result_records(const std::filesystem::path& path);

}  // namespace serentak::testing
