#!/usr/bin/python3
"""firstpage: how long a fresh capsuled takes to answer its home page, and
to answer it complete (without the "Still indexing" line a cold index's
front-matter pass leaves on generated pages).

    bench/firstpage.py PORT PIDFILE -- CAPSULED [ARGS...]

Starts the command (which must serve Gemini on 127.0.0.1:PORT), asks for
gemini://localhost:PORT/ as soon as the port accepts and again until the
page is complete, prints "first_ms complete_ms" (from the start of the
process), writes the server's pid to PIDFILE and leaves it running.
Loopback only; gives up after 120 s.
"""

import socket
import ssl
import subprocess
import sys
import time

NOTE = b"Still indexing"


def ask(port, ctx):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"gemini://localhost:%d/\r\n" % port)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return data
                data += chunk


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit(__doc__)
    port, pidfile, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[4:]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=sys.stderr)
    with open(pidfile, "w") as f:
        f.write("%d\n" % proc.pid)
    first = None
    while time.monotonic() - t0 < 120 and proc.poll() is None:
        try:
            data = ask(port, ctx)
        except OSError:
            time.sleep(0.002)
            continue
        now = (time.monotonic() - t0) * 1000
        if not data.startswith(b"20"):
            time.sleep(0.002)
            continue
        if first is None:
            first = now
        if NOTE not in data:
            print("%.0f %.0f" % (first, now))
            return 0
        time.sleep(0.01)
    print("- -")
    return 1


sys.exit(main())
