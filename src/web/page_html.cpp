#include "web/page_assets.hpp"

namespace serentak::web {
namespace {

std::string escape_html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string page_html(std::string_view lang, std::string_view title) {
  // lang is "id" or "en" (the CLI checks it); anything else falls back to English.
  const std::string_view code = lang == "id" ? "id" : "en";
  std::string html = R"(<!doctype html>
<html lang=")";
  html += code;
  html += R"(">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>)";
  html += escape_html(title);
  html += R"(</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app.css">
</head>
<body>
<header class="top">
<h1>)";
  html += escape_html(title);
  html += R"(</h1>
<span id="conn" class="conn"></span>
</header>
<section id="overview" class="overview">
<div class="count state-down"><span id="count-down" class="num">0</span><span class="label" data-label="down"></span></div>
<div class="count state-degraded"><span id="count-degraded" class="num">0</span><span class="label" data-label="degraded"></span></div>
<div class="count state-unknown"><span id="count-unknown" class="num">0</span><span class="label" data-label="unknown"></span></div>
<div class="count state-up"><span id="count-up" class="num">0</span><span class="label" data-label="up"></span></div>
</section>
<div class="controls">
<input id="search" type="search" autocomplete="off" spellcheck="false">
<select id="group"></select>
<span id="shown" class="shown"></span>
</div>
<div id="list" class="list"><div id="spacer" class="spacer"></div><div id="rows" class="rows"></div></div>
<div id="board" class="board" hidden></div>
<script src="/app.js"></script>
</body>
</html>
)";
  return html;
}

}  // namespace serentak::web
