#pragma once
// The dashboard page, built into the binary (no CDN, works offline): one HTML shell, one script,
// one stylesheet. The page has no inline script or style, so the Content-Security-Policy can forbid
// both; the script sets every piece of text with textContent, never as markup.

#include <string>
#include <string_view>

namespace serentak::web {

// The HTML shell; lang ("id" or "en") picks the labels the script shows; title is the page's title
// and heading (escaped here: "serentak monitor", "serentak pizza").
std::string page_html(std::string_view lang, std::string_view title = "serentak monitor");
std::string_view page_script();  // /app.js
std::string_view page_style();   // /app.css

}  // namespace serentak::web
