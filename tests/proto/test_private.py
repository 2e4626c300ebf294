"""Private files by their real location (issue 12): whatever symlink or
hard link inside the root leads to a hidden file or directory, the
certificate directory, the config or log directory or out of the root is
refused (Gemini 51, Gopher type-3) and never listed, over both protocols;
links whose target is an ordinary file inside the root still work."""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import Tap, Server, menu_lines  # noqa: E402

t = Tap()
work = tempfile.mkdtemp(prefix="capsuled-private-")
os.chmod(work, 0o755)
root = os.path.join(work, "root")
files = os.path.join(root, "files")
certs = os.path.join(root, "certs-in")   # certificates kept in the root
etc = os.path.join(root, "etc")           # the config file's directory
logs = os.path.join(root, "logs")         # the log file's directory
for d in (files, etc, logs, os.path.join(root, ".git")):
    os.makedirs(d)


def write(path, data):
    with open(path, "w") as f:
        f.write(data)


write(os.path.join(root, "index.gmi"), "# private\n")
write(os.path.join(files, "notes.txt"), "public notes\n")
write(os.path.join(root, ".env"), "SECRET=env\n")
write(os.path.join(root, ".git", "config"), "SECRET=git\n")
write(os.path.join(work, "outside.txt"), "SECRET=outside\n")
logfile = os.path.join(logs, "capsuled.log")
cfg = os.path.join(etc, "capsuled.yaml")
write(cfg, """\
gemini_port: 0
gopher_port: 0
listen: [127.0.0.1]
limits:
  rate: 0
log:
  destination: %s
hosts:
  - hostname: localhost
    root: %s
    certs: %s
""" % (logfile, root, certs))

# Each private kind, by a relative link, an absolute link and a link to
# the directory that holds it.
links = {
    "keylink": "../certs-in/localhost.key",
    "certsdir": "../certs-in",
    "abskey": os.path.join(certs, "localhost.key"),
    "envlink": "../.env",
    "gitdir": "../.git",
    "gitcfg": "../.git/config",
    "cfglink": "../etc/capsuled.yaml",
    "etcdir": "../etc",
    "loglink": "../logs/capsuled.log",
    "logdir": "/" + os.path.relpath(logs, "/"),
    "chain1": "chain2",               # a chain ending in the keys
    "chain2": "../files/chain3",
    "chain3": "../certs-in",
    "dotdot": "../files/../.env",
    "uplink": "../../outside.txt",
    "absout": os.path.join(work, "outside.txt"),
    "loop": "loop",
}
for name, target in links.items():
    os.symlink(target, os.path.join(files, name))
# Links that stay on public files keep working.
os.symlink("notes.txt", os.path.join(files, "samedir.txt"))
os.symlink(os.path.join(files, "notes.txt"), os.path.join(files, "abs.txt"))
os.symlink("files", os.path.join(root, "alias"))

SECRETS = (b"SECRET", b"PRIVATE KEY", b"BEGIN CERTIFICATE", b"hostname:",
           b"ready gemini")

# Start once so the certificate pair exists, then add a hard link to the
# key (a second name for the same inode) before the real run.
srv = Server(None, config=cfg, ready_log=logfile)
srv.stop()
srv.cleanup()
os.unlink(logfile)   # so the next "ready" line is the new daemon's
os.link(os.path.join(certs, "localhost.key"), os.path.join(files, "hard.key"))
for d, _, fs in os.walk(work):
    os.chmod(d, 0o755)
srv = Server(None, config=cfg, ready_log=logfile)

paths = ["files/" + n for n in links] + [
    "files/hard.key", "files/certsdir/localhost.key",
    "files/certsdir/localhost.crt", "files/gitdir/config",
    "files/etcdir/capsuled.yaml", "files/logdir/capsuled.log",
    "files/chain1/localhost.key", "alias/keylink", "alias/envlink",
    "certs-in/localhost.key", "etc/capsuled.yaml", "logs/capsuled.log",
    ".env", ".git/config"]
for p in paths:
    head, body, _ = srv.gemini("gemini://localhost:{port}/" + p)
    t.ok(head.startswith("51") and not any(x in body for x in SECRETS),
         "gemini /%s refused" % p, head)
    data = srv.gopher("/" + p)
    t.ok(data.startswith(b"3") and not any(x in data for x in SECRETS),
         "gopher /%s refused" % p, data[:200])
for p in ("files/certsdir/", "files/gitdir/", "files/etcdir/",
          "files/logdir/", "files/chain1/"):
    head, body, _ = srv.gemini("gemini://localhost:{port}/" + p)
    t.ok(head.startswith("51"), "gemini /%s (a private directory) refused"
         % p, head)
    data = srv.gopher("/" + p)
    t.ok(data.startswith(b"3"), "gopher /%s refused" % p, data[:200])

for p in ("files/samedir.txt", "files/abs.txt", "alias/notes.txt",
          "alias/samedir.txt"):
    head, body, _ = srv.gemini("gemini://localhost:{port}/" + p)
    t.eq((head[:2], body), ("20", b"public notes\n"),
         "gemini /%s: a link to a public file is followed" % p)
    t.eq(srv.gopher("/" + p), b"public notes\n",
         "gopher /%s: a link to a public file is followed" % p)

# Listings show only what would be served.
want = ["abs.txt", "notes.txt", "samedir.txt"]
head, body, _ = srv.gemini("gemini://localhost:{port}/files/")
listed = sorted(ln.split()[1].rsplit("/", 1)[-1]
                for ln in body.decode().splitlines()
                if ln.startswith("=>") and ln.split()[-1] != "..")
t.eq((head[:2], listed), ("20", want), "gemini listing shows only what "
     "would be served")
lines, problems = menu_lines(srv.gopher("/files/"))
listed = sorted(ln.split(b"\t")[1].decode().rsplit("/", 1)[-1]
                for ln in lines if b"/files/" in ln.split(b"\t")[1])
t.eq((problems, listed), ([], want), "gopher listing shows only what would "
     "be served")
head, body, _ = srv.gemini("gemini://localhost:{port}/")
t.ok(head.startswith("20") and b"certs-in" not in body and b"etc" not in
     body.replace(b"etc.", b"") and b"logs" not in body,
     "the root listing names no private directory", body)

t.ok(srv.alive(), "daemon alive")
t.eq(srv.stop(), 0, "clean exit")
srv.cleanup()
shutil.rmtree(work, ignore_errors=True)
t.done()
