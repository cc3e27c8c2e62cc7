#pragma once
// The readable rendering of a byte key used in logs, error contexts and the admin API's "*_text"
// fields: bytes 0x20-0x7E stand for themselves except '\' (written "\\"); every other byte is "\xNN".

#include <string>
#include <string_view>

namespace routecat {

std::string key_to_text(std::string_view key);

}  // namespace routecat
