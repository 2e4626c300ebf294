"""Operator features end to end (issue 7): --check, virtual hosts and SNI,
redirects, client-certificate zones, SIGHUP reload, SIGUSR1 log reopen,
the PROXY protocol, Gopher over TLS, HAProxy in front of two instances,
and all of it again with several workers.  Loopback only, ephemeral
ports, every wait bounded."""

import hashlib
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import Tap, Server, menu_lines, TIMEOUT  # noqa: E402

t = Tap()
T0 = time.time()
BIN = os.environ.get("CAPSULED") or "src/capsuled"
top = os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__),
                                                 "..", ".."))
work = tempfile.mkdtemp(prefix="capsuled-operator-")
ALLOW_ROOT = ["--allow-root"] if os.geteuid() == 0 else []


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def run(cmd, timeout=30, **kw):
    return subprocess.run(cmd, capture_output=True, timeout=timeout, **kw)


def wait_for(pred, timeout=5.0):
    """Poll pred until it returns something true; returns its last value."""
    deadline = time.time() + timeout
    while True:
        v = pred()
        if v or time.time() > deadline:
            return v
        time.sleep(0.02)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ACCESS = re.compile(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (\S+) '
                    r'(gemini|gopher|gophers) "(.*)" (\S+) (\d+) (\d+)us$')


