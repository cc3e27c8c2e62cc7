#pragma once
// The web console's files (ui/), compiled into the binary by cmake/embed_files.cmake: routecatd
// serves /ui/ without reading the disk, so what it serves is exactly what was built (internal).

#include <algorithm>
#include <span>
#include <string_view>

namespace routecat::admin::ui {

struct Asset {
    std::string_view path;          // relative to ui/: "index.html", "console.js"
    std::string_view content_type;  // from the extension: "text/html; charset=utf-8", ...
    std::string_view etag;          // quoted: the first 20 hex digits of the bytes' SHA-256
    std::string_view body;
};

// Every embedded file, sorted by path (the generated source).
std::span<const Asset> assets();

// The file at path (relative to ui/, compared byte for byte); nullptr when none is.
inline const Asset* find_asset(std::string_view path) {
    const auto all = assets();
    const auto it = std::lower_bound(all.begin(), all.end(), path,
                                     [](const Asset& a, std::string_view p) { return a.path < p; });
    return it != all.end() && it->path == path ? &*it : nullptr;
}

}  // namespace routecat::admin::ui
