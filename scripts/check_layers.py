#!/usr/bin/python3
"""check_layers.py — the module layering of kbroker, as a test.

Reads every `#include "..."` of every .c and .h file in the tree, maps the including file
and the included header to their modules (the table below), and fails with file:line for
each include of a module that the including module may not depend on. An include that does
not resolve to a file of the tree, or a file that belongs to no module, fails too, so a new
directory has to be placed in the table before it builds on anything.

    scripts/check_layers.py              check the tree (exit 1 on any violation)
    scripts/check_layers.py --print      print the table (what `make layers` shows)
    scripts/check_layers.py --self-test  prove the check catches a wrong include

The table is the one place the allowed dependencies are written down.
"""
import os
import re
import sys
import tempfile

# module          files (path prefixes; the longest match wins)   may include (besides itself)
LAYERS = """
common            common/                                          -
conf              conf/                                            common
net               net/                                             common
auth              auth/                                            common
log               log/                                             conf common
coord             coord/                                           auth net conf common
group             group/                                           log net conf common
txn               txn/                                             log net conf common
server/core       server/core/                                     group txn coord auth log net conf common
server/replica    server/replica/                                  server/core group txn coord auth log net conf common
server/coordsvc   server/coordsvc/                                 server/replica server/core group txn coord auth log net conf common
server/api        server/api/                                      server/coordsvc server/replica server/core group txn coord auth log net conf common
server/assembly   server/core/main.c server/core/broker.c          server/api server/coordsvc server/replica server/core group txn coord auth log net conf common
tools             tools/                                           coord auth net conf common
tests             tests/                                           *
"""

NOTES = """\
server/assembly: main.c and broker.c start and stop everything (logs before ZooKeeper,
the metadata sync that drives partitions), so they sit above the other server layers even
though they live in server/core/; every other file of server/core/ is below server/replica/.
"""

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SKIP_DIRS = {".git", "build", "bin", "node_modules", "run"}


def parse_table(text=LAYERS):
    """Returns (modules in order, {prefix: module}, {module: set of allowed or {'*'}})."""
    order, prefixes, allowed = [], {}, {}
    for line in text.strip().splitlines():
        words = line.split()
        name = words[0]
        # prefixes end at the first word that is a module name, '-' or '*'
        i = 1
        while i < len(words) and words[i] not in ("-", "*") and not looks_like_module(words[i], text):
            prefixes[words[i]] = name
            i += 1
        deps = set(w for w in words[i:] if w != "-")
        order.append(name)
        allowed[name] = deps
    for name, deps in allowed.items():
        unknown = deps - set(order) - {"*"}
        if unknown:
            raise SystemExit(f"check_layers: {name} names unknown modules {sorted(unknown)}")
    return order, prefixes, allowed


def looks_like_module(word, text):
    return any(line.split()[0] == word for line in text.strip().splitlines())


def module_of(path, prefixes):
    best = None
    for p, m in prefixes.items():
        if (path == p or (p.endswith("/") and path.startswith(p))) and (
            best is None or len(p) > len(best[0])
        ):
            best = (p, m)
    return best[1] if best else None


def source_files(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith("."))
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.relpath(os.path.join(d, f), root)


def resolve(root, src, inc):
    """The included file relative to root: next to the includer first, then -I. (root)."""
    for cand in (os.path.join(os.path.dirname(src), inc), inc):
        norm = os.path.normpath(cand)
        if not norm.startswith("..") and os.path.isfile(os.path.join(root, norm)):
            return norm
    return None


def check(root, text=LAYERS):
    """Returns the list of violations, each 'path:line: message'."""
    _, prefixes, allowed = parse_table(text)
    errors = []
    for src in source_files(root):
        mod = module_of(src, prefixes)
        if mod is None:
            errors.append(f"{src}:1: file belongs to no module of the layer table")
            continue
        with open(os.path.join(root, src), encoding="utf-8", errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                tgt = resolve(root, src, m.group(1))
                if tgt is None:
                    errors.append(f'{src}:{lineno}: "{m.group(1)}" is not a file of the tree')
                    continue
                tmod = module_of(tgt, prefixes)
                if tmod is None:
                    errors.append(f"{src}:{lineno}: {tgt} belongs to no module of the layer table")
                elif tmod != mod and "*" not in allowed[mod] and tmod not in allowed[mod]:
                    may = " ".join(sorted(allowed[mod])) or "nothing"
                    errors.append(
                        f"{src}:{lineno}: {mod} may not include {tgt} (module {tmod}); "
                        f"{mod} may include: {may}"
                    )
    return errors


def print_table():
    order, prefixes, allowed = parse_table()
    print("Module layering (scripts/check_layers.py; a module may include only what it lists):")
    for name in order:
        files = " ".join(p for p, m in prefixes.items() if m == name)
        deps = allowed[name]
        shown = "anything" if "*" in deps else (", ".join(d for d in order if d in deps) or "nothing")
        print(f"  {name:<16} {files:<42} -> {shown}")
    print(NOTES, end="")


def self_test():
    """A tiny tree with one allowed and one forbidden include: exactly the forbidden one fails."""
    with tempfile.TemporaryDirectory() as root:
        files = {
            "net/kp.h": "",
            "common/kb.h": "",
            "log/log.c": '#include "../common/kb.h"\n#include "log.h"\n\n#include "../net/kp.h"\n',
            "log/log.h": "",
            "server/core/main.c": '#include "../api/h.h"\n',
            "server/api/h.h": "",
            "server/core/dispatch.c": '#include "../api/h.h"\n',
        }
        for path, body in files.items():
            os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as f:
                f.write(body)
        got = check(root)
        want = ["log/log.c:4: log may not include net/kp.h",
                "server/core/dispatch.c:1: server/core may not include server/api/h.h"]
        ok = len(got) == len(want) and all(g.startswith(w) for g, w in zip(sorted(got), want))
        print("self-test:", "ok, planted wrong includes caught:" if ok else "FAILED, got:")
        for g in got:
            print("  " + g.split(";")[0])
        return ok


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if "--print" in argv:
        print_table()
        return 0
    if "--self-test" in argv:
        return 0 if self_test() else 1
    errors = check(root)
    for e in errors:
        print(e)
    if errors:
        print(f"check_layers: {len(errors)} include(s) break the layering (scripts/check_layers.py --print)")
        return 1
    print(f"check_layers: every include of {sum(1 for _ in source_files(root))} files follows the layering")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
