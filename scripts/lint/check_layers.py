#!/usr/bin/env python3
"""Fails on any #include that crosses routecat's layers upwards (DESIGN.md "Layers").

    check_layers.py [ROOT]      ROOT: a tree with include/routecat/ and src/ (default: this repo)

Every header under include/routecat/ and every file under src/ belongs to one layer (LOCATIONS,
longest prefix wins). A file may include the public headers of its own layer and of the layers in
ALLOWED[its layer], and the private headers (src/<folder>/...) of its own layer only. Anything else
is printed as `path:line: <layer> includes <header> (<layer>)` and the exit code is 1. The CMake
targets enforce the same graph at link time; this check also catches header-only crossings.
"""
import os
import re
import sys

# Where each layer lives; longest prefix wins. core owns what no other entry claims.
LOCATIONS = [
    ("include/routecat/store/rocksdb_store.hpp", "rocksdb"),
    ("include/routecat/store/etcd_store.hpp", "etcd"),
    ("include/routecat/store/make_store.hpp", "store_factory"),
    ("include/routecat/catalog/", "catalog"),
    ("include/routecat/json/", "json"),
    ("include/routecat/mirror/", "mirror"),
    ("include/routecat/admin/", "admin"),
    ("include/routecat/daemon/", "daemon"),
    ("include/routecat/", "core"),
    ("src/core/", "core"),
    ("src/catalog/", "catalog"),
    ("src/rocksdb/", "rocksdb"),
    ("src/etcd/", "etcd"),
    ("src/json/", "json"),
    ("src/mirror/", "mirror"),
    ("src/admin/", "admin"),
    ("src/store_factory/", "store_factory"),
    ("src/daemon/", "daemon"),
    ("src/tools/", "tools"),
]

# The layers each layer may use besides itself: data flows down, never up.
ALLOWED = {
    "core": set(),
    "catalog": {"core"},
    "rocksdb": {"core"},
    "etcd": {"core"},
    "json": {"core"},
    "mirror": {"core", "json"},
    "admin": {"core", "catalog", "json"},
    "store_factory": {"core", "rocksdb", "etcd"},
    "daemon": {"core", "catalog", "rocksdb", "etcd", "json", "mirror", "admin", "store_factory"},
    "tools": {"core", "catalog", "rocksdb", "etcd", "json", "mirror", "admin", "store_factory", "daemon"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
SOURCE_SUFFIXES = (".hpp", ".cpp", ".h")


def layer_of(path):
    best = None
    for prefix, layer in LOCATIONS:
        if path.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, layer)
    return best[1] if best else None


def target_of(included, root):
    """(layer, private) of an #include'd path, or None for a header outside routecat."""
    if included.startswith("routecat/"):
        return layer_of("include/" + included), False
    folder = included.split("/", 1)[0]
    if "/" in included and os.path.isdir(os.path.join(root, "src", folder)):
        return layer_of("src/" + included), True
    return None


def files(root):
    for top in ("include/routecat", "src"):
        for directory, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if name.endswith(SOURCE_SUFFIXES):
                    yield os.path.relpath(os.path.join(directory, name), root).replace(os.sep, "/")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    root = os.path.abspath(root)
    problems, checked = [], 0
    for path in files(root):
        layer = layer_of(path)
        if layer is None:
            problems.append(f"{path}: not in any layer (add it to LOCATIONS in {os.path.basename(__file__)})")
            continue
        checked += 1
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                match = INCLUDE.match(line)
                target = match and target_of(match.group(1), root)
                if not target:
                    continue
                to, private = target
                if to == layer:
                    continue
                if private:
                    problems.append(f"{path}:{number}: {layer} includes {match.group(1)}, a private header of {to}")
                elif to not in ALLOWED[layer]:
                    allowed = ", ".join(sorted(ALLOWED[layer])) or "nothing below it"
                    problems.append(f"{path}:{number}: {layer} includes {match.group(1)} ({to}); "
                                    f"{layer} may use {allowed}")
    for p in problems:
        print(p)
    if problems:
        print(f"layers: {len(problems)} upward or private include(s) in {checked} files")
        return 1
    print(f"layers: {checked} files, every include goes down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
