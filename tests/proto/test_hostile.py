"""Hostile clients on loopback (issue 5): idle floods, slowloris, garbage,
caps, rate limits, descriptor exhaustion, slow readers of a big file,
shutdown with a download in flight, privilege drop.  Every loop is bounded
in count and time."""

import os
import pwd
import random
import resource
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import Tap, Server  # noqa: E402

t = Tap()
work = tempfile.mkdtemp(prefix="capsuled-hostile-")
os.chmod(work, 0o755)
root = os.path.join(work, "root")
os.makedirs(os.path.join(root, "big"))
with open(os.path.join(root, "index.gmi"), "w") as f:
    f.write("# hostile\n\nhello\n")
with open(os.path.join(root, "hello.txt"), "w") as f:
    f.write("hello\n")
BIG = 50 << 20
with open(os.path.join(root, "big", "file.bin"), "wb") as f:
    block = bytes(random.Random(1).getrandbits(8) for _ in range(1 << 16))
    for _ in range(BIG // len(block)):
        f.write(block)
for d, _, files in os.walk(work):
    os.chmod(d, 0o755)
    for n in files:
        os.chmod(os.path.join(d, n), 0o644)

# ASan's quarantine would hide memory behaviour; keep it small.
os.environ["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") +
                              ":quarantine_size_mb=4:malloc_context_size=5")


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def timed(fn):
    start = time.time()
    out = fn()
    return out, time.time() - start


def ok_request(srv):
    h = srv.gemini("gemini://localhost:{port}/")[0]
    g = srv.gopher("/hello.txt")
    return h.startswith("20") and g == b"hello\n"


def closes_within(sock, seconds):
    sock.settimeout(seconds)
    try:
        while True:
            if not sock.recv(4096):
                return True
    except (socket.timeout, TimeoutError):
        return False
    except OSError:
        return True


# ------------------------------------------------------------ idle flood
srv = Server(root, args=["--timeout", "20000"])
idle = []
for i in range(500):
    port = srv.gemini_port if i % 2 else srv.gopher_port
    s = socket.create_connection(("127.0.0.1", port), 5)
    idle.append(s)
good, secs = timed(lambda: ok_request(srv))
t.ok(good and secs < 3, "500 idle connections held, normal requests still "
     "answered promptly (%.2f s)" % secs)
for s in idle:
    s.close()

# ------------------------------------------------------------ slowloris
srv.stop()
srv = Server(root, args=["--timeout", "1000"])
s = socket.create_connection(("127.0.0.1", srv.gopher_port), 5)
start = time.time()
closed = False
for ch in b"/hello.txt"[:8]:
    try:
        s.send(bytes([ch]))
    except OSError:
        closed = True
        break
    time.sleep(0.3)
closed = closed or closes_within(s, 3)
t.ok(closed and time.time() - start < 5,
     "trickled request closed by the request timeout")
s.close()
raw = socket.create_connection(("127.0.0.1", srv.gemini_port), 5)
raw.send(b"\x16\x03\x01\x00")  # the start of a ClientHello, then nothing
t.ok(closes_within(raw, 4), "stalled TLS handshake reaped by the timeout")
raw.close()
t.ok(ok_request(srv), "still serving after slow clients")

# ------------------------------------------------------------ garbage
rng = random.Random(42)
srv.stop()
srv = Server(root, args=["--timeout", "2000"])


def garbage(i):
    kind = i % 8
    if kind == 0:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300)))
    if kind == 1:
        return b"A" * 65536 + b"\r\n"
    if kind == 2:
        return b"/\x00/../../etc/passwd\r\n"
    if kind == 3:
        return b"/\xff\xfe\xc0\xaf\r\n"
    if kind == 4:
        return b"gemini://localhost/\r\n"        # plain text at TLS port
    if kind == 5:
        return b"\x16\x03\x01\x02\x00" + os.urandom(200)   # fake TLS
    if kind == 6:
        return b""                                # connect, close
    return b"\r\n" * 3000


