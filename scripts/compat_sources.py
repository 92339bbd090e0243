#!/usr/bin/python3
"""Prints deb-src entries (deb822) derived from this machine's apt sources, for
scripts/compat.sh: every enabled "deb" entry, one-line (sources.list, *.list) or deb822
(*.sources), whose suite is the running Debian release, with its type changed to deb-src.
No mirror address is written anywhere but the generated file.

Usage: compat_sources.py OWN_FILE   (OWN_FILE, the generated file, is not read back)
Exit 1 with a message when no entry qualifies."""

import glob
import re
import sys


def codename(os_release="/etc/os-release"):
    with open(os_release) as f:
        for line in f:
            if line.startswith("VERSION_CODENAME="):
                return line.split("=", 1)[1].strip().strip('"')
    return ""


def one_line_entries(text, release):
    """deb822 stanzas for the one-line `deb [opts] URI suite components` entries of release."""
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.match(r"deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$", line)
        if not m or m.group(3) != release:
            continue
        st = ["Types: deb-src", "URIs: " + m.group(2), "Suites: " + m.group(3),
              "Components: " + m.group(4)]
        sb = re.search(r"signed-by=(\S+)", (m.group(1) or "").strip("[] \t"))
        if sb:
            st.append("Signed-By: " + sb.group(1))
        out.append("\n".join(st))
    return out


def deb822_entries(text, release):
    """The deb822 stanzas of release, type deb-src, other suites dropped."""
    out = []
    for stanza in re.split(r"\n\s*\n", text):
        fields, order = {}, []
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            k, v = line.split(":", 1)
            fields[k.strip()] = v.strip()
            order.append(k.strip())
        if "deb" not in fields.get("Types", "").split():
            continue
        if fields.get("Enabled", "yes").lower() == "no":
            continue
        if release not in fields.get("Suites", "").split():
            continue
        fields["Types"] = "deb-src"
        fields["Suites"] = release
        out.append("\n".join("%s: %s" % (k, fields[k]) for k in order))
    return out


def derive(release, list_files, sources_files):
    out = []
    for path in list_files:
        try:
            with open(path) as f:
                out += one_line_entries(f.read(), release)
        except OSError:
            continue
    for path in sources_files:
        with open(path) as f:
            out += deb822_entries(f.read(), release)
    return out


def main():
    own = sys.argv[1] if len(sys.argv) > 1 else ""
    release = codename()
    if not release:
        sys.exit("compat: no VERSION_CODENAME in /etc/os-release")
    lists = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list"))
    sources = [p for p in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")) if p != own]
    out = derive(release, lists, sources)
    if not out:
        sys.exit("compat: no apt source entry for Debian %s to derive a deb-src entry from"
                 % release)
    print("# written by kbroker scripts/compat.sh: deb-src entries derived from this machine's")
    print("# apt sources, for `apt-get source librdkafka`")
    print("\n\n".join(out))


if __name__ == "__main__":
    main()