def access_lines(text):
    """(client, proto, request, status) of every access-log line."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    out = []
    for ln in text.splitlines():
        m = ACCESS.match(ln)
        if m:
            out.append((m.group(2), m.group(3), m.group(4), m.group(5)))
    return out


def access_for(srv, request, text=None):
    """Wait for the access line of a request (it is written when the
    connection closes); returns (client, proto, request, status)."""
    def find():
        src = text() if text else srv.stderr()
        hits = [a for a in access_lines(src) if a[2] == request]
        return hits[-1] if hits else None
    return wait_for(find)


# --------------------------------------------------------------- clients

def tls_ctx(cert=None, key=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def recv_all(s, limit=64 << 20):
    data = b""
    close_notify = True
    while len(data) <= limit:
        try:
            chunk = s.recv(65536)
        except ssl.SSLEOFError:
            close_notify = False
            break
        if not chunk:
            break
        data += chunk
    return data, close_notify


def gem(port, url, sni="localhost", cert=None, key=None, header=b"",
        src=None, want_cert=False):
    """A Gemini request over TLS to 127.0.0.1:port, optionally behind a
    PROXY header and from a given source address.  Returns (head, body)
    or, with want_cert, (head, body, server certificate DER)."""
    raw = socket.socket()
    raw.settimeout(TIMEOUT)
    try:
        if src:
            raw.bind((src, 0))
        raw.connect(("127.0.0.1", port))
        if header:
            raw.sendall(header)
        with tls_ctx(cert, key).wrap_socket(raw, server_hostname=sni) as s:
            der = s.getpeercert(binary_form=True)
            s.sendall(url.encode() + b"\r\n")
            data, _ = recv_all(s)
    finally:
        raw.close()
    head, _, body = data.partition(b"\r\n")
    head = head.decode("utf-8", "replace")
    return (head, body, der) if want_cert else (head, body)


def goph(port, data, src=None, host="127.0.0.1"):
    with socket.socket() as s:
        s.settimeout(TIMEOUT)
        if src:
            s.bind((src, 0))
        s.connect((host, port))
        s.sendall(data)
        return recv_all(s)[0]


def refused_silently(port, data, tls=False):
    """Send data (or a TLS ClientHello; tls="shut": data then end of
    input) and expect the connection closed with no byte of answer,
    quickly.  Returns (ok, what happened)."""
    start = time.time()
    try:
        with socket.socket() as raw:
            raw.settimeout(5)
            raw.connect(("127.0.0.1", port))
            if tls is True:
                try:
                    with tls_ctx().wrap_socket(raw,
                                               server_hostname="localhost"):
                        return False, "handshake completed"
                except (ssl.SSLError, OSError) as e:
                    return time.time() - start < 3, repr(e)
            raw.sendall(data)
            if tls == "shut":
                raw.shutdown(socket.SHUT_WR)
            try:
                got = raw.recv(100)
            except ConnectionResetError:
                got = b""
            return got == b"" and time.time() - start < 3, got
    except OSError as e:
        return False, repr(e)


def cert_info(der):
    """Subject and SAN of a DER certificate, as openssl prints them."""
    r = run(["openssl", "x509", "-inform", "DER", "-noout", "-subject",
             "-ext", "subjectAltName"], input=der)
    return r.stdout.decode()


def pem_der(path):
    with open(path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def make_cert(dirpath, name):
    crt = os.path.join(dirpath, name + ".crt")
    key = os.path.join(dirpath, name + ".key")
    r = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out",
             crt, "-days", "30", "-subj", "/CN=" + name,
             "-addext", "subjectAltName=DNS:" + name])
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode())
    r = run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
             crt])
    fp = r.stdout.decode().strip().split("=", 1)[1]
    return crt, key, fp


PROXY_SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def proxy_v2(src=None, dst="127.0.0.1", sport=40000, dport=1965,
             tlvs=b""):
    """A PROXY v2 header: PROXY command from src, or LOCAL when src is
    None (what HAProxy's health checks send)."""
    if src is None:
        return PROXY_SIG + bytes([0x20, 0x00]) + struct.pack("!H", 0)
    if ":" in src:
        fam, af = 0x21, socket.AF_INET6
    else:
        fam, af = 0x11, socket.AF_INET
    body = (socket.inet_pton(af, src) + socket.inet_pton(af, dst) +
            struct.pack("!HH", sport, dport) + tlvs)
    return PROXY_SIG + bytes([0x21, fam]) + struct.pack("!H", len(body)) + body


def proxy_v1(src, dst="127.0.0.1", sport=40000, dport=70):
    fam = "TCP6" if ":" in src else "TCP4"
    return ("PROXY %s %s %s %d %d\r\n" % (fam, src, dst, sport,
                                          dport)).encode()


# --------------------------------------------------------------- capsules

rootA = os.path.join(work, "rootA")
rootB = os.path.join(work, "rootB")
certs = os.path.join(work, "certs")
clients = os.path.join(work, "clients")
os.makedirs(clients)
write(os.path.join(rootA, "new", "page.gmi"), "# New page\n")
write(os.path.join(rootA, "private", "secret.gmi"), "# Secret\n")
write(os.path.join(rootA, "private", "doc.md"), "# Doc\n\nPrivate text.\n")
write(os.path.join(rootA, "members", "m.gmi"), "# Members\n")
write(os.path.join(rootA, "posts", "2024-01-02-hello.md"),
      "---\ntitle: Hello\ntags: [news]\n---\nFirst post, publicword.\n")
write(os.path.join(rootA, "posts", "club", "2024-03-03-meeting.md"),
      "---\ntitle: Club meeting\ntags: [secrettag]\n---\n"
      "The quuxword agenda.\n")
BIG = os.urandom(20 << 20)
BIG_SHA = hashlib.sha256(BIG).hexdigest()
write(os.path.join(rootA, "big.bin"), BIG)
write(os.path.join(rootB, "index.gmi"), "# Host B\n\nThe other capsule.\n")
write(os.path.join(rootB, "club", "c.gmi"), "# Club\n")

alice_crt, alice_key, alice_fp = make_cert(clients, "alice")
mallory_crt, mallory_key, mallory_fp = make_cert(clients, "mallory")
t.ok(re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", alice_fp) is not None,
     "client certificate fingerprint computed", alice_fp)


def main_config(title="Title A", extra_redirect="", workers=1,
                extra_host=""):
    return """\
# The main test configuration.
gemini_port: 0
gopher_port: 0
listen:
  - 127.0.0.1
  - address: 127.0.0.2      # same ports, Gopher serves b.test there
    gopher_host: b.test
workers: %(workers)d
gopher_tls: true
limits:
  rate: 0
hosts:
  - hostname: a.test
    root: %(rootA)s
    certs: %(certs)s
    title: %(title)s
    description: The first capsule.
    redirects:
      - from: /old.gmi
        to: /new/page.gmi
      - from: /temp.gmi
        to: /new/
        code: 30
      - from: /withdrawn.gmi
        gone: true
      - from: /blog/
        to: /posts/
        code: 30
      - from: /blog/special.gmi
        to: /new/page.gmi
      - from: /away/
        to: gemini://b.test/
%(extra)s
    client_cert_zones:
      - path: /private/
        fingerprints:
          - "%(fp)s"
      - path: /members/
        fingerprints: []
      - path: /posts/club/
        fingerprints: ["%(fp)s"]
  - hostname: b.test
    aliases: [www.b.test]
    root: %(rootB)s
    certs: %(certs)s
    title: Title B
    lang: de
    require_cert:
      - path: /club/
        fingerprints: ["sha256:%(fplower)s"]
%(host)s""" % {"rootA": rootA, "rootB": rootB, "certs": certs, "title": title,
       "fp": alice_fp, "fplower": alice_fp.replace(":", "").lower(),
       "extra": extra_redirect, "workers": workers,
       "host": extra_host}


# =============================================================== 1. --check

good = os.path.join(work, "good.yaml")
write(good, main_config())
r = run([BIN, "--config", good, "--check"])
t.eq((r.returncode, r.stderr.decode()),
     (0, "%s: configuration OK\n" % good), "--check: a valid file exits 0")

r = run([BIN, "--config", good, "--check", "-v"])
dumped = os.path.join(work, "dumped.yaml")
write(dumped, r.stdout.decode())
r2 = run([BIN, "--config", dumped, "--check"])
t.ok(r.returncode == 0 and r2.returncode == 0 and "a.test" in r.stdout.decode()
     and alice_fp.replace(":", "").lower() in r.stdout.decode(),
     "--check -v prints the normalised file, which checks OK again",
     r.stdout.decode() + r2.stderr.decode())

bad = os.path.join(work, "bad.yaml")
write(bad, """\
gemini_port: 0
gopher_port: notanumber
workers: 3
bogus_key: 1
log:
  format: fancy
hosts:
  - hostname: a.test
    root: %s
    redirects:
      - from: relative
        to: /x
      - from: /y
        to: /z
        code: 33
    client_cert_zones:
      - path: /p/
        fingerprints: ["not-a-fingerprint"]
  - hostname: "bad host!"
    root: %s
  - hostname: A.test
    root: %s
""" % (rootA, rootB, rootB))
r = run([BIN, "--config", bad, "--check"])
got = r.stderr.decode().splitlines()
t.eq(r.returncode, 1, "--check: a broken file exits 1")
t.eq(got, [bad + ":" + m for m in [
    "2: gopher_port: expected a number, not 'notanumber'",
    "4: unknown key 'bogus_key' in the configuration",
    "6: log format: 'fancy' is not text or off",
    "11: from: 'relative' must be a path starting with '/'",
    "15: code: '33' is not 30 (temporary), 31 (permanent) or 52 (gone)",
    "18: fingerprint: 'not-a-fingerprint' is not a SHA-256 fingerprint "
    "(64 hex digits)",
    "19: hostname: 'bad host!' is not a valid host name",
    "21: duplicate host name 'a.test' (first at line 8)"]],
    "--check: every error as file:line: message, all in one run")

example = os.path.join(top, "contrib", "capsuled.yaml")
r = run([BIN, "--config", example, "--check"])
errs = r.stderr.decode().splitlines()
t.ok(errs and all(re.match(re.escape(example) + r":\d+: host [a-z.]+: "
                           r"(root|certs) /", ln) for ln in errs),
     "the shipped example parses: only its made-up paths are missing",
     r.stderr.decode())

syn = os.path.join(work, "syntax.yaml")
write(syn, "gemini_port: 0\nhosts:\n  - hostname: a.test\n   root: [x\n")
r = run([BIN, "--config", syn, "--check"])
t.ok(r.returncode == 1 and re.match(re.escape(syn) + r":4: YAML syntax: ",
                                    r.stderr.decode()) is not None,
     "--check: a YAML syntax error has its line", r.stderr.decode())

paths = os.path.join(work, "paths.yaml")
write(paths, """\
gemini_port: 0
log:
  destination: %(w)s/nolog/access.log
hosts:
  - hostname: a.test
    root: %(w)s/nonexistent
  - hostname: b.test
    root: %(b)s
    cert: %(w)s/missing.crt
    key: %(w)s/missing.key
""" % {"w": work, "b": rootB})
r = run([BIN, "--config", paths, "--check"])
enoent = "No such file or directory"
t.eq((r.returncode, r.stderr.decode().splitlines()), (1, [
    "%s:5: host a.test: root %s/nonexistent: %s" % (paths, work, enoent),
    "%s:7: host b.test: cert %s/missing.crt: %s" % (paths, work, enoent),
    "%s:7: host b.test: key %s/missing.key: %s" % (paths, work, enoent),
    "%s: log directory %s/nolog: %s" % (paths, work, enoent)]),
    "--check: missing root, certificate, key and log directory reported")

# ============================================== 2. virtual hosts and SNI

cfg = os.path.join(work, "capsuled.yaml")
write(cfg, main_config())
srv = Server(None, config=cfg, args=ALLOW_ROOT)
GP, OP = srv.gemini_port, srv.gopher_port

t.ok(os.path.exists(os.path.join(certs, "a.test.crt")) and
     os.path.exists(os.path.join(certs, "b.test.crt")),
     "a certificate generated for each host")
for sni, owner in [("a.test", "a.test"), ("b.test", "b.test"),
                   ("www.b.test", "b.test"), ("unknown.test", "a.test")]:
    head, body, der = gem(GP, "gemini://%s/" % sni, sni=sni, want_cert=True)
    info = cert_info(der)
    t.ok(der == pem_der(os.path.join(certs, owner + ".crt")) and
         "CN = %s" % owner in info and "DNS:%s" % owner in info,
         "SNI %s gets the certificate of %s" % (sni, owner), info)
head, body, der = gem(GP, "gemini://127.0.0.1:%d/" % GP, sni=None,
                      want_cert=True)
t.ok(head.startswith("20 ") and b"# Title A" in body and
     der == pem_der(os.path.join(certs, "a.test.crt")),
     "no SNI: the default host and its certificate", head)

head, bodyA = gem(GP, "gemini://a.test:%d/" % GP, sni="a.test")
t.ok(head.startswith("20 text/gemini") and bodyA.startswith(b"# Title A"),
     "a.test serves its generated home page", bodyA[:200])
head, bodyB = gem(GP, "gemini://b.test:%d/" % GP, sni="b.test")
t.eq((head[:2], bodyB), ("20", b"# Host B\n\nThe other capsule.\n"),
     "b.test serves its own root")
t.eq(gem(GP, "gemini://www.b.test/", sni="www.b.test"), (head, bodyB),
     "an alias serves the same capsule")
t.eq(gem(GP, "gemini://b.test/gemlog/", sni="b.test")[0],
     "20 text/gemini; charset=utf-8; lang=de",
     "generated pages speak the host's configured language")
t.eq(gem(GP, "gemini://WWW.B.Test/", sni="www.b.test"), (head, bodyB),
     "host names are case-insensitive")
t.eq(gem(GP, "gemini://a.test/new/page.gmi", sni="a.test")[1],
     b"# New page\n", "a.test file")
t.eq(gem(GP, "gemini://b.test/new/page.gmi", sni="b.test")[0][:2], "51",
     "a.test's file is not in b.test")
t.eq(gem(GP, "gemini://unknown.test/", sni="unknown.test")[0],
     "53 Host not served here", "an unknown host is 53")
t.eq(gem(GP, "gemini://b.test/", sni="a.test")[0][:2], "53",
     "a request for another host than SNI names is 53")
menu = goph(OP, b"/\r\n")
lines, problems = menu_lines(menu)
t.ok(not problems and b"Title A" in menu and
     all(ln.split(b"\t")[2] == b"a.test" for ln in lines),
     "Gopher serves the default host, with its name in every item",
     problems or menu[:300])

menu = goph(OP, b"/\r\n", host="127.0.0.2")
lines, problems = menu_lines(menu)
# Its root is its index.gmi, as over Gemini, converted to a menu.
t.ok(not problems and lines[0] == b"iHost B\t\tb.test\t%d" % OP and
     all(ln.split(b"\t")[2] == b"b.test" for ln in lines),
     "a listen entry's gopher_host: Gopher there serves b.test",
     problems or menu[:300])

# ============================================================ 3. redirects

for path, want in [
        ("/old.gmi", "31 /new/page.gmi"),
        ("/ol%64.gmi", "31 /new/page.gmi"),
        ("/temp.gmi", "30 /new/"),
        ("/withdrawn.gmi", "52 Gone"),
        ("/blog/", "30 /posts/"),
        ("/blog/2020/x.gmi", "30 /posts/2020/x.gmi"),
        ("/blog/special.gmi", "31 /new/page.gmi"),
        ("/away/deep/p.gmi", "31 gemini://b.test/deep/p.gmi"),
        ("/blog/a%20b.gmi", "30 /posts/a%20b.gmi"),
        ("/blog/a%3Fb.gmi", "30 /posts/a%3Fb.gmi"),
        ("/blogger.gmi", "51 Not found")]:
    t.eq(gem(GP, "gemini://a.test" + path, sni="a.test")[0], want,
         "redirect %s" % path)
t.eq(gem(GP, "gemini://b.test/old.gmi", sni="b.test")[0][:2], "51",
     "redirects belong to their host")
# Gopher has no redirects: a menu whose first item is the new place, which
# a client can follow (a type-3 line would lead nowhere); gone stays 3.
for sel, want in [
        ("/old.gmi", b"1Moved to /new/page.gmi\t/new/page.gmi\ta.test\t%d\r\n"
                     b"i\t\ta.test\t%d\r\n"
                     b"iThis page used to be at /old.gmi.\t\ta.test\t%d\r\n"
                     b".\r\n"),
        ("/withdrawn.gmi", b"3Gone\t/withdrawn.gmi\terror.host\t1\r\n.\r\n"),
        ("/blog/2020/x", b"1Moved to /posts/2020/x\t/posts/2020/x\ta.test\t%d"
                         b"\r\ni\t\ta.test\t%d\r\n"
                         b"iThis page used to be at /blog/2020/x.\t\ta.test\t%d"
                         b"\r\n.\r\n")]:
    if b"%d" in want:
        want = want.replace(b"%d", str(OP).encode())
    t.eq(goph(OP, sel.encode() + b"\r\n"), want,
         "Gopher: %s answers a menu naming the new place" % sel)

# ============================================= 4. client-certificate zones

ALICE = {"cert": alice_crt, "key": alice_key}
MALLORY = {"cert": mallory_crt, "key": mallory_key}
U = "gemini://a.test/private/secret.gmi"
t.eq(gem(GP, U, sni="a.test")[0], "60 A client certificate is required",
     "zone without a certificate: 60")
t.eq(gem(GP, U, sni="a.test", **MALLORY)[0],
     "61 This certificate is not authorised", "unlisted certificate: 61")
t.eq(gem(GP, U, sni="a.test", **ALICE),
     ("20 text/gemini; charset=utf-8; lang=en", b"# Secret\n"),
     "listed certificate: 20 and the page")
t.eq(gem(GP, "gemini://a.test/private/doc", sni="a.test", **ALICE)[0][:2],
     "20", "listed certificate: a Markdown page in the zone")
t.eq(gem(GP, "gemini://a.test/private/", sni="a.test", **MALLORY)[0][:2],
     "61", "the zone's directory itself is protected")
t.ok(gem(GP, "gemini://a.test/private%2Fsecret.gmi", sni="a.test")[0][:2]
     in ("51", "59", "60"), "zone not bypassed by an encoded slash")
for path in ["/private/doc.gmi", "/%70rivate/secret.gmi",
             "/new/../private/secret.gmi", "//private/secret.gmi",
             "/private/./secret.gmi"]:
    t.eq(gem(GP, "gemini://a.test" + path, sni="a.test")[0][:2], "60",
         "zone not bypassed by %s" % path)
t.eq(gem(GP, "gemini://a.test/members/m.gmi", sni="a.test", **MALLORY)[0][:2],
     "20", "an empty fingerprint list takes any certificate")
t.eq(gem(GP, "gemini://a.test/members/m.gmi", sni="a.test")[0][:2], "60",
     "... but not none")
t.eq(gem(GP, "gemini://a.test/new/page.gmi", sni="a.test", **MALLORY)[0][:2],
     "20", "a certificate does not hurt outside the zones")
t.eq(gem(GP, "gemini://b.test/club/c.gmi", sni="b.test")[0][:2], "60",
     "zone on a non-default host (SNI switches the verify mode): 60")
t.eq(gem(GP, "gemini://b.test/club/c.gmi", sni="b.test", **ALICE)[0][:2],
     "20", "zone on a non-default host: listed certificate 20")
t.eq(gem(GP, "gemini://b.test/club/c.gmi", sni="b.test", **MALLORY)[0][:2],
     "61", "zone on a non-default host: unlisted certificate 61")


def twice(port, url, sni, cert=None, key=None, tls12=False):
    """Two connections, the second resuming the first one's session:
    [(head, resumed), (head, resumed)]."""
    ctx = tls_ctx(cert, key)
    if tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    out, sess = [], None
    for _ in range(2):
        raw = socket.create_connection(("127.0.0.1", port), TIMEOUT)
        try:
            with ctx.wrap_socket(raw, server_hostname=sni,
                                 session=sess) as s:
                s.sendall(url.encode() + b"\r\n")
                data = recv_all(s)[0]
                out.append((data.partition(b"\r\n")[0].decode(),
                            s.session_reused))
                sess = s.session
        except (ssl.SSLError, OSError) as e:
            out.append((repr(e), None))
        finally:
            raw.close()
    return out


OKGEM = "20 text/gemini; charset=utf-8; lang=en"
for name, args, want in [
        ("TLS 1.3, no certificate", ("gemini://a.test/new/page.gmi",
                                     "a.test"), OKGEM),
        ("TLS 1.2, no certificate", ("gemini://a.test/new/page.gmi",
                                     "a.test", None, None, True), OKGEM),
        ("TLS 1.3, listed certificate", (U, "a.test", alice_crt, alice_key),
         OKGEM),
        ("TLS 1.2, listed certificate", (U, "a.test", alice_crt, alice_key,
                                         True), OKGEM),
        ("TLS 1.2, unlisted certificate", (U, "a.test", mallory_crt,
                                           mallory_key, True),
         "61 This certificate is not authorised"),
        ("non-default host", ("gemini://b.test/club/c.gmi", "b.test",
                              alice_crt, alice_key),
         "20 text/gemini; charset=utf-8; lang=de")]:
    t.eq(twice(GP, *args), [(want, False), (want, True)],
         "zones host, %s: a resumed session is served the same" % name)

# A post in a zone stays out of the generated pages: indexes, feeds and
# search are public, and Gopher has no certificates.
CLUB = "gemini://a.test/posts/club/2024-03-03-meeting"
t.eq((gem(GP, CLUB, sni="a.test")[0][:2],
      gem(GP, CLUB, sni="a.test", **ALICE)[0][:2]), ("60", "20"),
     "a post in a zone: 60 without, 20 with the listed certificate")
for path in ["/", "/gemlog/", "/atom.xml", "/tags/", "/search?quuxword",
             "/search?publicword"]:
    body = gem(GP, "gemini://a.test" + path, sni="a.test")[1]
    t.ok(b"Club meeting" not in body and b"/posts/club/" not in body and
         b"secrettag" not in body and b"quuxword agenda" not in body,
         "Gemini %s does not show the protected post" % path, body[:600])
for sel in [b"/", b"/gemlog/", b"/atom.xml", b"/tags/", b"/search\tquuxword"]:
    body = goph(OP, sel + b"\r\n")
    t.ok(b"Club meeting" not in body and b"/posts/club/" not in body and
         b"secrettag" not in body and b"quuxword agenda" not in body,
         "Gopher %r does not show the protected post" % sel, body[:600])
t.ok(b"Hello" in gem(GP, "gemini://a.test/gemlog/", sni="a.test")[1] and
     b"Hello" in gem(GP, "gemini://a.test/search?publicword",
                     sni="a.test")[1],
     "public posts are still listed and found")
t.eq(gem(GP, "gemini://a.test/tags/secrettag.gmi", sni="a.test")[0][:2], "51",
     "a tag only protected posts carry does not exist publicly")

for sel in ["/private/secret.gmi", "/private/", "/private", "/private/doc",
            "/private/doc.txt", "private/secret.gmi", "/1/private/doc",
            "/members/m.gmi", "//private/secret.gmi",
            "/new/../private/secret.gmi"]:
    got = goph(OP, sel.encode() + b"\r\n")
    t.ok(re.fullmatch(rb"3Not available over Gopher\t[^\t\r\n]*\t"
                      rb"error\.host\t1\r\n\.\r\n", got) is not None,
         "Gopher refuses the protected path %r" % sel, got[:300])

goph(OP, b"\r\n")
t.eq(access_for(srv, ""), ("127.0.0.1", "gopher", "", "20"),
     "the empty selector is logged as \"\" (not as its CRLF)")

# ==================================== 8. Gopher over TLS (same server)

plain_menu = goph(OP, b"/\r\n")
with socket.create_connection(("127.0.0.1", OP), TIMEOUT) as raw:
    with tls_ctx().wrap_socket(raw, server_hostname="a.test") as s:
        s.sendall(b"/\r\n")
        tls_menu, cn = recv_all(s)
t.eq(tls_menu, plain_menu, "gophers: the same menu as plain Gopher")
t.ok(cn, "gophers: the answer ends with close_notify")
if shutil.which("curl") is None:
    t.skip("curl gophers://", "curl is not installed")
else:
    r = run(["curl", "-sS", "--max-time", "5", "-k",
             "gophers://127.0.0.1:%d/" % OP], timeout=10)
    t.eq((r.returncode, r.stdout), (0, plain_menu),
         "curl gophers:// gets the menu")
    r = run(["curl", "-sS", "--max-time", "5", "-k",
             "gophers://127.0.0.1:%d/1/new/page.gmi" % OP], timeout=10)
    t.eq(r.stdout, goph(OP, b"/new/page.gmi\r\n"),
         "curl gophers:// gets a page")
t.ok(wait_for(lambda: any(x[1] == "gophers" and x[2] == "/" for x in
                          access_lines(srv.stderr()))),
     "the access log says gophers", srv.stderr()[-1500:])
caps = goph(OP, b"/caps.txt\r\n")
t.ok(b"\r\nServerTLSPort=%d\r\n" % OP in caps,
     "caps.txt announces ServerTLSPort", caps)
t.eq(goph(OP, b"/new/page.gmi\r\n"),
     b"iNew page\t\ta.test\t%d\r\ni========\t\ta.test\t%d\r\n.\r\n"
     % (OP, OP), "plain Gopher still works with gopher_tls on (gemtext "
     "as a menu)")


# ================================================ 5. reload (SIGHUP)

def home_title(port):
    head, body = gem(port, "gemini://a.test/", sni="a.test")
    return body.split(b"\n", 1)[0].decode()


def count(srv, needle):
    return srv.stderr().decode("utf-8", "replace").count(needle)


def reload_checks(srv, cfgpath, workers):
    """Change a setting while a 20 MB download is in flight; then try a
    broken file.  Repeated with several workers."""
    tag = " (workers %d)" % workers
    port = srv.gemini_port
    write(cfgpath, main_config(title="Title A"))
    t.eq(home_title(port), "# Title A", "before reload: old title" + tag)

    raw = socket.create_connection(("127.0.0.1", port), TIMEOUT)
    s = tls_ctx().wrap_socket(raw, server_hostname="a.test")
    s.sendall(b"gemini://a.test/big.bin\r\n")
    got = b""
    while len(got) < (1 << 20):
        got += s.recv(65536)
    t.ok(got.startswith(b"20 application/octet-stream\r\n"),
         "slow download started" + tag, got[:60])

    before = count(srv, "capsuled: reloaded")
    write(cfgpath, main_config(
        title="Title Reloaded",
        extra_redirect="      - from: /fresh.gmi\n        to: /new/\n"))
    srv.proc.send_signal(signal.SIGHUP)
    ok = wait_for(lambda: count(srv, "capsuled: reloaded") > before or
                  count(srv, "reload failed") > 0)
    t.ok(count(srv, "capsuled: reloaded") > before, "SIGHUP reloads" + tag,
         srv.stderr()[-1000:])
    time.sleep(0.1)
    titles = set(home_title(port) for _ in range(8))
    t.eq(titles, {"# Title Reloaded"},
         "new connections see the new title" + tag)
    t.eq(gem(port, "gemini://a.test/fresh.gmi", sni="a.test")[0],
         "31 /new/", "new connections see the new redirect" + tag)

    # A broken file: reported with its line, the running one kept.
    with open(cfgpath, "a") as f:
        f.write("gopher_width: wide\n")
    nlines = len(open(cfgpath).read().splitlines())
    fails = count(srv, "reload failed")
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: count(srv, "reload failed") > fails)
    err = srv.stderr().decode("utf-8", "replace")
    t.ok(count(srv, "reload failed") > fails and
         "%s:%d: gopher_width: expected a number, not 'wide'" %
         (cfgpath, nlines) in err,
         "a broken file on reload is reported with file:line" + tag,
         err[-1000:])
    t.eq(set(home_title(port) for _ in range(4)), {"# Title Reloaded"},
         "... and the running configuration kept" + tag)
    t.eq(gem(port, "gemini://a.test/fresh.gmi", sni="a.test")[0],
         "31 /new/", "... with its redirects" + tag)

    # The download, paused through both reloads, completes intact.
    while True:
        try:
            chunk = s.recv(1 << 16)
        except ssl.SSLEOFError:
            chunk = None
        if not chunk:
            break
        got += chunk
        if len(got) > (30 << 20):
            break
    s.close()
    body = got.partition(b"\r\n")[2]
    t.ok(len(body) == len(BIG) and hashlib.sha256(body).hexdigest() ==
         BIG_SHA and chunk == b"",
         "the download in flight completed intact, with close_notify" + tag,
         "got %d of %d bytes" % (len(body), len(BIG)))
    write(cfgpath, main_config())


