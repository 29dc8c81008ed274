"""
What citelibre-install-war does to a site besides unpacking it, at image build time. Each command prints
one line per change it made, for the build log.

  site_install.py digest WAR                 the site's content digest (the toolkit's siteContentDigest)
  site_install.py keep-descriptors WAR DIR   after the javax -> jakarta migration: puts back, as the site
                                             wrote them, the descriptors that libraries inside the site read
                                             with their own (javax-era) schemas
  site_install.py plugins DIR                the site's plugins, one a line: name|version|needs a pool (0/1)
  site_install.py reroot DIR                 paths in WEB-INF/conf/**/*.properties that point outside this
                                             webapp (its author's machine) re-rooted here; log4j 1.2 file
                                             appenders sent to the console
"""
import hashlib
import io
import os
import re
import sys
import xml.etree.ElementTree as ET
import zipfile


def digest(war: str) -> str:
    """sha256 of "name NUL size NUL crc32-hex" per file entry ('\\' read as '/', no leading '/'), ordered
    by their UTF-8 bytes, joined by newlines: the toolkit's siteContentDigest (scripts/bundle/site-facts.ts)."""
    with zipfile.ZipFile(war) as z:
        lines = []
        for i in z.infolist():
            name = i.filename.replace("\\", "/").lstrip("/")
            if not name.endswith("/"):
                lines.append(f"{name}\0{i.file_size}\0{i.CRC:x}".encode("utf-8"))
    return hashlib.sha256(b"\n".join(sorted(lines))).hexdigest()


# Descriptors read by a library inside the site, by their root element: the migration rewrites their
# namespace to the jakarta one, which Hibernate Validator 6's parser does not know ("HV000100: Unable to
# parse META-INF/validation.xml ... cvc-elt.1.a"), and their content names no javax class or property the
# migration renamed. (JPA's persistence.xml does name javax.persistence.* properties, which a migrated
# provider reads as jakarta.persistence.*: it is left as the migration wrote it.) Descriptors inside the
# site's jars are left as the migration wrote them too.
LIBRARY_DESCRIPTORS = {
    "validation-config": "bean validation configuration (Hibernate Validator)",
    "constraint-mappings": "bean validation constraint mapping (Hibernate Validator)",
}


def root_element(data: bytes):
    try:
        for _, element in ET.iterparse(io.BytesIO(data), events=("start",)):
            return element.tag.split("}")[-1]
    except ET.ParseError:
        return None
    return None


def keep_descriptors(war: str, webapp: str) -> None:
    with zipfile.ZipFile(war) as z:
        for info in z.infolist():
            name = info.filename.lstrip("/")
            if info.is_dir() or not name.endswith(".xml") or ".." in name.split("/"):
                continue
            target = os.path.join(webapp, name)
            if not os.path.isfile(target) or os.path.islink(target):
                continue
            original = z.read(info)
            kind = LIBRARY_DESCRIPTORS.get(root_element(original) or "")
            if not kind:
                continue
            with open(target, "rb") as f:
                if f.read() == original:
                    continue
            with open(target, "wb") as f:
                f.write(original)
            print(f"kept {name} as the site wrote it: a {kind}, read by a library inside the site with its own schema")


NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
VERSION = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9_.+-]{0,63})?$")


def plugins(webapp: str) -> None:
    folder = os.path.join(webapp, "WEB-INF", "plugins")
    if not os.path.isdir(folder):
        return
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if not entry.endswith(".xml") or not os.path.isfile(path):
            continue
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            sys.exit(f"the plugin descriptor WEB-INF/plugins/{entry} is not well-formed XML ({e}): rebuild the site, or remove that descriptor")
        if root.tag != "plug-in":
            sys.exit(f"WEB-INF/plugins/{entry} is not a plugin descriptor (its root element is <{root.tag}>): rebuild the site, or remove that file")
        name = (root.findtext("name") or "").strip()
        version = (root.findtext("version") or "").strip()
        pool = (root.findtext("db-pool-required") or "0").strip()
        if not NAME.match(name) or not VERSION.match(version):
            sys.exit(f"WEB-INF/plugins/{entry} names its plugin {name[:80]!r} version {version[:80]!r}: not a plugin name and version; rebuild the site, or remove that descriptor")
        # '|' cannot be in a name or a version, and an empty version stays a field of its own.
        print(f"{name}|{version}|{1 if pool == '1' else 0}")


