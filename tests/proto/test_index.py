"""The post index between runs and while running (issue 12): the index is
saved in a file outside the served root and a restart reuses every entry
whose source is unchanged, so the first generated page is complete at
once; a post changed while the server was stopped shows what it says
now; a damaged, truncated or foreign index file is ignored with one log
line and made again; a post edited while the server runs is taken in by
the indexer by itself (just that file), with no request needed."""

import glob
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import Tap, Server  # noqa: E402

t = Tap()
work = tempfile.mkdtemp(prefix="capsuled-index-")
os.chmod(work, 0o755)
root = os.path.join(work, "root")
posts = os.path.join(root, "posts")
cache = os.path.join(work, "cache")
os.makedirs(posts)
NOTE = b"Still indexing"
COUNT = 400


def write(rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)


# Even posts carry their title in the front matter, odd ones in their
# first heading (the body pass finds it); every summary comes from the
# body.
for i in range(COUNT):
    fm = "title: Post %d\n" % i if i % 2 == 0 else ""
    write("posts/p%03d.md" % i, "---\n%sdate: 2020-01-01T00:%02d:%02dZ\n"
          "tags: [t%d]\n---\n\n%sThe summary of post %d, from its body.\n"
          "\nword%d and more text.\n" % (fm, i // 60, i % 60, i % 7,
                                         "" if fm else "# Post %d\n\n" % i,
                                         i, i))
for d, _, _ in os.walk(work):
    os.chmod(d, 0o755)

ARGS = ["--workers", "1", "--rate", "0"]


def index_files():
    return sorted(p for p in glob.glob(os.path.join(cache, "capsuled",
                                                    "index-*"))
                  if not p.endswith(".tmp"))


def gem(srv, path):
    head, body, _ = srv.gemini("gemini://localhost:{port}" + path)
    return head, body


def start():
    return Server(root, args=ARGS, cache_home=cache)


def ready_line(srv):
    m = re.findall(rb"index of (\d+) sources ready in \d+ ms \((\d+) "
                   rb"entries from the index file\)", srv.stderr())
    return (int(m[-1][0]), int(m[-1][1])) if m else None


# ------------------------------------------------------------ cold start
srv = start()
body = srv.until(lambda: (lambda b: b if NOTE not in b else None)(
    gem(srv, "/gemlog/")[1]))
t.ok(body and body.count(b"=> /posts/p") == COUNT and
     b"Post 399" in body and b"Post 1\n" in body,
     "cold: the gemlog lists every post once the index is complete",
     (body or b"")[:300])
t.ok(srv.until(lambda: len(index_files()) == 1),
     "the index file is written after the first build", index_files())
t.eq([p for p in glob.glob(os.path.join(root, "**", "index-*"),
                           recursive=True)], [],
     "nothing written under the served root")
t.ok(ready_line(srv) == (COUNT, 0), "cold: no entry came from a file",
     ready_line(srv))
t.eq(srv.stop(), 0, "clean exit")

# ------------------------------------------------------------ restart
# Changed while stopped: the newest post's front-matter title, an older
# post's first heading; and one new post.
write("posts/p399.md", "---\ntitle: Renamed while stopped\ndate: "
      "2020-01-01T00:06:39Z\n---\n\nA new summary.\n")
write("posts/p301.md", "---\ndate: 2020-01-01T00:05:01Z\n---\n\n# Heading "
      "changed while stopped\n\nThe summary of post 301.\n")
write("posts/new.md", "---\ntitle: Added while stopped\ndate: 2019-06-01\n"
      "---\n\nNew words.\n")
srv = start()
head, home = gem(srv, "/")
t.ok(head.startswith("20") and NOTE not in home and
     b"Renamed while stopped" in home and b"Post 398" in home,
     "restart: the first home page is complete and shows the new title",
     home[:600])
head, body = gem(srv, "/gemlog/")
t.ok(NOTE not in body and b"Heading changed while stopped" in body and
     b"Added while stopped" in body and
     body.count(b"=> /posts/") == COUNT + 1,
     "restart: the gemlog has the changed heading and the new post",
     body[:300])
t.ok(b"A new summary." in gem(srv, "/atom.xml")[1],
     "restart: the changed post's new summary is in the feed")