reload_checks(srv, cfg, 1)

# A host added on reload (its root and certificate below paths that the
# daemon could read at start: the sandbox is set up once).
cc_crt, cc_key, _ = make_cert(clients, "c.test")
shutil.copy(cc_crt, os.path.join(certs, "c.test.crt"))
shutil.copy(cc_key, os.path.join(certs, "c.test.key"))
write(cfg, main_config(extra_host="""\
  - hostname: c.test
    root: %s/new
    certs: %s
    title: Title C
""" % (rootA, certs)))
before = count(srv, "capsuled: reloaded")
srv.proc.send_signal(signal.SIGHUP)
wait_for(lambda: count(srv, "capsuled: reloaded") > before)
time.sleep(0.1)
head, body, der = gem(GP, "gemini://c.test/", sni="c.test", want_cert=True)
t.ok(head.startswith("20 ") and body.startswith(b"# Title C") and
     der == pem_der(cc_crt), "a host added on reload is served, with its "
     "certificate", head + " " + repr(body[:40]))
write(cfg, main_config())

# Certificates are re-read on reload too.
old_b = pem_der(os.path.join(certs, "b.test.crt"))
newcerts = os.path.join(work, "newcerts")
os.makedirs(newcerts)
nb_crt, nb_key, _ = make_cert(newcerts, "b.test")
shutil.copy(nb_crt, os.path.join(certs, "b.test.crt"))
shutil.copy(nb_key, os.path.join(certs, "b.test.key"))
before = count(srv, "capsuled: reloaded")
srv.proc.send_signal(signal.SIGHUP)
wait_for(lambda: count(srv, "capsuled: reloaded") > before)
time.sleep(0.1)
der = gem(GP, "gemini://b.test/", sni="b.test", want_cert=True)[2]
t.ok(der == pem_der(nb_crt) and der != old_b,
     "SIGHUP re-reads the certificates")

