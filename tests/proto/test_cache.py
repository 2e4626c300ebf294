"""The reply cache against the real binary: a cached reply is dropped at
the first change under the root, so every change is seen by the very next
request, with one worker and with several."""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import Tap, Server  # noqa: E402

t = Tap()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def check(workers):
    work = tempfile.mkdtemp(prefix="capsuled-cache-")
    root = os.path.join(work, "root")
    outside = os.path.join(work, "outside")
    os.makedirs(outside)
    write(os.path.join(root, "index.gmi"), "v1\n")
    write(os.path.join(root, "posts", "p.md"),
          "---\ntitle: P\ndate: 2024-01-01\n---\n\nbody one\n")
    srv = Server(root, args=["--workers", str(workers), "--rate", "0"])
    w = " (workers %d)" % workers

    def body(path):
        return srv.gemini("gemini://localhost:{port}" + path)[1].decode()

    def gopher(sel):
        return srv.gopher(sel).decode("utf-8", "replace")

    t.ok("v1" in body("/") and "v1" in body("/"), "served, then cached" + w)
    write(os.path.join(root, "index.gmi"), "v2\n")
    t.ok("v2" in body("/"), "a rewritten file is seen at once" + w)
    t.ok("body one" in body("/posts/p") and
         "body one" in gopher("/posts/p.txt"), "a post, both protocols" + w)
    with open(os.path.join(root, "posts", "p.md"), "a") as f:
        f.write("\nbody two\n")
    t.ok("body two" in body("/posts/p") and
         "body two" in gopher("/posts/p.txt"),
         "an edited post is seen at once, both protocols" + w)
    # The post index: a new post reaches the (cached) gemlog.
    t.ok("/posts/p" in body("/gemlog/") and
         "/posts/q" not in body("/gemlog/"), "the gemlog, cached" + w)
    # The indexer takes it in without a request; until then the gemlog
    # is the previous index's.
    n = srv.index_updates()
    write(os.path.join(root, "posts", "q.md"),
          "---\ntitle: Q\ndate: 2024-02-01\n---\n\nnew\n")
    t.ok(srv.wait_index(n), "the indexer took the new post in" + w)
    t.ok("/posts/q" in body("/gemlog/"), "a new post is listed" + w)
    write(os.path.join(root, "elsewhere.gmi"), "not a post\n")
    n = srv.index_updates()
    os.unlink(os.path.join(root, "posts", "q.md"))
    srv.wait_index(n)
    t.ok("/posts/q" not in body("/gemlog/"),
         "a removed post is gone from the list" + w)
    # A directory made with its file in one go, then asked for.
    write(os.path.join(root, "a", "b", "c", "f.gmi"), "deep\n")
    t.ok("deep" in body("/a/b/c/f.gmi"), "a new directory tree" + w)
    write(os.path.join(root, "a", "b", "c", "f.gmi"), "deeper\n")
    t.ok("deeper" in body("/a/b/c/f.gmi"),
         "a file in a new directory, changed" + w)
    os.unlink(os.path.join(root, "a", "b", "c", "f.gmi"))
    head = srv.gemini("gemini://localhost:{port}/a/b/c/f.gmi")[0]
    t.ok(head.startswith("51"), "a removed file is gone" + w, head)
    # Moved in from outside the root.
    write(os.path.join(outside, "m", "y.gmi"), "moved\n")
    shutil.move(os.path.join(outside, "m"), os.path.join(root, "m"))
    t.ok("moved" in body("/m/y.gmi"), "a directory moved in" + w)
    write(os.path.join(root, "m", "y.gmi"), "moved twice\n")
    t.ok("moved twice" in body("/m/y.gmi"),
         "a file in a moved-in directory, changed" + w)
    # A hard link whose other name is outside: changes through that
    # name raise no event under the root, so it must not be cached.
    write(os.path.join(outside, "hl.gmi"), "link one\n")
    os.link(os.path.join(outside, "hl.gmi"), os.path.join(root, "hl.gmi"))
    t.ok("link one" in body("/hl.gmi") and "link one" in body("/hl.gmi"),
         "a hard-linked file" + w)
    with open(os.path.join(outside, "hl.gmi"), "w") as f:
        f.write("link two\n")
    t.ok("link two" in body("/hl.gmi"),
         "a change through its other name is seen" + w)
    t.ok(srv.alive(), "alive" + w)
    t.eq(srv.stop(), 0, "clean exit" + w)
    srv.cleanup()
    shutil.rmtree(work, ignore_errors=True)


check(1)
check(2)
t.done()
