"""Markdown served on the fly (issue 3): the sample blog over both
protocols, language tags, raw sources, images, a crawl with no syntax
leaking through, and posts added, changed and deleted while the server
runs."""

import os
import re
import shutil
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import Tap, Server, copy_capsule, menu_lines  # noqa: E402

t = Tap()
top = os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__),
                                                 "..", ".."))
work = tempfile.mkdtemp(prefix="capsuled-md-")
root = os.path.join(work, "root")
copy_capsule(os.path.join(top, "capsule"), root)
srv = Server(root)

EN = "/posts/2024-03-10-hello-capsule"
JA = "/posts/2024-04-02-kyoto-walk"
KO = "/posts/2024-05-20-seoul-cafe"

# Markdown or HTML that must never reach a reader.
LEAKS = [re.compile(p) for p in [
    r"^#{4,} ", r"\*\*\S", r"\S\*\*", r"\]\(", r"!\[", r"^\s*[-+] \[[ xX]\]",
    r"</?(span|div|br|img|a|p|script)\b", r"<!--", r"^---$", r"^\|.*\|$",
    r"\[\^\d+\]", r"&(amp|lt|gt|quot|nbsp);", r"^\s+\* ",
]]


def leaks(text):
    out = []
    pre = False
    for line in text.splitlines():
        if line.startswith("```"):
            pre = not pre
            continue
        if pre or line.startswith("=>"):
            continue
        out += ["%s in %r" % (p.pattern, line) for p in LEAKS if p.search(line)]
    return out


# Pages and their headers.
for path, lang, title in [(EN, "en", "# Hello, small web"),
                          (JA, "ja", "# 京都を歩く"),
                          (KO, "ko", "# 서울의 작은 카페")]:
    h, b, _ = srv.gemini("gemini://localhost:{port}%s" % path)
    t.eq(h, "20 text/gemini; charset=utf-8; lang=%s" % lang,
         "%s served as gemtext with lang=%s" % (path, lang))
    body = b.decode()
    t.ok(body.startswith(title + "\n"), "%s starts with its title" % path,
         body[:200])
    t.eq(leaks(body), [], "no Markdown or HTML syntax in %s" % path)
    t.ok(re.search(r"^\d{4}-\d{2}-\d{2}", body, re.M),
         "%s shows its date" % path)
    t.ok("=> /gemlog/" in body and "=> / " in body,
         "%s ends with links to the gemlog and home" % path)
    h, b, _ = srv.gemini("gemini://localhost:{port}%s.md" % path)
    with open(os.path.join(root, path.lstrip("/") + ".md"), "rb") as f:
        t.ok(h.startswith("20 text/markdown") and b == f.read(),
             "raw source of %s stays available" % path)
    m = srv.gopher(path)
    lines, problems = menu_lines(m)
    t.ok(lines and not problems, "%s as a well-formed gophermap" % path,
         problems)
    t.eq(leaks("\n".join(ln.split(b"\t")[0][1:].decode() for ln in lines
                         if ln.startswith(b"i"))), [],
         "no Markdown or HTML syntax in the gophermap of %s" % path)
    txt = srv.gopher(path + ".txt").decode()
    t.ok(txt.startswith(title[2:]) and not txt.endswith(".\r\n"),
         "%s.txt is plain text" % path, txt[:200])
    t.eq(leaks(txt), [], "no Markdown or HTML syntax in %s.txt" % path)

# The English post: each construct arrives converted.
body = srv.gemini("gemini://localhost:{port}%s" % EN)[1].decode()
t.ok("=> /images/lantern.png A paper lantern, drawn in a few pixels" in body,
     "image becomes a link line labelled with its alt text")
t.ok("=> https://example.org/capsuled capsuled" in body,
     "inline link listed after its paragraph")
t.ok("=> /posts/2024-04-02-kyoto-walk " in body and
     "=> /posts/2024-05-20-seoul-cafe " in body,
     "links to other .md posts rewritten to their canonical paths (inline and reference)")
t.ok("```c\n" in body and "```table\n" in body,
     "fenced code keeps its info string; the table is preformatted")
t.ok("[1] Like this one" in body, "footnote at the end")
t.ok("like this" in body and "<span" not in body, "raw HTML text kept, tags dropped")
gm = srv.gopher(EN)
t.ok(b"I A paper lantern".replace(b"I ", b"I") in gm and
     b"\t/images/lantern.png\t" in gm, "image is an I item in the gophermap")
t.ok(b"hcapsuled\tURL:https://example.org/capsuled\t" in gm,
     "web link is an h item with a URL: selector")
t.ok(b"1" in gm and b"\t/posts/2024-04-02-kyoto-walk\t" in gm,
     "link to another post is a type-1 item")
h, b, _ = srv.gemini("gemini://localhost:{port}/images/lantern.png")
t.ok(h == "20 image/png" and b.startswith(b"\x89PNG"), "image served")

# Generated home: latest posts as gemfeed lines, newest first.
h, b, _ = srv.gemini("gemini://localhost:{port}/")
home = b.decode()
feed = re.findall(r"^=> (\S+) (\d{4}-\d{2}-\d{2}) (.+)$", home, re.M)
t.eq([u for u, _, _ in feed][:3], [KO, JA, EN],
     "home lists the latest posts newest first")
