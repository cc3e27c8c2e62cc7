#!/usr/bin/env python3
"""Fails on the coroutine shapes that g++ 12 mis-compiles (README "Design notes").

    check_coroutines.py DIR_OR_FILE...

Scans the .cpp/.hpp/.h files given or found below the directories; prints each finding as
`path:line: <shape>: <text>` and exits 1, else prints one OK line and exits 0. Standard library only.

About g++ 12.2.0 (Debian 12), C++20, Boost 1.81 asio::awaitable: each rule below was reproduced with
minimal programs at -O0 and -O2 with ASan + UBSan (and -O2 alone: glibc aborts on the double free).
The "full expression" of a co_await is the statement (or if/for/while/switch condition) holding it,
before and after it; a co_await in a lambda body belongs to that body, not to the statement that
holds the lambda. Without types the lint cannot tell the failing cases from their harmless twins
(trivially destructible values, constructors instead of aggregates), so each rule flags the whole
syntactic family. The fix is always the same: build the value in a named local first, or if/else.

braced-init-co_await: a braced initializer list that contains co_await (not in a nested lambda
    body): `Snapshot s{v, co_await read(), ts}`, `T x = {co_await a()}`, `co_return Pair{co_await
    a(), 1}`, `f({co_await a()})`. An aggregate built so is destroyed twice (ASan use-after-free,
    double free); an initializer list does not compile ("array used as initializer"). Braces that
    call a constructor (`std::string x{co_await a()}`) work but are flagged too. The C++20
    parenthesised form `Pair(co_await a(), 1)` of an aggregate fails as well and is not detected.
temporary-in-co_await: in the full expression of a co_await,
    - a lambda that captures by copy (`[k]`, `[=]`, `[k = std::move(k)]`, `[this, ts]`, `[*this]`):
      the closure is destroyed twice. A closure of only `this` and by-reference captures (`[this]`,
      `[&]`, `[&k]`) is trivially destructible and works: not flagged. A named lambda, passed by
      copy or std::move, works.
    - a braced initializer list (`Pair{s, 1}`, `{s, 1}`, `{}`, `std::vector<int>{1, 2}`): an aggregate
      temporary is destroyed twice, an initializer list does not compile ("array used as
      initializer", the README's "string literals": `{Mutation::put("k", "v")}`).
    A string literal itself is fine and not flagged: bound to a std::string, std::optional<std::string>,
    const std::string&, std::string_view or const char* parameter, or as std::string("lit").
conditional-co_await: a conditional operator `?:` in the full expression of a co_await. With
    co_await in one branch or both, the result is freed before it is used; a `?:` whose result is a
    class-type temporary next to a co_await (`co_await (c ? a() : b())`, `co_await f(c ? make() : s)`,
    `(c ? make() : s) + co_await g()`) is destroyed twice. Lvalue or scalar results, with co_await
    only in the condition, work but are flagged too.
"""
import os
import re
import sys

SOURCE_SUFFIXES = (".cpp", ".hpp", ".h")

TOKEN = re.compile(r"""
    (?P<space>[ \t\r\f\v]+|\\\n|\n)
  | (?P<comment>//(?:\\\n|[^\n])*|/\*.*?\*/)
  | (?P<raw>(?:u8|u|U|L)?R"(?P<delim>[^ ()\\\t\n]{0,16})\(.*?\)(?P=delim)"\w*)
  | (?P<str>(?:u8|u|U|L)?"(?:[^"\\\n]|\\.)*"\w*)
  | (?P<chr>(?:u8|u|U|L)?'(?:[^'\\\n]|\\.)*'\w*)
  | (?P<num>\.?\d(?:[\w.]|'(?=\w)|(?<=[eEpP])[+-])*)
  | (?P<id>[A-Za-z_]\w*)
  | (?P<op>::|->|\.\.\.|&&|\|\||<<|[-+*/%^&|<>!=]=|\+\+|--|.)
""", re.X | re.S)
DIRECTIVE_REST = re.compile(r"(?:\\\n|[^\n])*")


class Tok:
    __slots__ = ("text", "kind", "line", "start", "end")

    def __init__(self, text, kind, line, start, end):
        self.text, self.kind, self.line, self.start, self.end = text, kind, line, start, end


