// Loads a monitor file with yaml-cpp and checks all of it before anything runs: every problem is
// collected (not just the first) with the file, line and column yaml-cpp's Mark gives, unknown and
// duplicate keys are errors (a typo like "intervall" must not silently mean the default), durations
// need a unit, conditions are compiled here so a bad one never reaches a check.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/bounded_file.hpp"
#include "core/fnv1a.hpp"
#include "core/log_text.hpp"
#include "core/request_shape.hpp"
#include "core/target_url.hpp"
#include "monitor/duration_text.hpp"
#include "monitor/monitor_config.hpp"

namespace serentak::monitor {
namespace {

constexpr std::string_view endpoint_keys[] = {
    "name",     "group",   "url",    "method",     "headers",           "body",
    "interval", "timeout", "jitter", "conditions", "failure-threshold", "success-threshold",
    "confirm",  "alerts",  "ca-file", "insecure", "retries"};
constexpr std::string_view defaults_keys[] = {
    "group",  "method",     "headers",           "interval",          "timeout",
    "jitter", "conditions", "failure-threshold", "success-threshold", "confirm",
    "alerts", "ca-file",    "insecure",          "retries"};
constexpr std::string_view alert_keys[] = {"type",       "url", "template", "command", "timeout", "send-on-resolved",
                                           "min-realert"};
constexpr std::string_view root_keys[] = {"defaults", "endpoints"};

template <std::size_t N>
std::string key_list(const std::string_view (&keys)[N]) {
  std::string out;
  for (auto k : keys) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

template <std::size_t N>
bool known(const std::string_view (&keys)[N], std::string_view key) {
  return std::find(std::begin(keys), std::end(keys), key) != std::end(keys);
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

std::string_view kind_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "a value";
  }
}

class loader {
 public:
  explicit loader(std::string_view file) : file_(file) {}

  monitor_file_result load(std::string_view text) {
    monitor_file_result out;
    out.config.file = file_;
    // yaml-cpp nodes are references: assigning one to another aliases them, so nodes here are only
    // ever bound once (optional::emplace), never assigned.
    std::optional<YAML::Node> loaded;
    try {
      loaded.emplace(YAML::Load(std::string(text)));
    } catch (const YAML::Exception& e) {
      error(e.mark, fmt::format("not valid YAML: {}", e.msg));
      out.errors = std::move(errors_);
      return out;
    }
    const YAML::Node& root = *loaded;
    if (!root.IsMap()) {
      error(root.Mark(), fmt::format("expected a map with 'endpoints:' at the top, found {}", kind_name(root)));
      out.errors = std::move(errors_);
      return out;
    }
    endpoint_config base;
    std::optional<YAML::Node> endpoints_node;
    each_key(root, "the top level", root_keys, [&](const std::string& key, const YAML::Node& value) {
      if (key == "defaults") {
        if (!value.IsMap())
          return error(value.Mark(), fmt::format("'defaults' must be a map, found {}", kind_name(value)));
        each_key(value, "defaults", defaults_keys,
                 [&](const std::string& k, const YAML::Node& v) { field(base, k, v); });
      } else {
        endpoints_node.emplace(value);
      }
    });
    if (!endpoints_node) {
      error(root.Mark(), "missing 'endpoints:', the list of endpoints to check");
    } else if (const YAML::Node& endpoints = *endpoints_node; !endpoints.IsSequence() || endpoints.size() == 0) {
      error(endpoints.Mark(), "'endpoints' must be a non-empty list of endpoints");
    } else {
      std::map<std::string, file_position> names;
      for (const auto& node : *endpoints_node) {
        if (!node.IsMap()) {
          error(node.Mark(), fmt::format("an endpoint must be a map (name:, url:, ...), found {}", kind_name(node)));
          continue;
        }
        endpoint_config e = base;
        e.where = position(node.Mark());
        bool jitter_set = false;
        each_key(node, "an endpoint", endpoint_keys, [&](const std::string& k, const YAML::Node& v) {
          if (k == "headers") e.headers.clear();  // an endpoint's headers merge over the defaults' below
          if (k == "jitter") jitter_set = true;
          field(e, k, v);
        });
        merge_headers(base, e);
        finish_endpoint(e, node, names, jitter_set);
        out.config.endpoints.push_back(std::move(e));
      }
    }
    std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) {
      return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
    });
    out.errors = std::move(errors_);
    return out;
  }

 private:
  static file_position position(const YAML::Mark& m) {
    if (m.is_null()) return {1, 1};  // e.g. an empty document: its start
    return {m.line + 1, m.column + 1};
  }

  void error(const YAML::Mark& m, std::string message) {
    errors_.push_back(monitor_file_error{file_, position(m), std::move(message)});
  }