for want in ["=> /gemlog/", "=> /tags/", "=> /search", "=> /atom.xml"]:
    t.ok(want in home, "home links %s" % want[3:])
m = srv.gopher("")
t.ok(b"12024-05-20 \xec\x84\x9c\xec\x9a\xb8" in m,
     "Gopher home lists posts with date-first labels")

# Crawl: every local link over Gemini resolves, and nothing leaks.
seen, queue, broken = set(), ["/"], []
while queue and len(seen) < 200:
    path = queue.pop()
    if path in seen:
        continue
    seen.add(path)
    h, b, _ = srv.gemini("gemini://localhost:{port}" + path)
    if not h.startswith(("20", "10", "31")):
        broken.append((path, h))
        continue
    if h.startswith("31"):
        queue.append(h[3:])
        continue
    if "text/gemini" not in h:
        continue
    for link in re.findall(r"^=>\s*(\S+)", b.decode(), re.M):
        if "://" in link:
            continue
        queue.append(urllib.parse.urljoin(path, link))
t.eq(broken, [], "Gemini crawl from / finds no broken local link "
     "(%d resources)" % len(seen))

# Changes are live without a restart: a new page is routed (its web path
# comes from the index) once the indexer has taken it in, by itself;
# a changed page's text on the next request.
new = os.path.join(root, "posts", "2025-01-01-new.md")
n = srv.index_updates()
with open(new, "w") as f:
    f.write("---\ntitle: Brand new\ndate: 2025-01-01\n---\n\nFresh text.\n")
srv.wait_index(n)
h, b, _ = srv.gemini("gemini://localhost:{port}/posts/2025-01-01-new")
t.ok(h.startswith("20") and b"Fresh text." in b, "added post served")
t.ok(b"Brand new" in srv.gemini("gemini://localhost:{port}/")[1],
     "added post on the home page")
time.sleep(0.01)
with open(new, "w") as f:
    f.write("---\ntitle: Brand new, edited\ndate: 2025-01-01\n---\n\n"
            "Edited text, longer than before.\n")
b = srv.gemini("gemini://localhost:{port}/posts/2025-01-01-new")[1]
t.ok(b"Edited text" in b and b"Brand new, edited" in b,
     "changed post seen on the next request")
t.ok(b"Edited text" in srv.gopher("/posts/2025-01-01-new"),
     "changed post seen over Gopher too")
n = srv.index_updates()
os.unlink(new)
t.eq(srv.gemini("gemini://localhost:{port}/posts/2025-01-01-new")[0][:2],
     "51", "deleted post is gone on the next request")
srv.wait_index(n)
t.ok(b"Brand new" not in srv.gemini("gemini://localhost:{port}/")[1],
     "deleted post gone from the home page")

# A draft is hidden: not listed, and not served when asked for by name,
# nor its source, even before the indexer has taken it in.
with open(os.path.join(root, "posts", "2025-02-02-draft.md"), "w") as f:
    f.write("---\ntitle: Not yet\ndraft: true\n---\n\nSecret.\n")
h, b, _ = srv.gemini("gemini://localhost:{port}/posts/2025-02-02-draft.md")
t.ok(h.startswith("51") and b"Secret" not in b,
     "a new draft's source is 51 at once", (h, b))
t.eq(srv.gemini("gemini://localhost:{port}/posts/2025-02-02-draft")[0],
     "51 Not found", "a draft requested by name is 51")
d = srv.gopher("/posts/2025-02-02-draft")
t.ok(d.startswith(b"3") and b"Secret" not in d,
     "a draft over Gopher is a type-3 error", d)
t.ok(b"Not yet" not in srv.gemini("gemini://localhost:{port}/")[1],
     "a draft is not on the home page")

# A page without front matter: title from its first heading.
n = srv.index_updates()
with open(os.path.join(root, "plain.md"), "w") as f:
    f.write("Some intro.\n\n# The Real Title\n\nText.\n")
srv.wait_index(n)
b = srv.gemini("gemini://localhost:{port}/plain")[1].decode()
t.ok(b.startswith("# The Real Title\n"), "title from the first heading", b)
t.eq(b.count("# The Real Title"), 1, "the heading is not repeated")

# Broken front matter: logged with file and line, page still served.
n = srv.index_updates()
with open(os.path.join(root, "broken.md"), "w") as f:
    f.write("---\ntitle: Fine\ntags: [a, b\ndate: 2020-01-01\n---\n\nBody.\n")
srv.wait_index(n)
h, b, _ = srv.gemini("gemini://localhost:{port}/broken")
t.ok(h.startswith("20") and b"Body." in b, "broken front matter: page served")
time.sleep(0.2)
t.ok(re.search(rb"broken\.md:\d+: front matter", srv.stderr()),
     "broken front matter logged with file and line")

t.ok(srv.alive(), "daemon alive")
t.eq(srv.stop(), 0, "clean exit")
shutil.rmtree(work, ignore_errors=True)
t.done()
