// Fuzzes what `fetch` does with a response body it records (core/json_validate, core/result_record):
// the validator's verdict is nlohmann::json::accept's for every input (the record keeps a valid
// one-line body byte for byte, so a wrong "valid" would write a broken JSONL line), and whatever
// the body, its JSONL record is one line that parses as JSON. And the body read as a results line:
// parse_record and recorded_index, which read an object's members without a document
// (core/json_members), say what nlohmann's document says (the oracle), and every member they see
// is the document's.
// Input: the body.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/json_members.hpp"
#include "core/json_validate.hpp"
#include "core/result_record.hpp"
#include "fuzz_check.hpp"
#include "support/nlohmann_record_oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const bool valid = serentak::is_valid_json(body);
  FUZZ_CHECK(valid == nlohmann::json::accept(body));

  FUZZ_CHECK(serentak::testing::same_record(serentak::parse_record(body, serentak::result_format::jsonl),
                                            serentak::testing::nlohmann_record(body)));
  FUZZ_CHECK(serentak::recorded_index(body, serentak::result_format::jsonl) ==
             serentak::testing::nlohmann_recorded_index(body));
  if (valid) {
    const auto document = nlohmann::json::parse(body);
    std::map<std::string, std::string_view> last;  // a name given twice: its last value, as the document
    const bool object = serentak::for_each_json_member(
        body, [&](std::string_view name, std::string_view value) { last[std::string(name)] = value; });
    FUZZ_CHECK(object == document.is_object());
    if (object) {
      FUZZ_CHECK(last.size() == document.size());
      for (const auto& [name, value] : last) {
        const auto member = document.find(name);
        FUZZ_CHECK(member != document.end() && nlohmann::json::parse(value) == *member);
      }
    }
  }

  serentak::result_record record;
  record.index = 1;
  record.item = "u1";
  record.url = "http://127.0.0.1:1/p?id=u1";
  record.kind = serentak::outcome::ok;
  record.http_status = 200;
  record.attempts = 1;
  record.body_is_json = valid;
  record.body = body;
  const std::string line = serentak::format_record(record, serentak::result_format::jsonl);
  FUZZ_CHECK(!line.empty() && line.back() == '\n');
  FUZZ_CHECK(line.find('\n') == line.size() - 1);
  FUZZ_CHECK(line.find('\0') == std::string::npos);
  FUZZ_CHECK(nlohmann::json::accept(line));
  return 0;
}