t.eq(ready_line(srv), (COUNT + 1, COUNT),
     "restart: every unchanged entry came from the file")

# ------------------------------------------------------------ live edit
# The indexer takes an edit in by itself: no request is made until its
# log line says so, and it loaded just that file.
n = srv.index_updates()
write("posts/p398.md", "---\ntitle: Edited while running\ndate: "
      "2020-01-01T00:06:38Z\n---\n\nThe edited summary.\n")
t.ok(srv.wait_index(n), "live: the indexer took the edit in, no request "
     "asked for it")
t.ok(b"index updated from 1 changed file" in srv.stderr(),
     "live: just the changed file was loaded again (no walk of the tree)",
     srv.stderr()[-600:])
head, home = gem(srv, "/")
t.ok(b"Edited while running" in home and b"Post 398" not in home and
     NOTE not in home, "live: the home page shows the new title", home[:600])
t.ok(b"Edited while running" in gem(srv, "/atom.xml")[1] and
     b"Edited while running" in srv.gopher("/gemlog/"),
     "live: the Atom feed and the Gopher phlog too")
head, body = gem(srv, "/search?word398")
t.ok(b"No posts match" in body, "live: its old text left the search index",
     body[:300])
# Saved again a little later: a restart sees the edit at once.
saved = os.path.getmtime(index_files()[0])
t.ok(srv.until(lambda: os.path.getmtime(index_files()[0]) != saved),
     "live: the index file is saved again after the update")
t.eq(srv.stop(), 0, "clean exit")
srv = start()
head, home = gem(srv, "/")
t.ok(NOTE not in home and b"Edited while running" in home,
     "the saved update serves the next start", home[:300])
t.eq(ready_line(srv), (COUNT + 1, COUNT + 1),
     "... every entry from the file")
t.eq(srv.stop(), 0, "clean exit")


# ------------------------------------------------------------ bad files
def bad_file(name, damage, why):
    path = index_files()[0]
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(damage(data))
    srv = start()
    head, home = gem(srv, "/")
    lines = [ln for ln in srv.stderr().splitlines()
             if b"index file" in ln and b"ignored" in ln]
    t.ok(len(lines) == 1 and why in lines[0],
         "%s: one log line says why the file is ignored" % name, lines)
    body = srv.until(lambda: (lambda b: b if NOTE not in b else None)(
        gem(srv, "/gemlog/")[1]))
    t.ok(body and body.count(b"=> /posts/") == COUNT + 1 and
         b"Edited while running" in body,
         "%s: the index is made again from the sources" % name)
    t.ok(srv.until(lambda: ready_line(srv) is not None and
                   open(index_files()[0], "rb").read() != damage(data)),
         "%s: and the file written again" % name)
    t.ok(srv.alive(), "%s: daemon alive" % name)
    t.eq(srv.stop(), 0, "%s: clean exit" % name)


def flip(data):
    mid = len(data) // 2
    return data[:mid] + bytes([data[mid] ^ 0x55]) + data[mid + 1:]


bad_file("a flipped byte", flip, b"damaged (checksum)")
bad_file("a truncated file", lambda d: d[:len(d) * 2 // 3],
         b"truncated or damaged (length)")
bad_file("a foreign file", lambda d: b"hello, not an index\n" * 10,
         b"not an index file")
bad_file("an empty file", lambda d: b"", b"truncated or damaged (size)")

# ------------------------------------------------------------ placement
inside = os.path.join(root, "cachehere")
srv = Server(root, args=ARGS + ["--cache-dir", inside], cache_home=cache)
t.ok(b"is inside the served root" in srv.stderr(),
     "a cache directory inside the root is refused with a log line")
body = srv.until(lambda: (lambda b: b if NOTE not in b else None)(
    gem(srv, "/gemlog/")[1]))
t.ok(body and glob.glob(os.path.join(inside, "*")) == [],
     "... and nothing is written there")
t.eq(srv.stop(), 0, "clean exit")
srv = Server(root, args=ARGS + ["--cache-dir", "none"], cache_home=cache)
t.ok(b"post index kept in" not in srv.stderr(),
     "--cache-dir none keeps no index file")
t.eq(srv.stop(), 0, "clean exit")

shutil.rmtree(work, ignore_errors=True)
t.done()
