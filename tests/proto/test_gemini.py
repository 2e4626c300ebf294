"""Gemini over loopback against the real binary: DESIGN.md section 5."""

import os
import socket
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import Tap, Server, copy_capsule  # noqa: E402

t = Tap()
top = os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__),
                                                 "..", ".."))
work = __import__("tempfile").mkdtemp(prefix="capsuled-gemini-")
root = os.path.join(work, "root")
copy_capsule(os.path.join(top, "capsule"), root)
os.makedirs(os.path.join(root, "plain"))
with open(os.path.join(root, "plain", "a.txt"), "w") as f:
    f.write("alpha\n")
with open(os.path.join(root, ".secret"), "w") as f:
    f.write("hidden\n")
with open(os.path.join(work, "outside.txt"), "w") as f:
    f.write("outside the root\n")
os.symlink(os.path.join(work, "outside.txt"), os.path.join(root, "escape.txt"))
os.symlink(work, os.path.join(root, "escape-dir"))
os.symlink("files/notes.txt", os.path.join(root, "inside-link.txt"))
certs = os.path.join(work, "certs")

srv = Server(root, certs=certs)
P = srv.gemini_port


def status(url, **kw):
    return srv.gemini(url, **kw)[0]


# Basic answers.
head, body, cn = srv.gemini("gemini://localhost:{port}/")
t.ok(head.startswith("20 text/gemini"), "root answers 20 text/gemini", head)
t.ok(cn, "response ends with close_notify")
head2, body2, _ = srv.gemini("gemini://localhost:{port}")
t.eq((head2, body2), (head, body), "empty path serves the same as /")
t.eq(status("gemini://localhost/"), head, "port may be omitted")
t.eq(status("gemini://LOCALHOST:{port}/"), head, "host is case-insensitive")
t.eq(status("GEMINI://localhost:{port}/"), head, "scheme is case-insensitive")

# Files and MIME types.
h, b, _ = srv.gemini("gemini://localhost:{port}/files/notes.txt")
t.eq(h, "20 text/plain; charset=utf-8", "text file MIME type")
with open(os.path.join(root, "files", "notes.txt"), "rb") as f:
    t.eq(b, f.read(), "text file bytes exact")
h, b, _ = srv.gemini("gemini://localhost:{port}/files/hello.gmi")
t.eq(h, "20 text/gemini; charset=utf-8; lang=en",
     ".gmi is text/gemini, in the language of its text")
h, b, _ = srv.gemini("gemini://localhost:{port}/images/lantern.png")
t.eq(h, "20 image/png", "PNG MIME type")
with open(os.path.join(root, "images", "lantern.png"), "rb") as f:
    t.eq(b, f.read(), "binary bytes exact")
h, b, _ = srv.gemini("gemini://localhost:{port}/about.md")
t.ok(h.startswith("20 text/markdown"), "raw Markdown source stays available", h)
t.eq(status("gemini://localhost:{port}/files/not%65s.txt"),
     "20 text/plain; charset=utf-8", "percent-decoding before routing")

# Directories.
t.eq(status("gemini://localhost:{port}/files"), "31 /files/",
     "/dir redirects to /dir/")
h, b, _ = srv.gemini("gemini://localhost:{port}/plain/")
t.ok(h.startswith("20 text/gemini") and b"=> /plain/a.txt" in b,
     "directory without index is listed", b)
h, b, _ = srv.gemini("gemini://localhost:{port}/files/")
t.ok(b"notes.txt" in b and b"hello.gmi" in b, "listing shows the files", b)

# Not found, hidden, private.
t.eq(status("gemini://localhost:{port}/nope.gmi"), "51 Not found",
     "missing file is 51")
t.eq(status("gemini://localhost:{port}/.secret")[:2], "51",
     "hidden files are never served")
t.eq(status("gemini://localhost:{port}/plain/.%2e/.secret")[:2], "51",
     "hidden files stay hidden behind dot segments")

# Traversal.
for url in ["/../outside.txt", "/%2e%2e/outside.txt", "/files/../../outside.txt",
            "/files/%2E%2E/%2e%2e/outside.txt", "/..%2Foutside.txt",
            "/files%2F..%2F..%2Foutside.txt"]:
    h = status("gemini://localhost:{port}" + url)
    t.ok(h[:2] in ("51", "59") and "outside" not in h,
         "traversal refused: %s (%s)" % (url, h))
t.eq(status("gemini://localhost:{port}/files/../files/notes.txt")[:2], "20",
     "dot segments inside the root resolve")
t.eq(status("gemini://localhost:{port}/escape.txt")[:2], "51",
     "symlink to a file outside the root refused")
t.eq(status("gemini://localhost:{port}/escape-dir/outside.txt")[:2], "51",
     "symlink to a directory outside the root refused")
t.eq(status("gemini://localhost:{port}/inside-link.txt")[:2], "20",
     "symlink within the root is followed")

