"""
Sets keys in a Java .properties file without touching its other lines. Values come from environment
variables named on the command line (never from argv, so secrets do not show in `ps`), and are escaped
for the .properties format: any character, '/', '&', quotes, '=' or ':' included, arrives as given.

usage: set-properties.py FILE key=ENV_VAR [key=ENV_VAR ...]
"""
import os
import sys
import tempfile


def escape(value: str) -> str:
    out = []
    for i, ch in enumerate(value):
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch in "=:#!" or (ch == " " and i == 0):
            out.append("\\" + ch)
        elif ord(ch) > 0xFFFF:
            # Java's \\u escapes are UTF-16 code units: a character beyond the first plane (an emoji) is
            # written as its surrogate pair.
            high, low = divmod(ord(ch) - 0x10000, 0x400)
            out.append("\\u%04x\\u%04x" % (0xD800 + high, 0xDC00 + low))
        elif ord(ch) < 0x20 or ord(ch) > 0x7E:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def key_of(line: str):
    stripped = line.lstrip()
    if not stripped or stripped[0] in "#!":
        return None
    key = []
    i = 0
    while i < len(stripped):
        ch = stripped[i]
        if ch == "\\" and i + 1 < len(stripped):
            key.append(stripped[i + 1])
            i += 2
            continue
        if ch in "=: \t":
            break
        key.append(ch)
        i += 1
    return "".join(key)


def main():
    path, pairs = sys.argv[1], sys.argv[2:]
    wanted = {}
    for pair in pairs:
        key, var = pair.split("=", 1)
        if var in os.environ:
            wanted[key] = os.environ[var]
    lines = open(path, encoding="iso-8859-1").read().splitlines() if os.path.exists(path) else []
    out, done = [], set()
    continued = False
    for line in lines:
        if continued:
            continued = line.endswith("\\")
            if skip:
                continue
            out.append(line)
            continue
        k = key_of(line)
        skip = k in wanted
        continued = line.endswith("\\") and not line.endswith("\\\\")
        if skip:
            if k not in done:
                out.append(f"{escape(k)}={escape(wanted[k])}")
                done.add(k)
            continue
        out.append(line)
    for k, v in wanted.items():
        if k not in done:
            out.append(f"{escape(k)}={escape(v)}")
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".props-")
    with os.fdopen(fd, "w", encoding="iso-8859-1") as f:
        f.write("\n".join(out) + "\n")
    st = os.stat(path) if os.path.exists(path) else None
    if st:
        os.chown(tmp, st.st_uid, st.st_gid)
        os.chmod(tmp, st.st_mode & 0o777)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
