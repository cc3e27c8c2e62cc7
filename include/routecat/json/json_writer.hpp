#pragma once
// Appends JSON text straight to a string. The admin API writes its responses with it instead of
// building boost::json values and serialising them: no allocation per field, one buffer per reply.
// Its output is byte-identical to boost::json::serialize of the same values inserted in the same
// order (json_writer_test pins that), so switching a response to it changes no byte on the wire.
//
// Separators are automatic: values inside an array, and key/value pairs inside an object, are
// comma-separated in the order written. Nesting is limited to 64 levels (the API needs four).

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace routecat {

class JsonWriter {
public:
    explicit JsonWriter(std::string& out) noexcept : out_(out) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    // The key of the object member whose value is written next.
    JsonWriter& key(std::string_view name);

    JsonWriter& string(std::string_view text);  // escaped as boost::json escapes
    JsonWriter& number(std::uint64_t n);
    JsonWriter& boolean(bool b);
    JsonWriter& null();
    JsonWriter& value(const boost::json::value& v);  // serialised by boost::json (cold paths)

    // Starts a value whose text the caller appends to out() itself (already valid JSON).
    std::string& raw_value();
    std::string& out() noexcept { return out_; }

private:
    void separate();
    void open(char bracket);
    void close(char bracket);

    std::string& out_;
    std::uint64_t has_members_ = 0;  // bit d: the container at depth d already holds a member
    unsigned depth_ = 0;
    bool after_key_ = false;
};

// What a JsonWriter wrote, parsed back into a boost::json object (for callers that assemble values).
// Every number is kind uint64, as boost::json::value_from makes them: the writer writes only
// unsigned numbers. Throws when text is not a JSON object.
boost::json::object parse_written_object(std::string_view text);

// parse_written_object of what write(JsonWriter&) writes.
template <class Write>
boost::json::object written_object(Write write) {
    std::string text;
    JsonWriter w(text);
    write(w);
    return parse_written_object(text);
}

// Appends s as a JSON string body (no quotes), escaped as boost::json::serialize escapes it:
// '"' and '\' with a backslash, control characters as \b \t \n \f \r or \u00XX; bytes >= 0x7F as is.
void append_json_escaped(std::string& out, std::string_view s);

}  // namespace routecat
