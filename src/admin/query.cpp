#include "admin/query.hpp"
