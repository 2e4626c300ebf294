"""Gopher over loopback against the real binary: DESIGN.md section 6,
with curl and lynx from Debian as real clients where installed."""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import Tap, Server, copy_capsule, menu_lines  # noqa: E402

t = Tap()
top = os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__),
                                                 "..", ".."))
work = tempfile.mkdtemp(prefix="capsuled-gopher-")
root = os.path.join(work, "root")
copy_capsule(os.path.join(top, "capsule"), root)
os.makedirs(os.path.join(root, "plain", "sub"))
with open(os.path.join(root, "plain", "a.txt"), "w") as f:
    f.write("alpha\n.\nlast line without a dot-stuffing\n")
with open(os.path.join(root, "plain", "pic.gif"), "wb") as f:
    f.write(b"GIF89a" + bytes(range(256)))
with open(os.path.join(root, "plain", ".hidden"), "w") as f:
    f.write("hidden\n")
os.makedirs(os.path.join(root, "mapped"))
with open(os.path.join(root, "mapped", "gophermap"), "w") as f:
    f.write("Welcome to a hand-written menu\n"
            "0Notes\tnotes.txt\n"
            "1Elsewhere\t/plain/\texample.org\t70\n"
            "hA web link\tURL:https://example.org/\n")
with open(os.path.join(root, "mapped", "notes.txt"), "w") as f:
    f.write("notes\n")
with open(os.path.join(work, "outside.txt"), "w") as f:
    f.write("outside the root\n")
os.symlink(os.path.join(work, "outside.txt"), os.path.join(root, "escape.txt"))
os.symlink(work, os.path.join(root, "escape-dir"))

srv = Server(root)
P = srv.gopher_port


def is_error(data):
    return data.startswith(b"3") and data.endswith(b".\r\n") and \
        data.count(b"\r\n") == 2


# Menus.
root_menu = srv.gopher("")
lines, problems = menu_lines(root_menu)
t.ok(lines and not problems, "root menu well formed", problems or root_menu)
t.eq(srv.gopher("/"), root_menu, "'/' is the root")
t.eq(srv.gopher_raw(b"\n"), root_menu, "bare LF accepted")
t.eq(srv.gopher_raw(b"/\t$\r\n"), root_menu, "Gopher+ '$' suffix tolerated")
t.eq(srv.gopher_raw(b"\t+\r\n"), root_menu, "Gopher+ '+' suffix tolerated")
for ln in lines:
    if ln.startswith(b"i"):
        continue
    t.ok(ln.split(b"\t")[2] == b"localhost" and
         ln.split(b"\t")[3] == str(P).encode(),
         "item names our host and port: %r" % ln[:40])
    break

m = srv.gopher("/plain/")
lines, problems = menu_lines(m)
t.ok(not problems, "directory menu well formed", problems)
t.ok(b"0a.txt\t/plain/a.txt\tlocalhost\t%d" % P in lines,
     "text file listed as type 0", m)
t.ok(b"gpic.gif\t/plain/pic.gif\tlocalhost\t%d" % P in lines,
     "GIF listed as type g", m)
t.ok(b"1sub/\t/plain/sub/\tlocalhost\t%d" % P in lines,
     "subdirectory listed as type 1", m)
t.ok(not any(b".hidden" in ln for ln in lines), "hidden files not listed")
t.eq(srv.gopher("/plain"), m, "directory without trailing slash")
t.eq(srv.gopher("/1/plain/"), m, "'/1/' type prefix stripped")

m = srv.gopher("/mapped/")
lines, problems = menu_lines(m)
t.ok(not problems, "gophermap file served as a well-formed menu", problems)
t.ok(lines and lines[0].startswith(b"iWelcome to a hand-written menu\t"),
     "gophermap text becomes info lines", m)
t.ok(b"0Notes\t/mapped/notes.txt\tlocalhost\t%d" % P in lines,
     "relative selector made absolute, host and port filled", m)
t.ok(b"1Elsewhere\t/plain/\texample.org\t70" in lines,
     "explicit host and port kept", m)

