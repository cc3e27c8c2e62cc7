#include "routecat/json/json_writer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <charconv>

namespace routecat {
namespace {

// What boost::json writes after a backslash for each byte below 0x20, '"' and '\' ('u': \u00XX;
// 0: the byte stands for itself).
constexpr std::array<char, 256> make_escapes() {
    std::array<char, 256> e{};
    for (int c = 0; c < 0x20; ++c) e[static_cast<std::size_t>(c)] = 'u';
    e['\b'] = 'b';
    e['\t'] = 't';
    e['\n'] = 'n';
    e['\f'] = 'f';
    e['\r'] = 'r';
    e['"'] = '"';
    e['\\'] = '\\';
    return e;
}
constexpr std::array<char, 256> kEscapes = make_escapes();

void make_numbers_unsigned(boost::json::value& v) {
    if (v.is_int64()) {
        v = static_cast<std::uint64_t>(v.get_int64());  // never negative: the writer has no signed numbers
    } else if (v.is_object()) {
        for (auto& member : v.get_object()) make_numbers_unsigned(member.value());
    } else if (v.is_array()) {
        for (auto& element : v.get_array()) make_numbers_unsigned(element);
    }
}

}  // namespace

boost::json::object parse_written_object(std::string_view text) {
    boost::json::value v = boost::json::parse(text);
    make_numbers_unsigned(v);
    return std::move(v.as_object());
}

void append_json_escaped(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::size_t plain = 0;  // start of the run of bytes not yet copied
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        const char e = kEscapes[b];
        if (e == 0) continue;
        out.append(s.data() + plain, i - plain);
        plain = i + 1;
        out.push_back('\\');
        out.push_back(e);
        if (e == 'u') {
            out.append("00", 2);
            out.push_back(kHex[b >> 4]);
            out.push_back(kHex[b & 0x0F]);
        }
    }
    out.append(s.data() + plain, s.size() - plain);
}

void JsonWriter::separate() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (depth_ == 0) return;
    const std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
    if (has_members_ & bit) out_.push_back(',');
    has_members_ |= bit;
}

void JsonWriter::open(char bracket) {
    separate();
    out_.push_back(bracket);
    ++depth_;
    has_members_ &= ~(std::uint64_t{1} << (depth_ - 1));
}

void JsonWriter::close(char bracket) {
    out_.push_back(bracket);
    --depth_;
}

JsonWriter& JsonWriter::begin_object() {
    open('{');
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    close('}');
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    open('[');
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    close(']');
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    separate();
    out_.push_back('"');
    append_json_escaped(out_, name);
    out_.append("\":", 2);
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::string(std::string_view text) {
    separate();
    out_.push_back('"');
    append_json_escaped(out_, text);
    out_.push_back('"');
    return *this;
}

JsonWriter& JsonWriter::number(std::uint64_t n) {
    separate();
    char digits[20];
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out_.append(digits, static_cast<std::size_t>(end - digits));
    return *this;
}

JsonWriter& JsonWriter::boolean(bool b) {
    separate();
    out_.append(b ? "true" : "false");
    return *this;
}

JsonWriter& JsonWriter::null() {
    separate();
    out_.append("null", 4);
    return *this;
}

JsonWriter& JsonWriter::value(const boost::json::value& v) {
    separate();
    out_ += boost::json::serialize(v);
    return *this;
}

std::string& JsonWriter::raw_value() {
    separate();
    return out_;
}

}  // namespace routecat
