// Python-compatible text: what Flask 2.2's jsonify() sends, what print(f"{data}") shows (repr),
// and how request text is decoded and upper-cased (Werkzeug's UTF-8 "replace", str.upper()).
// Expected strings were produced by Debian 12's Python 3.11 / Flask 2.2.
#include "server/routes/flask_json.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "core/fnv1a.hpp"
#include "core/python_upper.hpp"
#include "core/utf8.hpp"

namespace serentak::server {
namespace {

using nlohmann::ordered_json;

ordered_json parse_ordered(const char* text) { return ordered_json::parse(text); }

TEST(FlaskJson, JsonifySortsKeysCompactlyAndEndsWithNewline) {
  auto record = parse_ordered(R"({"temp_c": 32, "condition": "Cerah Berawan", "humidity": "75%", "city": "JAKARTA"})");
  EXPECT_EQ(jsonify_body(record),
            "{\"city\":\"JAKARTA\",\"condition\":\"Cerah Berawan\",\"humidity\":\"75%\",\"temp_c\":32}\n");
}

TEST(FlaskJson, DumpsMatchesPythonForEveryKindOfValue) {
  ordered_json value = ordered_json::object();
  value["b"] = parse_ordered(R"([1, 2.5, true, null, {"z": 1, "a": "x"}])");
  value["a"] = "caf\xC3\xA9 \xF0\x9F\x98\x80 \x7F \x01 \"q\" \\ \n\t\b\f/";
  value["\xC3\xA9"] = 1;
  value["Z"] = -3;
  value["n"] = 1e16;
  value["m"] = 1e-05;
  value["k"] = 0.1;
  value["big"] = 123456789012345678.0;
  value["neg"] = -0.0001;
  EXPECT_EQ(flask_dumps(value),
            R"({"Z":-3,"a":"caf\u00e9 \ud83d\ude00 \u007f \u0001 \"q\" \\ \n\t\b\f/",)"
            R"("b":[1,2.5,true,null,{"a":"x","z":1}],"big":1.2345678901234568e+17,"k":0.1,"m":1e-05,)"
            R"("n":1e+16,"neg":-0.0001,"\u00e9":1})");
}

TEST(FlaskJson, DumpsEmptyContainersAndApostrophesUnescaped) {
  EXPECT_EQ(flask_dumps(parse_ordered("{}")), "{}");
  EXPECT_EQ(flask_dumps(parse_ordered("[]")), "[]");
  EXPECT_EQ(flask_dumps(ordered_json("Philosopher's")), "\"Philosopher's\"");
}

TEST(FlaskJson, ReprKeepsTheRecordsOwnOrder) {
  auto record = parse_ordered(R"({"temp_c": 32, "condition": "Cerah Berawan", "humidity": "75%", "city": "JAKARTA"})");
  EXPECT_EQ(python_repr(record), "{'temp_c': 32, 'condition': 'Cerah Berawan', 'humidity': '75%', 'city': 'JAKARTA'}");
}

TEST(FlaskJson, ReprMatchesPythonForEveryKindOfValue) {
  ordered_json value = ordered_json::object();
  value["b"] = parse_ordered(R"([1, 2.5, true, null, {"z": 1, "a": "x"}])");
  value["a"] = "caf\xC3\xA9 \xF0\x9F\x98\x80 \x7F \x01 \"q\" \\ \n\t\b\f/";
  value["\xC3\xA9"] = 1;
  value["Z"] = -3;
  value["n"] = 1e16;
  EXPECT_EQ(python_repr(value),
            "{'b': [1, 2.5, True, None, {'z': 1, 'a': 'x'}], "
            "'a': 'caf\xC3\xA9 \xF0\x9F\x98\x80 \\x7f \\x01 \"q\" \\\\ \\n\\t\\x08\\x0c/', "
            "'\xC3\xA9': 1, 'Z': -3, 'n': 1e+16}");
}

TEST(FlaskJson, ReprChoosesQuotesAsPythonDoes) {
  EXPECT_EQ(python_repr(ordered_json("Harry Potter and the Philosopher's Stone")),
            "\"Harry Potter and the Philosopher's Stone\"");
  EXPECT_EQ(python_repr(ordered_json("a'b\"c")), "'a\\'b\"c'");
  EXPECT_EQ(python_repr(ordered_json("plain")), "'plain'");
}

TEST(FlaskJson, ReprEscapesNonPrintableCharacters) {
  // '\x07\xa0\xad\u2028é😀\ue000\\' as Python prints it.
  ordered_json text = "\x07\xC2\xA0\xC2\xAD\xE2\x80\xA8\xC3\xA9\xF0\x9F\x98\x80\xEE\x80\x80\\";
  EXPECT_EQ(python_repr(text), "'\\x07\\xa0\\xad\\u2028\xC3\xA9\xF0\x9F\x98\x80\\ue000\\\\'");
}

TEST(FlaskJson, FloatReprMatchesPython) {
  EXPECT_EQ(python_float_repr(1.0), "1.0");
  EXPECT_EQ(python_float_repr(0.5), "0.5");
  EXPECT_EQ(python_float_repr(1e15), "1000000000000000.0");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1.5e-7), "1.5e-07");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(0.00001), "1e-05");
  EXPECT_EQ(python_float_repr(123.456), "123.456");
  EXPECT_EQ(python_float_repr(1180591620717411303424.0), "1.1805916207174113e+21");
  EXPECT_EQ(python_float_repr(5e-324), "5e-324");
  EXPECT_EQ(python_float_repr(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(python_float_repr(-2.5), "-2.5");
}

// ---- UTF-8 as Werkzeug decodes request bytes ---------------------------------------------------

TEST(Utf8, ReplaceFollowsPythonsMaximalSubparts) {
  // Python: b"...".decode("utf-8", "replace")
  EXPECT_EQ(decode_utf8_replace("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(decode_utf8_replace("\xFF\xC3"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(decode_utf8_replace("\xE2\x82x"), "\xEF\xBF\xBDx");                            // one U+FFFD
  EXPECT_EQ(decode_utf8_replace("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate: three
  EXPECT_EQ(decode_utf8_replace("\xF0\x9F\x98"), "\xEF\xBF\xBD");                          // truncated: one
  EXPECT_EQ(decode_utf8_replace("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong: two
  EXPECT_EQ(decode_utf8_replace(std::string("a\0b", 3)), std::string("a\0b", 3));
  EXPECT_EQ(decode_utf8_replace("\xEF\xBF\xBD"), "\xEF\xBF\xBD");  // a real U+FFFD stays one
}

// ---- str.upper() --------------------------------------------------------------------------------

TEST(PythonUpper, FoldsEveryScriptLikePython) {
  EXPECT_EQ(python_upper("jakarta"), "JAKARTA");
  EXPECT_EQ(python_upper("Ord-101 x"), "ORD-101 X");
  EXPECT_EQ(python_upper("caf\xC3\xA9"), "CAF\xC3\x89");                       // É
  EXPECT_EQ(python_upper("\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0"),  // москва
            "\xD0\x9C\xD0\x9E\xD0\xA1\xD0\x9A\xD0\x92\xD0\x90");               // МОСКВА
  EXPECT_EQ(python_upper("stra\xC3\x9F"
                         "e"),
            "STRASSE");                                             // ß -> SS
  EXPECT_EQ(python_upper("\xEF\xAC\x81"), "FI");                    // ﬁ ligature
  EXPECT_EQ(python_upper("\xC7\x85"), "\xC7\x84");                  // ǅ -> Ǆ
  EXPECT_EQ(python_upper("\xC3\xBF"), "\xC5\xB8");                  // ÿ -> Ÿ
  EXPECT_EQ(python_upper("\xF0\x90\x90\xA8"), "\xF0\x90\x90\x80");  // Deseret
  EXPECT_EQ(python_upper("\xE2\x82\xAC 1"), "\xE2\x82\xAC 1");      // € unchanged
}

TEST(PythonUpper, WholeUnicodeRangeMatchesPython311) {
  // FNV-1a of "".join(map(chr, every non-surrogate code point)).upper().encode() under Python 3.11.2.
  std::string all;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    append_utf8(all, cp);
  }
  std::string upper = python_upper(all);
  EXPECT_EQ(upper.size(), 4382763u);
  EXPECT_EQ(fnv1a_64().add(upper).value(), 0xf1a6102c65729830ULL);
}

}  // namespace
}  // namespace serentak::server