  // Visits a map's entries; unknown, duplicate and non-text keys are errors and are skipped.
  template <std::size_t N, class F>
  void each_key(const YAML::Node& map, std::string_view what, const std::string_view (&allowed)[N], F&& visit) {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      const YAML::Node& key_node = entry.first;
      if (!key_node.IsScalar()) {
        error(key_node.Mark(), fmt::format("expected a key in {}", what));
        continue;
      }
      const std::string key = key_node.Scalar();
      if (!known(allowed, key)) {
        error(key_node.Mark(),
              fmt::format("unknown key '{}' in {}; expected one of: {}", escape_for_log(key), what, key_list(allowed)));
        continue;
      }
      if (!seen.insert(key).second) {
        error(key_node.Mark(), fmt::format("duplicate key '{}' in {}", escape_for_log(key), what));
        continue;
      }
      visit(key, entry.second);
    }
  }

  std::optional<std::string> text(const YAML::Node& v, std::string_view key) {
    if (!v.IsScalar()) {
      error(v.Mark(), fmt::format("'{}' must be a single value, found {}", key, kind_name(v)));
      return std::nullopt;
    }
    return v.Scalar();
  }

  std::optional<std::chrono::milliseconds> duration(const YAML::Node& v, std::string_view key) {
    auto t = text(v, key);
    if (!t) return std::nullopt;
    auto d = parse_duration(*t);
    if (!d) {
      error(v.Mark(), fmt::format("'{}' must be a duration with a unit (100ms, 10s, 5m, 2h, 7d), found '{}'", key,
                                  escape_for_log(*t)));
    }
    return d;
  }

  std::optional<int> integer(const YAML::Node& v, std::string_view key, int lo, int hi) {
    auto t = text(v, key);
    if (!t) return std::nullopt;
    int n = 0;
    auto [end, ec] = std::from_chars(t->data(), t->data() + t->size(), n);
    if (ec != std::errc{} || end != t->data() + t->size() || n < lo || n > hi) {
      error(v.Mark(),
            fmt::format("'{}' must be a whole number from {} to {}, found '{}'", key, lo, hi, escape_for_log(*t)));
      return std::nullopt;
    }
    return n;
  }

  std::optional<bool> boolean(const YAML::Node& v, std::string_view key) {
    auto t = text(v, key);
    if (!t) return std::nullopt;
    if (*t == "true") return true;
    if (*t == "false") return false;
    error(v.Mark(), fmt::format("'{}' must be true or false, found '{}'", key, escape_for_log(*t)));
    return std::nullopt;
  }

  std::optional<std::string> url(const YAML::Node& v, std::string_view key) {
    auto t = text(v, key);
    if (!t) return std::nullopt;
    const bool http = starts_with_ci(*t, "http://") && t->size() > 7;
    const bool https = starts_with_ci(*t, "https://") && t->size() > 8;
    const bool clean =
        std::none_of(t->begin(), t->end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
    if (!(http || https) || !clean) {
      error(v.Mark(),
            fmt::format("'{}' must be an http:// or https:// URL without spaces, found '{}'", key, escape_for_log(*t)));
      return std::nullopt;
    }
    if (auto problem = check_url_port(*t)) {
      error(v.Mark(), fmt::format("'{}': {}", key, *problem));
      return std::nullopt;
    }
    return t;
  }

  void field(endpoint_config& e, const std::string& key, const YAML::Node& v) {
    if (key == "name") {
      if (auto t = text(v, key)) {
        if (t->empty()) error(v.Mark(), "'name' must not be empty");
        e.name = *t;
      }
    } else if (key == "group") {
      if (auto t = text(v, key)) e.group = *t;
    } else if (key == "url") {
      if (auto t = url(v, key)) e.url = *t;
    } else if (key == "method") {
      if (auto t = text(v, key)) {
        if (t->empty() || t->size() > 20 ||
            !std::all_of(t->begin(), t->end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
          error(v.Mark(), fmt::format("'method' must be an HTTP method in capitals (GET, POST, ...), found '{}'",
                                      escape_for_log(*t)));
        } else {
          e.method = *t;
        }
      }
    } else if (key == "headers") {
      headers(e, v);
    } else if (key == "body") {
      if (auto t = text(v, key)) e.body = *t;
    } else if (key == "interval") {
      if (auto d = duration(v, key)) {
        if (*d < min_interval) {
          error(v.Mark(), fmt::format("'interval' {} is below the minimum of {}", format_duration(*d),
                                      format_duration(min_interval)));
        } else if (*d > max_interval) {
          error(v.Mark(), fmt::format("'interval' {} is above the maximum of {}", format_duration(*d),
                                      format_duration(max_interval)));
        } else {
          e.interval = *d;
        }
      }
    } else if (key == "timeout") {
      if (auto d = duration(v, key)) {
        if (d->count() == 0) error(v.Mark(), "'timeout' must be more than 0s");
        e.timeout = *d;
      }
    } else if (key == "jitter") {
      if (auto d = duration(v, key)) e.jitter = *d;
    } else if (key == "conditions") {
      conditions(e, v);
    } else if (key == "failure-threshold") {
      if (auto n = integer(v, key, 1, 1000)) e.policy.failure_threshold = *n;
    } else if (key == "success-threshold") {
      if (auto n = integer(v, key, 1, 1000)) e.policy.success_threshold = *n;
    } else if (key == "confirm") {
      if (auto n = integer(v, key, 0, 10)) e.policy.confirm_checks = *n;
    } else if (key == "alerts") {
      alerts(e, v);
    } else if (key == "ca-file") {
      if (auto t = text(v, key)) {
        // Read now, so a missing or unreadable bundle is this line's error, not every check's.
        if (std::ifstream in(*t); t->empty() || !in) {
          error(v.Mark(), fmt::format("'ca-file' '{}' cannot be read", escape_for_log(*t)));
        } else {
          e.ca_file = *t;
        }
      }
    } else if (key == "insecure") {
      if (auto b = boolean(v, key)) e.insecure = *b;
    } else if (key == "retries") {
      if (auto n = integer(v, key, 0, 10)) e.retries = *n;
    }
  }

  void headers(endpoint_config& e, const YAML::Node& v) {
    if (!v.IsMap())
      return error(v.Mark(), fmt::format("'headers' must be a map of name: value, found {}", kind_name(v)));
    std::set<std::string> seen;
    for (const auto& h : v) {
      if (!h.first.IsScalar() || !h.second.IsScalar()) {
        error(h.first.Mark(), "a header must be name: value");
        continue;
      }
      const std::string& name = h.first.Scalar();
      const std::string& value = h.second.Scalar();
      if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
        error(h.first.Mark(), fmt::format("'{}' is not a valid header name", escape_for_log(name)));
        continue;
      }
      if (std::any_of(value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; })) {
        error(h.second.Mark(), fmt::format("the value of header '{}' must not contain line breaks", name));
        continue;
      }
      // The same test as request_shape::prepare's, so a file that loads is one the checks can send:
      // a value with \x01, ESC or DEL passed here and was refused after the banner (or at a reload).
      if (has_control_character(value)) {
        error(h.second.Mark(), fmt::format("the value of header '{}' must not contain a control character", name));
        continue;
      }
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (!seen.insert(lower).second) {
        error(h.first.Mark(), fmt::format("duplicate header '{}'", name));
        continue;
      }
      e.headers.emplace_back(name, value);
    }
  }

  static void merge_headers(const endpoint_config& base, endpoint_config& e) {
    for (const auto& [name, value] : base.headers) {
      const bool overridden = std::any_of(e.headers.begin(), e.headers.end(), [&](const auto& h) {
        return h.first.size() == name.size() &&
               std::equal(name.begin(), name.end(), h.first.begin(), [](char a, char b) {
                 return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
               });
      });
      if (!overridden) {
        if (std::find(e.headers.begin(), e.headers.end(), std::pair(name, value)) == e.headers.end()) {
          e.headers.emplace_back(name, value);
        }
      }
    }
  }

  void conditions(endpoint_config& e, const YAML::Node& v) {
    if (!v.IsSequence()) {
      return error(v.Mark(), fmt::format("'conditions' must be a list of conditions, found {}", kind_name(v)));
    }
    e.conditions.clear();
    for (const auto& c : v) {
      auto t = text(c, "conditions");
      if (!t) continue;
      condition_error problem;
      if (auto compiled = condition::compile(*t, problem)) {
        e.conditions.push_back(std::move(*compiled));
      } else {
        error(c.Mark(), fmt::format("condition '{}': {}", escape_for_log(*t), escape_for_log(problem.render())));
      }
    }
  }

  void alerts(endpoint_config& e, const YAML::Node& v) {
    if (!v.IsSequence()) return error(v.Mark(), fmt::format("'alerts' must be a list, found {}", kind_name(v)));
    e.alerts.clear();
    for (const auto& node : v) {
      if (!node.IsMap()) {
        error(node.Mark(), fmt::format("an alert must be a map (type:, ...), found {}", kind_name(node)));
        continue;
      }
      alert_config a;
      a.where = position(node.Mark());
      std::optional<std::string> type;
      std::optional<YAML::Node> url_node, template_node, command_node;
      each_key(node, "an alert", alert_keys, [&](const std::string& k, const YAML::Node& value) {
        if (k == "type") {
          type = text(value, k);
          if (type && *type != "webhook" && *type != "exec") {
            error(value.Mark(), fmt::format("alert 'type' must be webhook or exec, found '{}'", escape_for_log(*type)));
            type = "";  // reported here; not again as a missing type
          }
        } else if (k == "url") {
          url_node.emplace(value);
          if (auto u = url(value, k)) a.url = *u;
        } else if (k == "template") {
          template_node.emplace(value);
          if (auto t = text(value, k)) {
            a.body_template = *t;
            check_template(value, *t);
          }
        } else if (k == "command") {
          command_node.emplace(value);
          if (!value.IsSequence() || value.size() == 0) {
            error(value.Mark(), "'command' must be a non-empty list: the program and its arguments (no shell)");
          } else {
            for (const auto& arg : value) {
              if (auto t = text(arg, "command")) a.command.push_back(*t);
            }
          }
        } else if (k == "timeout") {
          if (auto d = duration(value, k)) a.timeout = *d;
        } else if (k == "send-on-resolved") {
          if (auto b = boolean(value, k)) a.send_on_resolved = *b;
        } else if (k == "min-realert") {
          if (auto d = duration(value, k)) a.min_realert = *d;
        }
      });
      if (!type) {
        error(node.Mark(), "an alert needs 'type: webhook' or 'type: exec'");
        continue;
      }
      if (*type == "webhook") {
        a.type = alert_config::kind::webhook;
        if (!url_node) error(node.Mark(), "a webhook alert needs 'url'");
        if (command_node) error(command_node->Mark(), "'command' belongs to exec alerts, not webhook");
      } else if (*type == "exec") {
        a.type = alert_config::kind::exec;
        if (!command_node) error(node.Mark(), "an exec alert needs 'command'");
        if (url_node) error(url_node->Mark(), "'url' belongs to webhook alerts, not exec");
        if (template_node) error(template_node->Mark(), "'template' belongs to webhook alerts, not exec");
      }
      e.alerts.push_back(std::move(a));
    }
  }

  // Every [UPPER_CASE] word in a template must be a known placeholder: a typo would send it verbatim.
  void check_template(const YAML::Node& at, std::string_view t) {
    for (std::size_t open = t.find('['); open != std::string_view::npos; open = t.find('[', open + 1)) {
      std::size_t close = open + 1;
      while (close < t.size() && (std::isupper(static_cast<unsigned char>(t[close])) || t[close] == '_')) ++close;
      if (close == open + 1 || close >= t.size() || t[close] != ']') continue;
      std::string_view word = t.substr(open, close - open + 1);
      if (std::find(std::begin(alert_placeholders), std::end(alert_placeholders), word) ==
          std::end(alert_placeholders)) {
        std::string list;
        for (auto p : alert_placeholders) list += (list.empty() ? "" : ", ") + std::string(p);
        error(at.Mark(), fmt::format("unknown placeholder {} in the alert template; expected one of: {}", word, list));
      }
    }
  }

  void finish_endpoint(endpoint_config& e, const YAML::Node& node, std::map<std::string, file_position>& names,
                       bool jitter_set) {
    if (!node["name"]) error(node.Mark(), "an endpoint needs 'name'");
    if (!node["url"]) error(node.Mark(), "an endpoint needs 'url'");
    if (!e.name.empty()) {
      auto [it, fresh] = names.emplace(e.name, e.where);
      if (!fresh) {
        error(node["name"].Mark(),
              fmt::format("duplicate endpoint name '{}' (first at line {})", escape_for_log(e.name), it->second.line));
      }
    }
    if (e.jitter * 2 > e.interval) {
      const YAML::Mark at = jitter_set ? node["jitter"].Mark() : node.Mark();
      error(at, fmt::format("'jitter' {} is more than half the interval {}", format_duration(e.jitter),
                            format_duration(e.interval)));
    }
  }

  std::string file_;
  std::vector<monitor_file_error> errors_;
};

}  // namespace

schedule_plan endpoint_config::plan() const {
  schedule_plan p;
  p.interval = interval;
  p.phase = phase_by_name(name, interval);
  p.max_jitter = jitter;
  p.seed = fnv1a_64().add(name).value();
  return p;
}

std::string monitor_file_error::render() const {
  if (where.line == 0) return fmt::format("{}: {}", file, message);  // about the whole file
  return fmt::format("{}:{}:{}: {}", file, where.line, where.column, message);
}

monitor_file_result parse_monitor_text(std::string_view text, std::string_view name) { return loader(name).load(text); }

monitor_file_result load_monitor_file(const std::string& path, const std::function<bool()>& stopped) {
  std::string text;
  try {
    text = read_bounded_file(path, max_monitor_file_bytes, stopped);
  } catch (const file_read_error& e) {
    monitor_file_result out;
    out.errors.push_back(monitor_file_error{path, {0, 0}, e.what()});
    return out;
  }
  return parse_monitor_text(text, path);
}

}  // namespace serentak::monitor
