"""capsuletest: drive the real capsuled binary over loopback, print TAP.

Each test file builds a capsule in a temporary directory, starts the
binary on ephemeral ports (it prints "ready gemini=N gopher=M" once it
listens), talks to it with the standard library only, and checks after
every case that the daemon is still alive.  Every socket has a timeout and
every loop is bounded, so a broken server fails a test instead of hanging
it.
"""

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT = 10


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, name))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            if diag is not None:
                for line in str(diag).splitlines()[:40]:
                    print("#   " + line)
        sys.stdout.flush()
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got:  %r\nwant: %r" % (got, want))

    def skip(self, name, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, why))
        sys.stdout.flush()

    def done(self):
        print("1..%d" % self.n)
        sys.stdout.flush()
        sys.exit(1 if self.failed else 0)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def small_asan_quarantine():
    """ASan's quarantine would hide memory behaviour: keep it small for
    the servers started after this."""
    os.environ["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") +
                                  ":quarantine_size_mb=4"
                                  ":malloc_context_size=5")


def probe_while(busy, probe, expect, limit=2000):
    """Run busy() in a thread and repeat probe() until it is done (bounded
    in count, joined with a bound).  Returns (count, wrong, worst): how
    many probes ran, how many did not return expect, the slowest in
    seconds."""
    th = threading.Thread(target=busy)
    th.start()
    worst, count, wrong = 0.0, 0, 0
    while th.is_alive() and count < limit:
        start = time.time()
        wrong += probe() != expect
        worst = max(worst, time.time() - start)
        count += 1
        time.sleep(0.02)
    th.join(60)
    return count, wrong, worst


def copy_capsule(src, dst):
    shutil.copytree(src, dst, symlinks=True)


def menu_items(data):
    """A Gopher menu's items as (type, display, selector, host, port), and
    menu_lines' problems."""
    lines, problems = menu_lines(data)
    items = []
    for ln in lines:
        parts = ln.decode("utf-8", "replace").split("\t")
        if len(parts) == 4:
            items.append((parts[0][:1], parts[0][1:], parts[1], parts[2],
                          parts[3]))
    return items, problems


def finish(t, srv, work):
    """A test's end: srv survived every case and exits cleanly on SIGTERM;
    its files and the work folder go."""
    t.ok(srv.alive(), "daemon alive after all cases")
    rc = srv.stop()
    t.ok(rc == 0, "SIGTERM: clean exit", "exit %r\n%s" % (
        rc, srv.stderr().decode("utf-8", "replace")[-3000:]))
    srv.cleanup()
    shutil.rmtree(work, ignore_errors=True)
    t.done()


