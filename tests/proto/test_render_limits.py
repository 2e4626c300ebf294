"""Hostile content (issue 12): posts made to be slow or memory-hungry to
parse (hostile_posts.py) are rendered and indexed in child processes
under CPU-time and memory limits, off the event loop.  While one renders,
the same worker goes on answering small requests; the post gets a clear
error (Gemini 42, Gopher type-3), one log line naming the file and the
limit, and is not tried again until it changes; the server's memory does
not grow with it."""

import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import (Tap, Server, rss_kb,  # noqa: E402
                         small_asan_quarantine, probe_while)
import hostile_posts  # noqa: E402

t = Tap()
work = tempfile.mkdtemp(prefix="capsuled-render-")
os.chmod(work, 0o755)
root = os.path.join(work, "root")
posts = os.path.join(root, "posts")
names = hostile_posts.write_all(posts)
with open(os.path.join(posts, "ok.md"), "w") as f:
    f.write("---\ntitle: Fine post\ndate: 2024-02-02\n---\nAll fine.\n")
# A long real post, over the size that renders in a child: it must come
# back whole and the same as a render in the process (--render).
with open(os.path.join(posts, "long.md"), "w") as f:
    f.write("---\ntitle: A long post\ndate: 2024-03-03\n---\n")
    for i in range(3500):
        f.write("## Part %d\n\nSome text about part %d, with a [link](ok.md) "
                "and `code`, 長い記事の一部 %d。\n\n" % (i, i, i))
    f.write("The end.\n")
with open(os.path.join(root, "hello.txt"), "w") as f:
    f.write("hello\n")
for d, _, files in os.walk(work):
    os.chmod(d, 0o755)
    for n in files:
        os.chmod(os.path.join(d, n), 0o644)

small_asan_quarantine()


srv = Server(root, args=["--workers", "1", "--rate", "0"])
before = rss_kb(srv.proc.pid)

# The index is built in the background from the start, front matter
# first: the home page answers at once and lists every post, complete
# since its titles are all front matter; a page that needs the bodies
# says in one line that the rest is coming (the body pass needs seconds
# of CPU for the hostile posts alone).
NOTE = b"Still indexing: summaries and search are not complete yet."
head, body, _ = srv.gemini("gemini://localhost:{port}/")
t.ok(head.startswith("20") and NOTE not in body and
     all(n.encode() in body for n in names + ["Fine post"]),
     "home at once, every post listed, complete", body)
head, body, _ = srv.gemini("gemini://localhost:{port}/search?fine")
t.ok(head.startswith("20") and body.count(NOTE) == 1,
     "search meanwhile: the index's state in one line", body)
menu = srv.gopher("/tags/")
t.ok(menu.count(b"\r\ni" + NOTE + b"\t") == 1 and
     menu.endswith(b"\r\n.\r\n"), "the same line in a Gopher menu, as "
     "an info line before the terminator", menu[-300:])

# One worker: the small requests share the loop with the heavy one.
heavy = {}


def fetch_heavy():
    start = time.time()
    heavy["reply"] = srv.gemini("gemini://localhost:{port}/posts/"
                                "backticks")
    heavy["secs"] = time.time() - start


count, wrong, worst = probe_while(
    fetch_heavy, lambda: srv.gopher("/hello.txt"), b"hello\n")
print("# %d small requests while the post rendered (%.1f s): worst %.0f ms"
      % (count, heavy.get("secs", 0), worst * 1000))
t.ok(count >= 10 and wrong == 0, "small requests answered while a hostile "
     "post renders (%d)" % count)
# The target is 100 ms; the bound only tells a stall (seconds, the whole
# render) from a busy machine.
t.ok(worst < 1.5, "no stall: worst small request %.0f ms" % (worst * 1000))
head = heavy.get("reply", ("", b"", True))[0]
t.ok(head.startswith("42 ") and "render" in head,
     "the hostile post gets 42 with a reason", head)


def log_count(pattern):
    return len(re.findall(pattern, srv.stderr()))


t.eq(log_count(rb"posts/backticks\.md: rendering stopped at the (CPU time|"
               rb"time|memory) limit \(\d+ s CPU, \d+ MB\)"), 1,
     "one log line names the file and the limit")
if log_count(rb"backticks\.md: rendering stopped at the time limit"):
    # Out of wall-clock time first: a machine this busy is not the
    # file's fault, so nothing is remembered.
    t.skip("negative cache", "the render ran out of wall-clock time first")
    t.skip("negative cache, no second render", "as above")