t.ok(srv.alive(), "daemon alive after the main cases")
t.eq(srv.stop(), 0, "main server: clean exit")
srv.cleanup()

# ================================================ 6. SIGUSR1 log reopen

logdir = os.path.join(work, "logs")
os.makedirs(logdir)
logfile = os.path.join(logdir, "access.log")
lcfg = os.path.join(work, "log.yaml")
write(lcfg, """\
gemini_port: 0
gopher_port: 0
listen: [127.0.0.1]
workers: 2
log:
  format: text
  destination: %s
hosts:
  - hostname: localhost
    root: %s
    certs: %s
""" % (logfile, rootB, certs))
srv = Server(None, config=lcfg, args=ALLOW_ROOT, ready_log=logfile)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


gem(srv.gemini_port, "gemini://localhost/club/c.gmi")
a = access_for(srv, "gemini://localhost/club/c.gmi",
               text=lambda: read(logfile))
t.eq(a, ("127.0.0.1", "gemini", "gemini://localhost/club/c.gmi", "20"),
     "access line in the log file")
t.eq(access_lines(srv.stderr()), [], "no access line on stderr")
os.rename(logfile, logfile + ".1")
srv.proc.send_signal(signal.SIGUSR1)
wait_for(lambda: os.path.exists(logfile))
t.ok(os.path.exists(logfile), "SIGUSR1 creates the log file anew",
     read(logfile + ".1")[-500:])