class Server:
    """One capsuled process on 127.0.0.1 and ::1, ephemeral ports."""

    def __init__(self, root, args=(), hostname="localhost", certs=None,
                 listen=("127.0.0.1", "::1"), preexec=None, config=None,
                 ready_log=None, cache_home=None):
        """With config, the daemon runs as `capsuled --config FILE` plus
        args only (root, hostname, certs, ports and listen are the
        file's; pass overrides in args).  ready_log names the file that
        gets the "ready" line when the config sends the log elsewhere
        than stderr.  The post index file goes under cache_home (the
        daemon's XDG_CACHE_HOME), by default one of this server's own;
        pass the same one to a later server to restart on it."""
        self.binary = os.environ.get("CAPSULED") or "src/capsuled"
        self.root = root
        self.tmp = tempfile.mkdtemp(prefix="capsuled-test-")
        self.certs = certs or os.path.join(self.tmp, "certs")
        self.hostname = hostname
        self.config = config
        if config is not None:
            cmd = [self.binary, "--config", config]
        else:
            cmd = [self.binary, "--root", root, "--hostname", hostname,
                   "--certs", self.certs, "--gemini-port", "0",
                   "--gopher-port", "0"]
            for a in listen:
                cmd += ["--listen", a]
        if os.geteuid() == 0 and "--user" not in args:
            # Temporary directories are private to root; the privilege
            # drop has its own test.
            cmd += ["--allow-root"]
        cmd += list(args)
        self.log_path = os.path.join(self.tmp, "stderr.log")
        self.log = open(self.log_path, "wb")
        self.cache_home = cache_home or os.path.join(self.tmp, "cache")
        env = dict(os.environ, XDG_CACHE_HOME=self.cache_home)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=self.log, preexec_fn=preexec,
                                     env=env)
        self.gemini_port = self.gopher_port = None
        deadline = time.time() + 30
        while time.time() < deadline:
            text = self.stderr()
            if ready_log is not None and os.path.exists(ready_log):
                with open(ready_log, "rb") as f:
                    text += f.read()
            m = re.search(rb"ready gemini=(\d+) gopher=(\d+)", text)
            if m:
                self.gemini_port = int(m.group(1))
                self.gopher_port = int(m.group(2))
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if self.gemini_port is None:
            raise RuntimeError("capsuled did not start:\n" +
                               self.stderr().decode(errors="replace"))

    def stderr(self):
        with open(self.log_path, "rb") as f:
            return f.read()

    def alive(self):
        return self.proc.poll() is None

    def index_updates(self):
        """How many times the indexer has taken in changes (it logs each
        update it installs)."""
        return len(re.findall(rb": index updated ", self.stderr()))

    def wait_index(self, before, timeout=30):
        """Wait (bounded) until the indexer installs an update after
        index_updates() returned before: no request is needed for it.
        True when it did."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.index_updates() > before:
                return True
            time.sleep(0.05)
        return False

    def until(self, check, timeout=30):
        """check() repeated (bounded) until it is true; its last value."""
        deadline = time.time() + timeout
        while True:
            v = check()
            if v or time.time() >= deadline:
                return v
            time.sleep(0.1)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stop the daemon; returns its exit status (0 = clean)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return -9
        self.log.close()
        if self.proc.returncode != 0:
            # Say why (a sanitizer report, a fatal error) in the TAP log.
            for line in self.stderr().decode("utf-8", "replace") \
                    .splitlines()[-40:]:
                print("#   " + line)
        return self.proc.returncode

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---------------------------------------------------------- clients

    def tls_context(self, minimum=None, maximum=None, cert=None, key=None):
        """A client context that accepts any server certificate; cert and
        key (PEM files) make it present a client certificate."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if cert is not None:
            ctx.load_cert_chain(cert, key)
        if minimum:
            ctx.minimum_version = minimum
        if maximum:
            ctx.maximum_version = maximum
        return ctx

    def gemini_raw(self, request, sni="localhost", addr="127.0.0.1",
                   ctx=None, read=True):
        """Send raw request bytes over TLS.  Returns (header, body,
        close_notify) where header is the first line without CRLF."""
        ctx = ctx or self.tls_context()
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        with socket.socket(fam, socket.SOCK_STREAM) as raw:
            raw.settimeout(TIMEOUT)
            raw.connect((addr, self.gemini_port))
            with ctx.wrap_socket(raw, server_hostname=sni) as s:
                s.sendall(request)
                if not read:
                    return None
                data = b""
                close_notify = True
                while True:
                    try:
                        chunk = s.recv(65536)
                    except ssl.SSLEOFError:
                        close_notify = False
                        break
                    if not chunk:
                        break
                    data += chunk
                    if len(data) > 64 << 20:
                        break
        head, _, body = data.partition(b"\r\n")
        return head.decode("utf-8", "replace"), body, close_notify

    def gemini(self, url, **kw):
        if "{port}" in url:
            url = url.replace("{port}", str(self.gemini_port))
        return self.gemini_raw(url.encode() + b"\r\n", **kw)

    def gopher_raw(self, request, addr="127.0.0.1", shut=False):
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        with socket.socket(fam, socket.SOCK_STREAM) as s:
            s.settimeout(TIMEOUT)
            s.connect((addr, self.gopher_port))
            s.sendall(request)
            if shut:
                s.shutdown(socket.SHUT_WR)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                if len(data) > 64 << 20:
                    break
        return data

    def gopher(self, selector, **kw):
        return self.gopher_raw(selector.encode() + b"\r\n", **kw)


def menu_lines(data):
    """Split a gophermap into lines, checking its framing; returns
    (lines, problems)."""
    problems = []
    if not data.endswith(b".\r\n"):
        problems.append("does not end with .CRLF")
    body = data[:-3] if data.endswith(b".\r\n") else data
    lines = body.split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    else:
        problems.append("last line not CRLF-terminated")
    for ln in lines:
        if b"\n" in ln or b"\r" in ln:
            problems.append("bare CR/LF in %r" % ln)
        if ln.count(b"\t") != 3:
            problems.append("not exactly three TABs: %r" % ln)
            continue
        t, sel, host, port = ln.split(b"\t")
        if not t or not port.isdigit():
            problems.append("bad type or port: %r" % ln)
    return lines, problems


def crawl_links(body):
    return re.findall(r"^=>\s*(\S+)", body.decode("utf-8", "replace"), re.M)


def gopher_crawl(srv, types="01", limit=300):
    """Follow every item of the given types on our own host and port,
    breadth first from the root.  Returns (seen, broken, items): seen
    maps selector -> type; broken lists (selector, why) for an empty
    reply, a type-3 answer or a malformed menu; items counts the non-info
    lines read."""
    seen, queue, broken, items = {}, [("1", "/")], [], 0
    while queue and len(seen) < limit:
        typ, sel = queue.pop(0)
        if sel in seen:
            continue
        data = srv.gopher(sel)
        seen[sel] = typ
        if typ != "1":
            if not data or data.startswith(b"3"):
                broken.append((sel, data[:80]))
            continue
        lines, problems = menu_lines(data)
        if problems or data.startswith(b"3"):
            broken.append((sel, problems or data[:80]))
            continue
        for ln in lines:
            parts = ln.decode("utf-8", "replace").split("\t")
            if parts[0][:1] != "i":
                items += 1
            if (parts[0][:1] in types and parts[2] == srv.hostname and
                    parts[3] == str(srv.gopher_port)):
                queue.append((parts[0][:1], parts[1]))
    return seen, broken, items
