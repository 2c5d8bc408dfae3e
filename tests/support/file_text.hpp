#pragma once
// Whole-file reads and writes for tests, and splitting text into lines: the small file chores many
// tests share.

#include <filesystem>
#include <string>
#include <vector>

namespace serentak::testing {

// The file's bytes; empty when it cannot be read.
std::string read_file(const std::filesystem::path& path);
// Replaces the file's contents with text (bytes as given).
void write_file(const std::filesystem::path& path, const std::string& text);
// The lines of text without their '\n'; a last line without one counts too.
std::vector<std::string> lines_of(const std::string& text);

}  // namespace serentak::testing