goph(srv.gopher_port, b"/after-rotation\r\n")
a = access_for(srv, "/after-rotation", text=lambda: read(logfile))
t.eq(a, ("127.0.0.1", "gopher", "/after-rotation", "51"),
     "after SIGUSR1 the access line goes to the new file")
t.ok(b"after-rotation" not in read(logfile + ".1"),
     "... and not to the renamed one")
line = [ln for ln in read(logfile).decode().splitlines()
        if "after-rotation" in ln]
t.ok(len(line) == 1 and re.fullmatch(
    r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 127\.0\.0\.1 gopher '
    r'"/after-rotation" 51 \d+ \d+us', line[0]) is not None,
    "access line format: TIME CLIENT PROTO \"REQ\" STATUS BYTES Nus", line)
write(lcfg, read(lcfg).decode().replace("format: text", "format: off"))
srv.proc.send_signal(signal.SIGHUP)
wait_for(lambda: b"capsuled: reloaded" in read(logfile))
time.sleep(0.1)
goph(srv.gopher_port, b"/after-off\r\n")
time.sleep(0.3)
t.ok(b"capsuled: reloaded" in read(logfile) and
     b"after-off" not in read(logfile) + srv.stderr(),
     "log format off (on reload): no access line", read(logfile)[-300:])
