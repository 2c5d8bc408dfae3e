#pragma once
// Text exactly as the seed's Python prints it: the body Flask 2.2's jsonify() sends, and the
// repr() its print(f"... {data} ...") access lines show. Pure functions; thread-safe.
//
// Values are nlohmann::ordered_json so that a record keeps the seed's field order, which repr()
// shows and jsonify() discards (it sorts keys).

#include <string>

#include <nlohmann/json.hpp>

namespace serentak::server {

// json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True): keys sorted by
// code point at every level, non-ASCII and control characters as lower-case \uXXXX escapes
// (surrogate pairs above U+FFFF), floats as Python's repr().
std::string flask_dumps(const nlohmann::ordered_json& value);

// What jsonify() sends: flask_dumps(value) followed by "\n".
std::string jsonify_body(const nlohmann::ordered_json& value);

// Python's repr() of the value: {'temp_c': 32, 'city': 'JAKARTA'}, True/False/None, strings
// single-quoted unless they contain ' and no " (then double-quoted), in the value's own key order.
// Non-printable characters are escaped as Python does (\n, \x07, \u2028); Python's notion of
// "printable" is approximated by the C0/C1 controls, separators, format and private-use
// characters (unassigned code points pass unchanged).
std::string python_repr(const nlohmann::ordered_json& value);

// Python's repr() of a float: shortest round-trip digits, "1.0", "1e+16", "1e-05", "inf", "nan".
std::string python_float_repr(double value);

}  // namespace serentak::server
