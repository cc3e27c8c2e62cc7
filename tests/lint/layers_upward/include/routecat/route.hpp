#pragma once
// Fixture of the layers check (never compiled): a core header.