else:
    t0 = time.time()
    again = srv.gemini("gemini://localhost:{port}/posts/backticks")[0]
    t.ok(again == head and time.time() - t0 < 1.5,
         "asked again: the same answer at once, from the negative cache")
    t.eq(log_count(rb"posts/backticks\.md: rendering stopped"), 1,
         "... and not rendered (nor logged) again")

d = srv.gopher("/posts/brackets")
t.ok(d.startswith(b"3") and b"render" in d.split(b"\t")[0],
     "Gopher: a type-3 line for another hostile post", d[:200])
head = srv.gemini("gemini://localhost:{port}/posts/emphasis")[0]
t.ok(head.startswith("42 "), "the third shape too", head)

head, body, _ = srv.gemini("gemini://localhost:{port}/posts/long")
t.ok(os.path.getsize(os.path.join(posts, "long.md")) > 256 * 1024 and
     head.startswith("20 text/gemini") and "lang=" in head and
     body.startswith(b"# A long post\n") and b"## Part 3499" in body and
     b"=> /posts/ok" in body and b"The end." in body,
     "a long real post renders in a child, whole", (head, body[:200],
                                                     body[-300:]))
# Its index entry was digested in a child too: summary and search text.
deadline = time.time() + 60
while time.time() < deadline:
    atom = srv.gemini("gemini://localhost:{port}/atom.xml")[1]
    if b"Some text about part 0" in atom:
        break
    time.sleep(0.3)
t.ok(b"Some text about part 0" in atom, "its summary, from the body, is in "
     "the Atom feed", atom[:600])
head, body, _ = srv.gemini("gemini://localhost:{port}/search?part%203499")
t.ok(head.startswith("20") and b"/posts/long" in body,
     "and a word from its end is found by search", (head, body[:400]))
t.eq(log_count(rb"long\.md: (indexing|rendering) stopped"), 0,
     "nothing stopped for the long real post")
d = srv.gopher("/posts/long.txt")
t.ok(d.startswith(b"A long post") and d.rstrip().endswith(b"The end.") or
     b"The end." in d[-2000:], "... and as plain text", d[-300:])

# The index skipped what it could not digest, and kept the posts.
home = srv.gemini("gemini://localhost:{port}/gemlog/")
body = home[1].decode("utf-8", "replace")
t.ok(home[0].startswith("20") and "Fine post" in body and
     all(n in body for n in names),
     "the gemlog lists every post, hostile ones by their front matter",
     body)
# The full pass of the index (in the background) reaches each in turn.
deadline = time.time() + 60
while time.time() < deadline and log_count(rb"indexing stopped") < 3:
    time.sleep(0.2)
for n in names:
    t.eq(log_count(rb"posts/" + n.encode() + rb"\.md: indexing stopped"), 1,
         "one log line for indexing %s" % n)
t.eq(srv.gopher("/hello.txt"), b"hello\n", "still serving")
found = srv.gemini("gemini://localhost:{port}/search?fine")
t.ok(found[0].startswith("20") and NOTE not in found[1] and
     NOTE not in srv.gopher("/tags/"), "the index complete, the line is gone",
     found[1][:300])

after = rss_kb(srv.proc.pid)
print("# RSS %d KB at start, %d KB after the hostile posts" % (before, after))
t.ok(after - before < 200 * 1024, "memory stays bounded: +%d KB (the "
     "renders took gigabytes in the server before)" % (after - before))

# Fixed by its author: the new version renders.
with open(os.path.join(posts, "backticks.md"), "w") as f:
    f.write("---\ntitle: backticks\n---\nNow `fine`.\n")
deadline = time.time() + 10
head, body = "", b""
while time.time() < deadline:
    head, body, _ = srv.gemini("gemini://localhost:{port}/posts/"
                               "backticks")
    if head.startswith("20"):
        break
    time.sleep(0.2)
t.ok(head.startswith("20") and b"Now fine." in body,
     "changed, the file is rendered again", (head, body[:200]))

t.ok(srv.alive(), "daemon alive")
t.eq(srv.stop(), 0, "clean exit (no leaks, no report from a child)")
t.ok(b"LeakSanitizer" not in srv.stderr() and b"ERROR: Address" not in
     srv.stderr(), "no sanitizer report", srv.stderr()[-2000:])
srv.cleanup()
shutil.rmtree(work, ignore_errors=True)
t.done()
