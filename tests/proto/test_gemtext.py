"""A capsule written in gemtext is also a Gopher hole (DESIGN.md section
4): .gmi pages go out over Gopher as menus (type 1) converted like
Markdown, index.gmi is the root and a directory's menu when there is no
gophermap, directories without an index are listed, and a crawl over
Gopher from the root finds no broken item.  Real clients (curl, lynx)
where installed; Gemini still gets the gemtext as it is."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import (Tap, Server, menu_lines, gopher_crawl,  # noqa: E402
                         finish, menu_items)

t = Tap()
work = tempfile.mkdtemp(prefix="capsuled-gemtext-")
root = os.path.join(work, "root")


def write(rel, data, top=root):
    path = os.path.join(top, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


LONG = ("This capsule is written directly in gemtext, one long line per "
        "paragraph, the way gemtext authors write; over Gopher it has to "
        "wrap by display width.")
write("index.gmi", """# The keeper's capsule

%s

=> docs/ Documentation
=> log/ Logbook
=> about.gmi About me
=> notes.txt Plain notes
=> images/lamp.png The lamp
=> gemini://localhost/log/2024-01-02-storm.gmi The storm, linked as a URL
=> gemini://localhost/about.gmi
=> cgi-bin/news Today's news
=> gemini://example.org/ A friend's capsule
=> https://example.com/ A web page

