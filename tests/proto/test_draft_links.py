"""Drafts by the file a name leads to (issue 12): a symlink that leads to
a draft or to a file in a drafts folder, under any name (a post's, a
text file's, a folder's, a directory index's), is the draft: Gemini 51,
Gopher type-3, in the page, raw and plain-text forms, and it is never
listed (directory listings, gemlog, Atom, search).  A symlink to a
published post still serves it."""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import Tap, Server, menu_lines  # noqa: E402

t = Tap()
work = tempfile.mkdtemp(prefix="capsuled-draftlinks-")
os.chmod(work, 0o755)
root = os.path.join(work, "root")
for d in ("posts", "_drafts", "notes", "sect"):
    os.makedirs(os.path.join(root, d))


def write(rel, data):
    with open(os.path.join(root, rel), "w") as f:
        f.write(data)


write("_drafts/secret.md", "---\ntitle: Folder draft\ndate: 2024-05-01\n"
      "---\nSECRETA in the drafts folder.\n")
write("posts/hidden.md", "---\ntitle: Flagged draft\ndate: 2024-05-02\n"
      "draft: true\n---\nSECRETB marked draft.\n")
write("posts/ok.md", "---\ntitle: Published post\ndate: 2024-05-03\n---\n"
      "Public words.\n")
links = {
    "posts/public-name.md": "../_drafts/secret.md",   # a post's name
    "notes/alias.txt": "../posts/hidden.md",          # raw, another type
    "notes/other.md": "../_drafts/secret.md",
    "notes/flagged.md": os.path.join(root, "posts/hidden.md"),  # absolute
    "notes/d": "../_drafts",                          # a folder
    "sect/index.md": "../_drafts/secret.md",          # a folder's index
    "notes/ok.md": "../posts/ok.md",                  # published: served
}
for name, target in links.items():
    os.symlink(target, os.path.join(root, name))
for d, _, fs in os.walk(work):
    os.chmod(d, 0o755)

SECRETS = (b"SECRETA", b"SECRETB", b"Folder draft", b"Flagged draft",
           b"public-name", b"alias.txt", b"other.md", b"flagged.md")

srv = Server(root, args=["--rate", "0"])
gem = ["posts/public-name", "posts/public-name.md", "notes/alias.txt",
       "notes/other", "notes/other.md", "notes/flagged", "notes/flagged.md",
       "notes/d/secret", "notes/d/secret.md", "sect/", "_drafts/secret.md",
       "posts/hidden", "posts/hidden.md"]
for p in gem:
    head, body, _ = srv.gemini("gemini://localhost:{port}/" + p)
    t.ok(head.startswith("51") and not any(x in body for x in SECRETS[:4]),
         "gemini /%s refused" % p, (head, body[:200]))
for p in gem + ["posts/public-name.txt", "notes/other.txt",
                "notes/d/secret.txt", "sect"]:
    data = srv.gopher("/" + p)
    t.ok(data.startswith(b"3") and not any(x in data for x in SECRETS[:4]),
         "gopher /%s refused" % p, data[:200])

# The published post, through its own name and through a link.
for p in ("posts/ok", "notes/ok"):
    head, body, _ = srv.gemini("gemini://localhost:{port}/" + p)
    if head.startswith("31"):
        head, body, _ = srv.gemini("gemini://localhost:{port}" +
                                   head.split(" ", 1)[1].strip())
    t.ok(head.startswith("20") and b"Public words." in body,
         "gemini /%s: a published post is served" % p, (head, body[:200]))
t.ok(b"Public words." in srv.gopher("/notes/ok.md"),
     "gopher: the published post's raw source through a link")

# Never listed.
for p in ("", "posts/", "notes/", "notes/d/", "gemlog/", "atom.xml",
          "search?SECRETA", "search?draft"):
    head, body, _ = srv.gemini("gemini://localhost:{port}/" + p)
    # A search page repeats its words: what it finds is what counts.
    t.ok(head[:2] in ("20", "51") and not any(x in body for x in
                                              SECRETS[2:]) and
         (p.startswith("search") or not any(x in body for x in SECRETS)),
         "gemini /%s lists no draft" % p, body[:600])
for p in ("/", "/posts/", "/notes/", "/notes/d/", "/gemlog/"):
    data = srv.gopher(p)
    lines, problems = menu_lines(data)
    t.ok(not problems and not any(x in data for x in SECRETS),
         "gopher %s lists no draft" % p, data[:600])
data = srv.gopher("/search\tSECRETA")
t.ok(b"No posts match" in data and not any(x in data for x in SECRETS[2:]),
     "gopher search finds no draft",
     data[:400])
head, body, _ = srv.gemini("gemini://localhost:{port}/gemlog/")
t.ok(b"Published post" in body, "the gemlog still lists the published "
     "post", body[:400])

t.ok(srv.alive(), "daemon alive")
t.eq(srv.stop(), 0, "clean exit")
srv.cleanup()
shutil.rmtree(work, ignore_errors=True)
t.done()