t.ok(srv.alive(), "daemon alive after SIGUSR1")
t.eq(srv.stop(), 0, "log server: clean exit")
srv.cleanup()


# ============================ reload and log rotation inside a chroot

def chroot_checks():
    try:
        import pwd
        nobody = pwd.getpwnam("nobody")
    except (ImportError, KeyError):
        nobody = None
    if os.geteuid() != 0 or nobody is None:
        t.skip("reload and SIGUSR1 inside a chroot",
               "needs root and a user 'nobody'")
        return
    jail = tempfile.mkdtemp(prefix="capsuled-jail-")
    os.chmod(jail, 0o755)
    jcfg = os.path.join(jail, "capsuled.yaml")
    jlog = os.path.join(jail, "logs", "access.log")
    os.makedirs(os.path.join(jail, "root"))
    os.makedirs(os.path.join(jail, "logs"))
    os.chown(os.path.join(jail, "logs"), nobody.pw_uid, nobody.pw_gid)

    def conf(title):
        # Paths as seen from outside, the way capsuled reads them at
        # startup; inside the jail it must find the same files.
        write(jcfg, """\
gemini_port: 0
gopher_port: 0
listen: [127.0.0.1]
user: nobody
chroot: %(j)s
log:
  destination: %(j)s/logs/access.log
hosts:
  - hostname: localhost
    root: %(j)s/root
    certs: %(j)s/certs
    title: %(t)s
""" % {"j": jail, "t": title})
    conf("Jail One")
    # LeakSanitizer needs /proc, which a chroot does not have.
    saved = os.environ.get("ASAN_OPTIONS")
    os.environ["ASAN_OPTIONS"] = (saved or "") + ":detect_leaks=0"
    try:
        srv = Server(None, config=jcfg, args=["--user", "nobody"],
                     ready_log=jlog)
    finally:
        if saved is None:
            del os.environ["ASAN_OPTIONS"]
        else:
            os.environ["ASAN_OPTIONS"] = saved
    t.ok(goph(srv.gopher_port, b"/\r\n").startswith(b"iJail One\t"),
         "chroot: served from the jail")
    conf("Jail Two")
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: b"capsuled: reloaded" in read(jlog) or
             b"reload failed" in read(jlog))
    time.sleep(0.1)
    t.ok(goph(srv.gopher_port, b"/\r\n").startswith(b"iJail Two\t"),
         "chroot: SIGHUP reloads the file (paths seen from inside)",
         read(jlog)[-600:])
    t.ok(b"cannot open the log" not in read(jlog),
         "chroot: the user reopens its log on reload", read(jlog)[-600:])
    os.rename(jlog, jlog + ".1")
    srv.proc.send_signal(signal.SIGUSR1)
    wait_for(lambda: os.path.exists(jlog))
    goph(srv.gopher_port, b"/in-jail\r\n")
    t.eq(access_for(srv, "/in-jail", text=lambda: read(jlog)),
         ("127.0.0.1", "gopher", "/in-jail", "51"),
         "chroot: SIGUSR1 reopens the rotated log")
    t.eq(srv.stop(), 0, "chroot: clean exit")
    srv.cleanup()
    shutil.rmtree(jail, ignore_errors=True)


# ============================ a root the serving user cannot read

def unreadable_root():
    """Started as root, capsuled serves as another user: a root folder
    that user cannot read (mktemp -d makes 0700 folders) is named at
    start-up with the user, instead of a silent 51 for every request."""
    try:
        import pwd
        pwd.getpwnam("nobody")
    except (ImportError, KeyError):
        t.skip("unreadable root named at start-up",
               "needs a user 'nobody'")
        return
    if os.geteuid() != 0:
        t.skip("unreadable root named at start-up", "needs root")
        return
    top = tempfile.mkdtemp(prefix="capsuled-private-")   # 0700
    root = os.path.join(top, "blog")
    write(os.path.join(root, "posts", "a.md"), "# A\n")
    os.chmod(top, 0o700)
    srv = Server(root, args=["--user", "nobody"])
    log = srv.stderr().decode("utf-8", "replace")
    t.ok(("%s: the user nobody cannot read this folder" % top) in log,
         "a root nobody cannot read is named at start-up, with the user",
         log)
    t.eq(srv.stop(), 0, "unreadable root: clean exit")
    srv.cleanup()
    os.chmod(top, 0o755)
    srv = Server(root, args=["--user", "nobody"])
    t.ok(b"cannot read this folder" not in srv.stderr(),
         "a readable root: nothing said", srv.stderr()[-300:])
    t.eq(srv.stop(), 0, "readable root: clean exit")
    srv.cleanup()
    shutil.rmtree(top, ignore_errors=True)


chroot_checks()
unreadable_root()

# ==================================================== 7. PROXY protocol