def tokenize(src):
    """C++ tokens without comments, whitespace and preprocessor directives."""
    toks, pos, line, line_start = [], 0, 1, True
    while pos < len(src):
        m = TOKEN.match(src, pos)
        kind, text = m.lastgroup, m.group()
        if kind == "op" and text == "#" and line_start:  # a directive: skip to its end
            m = DIRECTIVE_REST.match(src, pos)
            text, kind = m.group(), "space"
        if kind not in ("space", "comment"):
            toks.append(Tok(text, "str" if kind == "raw" else kind, line, pos, m.end()))
            line_start = False
        line += text.count("\n")
        if "\n" in text.replace("\\\n", "") and kind != "raw":
            line_start = True
        pos = m.end()
    return toks


OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {")", "]", "}"}
# Words after which `{` opens a block, and after which `[` starts a lambda, not a subscript.
BLOCK_WORDS = {"else", "do", "try", "const", "noexcept", "override", "final", "mutable", "constexpr",
               "consteval", "volatile", "namespace"}
EXPR_WORDS = {"return", "co_return", "co_yield", "co_await", "throw", "new", "delete", "case", "sizeof",
              "and", "or", "not"} | BLOCK_WORDS
CLASS_KEYS = {"class", "struct", "union", "enum", "namespace"}
CONTROL = {"if", "for", "while", "switch", "catch", "constexpr"}