def blast(n0, n1, counts):
    for i in range(n0, n1):
        port = srv.gemini_port if i % 2 else srv.gopher_port
        try:
            s = socket.create_connection(("127.0.0.1", port), 5)
            s.settimeout(5)
            data = garbage(i)
            if not data:                          # connect, then close
                s.close()
                counts[0] += 1
                continue
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)        # half-open close
                while s.recv(65536):
                    pass
            except OSError:
                pass                              # reset: fine too
            s.close()
            counts[0] += 1
        except OSError:
            counts[1] += 1


before = rss_kb(srv.proc.pid)
counts = [0, 0]
threads = [threading.Thread(target=blast, args=(k * 2500, (k + 1) * 2500,
                                                counts)) for k in range(4)]
for th in threads:
    th.start()
for th in threads:
    th.join(300)
tls_bad = 0
for i in range(200):  # garbage inside real TLS sessions
    h = srv.gemini_raw(os.urandom(rng.randint(1, 2000)) + b"\r\n")[0]
    tls_bad += h[:2] in ("59", "53")
after = rss_kb(srv.proc.pid)
print("# garbage: %d sent, %d connect errors; RSS %d -> %d KB" %
      (counts[0], counts[1], before, after))
t.ok(counts[0] + counts[1] == 10000 and counts[0] >= 9900,
     "10,000 garbage requests sent (%d answered or closed)" % counts[0])
t.ok(tls_bad >= 195, "garbage inside TLS answered 59/53 (%d/200)" % tls_bad)
t.ok(srv.alive() and ok_request(srv), "serving correctly after the garbage")
t.ok(after - before < 64 * 1024,
     "RSS grew by less than 64 MB (%d KB -> %d KB)" % (before, after))
t.eq(srv.stop(), 0, "clean exit after the garbage (no leaks)")

# ------------------------------------------------------------ caps and rates
srv = Server(root, args=["--limit-loopback", "--max-per-ip", "4",
                         "--rate", "1", "--burst", "3"])
held = [socket.create_connection(("127.0.0.1", srv.gopher_port), 5)
        for _ in range(4)]
time.sleep(0.2)
d = srv.gopher("/hello.txt")
t.ok(d.startswith(b"3") and b"Too many" in d,
     "per-address cap: Gopher gets a type-3 line", d)
raw = socket.create_connection(("127.0.0.1", srv.gemini_port), 5)
t.ok(closes_within(raw, 3), "per-address cap: Gemini closed at once")
raw.close()
for s in held:
    s.close()
time.sleep(0.3)
answers = [srv.gemini("gemini://localhost:{port}/")[0] for _ in range(5)]
t.ok(all(a.startswith("20") for a in answers[:3]), "burst allowed", answers)
t.ok(answers[3].startswith("44 ") and answers[3][3:].isdigit(),
     "over the rate: Gemini 44 with seconds to wait", answers)
d = srv.gopher("/hello.txt")
t.ok(d.startswith(b"3Slow down"), "over the rate: Gopher type-3 line", d)
time.sleep(2.2)
t.ok(srv.gemini("gemini://localhost:{port}/")[0].startswith("20"),
     "tokens refill with time")
t.eq(srv.stop(), 0, "clean exit")

srv = Server(root, args=["--max-conns", "6", "--workers", "1"])
held = [socket.create_connection(("127.0.0.1", srv.gopher_port), 5)
        for _ in range(6)]
time.sleep(0.2)
d = srv.gopher("/hello.txt")
t.ok(d.startswith(b"3") and b"Too many" in d, "global cap: refused with a "
     "type-3 line", d)
for s in held:
    s.close()
time.sleep(0.3)
t.eq(srv.gopher("/hello.txt"), b"hello\n", "served again below the cap")
t.eq(srv.stop(), 0, "clean exit")