def proxy_checks(workers):
    tag = " (workers %d)" % workers
    pcfg = os.path.join(work, "proxy%d.yaml" % workers)
    write(pcfg, """\
gemini_port: 0
gopher_port: 0
workers: %d
gopher_tls: true
listen:
  - address: 127.0.0.1
    proxy: true
limits:
  rate: 0
  max_conns_per_ip: 2
hosts:
  - hostname: localhost
    root: %s
    certs: %s
""" % (workers, rootB, certs))
    srv = Server(None, config=pcfg, args=ALLOW_ROOT)
    GP, OP = srv.gemini_port, srv.gopher_port
    cases = [
        ("v1 TCP4", proxy_v1("192.0.2.7"), "192.0.2.7"),
        ("v1 TCP6", proxy_v1("2001:db8::7", "::1"), "2001:db8::7"),
        ("v2 IPv4", proxy_v2("198.51.100.9", dport=70), "198.51.100.9"),
        ("v2 IPv6", proxy_v2("2001:db8::9", "::1", dport=70), "2001:db8::9"),
        ("v2 with TLVs", proxy_v2("203.0.113.4", tlvs=b"\x04\x00\x03abc"),
         "203.0.113.4"),
        ("v2 LOCAL", proxy_v2(None), "127.0.0.1"),
        ("v1 UNKNOWN", b"PROXY UNKNOWN\r\n", "127.0.0.1"),
    ]
    for i, (name, hdr, client) in enumerate(cases):
        sel = "/px-gopher-%d-%d" % (workers, i)
        got = goph(OP, hdr + sel.encode() + b"\r\n")
        a = access_for(srv, sel)
        t.ok(got.startswith(b"3Not found\t") and a is not None and
             a[0] == client,
             "PROXY %s over Gopher: served, logged as %s%s" %
             (name, client, tag), repr(a) + " " + repr(got[:100]))
        url = "gemini://localhost/px-gemini-%d-%d" % (workers, i)
        head = gem(GP, url, header=hdr)[0]
        a = access_for(srv, url)
        t.ok(head == "51 Not found" and a is not None and a[0] == client,
             "PROXY %s then TLS: Gemini served, logged as %s%s" %
             (name, client, tag), repr(a) + " " + head)
    # Gopher over TLS behind the header.
    with socket.create_connection(("127.0.0.1", OP), TIMEOUT) as raw:
        raw.sendall(proxy_v2("192.0.2.77", dport=70))
        with tls_ctx().wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"/px-gophers\r\n")
            got = recv_all(s)[0]
    t.ok(got.startswith(b"3Not found") and access_for(srv, "/px-gophers") ==
         ("192.0.2.77", "gophers", "/px-gophers", "51"),
         "PROXY v2 then TLS on the Gopher port" + tag, got[:80])
    # A request naming us by the address the client connected to, which
    # only the header knows (no SNI for an address).
    hdr = proxy_v2("192.0.2.30", dst="198.51.100.1", dport=1965)
    t.eq(gem(GP, "gemini://198.51.100.1/", sni=None, header=hdr)[0], OKGEM,
         "PROXY: a request for the proxy's address is ours" + tag)
    t.eq(gem(GP, "gemini://198.51.100.1:1965/", sni=None, header=hdr)[0],
         OKGEM, "PROXY: ... with the proxy's port" + tag)
    # A header arriving a few bytes at a time.
    with socket.create_connection(("127.0.0.1", OP), TIMEOUT) as s:
        hdr = proxy_v2("192.0.2.99", dport=70)
        for k in range(0, len(hdr), 5):
            s.sendall(hdr[k:k + 5])
            time.sleep(0.01)
        s.sendall(b"/px-split\r\n")
        got = recv_all(s)[0]
    t.ok(got.startswith(b"3Not found") and
         access_for(srv, "/px-split")[0] == "192.0.2.99",
         "a header split across packets" + tag)
    # Without a valid header: closed, nothing answered.
    for name, data, tls in [
            ("a plain Gopher request", b"/\r\n", False),
            ("a TLS ClientHello", None, True),
            ("a bad v1 address", b"PROXY TCP4 999.0.0.1 127.0.0.1 1 2\r\n"
                                 b"/\r\n", False),
            ("a v1 line without CRLF", b"PROXY TCP4 192.0.2.1 127.0.0.1 1 2"
                                       b"\n/\r\n", False),
            ("a v2 header with a bad version", PROXY_SIG +
             b"\x31\x11\x00\x0c" + b"\x00" * 12 + b"/\r\n", False),
            ("a v2 length too short for its family", PROXY_SIG +
             b"\x21\x11\x00\x04" + b"\x00" * 4 + b"/\r\n", False),
            ("a v1 port out of range",
             b"PROXY TCP4 192.0.2.1 127.0.0.1 99999 70\r\n/\r\n", False),
            ("v1 TCP6 with IPv4 addresses",
             b"PROXY TCP6 192.0.2.1 127.0.0.1 1 2\r\n/\r\n", False),
            ("a v1 line over 107 bytes",
             b"PROXY TCP4 " + b"1" * 120 + b"\r\n/\r\n", False),
            ("a v2 header with an unknown command",
             PROXY_SIG + b"\x2f\x11\x00\x0c" + b"\x00" * 12 + b"/\r\n",
             False),
            ("a header cut short by the client",
             b"PROXY TCP4 192.0.2.1", "shut"),
            ("an HTTP request", b"GET / HTTP/1.0\r\n\r\n", False)]:
        ok, what = refused_silently(GP if tls is True else OP, data,
                                    tls=tls)
        t.ok(ok, "no valid PROXY header (%s): closed without an answer%s" %
             (name, tag), what)
    # The real client address is the one the per-address cap counts.
    idle = []
    for k in range(2):
        s = socket.create_connection(("127.0.0.1", OP), TIMEOUT)
        s.sendall(proxy_v1("192.0.2.50"))
        idle.append(s)
    time.sleep(0.2)
    third = goph(OP, proxy_v1("192.0.2.50") + b"/\r\n")
    other = goph(OP, proxy_v1("192.0.2.51") + b"/\r\n")
    for s in idle:
        s.close()
    t.ok(third.startswith(b"3Too many connections from your address"),
         "per-address cap counts the address from the header" + tag, third)
    t.ok(not menu_lines(other)[1] and b"iHost B\t" in other,
         "another header address is not capped" + tag, other[:200])
    t.ok(srv.alive(), "daemon alive after the PROXY cases" + tag)
    t.eq(srv.stop(), 0, "PROXY server: clean exit" + tag)
    srv.cleanup()


proxy_checks(1)


# ================================================ 9. HAProxy end to end