class Source:
    """Tokens with their bracket structure: match[i] pairs brackets, parent[i] is the index of the
    innermost open bracket around token i (-1 at file level), kind[i] of a bracket is one of
    '(', '[', 'block' or 'init' (a braced initializer list), lambda[i] marks lambda introducers."""

    def __init__(self, text):
        self.text = text
        self.toks = t = tokenize(text)
        n = len(t)
        self.match, self.parent, self.kind = [-1] * n, [-1] * n, [None] * n
        self.lambda_ = [False] * n
        stack = []
        for i, tok in enumerate(t):
            self.parent[i] = stack[-1] if stack else -1
            if tok.text in OPENERS:
                if tok.text == "{":
                    self.kind[i] = self.brace_kind(i, stack)
                else:
                    self.kind[i] = tok.text
                    self.lambda_[i] = tok.text == "[" and self.is_lambda_introducer(i)
                stack.append(i)
            elif tok.text in CLOSERS and stack:
                while stack and OPENERS[t[stack[-1]].text] != tok.text and len(stack) > 1:
                    stack.pop()  # tolerate unbalanced code (macros): close what this closes
                if OPENERS[t[stack[-1]].text] == tok.text:
                    j = stack.pop()
                    self.match[j], self.match[i], self.kind[i] = i, j, self.kind[j]
                    self.parent[i] = self.parent[j]
        self.lambda_body = set()  # the `{` and `}` of every lambda body
        for i in range(n):
            if self.lambda_[i] and self.match[i] > i:
                end = self.lambda_end(i)
                if self.tx(end - 1) == "}":
                    self.lambda_body.update((end - 1, self.match[end - 1]))

    def tx(self, i):
        return self.toks[i].text if 0 <= i < len(self.toks) else ""

    def is_lambda_introducer(self, i):
        if self.tx(i + 1) == "[" or self.tx(i - 1) == "[":
            return False  # [[attribute]]
        p = self.toks[i - 1] if i > 0 else None
        if p is None or p.kind in ("str", "chr", "num"):
            return p is None
        if p.text == "}":
            return self.kind[i - 1] == "block"  # `T{}[0]` subscripts, `} [&] {...}();` is a lambda
        if p.text in (")", "]", ">", "operator") or (p.text in ("&", "&&") and self.tx(i - 2) in ("auto", "const")):
            return False  # a subscript, or a structured binding `auto& [a, b]`
        return p.kind != "id" or p.text in EXPR_WORDS

    def brace_kind(self, i, stack):
        outer = self.kind[stack[-1]] if stack else "block"
        if i == 0:
            return "block"
        p, pt = i - 1, self.tx(i - 1)
        if pt == ")":
            opener = self.match[p]
            return "init" if self.tx(opener - 1) == "decltype" else "block"
        if pt == "]":
            return "block" if self.lambda_[self.match[p]] else "init"
        if pt in (";", "{", "}"):
            return "init" if outer == "init" else "block"
        if pt == ":":
            return "block" if outer == "block" else "init"
        if pt in BLOCK_WORDS or (self.toks[p].kind == "str" and self.tx(p - 1) == "extern"):
            return "block"
        if pt in ("&", "&&") and self.tx(p - 1) in (")", "const"):
            return "block"  # ref-qualified member function
        if (self.toks[p].kind == "id" and pt not in EXPR_WORDS) or pt == ">":
            if self.tx(self.skip_type_back(p)) == "->":
                return "block"  # trailing return type of a function or lambda
            if outer == "block" and self.declares_class(p):
                return "block"
        return "init"

    def skip_type_back(self, j):
        """Index of the token before the type name that ends at token j."""
        depth = 0
        while j >= 0:
            t = self.toks[j]
            if t.text == ">":
                depth += 1
            elif t.text == "<":
                depth -= 1
                if depth < 0:
                    return j
            elif t.text == ")" and self.match[j] >= 0 and self.tx(self.match[j] - 1) == "decltype":
                j = self.match[j] - 1
            elif depth == 0 and not (t.kind == "id" and t.text not in EXPR_WORDS | CLASS_KEYS
                                     or t.text in ("::", "*", "&", "&&")):
                return j
            j -= 1
        return -1

    def declares_class(self, j):
        """Whether the statement ending at token j is a class/struct/union/enum/namespace head."""
        while j >= 0:
            t = self.tx(j)
            if t in (";", "{") or (t == "}" and self.kind[j] == "block"):
                return False
            if t in (")", "]", "}") and self.match[j] >= 0:
                j = self.match[j]
            elif t in CLASS_KEYS and self.tx(j - 1) not in ("<", ","):  # not `template <class T>`
                return True
            j -= 1
        return False

    # ---- helpers for the rules ----------------------------------------------------------------

    def in_own_body(self, i, top):
        """Whether token i lies below bracket `top` without crossing a block (a lambda body)."""
        j = self.parent[i]
        while j != top:
            if j < 0 or self.kind[j] == "block":
                return False
            j = self.parent[j]
        return True

    def statement_block(self, i):
        return self.kind[i] == "block" and i not in self.lambda_body

    def full_expression(self, i):
        """[lo, hi) of the statement or control-statement condition that contains token i."""
        top = self.parent[i]
        while top >= 0 and self.kind[top] != "block" and not (
                self.kind[top] == "(" and self.tx(top - 1) in CONTROL):
            top = self.parent[top]
        child = i
        while self.parent[child] != top:
            child = self.parent[child]
        lo = child
        while lo - 1 > top:
            t = self.tx(lo - 1)
            if t in (";", "else", "do") or (t == "}" and self.statement_block(lo - 1)) or (
                    t == ")" and self.tx(self.match[lo - 1] - 1) in CONTROL):
                break
            lo = self.match[lo - 1] if t in CLOSERS and self.match[lo - 1] >= 0 else lo - 1
        hi = self.match[child] + 1 if self.match[child] > child else child + 1
        end = self.match[top] if top >= 0 and self.match[top] >= 0 else len(self.toks)
        while hi < end:
            t = self.tx(hi)
            if t == ";" or (t == "{" and self.statement_block(hi)):
                break
            hi = self.match[hi] + 1 if t in OPENERS and self.match[hi] > hi else hi + 1
        return lo, hi

    def conditional_end(self, q):
        """One past the last token of the conditional operator whose `?` is token q (0: none)."""
        colon, k, nest, n = None, q + 1, 0, len(self.toks)
        while k < n:
            t = self.tx(k)
            if t in OPENERS and self.match[k] > k:
                k = self.match[k] + 1
                continue
            if t in CLOSERS or t == ";" or (colon is not None and t == ","):
                break
            if t == "?":
                nest += 1
            elif t == ":":
                if nest:
                    nest -= 1
                elif colon is None:
                    colon = k
                else:
                    break
            k += 1
        return k if colon is not None else 0

    def lambda_end(self, i):
        """One past the closing brace of the body of the lambda introduced at token i."""
        k = self.match[i] + 1
        while k < len(self.toks) and not (self.tx(k) == "{" and self.kind[k] == "block"):
            k = self.match[k] + 1 if self.tx(k) in OPENERS and self.match[k] > k else k + 1
        return self.match[k] + 1 if k < len(self.toks) and self.match[k] > k else k

    def initializer_start(self, j):
        """First token of `Type name{`, `Type{`, `name = {` ... for the braced list at token j."""
        k = j - 1
        if self.tx(k) == "=":
            k -= 1
        if k >= 0 and (self.toks[k].kind == "id" and self.tx(k) not in EXPR_WORDS or self.tx(k) == ">"):
            return self.skip_type_back(k) + 1
        return j

    def snippet(self, lo, hi, width=90):
        text = " ".join(self.text[self.toks[lo].start:self.toks[hi - 1].end].split())
        return text if len(text) <= width else text[:width - 3] + "..."


