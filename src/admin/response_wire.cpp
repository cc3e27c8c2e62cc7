#include "admin/response_wire.hpp"

#include <boost/beast/http/field.hpp>

#include <charconv>

namespace routecat::admin::wire {

namespace http = boost::beast::http;

bool append_head(std::string& out, const Response& res) {
    if (res.chunked()) return false;
    const auto length = res.find(http::field::content_length);
    if (length == res.end()) return false;
    std::uint64_t declared = 0;
    const auto value = length->value();
    const auto parsed = std::from_chars(value.data(), value.data() + value.size(), declared);
    if (parsed.ec != std::errc{} || parsed.ptr != value.data() + value.size() || declared != res.body().size())
        return false;

    const unsigned version = res.version();
    const unsigned code = res.result_int();
    if (version > 99 || code > 999) return false;
    const char status_line[] = {'H', 'T', 'T', 'P', '/', static_cast<char>('0' + version / 10), '.',
                                static_cast<char>('0' + version % 10), ' ', static_cast<char>('0' + code / 100),
                                static_cast<char>('0' + code / 10 % 10), static_cast<char>('0' + code % 10), ' '};
    out.append(status_line, sizeof status_line);
    const auto reason = res.reason();  // set, or the status's standard phrase, as Beast writes it
    out.append(reason.data(), reason.size());
    out.append("\r\n", 2);
    for (const auto& field : res) {
        const auto name = field.name_string();
        const auto v = field.value();
        out.append(name.data(), name.size());
        out.append(": ", 2);
        out.append(v.data(), v.size());
        out.append("\r\n", 2);
    }
    out.append("\r\n", 2);
    return true;
}

}  // namespace routecat::admin::wire