```
  ASCII  art
```
""" % LONG)
write("about.gmi", "# About\n\nI keep a lighthouse.\n\n=> / Home\n")
write("notes.txt", "plain notes\n")
# A Gemini server's CGI script: capsuled serves it as a file, so over
# Gopher its item must be a file's, not the menu of a route.
write("cgi-bin/news", "#!/bin/sh\nprintf '20 text/gemini\\r\\n'\n")
write("images/lamp.png", b"\x89PNG\r\n\x1a\nnot really")
write("docs/guide.gmi", "# Guide\n\n* one\n* two\n\n=> ../about.gmi "
      "Back to about\n=> sub/ Deeper\n=> ./guide.gmi This page\n")
write("docs/sub/index.gmi", "# Sub index\n\n=> ../guide.gmi The guide\n"
      "=> ../../index.gmi The root page\n=> extra.gmi Extra\n")
write("docs/sub/extra.gmi", "# Extra\n\n> quoted\n")
write("log/index.gmi", "# Logbook\n\n=> 2024-01-02-storm.gmi "
      "2024-01-02 The storm\n")
write("log/2024-01-02-storm.gmi", "# The storm\n\n" +
      "灯台守の日記です。嵐の夜、光は一晩中回り続けました。" * 3 + "\n")
write("menu/gophermap", "A hand-written menu\n1Guide\t/docs/guide.gmi\n")
write("menu/index.gmi", "# Not used over Gopher\n")

srv = Server(root)
GP, OP = srv.gemini_port, srv.gopher_port


def menu(sel):
    data = srv.gopher(sel)
    return (data,) + menu_items(data)


# ------------------------------------------------------------ the root
data, items, problems = menu("/")
t.eq(problems, [], "root: well-formed menu")
t.ok(items and items[0][:2] == ("i", "The keeper's capsule") and
     items[1][1].startswith("====="),
     "root: index.gmi's heading, not the generated home", data[:300])
t.ok(not any("Phlog" in i[1] for i in items),
     "root: no generated home page over index.gmi", data[:600])
text = [i[1] for i in items if i[0] == "i"]
t.ok(all(len(x) <= 67 for x in text) and
     " ".join(x for x in text if x.startswith("This") or
              (x and x[0].islower())).startswith(LONG[:100]),
     "root: the long line wrapped at 67 columns, words kept", text)
want = [("1", "Documentation", "/docs/"), ("1", "Logbook", "/log/"),
        ("1", "About me", "/about.gmi"), ("0", "Plain notes", "/notes.txt"),
        ("I", "The lamp", "/images/lamp.png"),
        ("1", "The storm, linked as a URL", "/log/2024-01-02-storm.gmi"),
        ("1", "/about.gmi", "/about.gmi"),
        ("9", "Today's news", "/cgi-bin/news"),
        ("h", "A friend's capsule", "URL:gemini://example.org/"),
        ("h", "A web page", "URL:https://example.com/")]
got = [i[:3] for i in items if i[0] != "i"]
t.eq(got, want, "root: every link line is a real item of the right type")
t.ok(any(i[1] == "      ASCII  art" for i in items),
     "root: preformatted text kept, spacing intact", data)
t.eq(srv.gopher(""), data, "empty selector: the same root")

# ------------------------------------------------------------ pages
data, items, problems = menu("/docs/guide.gmi")
t.eq(problems, [], "guide: well-formed menu")
t.eq([i[:3] for i in items if i[0] != "i"],
     [("1", "Back to about", "/about.gmi"), ("1", "Deeper", "/docs/sub/"),
      ("1", "This page", "/docs/guide.gmi")],
     "guide: relative links resolved against the page")
t.ok(("i", "- one") in [i[:2] for i in items],
     "guide: list items kept as list items", data)
data, items, problems = menu("/docs/sub/")
t.ok(not problems and items[0][1] == "Sub index",
     "directory with index.gmi: its menu", data[:200])
data, items, problems = menu("/docs/")
t.ok(not problems and ("1", "guide.gmi", "/docs/guide.gmi") in
     [i[:3] for i in items] and ("1", "sub/", "/docs/sub/") in
     [i[:3] for i in items] and ("1", "..", "/") in [i[:3] for i in items],
     "directory without an index: listed, gemtext and folders as menus",
     data)
data, items, problems = menu("/menu/")
t.ok(not problems and items[0][1] == "A hand-written menu",
     "a gophermap wins over index.gmi", data)
data = srv.gopher("/log/2024-01-02-storm.gmi")
lines, problems = menu_lines(data)
widths = [sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
              for c in ln.split(b"\t")[0][1:].decode()) for ln in lines]
t.ok(not problems and len(lines) > 5 and 60 < max(widths) <= 67,
     "CJK text wrapped by display width (<= 67 columns)", data)

# ------------------------------------------------------------ gemini
head, body, _ = srv.gemini("gemini://localhost:%d/" % GP)
with open(os.path.join(root, "index.gmi"), "rb") as f:
    t.ok(head.startswith("20 text/gemini") and body == f.read(),
         "gemini: index.gmi as it is", head)
t.eq(head, "20 text/gemini; charset=utf-8; lang=en",
     "gemini: a gemtext file carries its language (the default here)")
head, _, _ = srv.gemini("gemini://localhost:%d/log/2024-01-02-storm.gmi" % GP)
t.eq(head, "20 text/gemini; charset=utf-8; lang=ja",
     "gemini: a Japanese gemtext page says lang=ja")
head, body, _ = srv.gemini("gemini://localhost:%d/docs/" % GP)
t.ok(head.startswith("20 text/gemini") and
     re.search(rb"^=> (/docs/)?guide\.gmi( guide\.gmi)?$", body, re.M) and
     re.search(rb"^=> (/docs/)?sub/( sub/)?$", body, re.M),
     "gemini: the same directory listed", body)

# ------------------------------------------------------------ crawl
seen, broken, nitems = gopher_crawl(srv, "01I9")
t.eq(broken, [], "gopher crawl from the root: no broken item")
every = ["/", "/docs/", "/log/", "/about.gmi", "/notes.txt", "/cgi-bin/news",
         "/images/lamp.png", "/docs/guide.gmi", "/docs/sub/",
         "/docs/sub/extra.gmi", "/log/2024-01-02-storm.gmi"]
t.eq([s for s in every if s not in seen], [],
     "gopher crawl reaches every page, folder and file (%d selectors, "
     "%d items)" % (len(seen), nitems))

# ------------------------------------------------------------ real clients
if shutil.which("curl"):
    out = subprocess.run(["curl", "-sS", "--max-time", "5",
                          "gopher://127.0.0.1:%d/1/docs/guide.gmi" % OP],
                         capture_output=True, timeout=30).stdout
    t.eq(out, srv.gopher("/docs/guide.gmi"),
         "curl gopher:// gets the converted menu")
else:
    t.skip("curl gopher://", "curl not installed")
if shutil.which("lynx"):
    out = subprocess.run(["lynx", "-dump", "-display_charset=utf-8",
                          "gopher://127.0.0.1:%d/1/" % OP],
                         capture_output=True, timeout=30).stdout.decode(
                             "utf-8", "replace")
    t.ok(re.search(r"\[\d+\]Documentation", out) and
         re.search(r"\[\d+\]About me", out) and "The keeper's capsule" in
         out, "lynx -dump shows the root as a menu with links", out)
else:
    t.skip("lynx -dump", "lynx not installed")

# ------------------------------------------------------------ site links
# Gemtext pages beside a generator's posts: their links go through the
# site's URL scheme as Markdown links do, so a source path, the web URL
# on the site's own base URL and the canonical path all lead to the post
# at its canonical path over Gopher (Gemini keeps the file as written).
site = os.path.join(work, "site")
for rel, text in [
        ("config.toml", 'baseURL = "https://harbour.example.org/"\n'
         'title = "Harbour"\n[permalinks]\nposts = "/:year/:slug/"\n'),
        ("content/posts/first-light.md",
         "---\ntitle: First light\ndate: 2024-01-01\n---\n\nDawn. "
         "[Licence](/LICENSE).\n"),
        ("LICENSE", "Free to share.\n"),
        ("notes.gmi", "# Notes\n\n=> content/posts/first-light.md Source\n"
         "=> https://harbour.example.org/2024/first-light/ Web\n"
         "=> /2024/first-light/ Canonical\n"
         "=> https://example.com/ Elsewhere\n")]:
    write(rel, text, site)
srv3 = Server(site)
data = srv3.gopher("/notes.gmi")
lines, problems = menu_lines(data)
got = [tuple(ln.decode().split("\t")[:2]) for ln in lines
       if not ln.startswith(b"i")]
t.eq(got, [("1Source", "/2024/first-light/"),
           ("1Web", "/2024/first-light/"),
           ("1Canonical", "/2024/first-light/"),
           ("hElsewhere", "URL:https://example.com/")],
     "gemtext links rewritten to the canonical path by the URL scheme")
data = srv3.gopher("/2024/first-light/")
t.ok(b"iDawn. Licence." in data, "and the post answers there", data[:200])
t.ok(b"\n9Licence\t/LICENSE\t" in data,
     "a Markdown link to a file without an extension: the file's type, "
     "not a menu", data)
srv3.stop()
srv3.cleanup()

# ------------------------------------------------------------ no index
# A capsule with neither an index file nor posts: its root is listed in
# both protocols, so every page can be reached.
bare = os.path.join(work, "bare")
for rel, text in [("first.gmi", "# First\n\n=> docs/more.gmi More\n"),
                  ("docs/more.gmi", "# More\n\n=> ../first.gmi Back\n"),
                  ("docs/deeper/last.gmi", "# Last\n"),
                  # Not a page (READMEs are left out of the index): its
                  # listing entry is the text file it is.
                  ("docs/README.md", "Notes for whoever keeps this.\n")]:
    write(rel, text, bare)
srv2 = Server(bare)
data = srv2.gopher("/")
lines, problems = menu_lines(data)
t.ok(not problems and b"1first.gmi\t/first.gmi\t" in data and
     b"1docs/\t/docs/\t" in data and b"Phlog" not in data,
     "no index, no posts: the Gopher root lists the capsule's files", data)
head, body, _ = srv2.gemini("gemini://localhost:%d/" % srv2.gemini_port)
t.ok(head.startswith("20 text/gemini") and
     re.search(rb"^=> /?first\.gmi( first\.gmi)?$", body, re.M) and
     re.search(rb"^=> /?docs/( docs/)?$", body, re.M),
     "and so does the Gemini root", body)
seen, broken, _ = gopher_crawl(srv2)
t.ok(not broken and "/docs/deeper/last.gmi" in seen and
     seen.get("/docs/README.md") == "0",
     "every page of the bare capsule reached over Gopher, a Markdown file "
     "that is no page as text", (seen, broken))
srv2.stop()
srv2.cleanup()

finish(t, srv, work)