def copy_captures(src, i):
    """Whether the lambda introduced by `[` at token i captures anything by copy: every capture but
    `this` and the by-reference ones (`&`, `&k`, `&k = x`) does (`=`, `k`, `k = x`, `*this`)."""
    first = True
    for k in range(i + 1, src.match[i]):
        if src.parent[k] == i:
            if first and src.tx(k) not in ("&", "this"):
                return True
            first = src.tx(k) == ","
    return False


def condition_start(src, q):
    """First token of the operand chain that ends at the conditional's `?` (for the message)."""
    j = q
    while j - 1 > src.parent[q]:
        t = src.tx(j - 1)
        if t in (";", ",", "=", "return", "co_return", "co_yield", "co_await", "?", ":", "{", "}"):
            break
        j = src.match[j - 1] if t in CLOSERS and src.match[j - 1] >= 0 else j - 1
    return j


def check(text):
    """(line, shape, snippet) of every finding in one source text, in order."""
    src = Source(text)
    toks = src.toks
    awaits = [i for i, t in enumerate(toks) if t.text == "co_await"]
    findings, seen = [], set()

    def report(key, shape, lo, hi):
        if key not in seen:
            seen.add(key)
            findings.append((toks[lo].line, shape, src.snippet(lo, hi)))

    def inside_init(k, top):  # whether an enclosing list (below top) is reported instead of k
        j = src.parent[k]
        while j != top and j >= 0:
            if src.kind[j] == "init":
                return True
            j = src.parent[j]
        return False

    statements = set()
    for a in awaits:
        # braced-init-co_await: the innermost bracket around the co_await that is not a paren.
        j = src.parent[a]
        while j >= 0 and src.kind[j] in ("(", "["):
            j = src.parent[j]
        if j >= 0 and src.kind[j] == "init":
            report(("braced", j), "braced-init-co_await", src.initializer_start(j), src.match[j] + 1)
        statements.add(src.full_expression(a))
    # The other two look at everything in the full expression of a co_await, lambda bodies aside.
    for lo, hi in sorted(statements):
        top = src.parent[lo]
        for k in range(lo, hi):
            t = toks[k].text
            if not src.in_own_body(k, top):
                continue
            if src.lambda_[k] and copy_captures(src, k):
                report(("lambda", k), "temporary-in-co_await", k, src.lambda_end(k))
            elif t == "{" and src.kind[k] == "init" and not inside_init(k, top) and not any(
                    k < x < src.match[k] and src.in_own_body(x, k) for x in awaits):
                report(("braced", k), "temporary-in-co_await", src.initializer_start(k), src.match[k] + 1)
            elif t == "?" and src.conditional_end(k):
                first, end = condition_start(src, k), src.conditional_end(k)
                if src.tx(first - 1) == "(" and src.tx(first - 2) == "co_await" and src.match[first - 1] == end:
                    first, end = first - 2, end + 1  # show `co_await (c ? a() : b())` whole
                report(("cond", k), "conditional-co_await", first, end)
    return sorted(findings)


def source_files(args):
    for arg in args:
        if os.path.isdir(arg):
            for root, dirs, files in os.walk(arg):
                dirs.sort()
                for name in sorted(files):
                    if name.endswith(SOURCE_SUFFIXES):
                        yield os.path.join(root, name)
        else:
            yield arg


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print("usage: check_coroutines.py DIR_OR_FILE...", file=sys.stderr)
        return 2
    scanned, found = 0, 0
    for path in source_files(argv[1:]):
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError as e:
            print(f"check_coroutines: {e}", file=sys.stderr)
            return 2
        scanned += 1
        for line, shape, snippet in check(text):
            print(f"{path}:{line}: {shape}: {snippet}")
            found += 1
    if found:
        return 1
    print(f"check_coroutines: OK, {scanned} files scanned, none of the g++ 12 coroutine shapes found")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
