// parse_json (declared in scenario_file.hpp): JSON text to an ordered_json in time linear in its
// size. nlohmann's own DOM parser inserts each key with ordered_map::operator[], a linear search
// of the object so far, so an object of n keys (a scenario's records) cost O(n^2): 200,000
// records took 58 s. This SAX builder appends keys in order and finds a repeated key (the last
// one wins, as nlohmann does) through a hash index that a large object gets while it is open.
// Pure function; thread-safe.
#include <cstddef>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "scenario/scenario_file.hpp"

namespace serentak::server {
namespace {

using nlohmann::ordered_json;

struct too_deep {};

// Objects up to this many keys look a repeated key up by scanning them; larger ones get an index.
constexpr std::size_t scan_limit = 16;

class ordered_dom_builder {
 public:
  using number_integer_t = ordered_json::number_integer_t;
  using number_unsigned_t = ordered_json::number_unsigned_t;
  using number_float_t = ordered_json::number_float_t;
  using string_t = ordered_json::string_t;
  using binary_t = ordered_json::binary_t;

  explicit ordered_dom_builder(ordered_json& root) : root_(root) {}

  bool null() { return put(nullptr) != nullptr; }
  bool boolean(bool value) { return put(value) != nullptr; }
  bool number_integer(number_integer_t value) { return put(value) != nullptr; }
  bool number_unsigned(number_unsigned_t value) { return put(value) != nullptr; }
  bool number_float(number_float_t value, const string_t& /*text*/) { return put(value) != nullptr; }
  bool string(string_t& value) { return put(std::move(value)) != nullptr; }
  bool binary(binary_t& value) { return put(ordered_json::binary(std::move(value))) != nullptr; }

  bool start_object(std::size_t /*size*/) { return open(ordered_json::object()); }
  bool start_array(std::size_t /*size*/) { return open(ordered_json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(string_t& name) {
    key_ = std::move(name);
    return true;
  }

  template <class Exception>
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/, const Exception& ex) {
    throw json_text_error(fmt::format("not valid JSON: {}", ex.what()));
  }

 private:
  struct open_value {
    ordered_json* value;
    std::unordered_map<std::string, std::size_t> index;  // a large object's keys -> their place
  };

  bool open(ordered_json empty) {
    // The containers around this one: the top-level value is at 0.
    if (stack_.size() >= static_cast<std::size_t>(max_json_depth)) throw too_deep{};
    ordered_json* value = put(std::move(empty));
    stack_.push_back({value, {}});
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  // Places a value where the parse is: the root, an array's next element, or an object's member
  // under the last key. Its address stays valid while it is open: its parent grows only after.
  ordered_json* put(ordered_json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    open_value& top = stack_.back();
    if (top.value->is_array()) {
      auto& array = top.value->get_ref<ordered_json::array_t&>();
      array.push_back(std::move(value));
      return &array.back();
    }
    auto& object = top.value->get_ref<ordered_json::object_t&>();
    if (object.size() < scan_limit) {
      for (auto& member : object) {
        if (member.first == key_) {
          member.second = std::move(value);
          return &member.second;
        }
      }
    } else {
      if (top.index.empty()) {
        top.index.reserve(object.size() * 2);
        for (std::size_t i = 0; i < object.size(); ++i) top.index.emplace((object.begin() + static_cast<std::ptrdiff_t>(i))->first, i);
      }
      auto [at, added] = top.index.emplace(key_, object.size());
      if (!added) {
        auto member = object.begin() + static_cast<std::ptrdiff_t>(at->second);
        member->second = std::move(value);
        return &member->second;
      }
    }
    object.emplace_back(std::move(key_), std::move(value));
    return &object.back().second;
  }

  ordered_json& root_;
  std::vector<open_value> stack_;
  string_t key_;
};

}  // namespace

ordered_json parse_json(std::string_view text) {
  ordered_json root;
  ordered_dom_builder builder(root);
  try {
    ordered_json::sax_parse(text, &builder);
  } catch (const too_deep&) {
    throw json_text_error(fmt::format("nested deeper than {} arrays and objects", max_json_depth));
  }
  return root;
}

}  // namespace serentak::server
