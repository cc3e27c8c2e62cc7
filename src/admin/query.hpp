#pragma once
// Query-string parameters of the admin API (keys, numbers, durations), parsed with Boost.URL.