def haproxy_checks():
    if shutil.which("haproxy") is None:
        t.skip("HAProxy in front of two instances",
               "haproxy is not installed (apt-get install haproxy)")
        return
    pub_gem, pub_goph, stats = free_port(), free_port(), free_port()
    insts = []
    for k in (1, 2):
        c = os.path.join(work, "inst%d.yaml" % k)
        # The public ports are HAProxy's; each instance listens on its
        # own ephemeral ports with PROXY enabled.
        write(c, """\
gemini_port: %d
gopher_port: %d
workers: 1
listen:
  - address: 127.0.0.1
    gemini_port: 0
    gopher_port: 0
    proxy: true
limits:
  rate: 0
hosts:
  - hostname: localhost
    root: %s
    certs: %s
""" % (pub_gem, pub_goph, rootB, certs))
        insts.append(Server(None, config=c, args=ALLOW_ROOT))
    with open(os.path.join(top, "contrib", "haproxy.cfg")) as f:
        hc = f.read()
    subs = [
        (r"\n\tlog /dev/log local0\n", "\n"),
        (r"bind :::1965 v4v6", "bind 127.0.0.1:%d" % pub_gem),
        (r"bind :::70 v4v6", "bind 127.0.0.1:%d" % pub_goph),
        (r"server capsuled1 127\.0\.0\.1:11965",
         "server capsuled1 127.0.0.1:%d" % insts[0].gemini_port),
        (r"server capsuled2 127\.0\.0\.1:21965",
         "server capsuled2 127.0.0.1:%d" % insts[1].gemini_port),
        (r"server capsuled1 127\.0\.0\.1:17070",
         "server capsuled1 127.0.0.1:%d" % insts[0].gopher_port),
        (r"server capsuled2 127\.0\.0\.1:27070",
         "server capsuled2 127.0.0.1:%d" % insts[1].gopher_port),
        (r"inter 5s", "inter 200ms"),
        (r"bind 127\.0\.0\.1:8404", "bind 127.0.0.1:%d" % stats),
    ]
    missing = []
    for pat, rep in subs:
        hc, n = re.subn(pat, rep, hc)
        if n == 0:
            missing.append(pat)
    t.eq(missing, [], "contrib/haproxy.cfg has the expected shape")
    hcfg = os.path.join(work, "haproxy.cfg")
    write(hcfg, hc)
    r = run(["haproxy", "-c", "-f", os.path.join(top, "contrib",
                                                   "haproxy.cfg")])
    t.ok(r.returncode == 0, "haproxy -c accepts contrib/haproxy.cfg",
         (r.stdout + r.stderr).decode())
    r = run(["haproxy", "-c", "-f", hcfg])
    t.ok(r.returncode == 0, "haproxy -c accepts the adapted contrib file",
         (r.stdout + r.stderr).decode())
    hlog = open(os.path.join(work, "haproxy.log"), "wb")
    hp = subprocess.Popen(["haproxy", "-db", "-f", hcfg],
                          stdout=hlog, stderr=subprocess.STDOUT)

    def stats_csv():
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/;csv" % stats,
                                        timeout=2) as f:
                return f.read().decode()
        except OSError:
            return None

    try:
        def all_up():
            csv = stats_csv()
            if not csv:
                return None
            rows = [ln.split(",") for ln in csv.splitlines()]
            st = {(r[0], r[1]): (r[17], r[36]) for r in rows[1:]
                  if len(r) > 36 and r[1].startswith("capsuled")}
            return st if len(st) == 4 and all(
                v[0] == "UP" and v[1].startswith("L4OK")
                for v in st.values()) else None
        # Let a few health checks (every 200 ms, with a PROXY v2 LOCAL
        # header) run first.
        time.sleep(1.0)
        up = wait_for(all_up, 5)
        t.ok(up, "HAProxy health checks see both instances UP (L4OK)",
             stats_csv())
        n = 12
        heads, gophs = [], []
        for k in range(n):
            src = "127.0.0.1" if k % 2 == 0 else "127.0.0.3"
            heads.append(gem(pub_gem, "gemini://localhost:%d/hp-gem-%d" %
                             (pub_gem, k), src=src)[0])
            gophs.append(goph(pub_goph, b"/hp-goph-%d\r\n" % k,
                              src=src)[:11])
        t.eq(heads, ["51 Not found"] * n, "Gemini through HAProxy")
        t.eq(gophs, [b"3Not found\t"] * n, "Gopher through HAProxy")
        menu = goph(pub_goph, b"/\r\n")
        lines, problems = menu_lines(menu)
        t.ok(not problems and lines and all(
            ln.split(b"\t")[3] == str(pub_goph).encode() for ln in lines
            if not ln.startswith(b"i")),
            "menus behind HAProxy name the public Gopher port",
            problems or menu[:300])

        def served():
            per = []
            for s in insts:
                per.append([a for a in access_lines(s.stderr())
                            if "hp-" in a[2]])
            return per if sum(len(p) for p in per) == 2 * n else None
        per = wait_for(served, 5) or [[], []]
        t.eq(sum(len(p) for p in per), 2 * n,
             "every request through HAProxy logged once")
        t.ok(all(len(p) > 0 for p in per),
             "both instances served requests (%s)" %
             "/".join(str(len(p)) for p in per))
        want = {}
        for k in range(n):
            src = "127.0.0.1" if k % 2 == 0 else "127.0.0.3"
            want["gemini://localhost:%d/hp-gem-%d" % (pub_gem, k)] = src
            want["/hp-goph-%d" % k] = src
        wrong = [a for p in per for a in p if want.get(a[2]) != a[0]]
        t.eq(wrong, [], "the logs show the original client address")
        t.ok(all_up(), "health checks still pass after the traffic")
        junk = [ln for s in insts for ln in
                s.stderr().decode("utf-8", "replace").splitlines()
                if "warn" in ln.lower() or (ACCESS.match(ln) and
                                            "hp-" not in ln and
                                            '"/"' not in ln)]
        t.eq(junk, [], "health checks leave no log lines or warnings")
        t.ok(all(s.alive() for s in insts), "both instances alive")
    finally:
        hp.terminate()
        try:
            hp.wait(10)
        except subprocess.TimeoutExpired:
            hp.kill()
            hp.wait()
        hlog.close()
        for k, s in enumerate(insts):
            t.eq(s.stop(), 0, "instance %d: clean exit" % (k + 1))
            s.cleanup()


haproxy_checks()

# ================================================ 10. several workers

cfg2 = os.path.join(work, "workers.yaml")
write(cfg2, main_config(workers=1))
srv = Server(None, config=cfg2, args=ALLOW_ROOT + ["--workers", "2"])
t.ok("with 2 workers" in srv.stderr().decode(),
     "--workers 2 overrides the file's workers: 1")
reload_checks(srv, cfg2, 2)
t.ok(srv.alive(), "daemon alive after reloads with two workers")
t.eq(srv.stop(), 0, "two workers: clean exit")
srv.cleanup()
proxy_checks(2)

print("# runtime %.1f s" % (time.time() - T0))
shutil.rmtree(work, ignore_errors=True)
t.done()