# ------------------------------------------------------------ EMFILE


def low_fds():
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))


srv = Server(root, args=["--workers", "1", "--timeout", "3000"],
             preexec=low_fds)
held = []
for _ in range(120):
    try:
        held.append(socket.create_connection(("127.0.0.1",
                                              srv.gopher_port), 2))
    except OSError:
        break
time.sleep(0.5)
c0 = cpu_ticks(srv.proc.pid)
time.sleep(2)
c1 = cpu_ticks(srv.proc.pid)
t.ok(c1 - c0 < 100, "out of descriptors: the loop does not spin "
     "(%d ticks in 2 s)" % (c1 - c0))
for s in held:
    s.close()
time.sleep(0.5)
t.ok(srv.alive() and srv.gopher("/hello.txt") == b"hello\n",
     "serving again once descriptors are free")
t.eq(srv.stop(), 0, "clean exit")

# ------------------------------------------------------------ slow readers
srv = Server(root, args=["--timeout", "30000"])
before = rss_kb(srv.proc.pid)
readers = []
for i in range(200):
    s = socket.create_connection(("127.0.0.1", srv.gopher_port), 5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"/big/file.bin\r\n")
    readers.append(s)
got = 0
deadline = time.time() + 4
while time.time() < deadline:
    for s in readers:
        s.settimeout(0.01)
        try:
            got += len(s.recv(4096))
        except OSError:
            pass
after = rss_kb(srv.proc.pid)
print("# 200 slow readers of a 50 MB file: RSS %d -> %d KB, %d KB read" %
      (before, after, got // 1024))
t.ok(after - before < 100 * 1024, "memory stays flat with 200 slow readers "
     "of a 50 MB file (+%d KB)" % (after - before))
for s in readers:
    s.close()
t.ok(srv.alive() and ok_request(srv), "serving after the slow readers")

# ------------------------------------------------------------ shutdown
s = socket.create_connection(("127.0.0.1", srv.gopher_port), 5)
s.sendall(b"/big/file.bin\r\n")
first = s.recv(65536)
srv.proc.send_signal(signal.SIGTERM)
time.sleep(0.3)
refused = False
try:
    socket.create_connection(("127.0.0.1", srv.gopher_port), 1).close()
except OSError:
    refused = True
t.ok(refused, "after SIGTERM no new connections are accepted")
total = len(first)
s.settimeout(10)
while total < BIG:
    chunk = s.recv(1 << 20)
    if not chunk:
        break
    total += len(chunk)
s.close()
t.eq(total, BIG, "download in flight completes after SIGTERM")
try:
    code = srv.proc.wait(30)
except subprocess.TimeoutExpired:
    code = None
t.eq(code, 0, "exit 0 once the download is done")

# ------------------------------------------------------------ privileges
if os.geteuid() == 0:
    srv = Server(root, args=["--user", "nobody"], certs=os.path.join(work, "c"))
    with open("/proc/%d/status" % srv.proc.pid) as f:
        uids = [ln.split()[1:] for ln in f if ln.startswith("Uid:")][0]
    nobody = pwd.getpwnam("nobody").pw_uid
    t.eq(uids, [str(nobody)] * 4, "started as root: runs as nobody")
    t.ok(ok_request(srv), "serves after dropping privileges")
    t.eq(srv.stop(), 0, "clean exit")
    p = subprocess.run([srv.binary, "--root", root, "--user", "root",
                        "--gemini-port", "0", "--gopher-port", "0",
                        "--certs", os.path.join(work, "c"),
                        "--listen", "127.0.0.1"],
                       capture_output=True, timeout=30)
    t.ok(p.returncode != 0 and b"root" in p.stderr,
         "refuses to keep running as root unless told to", p.stderr)
else:
    t.skip("privilege drop", "not running as root")

shutil.rmtree(work, ignore_errors=True)
t.done()
