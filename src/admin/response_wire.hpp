#pragma once
// A whole response's bytes before its body, as Beast's serializer sends them ("HTTP/1.1 200 OK",
// then every field as "Name: value" in order, each line ending CRLF, then an empty line), appended
// to a buffer the session keeps: the server then sends head and body in one gathered write, with no
// serializer state and no allocation once the buffer has grown. response_wire_test compares the
// bytes with Beast's for every status and both HTTP versions.

#include "routecat/admin/http.hpp"

#include <string>

namespace routecat::admin::wire {

// Appends res's head to out and returns true when res is a whole response whose Content-Length
// header is its body's size (what prepare_payload makes); otherwise leaves out alone and returns
// false (the caller sends it with Beast).
bool append_head(std::string& out, const Response& res);

}  // namespace routecat::admin::wire