# Malformed requests: 59.
cases = [
    (b"gemini://user@localhost:%d/\r\n", "userinfo"),
    (b"gemini://localhost:%d/#frag\r\n", "fragment"),
    (b"/relative\r\n", "relative reference"),
    (b"//localhost:%d/\r\n", "network-path reference"),
    (b"gemini://localhost:%d/\x00\r\n", "NUL byte"),
    (b"gemini://localhost:%d/\xff\xfe\r\n", "non-UTF-8"),
    (b"gemini://localhost:%d/%%ff\r\n", "percent-encoded non-UTF-8"),
    (b"gemini://localhost:%d/\n", "bare LF"),
    (b"gemini://localhost:%d/%%00\r\n", "percent-encoded NUL"),
]
for raw, name in cases:
    req = raw % P if b"%d" in raw else raw
    h = srv.gemini_raw(req)[0]
    t.ok(h.startswith("59"), "59 for %s (%s)" % (name, h))

base = b"gemini://localhost:%d/" % P
req = base + b"a" * (1024 - len(base))
t.eq(len(req), 1024, "request of exactly 1024 bytes built")
t.eq(srv.gemini_raw(req + b"\r\n")[0][:2], "51", "1024-byte request accepted")
t.eq(srv.gemini_raw(req + b"a\r\n")[0][:2], "59", "1025-byte request is 59")
t.eq(srv.gemini_raw(req + b"a" * 5000 + b"\r\n")[0][:2], "59",
     "a 6 KB request is 59")

# Wrong scheme, host, port: 53.
t.eq(status("https://localhost:{port}/")[:2], "53", "other scheme is 53")
t.eq(status("gopher://localhost:{port}/")[:2], "53", "gopher scheme is 53")
t.eq(status("gemini://example.org:{port}/")[:2], "53", "other host is 53")
t.eq(status("gemini://localhost:1/")[:2], "53", "other port is 53")

# Literal addresses without SNI go to the default host.
t.eq(status("gemini://127.0.0.1:{port}/", sni=None)[:2], "20",
     "request for 127.0.0.1 without SNI served")
t.eq(status("gemini://[::1]:{port}/", sni=None, addr="::1")[:2], "20",
     "request for [::1] without SNI served over IPv6")
t.eq(status("gemini://localhost:{port}/", sni=None)[:2], "20",
     "request without SNI served by the default host")
t.eq(status("gemini://127.0.0.1:{port}/", sni=None, addr="::1")[:2], "53",
     "a literal address that is not the one connected to is 53")

# TLS versions.
try:
    ctx = srv.tls_context(minimum=ssl.TLSVersion.TLSv1,
                          maximum=ssl.TLSVersion.TLSv1_1)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    srv.gemini("gemini://localhost:{port}/", ctx=ctx)
    t.ok(False, "TLS 1.1 refused")
except (ssl.SSLError, OSError) as e:
    t.ok(True, "TLS 1.1 refused (%s)" % e.__class__.__name__)
ctx = srv.tls_context(minimum=ssl.TLSVersion.TLSv1_2,
                      maximum=ssl.TLSVersion.TLSv1_2)
t.eq(srv.gemini("gemini://localhost:{port}/", ctx=ctx)[0][:2], "20",
     "TLS 1.2 accepted")


def served_cert():
    ctx = srv.tls_context()
    with socket.create_connection(("127.0.0.1", srv.gemini_port), 5) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            return s.getpeercert(binary_form=True)


# Certificate: generated once, reused on restart.
crt = os.path.join(certs, "localhost.crt")
key = os.path.join(certs, "localhost.key")
t.ok(os.path.exists(crt) and os.path.exists(key), "certificate generated")
t.eq(oct(os.stat(key).st_mode & 0o777), "0o600", "key file mode 0600")
first = served_cert()
with open(crt, "rb") as f:
    crt_bytes = f.read()
t.ok(b"BEGIN CERTIFICATE" in crt_bytes, "PEM certificate written")

t.ok(srv.alive(), "daemon alive after all cases")
log = srv.stderr().decode("utf-8", "replace")
t.ok("gemini" in log and "\"gemini://localhost:%d/files/notes.txt\" 20" % P
     in log, "access log line per request", log[-2000:])
t.eq(srv.stop(), 0, "SIGTERM: clean exit (no leaks under ASan)")

srv = Server(root, certs=certs, args=["--timeout", "1000"])
t.eq(served_cert(), first, "same certificate served after restart")
with open(crt, "rb") as f:
    t.eq(f.read(), crt_bytes, "certificate file untouched")
# A client that never sends a request is closed by the timeout (1 s here).
s = socket.create_connection(("127.0.0.1", srv.gemini_port), 5)
s.settimeout(5)
try:
    got = s.recv(100)
except OSError:
    got = b""
t.eq(got, b"", "silent client closed by the request timeout")
s.close()
t.eq(srv.stop(), 0, "clean exit after the restart")
srv.cleanup()
t.done()