# A value that is an absolute path (POSIX, or a Windows drive) with a WEB-INF segment: written by
# autoInit on the machine where the site first started.
# ("/WEB-INF/templates", relative to the webapp, is Lutece's own way and stays.)
FOREIGN_PATH = re.compile(r"^(?:[A-Za-z]:)?[/\\].+?[/\\]WEB-INF([/\\].*)?$")
# Another machine's home folder without a WEB-INF segment: said, not guessed at.
FOREIGN_HOME = re.compile(r"^(?:/home/|/Users/|[A-Za-z]:\\)")
LOG4J_FILE_APPENDER = re.compile(r"^org\.apache\.log4j\.(?:Rolling|DailyRolling)?FileAppender$")
# What a file appender has and a console appender does not.
LOG4J_FILE_ONLY = {"file", "append", "maxfilesize", "maxbackupindex", "datepattern", "bufferedio", "buffersize"}


def unescape(raw: str) -> str:
    """A .properties value as java.util.Properties reads it (\\t \\n \\uXXXX, any other \\x is x)."""
    def one(m):
        c = m.group(1)
        if c.startswith("u"):
            return chr(int(c[1:], 16))
        return {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(c, c)
    return re.sub(r"\\(u[0-9A-Fa-f]{4}|.)", one, raw)


def continues(line: str) -> bool:
    """An odd number of trailing backslashes continues a line."""
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def logical_lines(text: str):
    """(first physical line index, last index, key, raw value) of each key of a .properties text."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        start = i
        line = lines[i].rstrip("\r")
        stripped = line.lstrip()
        # A comment never continues (Properties.load), whatever it ends with.
        if stripped and stripped[0] not in "#!":
            while continues(line) and i + 1 < len(lines):
                i += 1
                line = line[:-1] + lines[i].rstrip("\r").lstrip()
            m = re.match(r"^\s*((?:\\.|[^=:\s\\])+)\s*[=:\s]?\s*(.*)$", line)
            if m:
                yield start, i, unescape(m.group(1)), m.group(2)
        i += 1


def reroot_file(path: str, webapp: str, relative: str) -> None:
    with open(path, encoding="iso-8859-1") as f:
        text = f.read()
    lines = text.split("\n")
    replace = {}
    appenders = set()
    for start, end, key, value in logical_lines(text):
        if key.startswith("log4j.appender.") and key.count(".") == 2 and LOG4J_FILE_APPENDER.match(value.strip()):
            appenders.add(key[len("log4j.appender."):])
    for start, end, key, value in logical_lines(text):
        plain = unescape(value).strip()
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "log4j" and parts[1] == "appender" and parts[2] in appenders:
            replace[(start, end)] = f"{key}=org.apache.log4j.ConsoleAppender"
            print(f"{relative}: log4j appender {parts[2]} writes to the console (it wrote to a file)")
            continue
        if len(parts) == 4 and parts[:2] == ["log4j", "appender"] and parts[2] in appenders and parts[3].lower() in LOG4J_FILE_ONLY:
            replace[(start, end)] = None
            continue
        m = FOREIGN_PATH.match(plain)
        # A list of paths is not guessed at.
        if m and not plain.startswith(webapp + "/") and not re.search(r"[,;]", plain):
            rerooted = webapp + "/WEB-INF" + (m.group(1) or "").replace("\\", "/")
            replace[(start, end)] = f"{key}={rerooted}"
            print(f"{relative}: {key} pointed to {plain[:200]}, outside this webapp: now {rerooted}")
        elif FOREIGN_HOME.match(plain):
            print(f"warning: {relative}: {key} points to {plain[:200]}, a folder of another machine that is not in this webapp: left as it is")
    if not replace:
        return
    out, i = [], 0
    spans = sorted(replace)
    for (start, end) in spans:
        out.extend(lines[i:start])
        if replace[(start, end)] is not None:
            out.append(replace[(start, end)])
        i = end + 1
    out.extend(lines[i:])
    with open(path, "w", encoding="iso-8859-1") as f:
        f.write("\n".join(out))


def reroot(webapp: str) -> None:
    conf = os.path.join(webapp, "WEB-INF", "conf")
    for folder, _, files in os.walk(conf):
        for name in sorted(files):
            path = os.path.join(folder, name)
            if name.endswith(".properties") and os.path.isfile(path) and not os.path.islink(path):
                reroot_file(path, webapp, os.path.relpath(path, webapp))


def main() -> None:
    command, args = sys.argv[1], sys.argv[2:]
    if command == "digest":
        print(digest(args[0]))
    elif command == "keep-descriptors":
        keep_descriptors(args[0], args[1])
    elif command == "plugins":
        plugins(args[0])
    elif command == "reroot":
        reroot(args[0])
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