# Files are sent exactly, without dot-stuffing or a lastline.
with open(os.path.join(root, "plain", "a.txt"), "rb") as f:
    t.eq(srv.gopher("/plain/a.txt"), f.read(), "text file bytes exact")
with open(os.path.join(root, "plain", "pic.gif"), "rb") as f:
    t.eq(srv.gopher("/plain/pic.gif"), f.read(), "binary file bytes exact")
t.eq(srv.gopher("plain/a.txt"), srv.gopher("/plain/a.txt"),
     "selector without leading slash")
t.eq(srv.gopher("/plain/%61.txt"), srv.gopher("/plain/a.txt"),
     "percent-decoding")

# Errors.
e = srv.gopher("/nope")
t.ok(is_error(e), "missing selector: one-line type-3 menu", e)
t.ok(e.split(b"\t")[2:] == [b"error.host", b"1\r\n.\r\n"],
     "error line fields", e)
t.ok(is_error(srv.gopher("/plain/.hidden")), "hidden file refused")
t.ok(is_error(srv.gopher("/" + "a" * 1100)), "selector over 1 KB refused")
for sel in ["/../outside.txt", "/%2e%2e/outside.txt", "/plain/../../outside.txt",
            "/..%2Foutside.txt", "/escape.txt", "/escape-dir/outside.txt"]:
    d = srv.gopher(sel)
    t.ok(is_error(d) and b"outside the root" not in d,
         "traversal refused: %s" % sel, d)
t.ok(is_error(srv.gopher_raw(b"/plain/a.txt\x00\r\n")), "NUL refused")

# URL: selectors give an HTML redirect page.
d = srv.gopher("URL:https://example.org/?a=<b>&c=\"d\"")
t.ok(b"<meta http-equiv=\"refresh\"" in d.lower() or b"refresh" in d,
     "URL: selector answers an HTML redirect", d)
t.ok(b"<b>" not in d, "URL is escaped in the HTML", d)
t.ok(is_error(srv.gopher("URL:javascript:alert(1)")),
     "javascript: URL refused")

# A client that sends no line end and closes its side.
t.eq(srv.gopher_raw(b"/plain/a.txt", shut=True), srv.gopher("/plain/a.txt"),
     "request without a line end, then EOF")

# Over IPv6.
t.eq(srv.gopher("/plain/a.txt", addr="::1"), srv.gopher("/plain/a.txt"),
     "same answer over ::1")

# Real clients.
if shutil.which("curl"):
    out = subprocess.run(["curl", "-sS", "--max-time", "5",
                          "gopher://127.0.0.1:%d/1/plain/" % P],
                         capture_output=True, timeout=20).stdout
    t.eq(out, srv.gopher("/plain/"), "curl gopher:// gets the exact menu")
    out = subprocess.run(["curl", "-sS", "--max-time", "5",
                          "gopher://127.0.0.1:%d/0/plain/a.txt" % P],
                         capture_output=True, timeout=20).stdout
    with open(os.path.join(root, "plain", "a.txt"), "rb") as f:
        t.eq(out, f.read(), "curl gets the exact text file")
else:
    t.skip("curl gopher://", "curl not installed")
if shutil.which("lynx"):
    env = dict(os.environ, HOME=work, TERM="dumb")
    out = subprocess.run(["lynx", "-dump", "-display_charset=utf-8",
                          "gopher://127.0.0.1:%d/1/plain/" % P],
                         capture_output=True, timeout=30, env=env
                         ).stdout.decode("utf-8", "replace")
    t.ok("(FILE)" in out and "a.txt" in out and "(DIR)" in out and "sub" in out,
         "lynx -dump shows the menu as a reader sees it", out)
else:
    t.skip("lynx -dump", "lynx not installed")

t.ok(srv.alive(), "daemon alive after all cases")
t.eq(srv.stop(), 0, "SIGTERM: clean exit")
srv.cleanup()
shutil.rmtree(work, ignore_errors=True)
t.done()
