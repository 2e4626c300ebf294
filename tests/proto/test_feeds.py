"""Generated resources over both protocols against the real binary:
gemlog, tags, Atom, search, robots.txt, favicon.txt, caps.txt (DESIGN.md
section 4), and a crawl from each root that must reach every post, tag
and feed with no broken link."""

import json
import os
import re
import subprocess
import sys
import tempfile
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import (Tap, Server, crawl_links,  # noqa: E402
                         gopher_crawl, finish, menu_items)

t = Tap()
work = tempfile.mkdtemp(prefix="capsuled-feeds-")
root = os.path.join(work, "root")
posts = os.path.join(root, "posts")
os.makedirs(posts)


def write(rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# English, date from the file name, a description, a mixed-case tag.
write("posts/2022-09-04-hello.md", """---
title: Hello World
tags: [gemini, Test]
description: "A first post <with> & symbols"
---
# Hello World

The Quick brown fox jumps over the lazy dog.
""")
# Japanese, RFC 3339 date whose day differs in UTC (Jan 1 16:00 UTC).
write("posts/nihongo.md", """---
title: 日本語の記事
date: 2023-01-02T01:00:00+09:00
tags: [日本語, gemini]
---
これは東京で書いた記事です。ｶﾀｶﾅも少し。
""")
# Korean, a slashed date, no description: the summary is the first
# paragraph.
write("posts/hangul.md", """---
title: 한국어 글
date: 2023/3/5
tags: [한국어, 일기]
---
서울에서 쓴 글입니다.

두 번째 문단.
""")
# A date with a time and no zone, a title from the heading, awkward
# characters for XML (a BEL in the description) and a tag with spaces.
write("posts/old.md", """---
date: "2020-01-01 08:30:00"
tags: ["Tag With Space"]
categories: misc
description: "Fish & Chips <3 \\a bell"
---
# Old & "dusty" <3

An old post about ferrets.
""")
# A draft: never listed, never searchable.
write("posts/draft.md", """---
title: Secret draft
date: 2024-06-01
draft: true
tags: [secretdrafttag]
---
unicornsecret
""")
write("about.md", "# About\n\nNot a post.\n")

srv = Server(root)
GP, OP = srv.gemini_port, srv.gopher_port
BASE = "gemini://localhost:%d" % GP


def gem(path):
    head, body, _ = srv.gemini(BASE + path)
    return head, body.decode("utf-8", "replace")


def gopher(sel):
    return srv.gopher(sel)


def menu(sel):
    data = gopher(sel)
    return (data,) + menu_items(data)


GEMFEED = re.compile(r"^=> (\S+) (\d{4}-\d{2}-\d{2}) (.+)$")

# ------------------------------------------------------------ gemlog
head, body = gem("/gemlog/")
t.eq(head, "20 text/gemini; charset=utf-8; lang=en",
     "gemlog: 20 text/gemini in the language most posts are written in")
lines = body.split("\n")
t.ok(lines[0].startswith("# ") and len(lines[0]) > 2,
     "gemlog: first line is a level-1 heading", lines[0])
entries = [GEMFEED.match(ln) for ln in lines if ln.startswith("=> ")]
entries = [m for m in entries if m]
t.eq([(m.group(1), m.group(2)) for m in entries],
     [("/posts/hangul", "2023-03-05"),
      ("/posts/nihongo", "2023-01-02"),
      ("/posts/2022-09-04-hello", "2022-09-04"),
      ("/posts/old", "2020-01-01")],
     "gemlog: every post, newest first, dates in the post's own zone")
t.ok(all(re.match(r"^=> \S+ \d{4}-\d{2}-\d{2} .+", ln)
         for ln in lines if ln.startswith("=> /posts/")),
     "gemlog: post lines are '=> URL YYYY-MM-DD Title'", body)
t.eq([m.group(3) for m in entries],
     ["한국어 글", "日本語の記事", "Hello World", "Old & \"dusty\" <3"],
     "gemlog: titles (front matter or first heading)")
t.ok("draft" not in body.lower() and "about" not in body.lower(),
     "gemlog: no draft, no page outside the posts", body)
t.eq(gem("/gemlog")[0], "31 /gemlog/", "gemlog without slash redirects")

data, items, problems = menu("/gemlog/")
t.eq(problems, [], "gopher gemlog: menu well formed")
t.eq([(i[0], i[1], i[2]) for i in items if i[0] == "1" and
      i[2].startswith("/posts/")],
     [("1", "2023-03-05 한국어 글", "/posts/hangul"),
      ("1", "2023-01-02 日本語の記事", "/posts/nihongo"),
      ("1", "2022-09-04 Hello World", "/posts/2022-09-04-hello"),
      ("1", "2020-01-01 Old & \"dusty\" <3", "/posts/old")],
     "gopher gemlog: date-first type-1 items, newest first")
t.ok(all(i[3] == "localhost" and i[4] == str(OP) for i in items),
     "gopher gemlog: host and port on every line")
t.eq(gopher("/gemlog"), data, "gopher /gemlog and /gemlog/ are the same")
t.ok(b"draft" not in data.lower(), "gopher gemlog: no draft")

# ------------------------------------------------------------ tags
head, body = gem("/tags/")
t.eq(head, "20 text/gemini; charset=utf-8; lang=en", "tags: 20, with lang")
tags = {}
for ln in body.split("\n"):
    m = re.match(r"^=> (\S+) (.+) \((\d+)\)$", ln)
    if m:
        tags[m.group(2)] = (m.group(1), int(m.group(3)))
want_tags = {
    "gemini": ("/tags/gemini/", 2),
    "Test": ("/tags/Test/", 1),
    "日本語": ("/tags/" + quote("日本語") + "/", 1),
    "한국어": ("/tags/" + quote("한국어") + "/", 1),
    "일기": ("/tags/" + quote("일기") + "/", 1),
    "Tag With Space": ("/tags/Tag%20With%20Space/", 1),
    "misc": ("/tags/misc/", 1),
}
t.eq(tags, want_tags, "tags: every tag, its count, percent-encoded links")
t.ok(all(ord(ch) < 128 for ln in body.split("\n") if ln.startswith("=>")
         for ch in ln.split(" ")[1]), "tags: link URLs are ASCII")
t.eq(gem("/tags")[0], "31 /tags/", "tags without slash redirects")

for name, (url, count) in want_tags.items():
    head, body = gem(url)
    dated = [GEMFEED.match(ln) for ln in body.split("\n")]
    dated = [m for m in dated if m]
    t.ok(head.startswith("20 text/gemini") and body.startswith("# ") and
         len(dated) == count and name in body.split("\n")[0],
         "tag page %s: gemfeed with %d post(s)" % (url, count), body)
head, body = gem("/tags/" + quote("日本語") + ".gmi")
t.ok("/posts/nihongo " in body, "Japanese tag lists the Japanese post")
head, body2 = gem("/tags/" + quote("日本語") + "/")
t.eq(body2, body, "a tag's web form /tags/NAME/ is the same page")
head, body = gem("/tags/GEMINI.gmi")
t.ok(head.startswith("20") and body.count("=> /posts/") == 2,
     "tag names match case-insensitively", body)
t.eq(gem("/tags/nosuchtag.gmi")[0][:3], "51 ", "unknown tag: 51")
t.eq(gem("/tags/secretdrafttag.gmi")[0][:3], "51 ",
     "a tag only a draft has: 51")

data, items, problems = menu("/tags/")
t.eq(problems, [], "gopher tags: menu well formed")
gtags = {}
for typ, disp, sel, host, port in items:
    m = re.match(r"^(.+) \((\d+)\)$", disp)
    if typ == "1" and m:
        gtags[m.group(1)] = (sel, int(m.group(2)))
t.eq(gtags, {k: (v[0], v[1]) for k, v in want_tags.items()},
     "gopher tags: counts and percent-encoded selectors")
for name in ["한국어", "日本語"]:
    data, items, problems = menu("/tags/" + quote(name))
    t.ok(problems == [] and any(i[2].startswith("/posts/") for i in items),
         "gopher tag %s by percent-encoded selector" % name, data)
    t.eq(gopher("/tags/" + name), data,
         "gopher tag %s by raw UTF-8 selector: same menu" % name)
data = gopher("/tags/nosuchtag")
t.ok(data.startswith(b"3") and data.endswith(b".\r\n") and
     data.count(b"\r\n") == 2, "gopher unknown tag: type-3 error menu", data)

# ------------------------------------------------------------ atom
FEEDCHECK = r"""
import json, sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
    "bozo": int(bool(d.bozo)),
    "exc": str(d.get("bozo_exception", "")),
    "version": d.version,
    "title": d.feed.get("title"),
    "id": d.feed.get("id"),
    "updated": d.feed.get("updated"),
    "self": [l.get("href") for l in d.feed.get("links", [])
             if l.get("rel") == "self"],
    "author": d.feed.get("author"),
    "entries": [{
        "id": e.get("id"), "title": e.get("title"), "link": e.get("link"),
        "updated": e.get("updated"), "published": e.get("published"),
        "summary": e.get("summary"),
        "tags": [x.get("term") for x in e.get("tags", [])],
    } for e in d.entries],
}))
"""


def feedparse(raw):
    p = subprocess.run(["/usr/bin/python3", "-c", FEEDCHECK], input=raw,
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        return {"error": p.stderr.decode(errors="replace")}
    return json.loads(p.stdout)


head, raw, _ = srv.gemini(BASE + "/atom.xml")
t.eq(head, "20 application/atom+xml", "gemini atom: MIME type")
t.ok(b"\x07" not in raw, "atom: control characters stripped")
f = feedparse(raw)
t.ok(f.get("bozo") == 0, "gemini atom: feedparser bozo false", f)
t.eq(f.get("version"), "atom10", "gemini atom: parsed as Atom 1.0")
ents = f.get("entries", [])
t.eq([e["link"] for e in ents],
     [BASE + "/posts/hangul", BASE + "/posts/nihongo",
      BASE + "/posts/2022-09-04-hello", BASE + "/posts/old"],
     "gemini atom: absolute gemini:// entry links, newest first")
t.eq(f.get("self"), [BASE + "/atom.xml"], "gemini atom: self link")
t.ok(f.get("id") and f.get("title") and f.get("author") and
     f.get("updated"), "gemini atom: feed id, title, author, updated", f)
t.eq(f.get("updated"), ents[0]["updated"] if ents else None,
     "gemini atom: feed updated = newest entry")
t.eq(len(set(e["id"] for e in ents)), 4, "gemini atom: distinct entry ids")
t.ok(all(e["id"] and e["updated"] and e["published"] and e["title"]
         for e in ents), "gemini atom: every entry has id, dates, title")
byid = {e["link"].rsplit("/", 1)[1]: e for e in ents}
t.eq(byid["nihongo"]["tags"], ["日本語", "gemini"],
     "gemini atom: categories from tags")
t.eq(byid["old"]["tags"], ["Tag With Space", "misc"],
     "gemini atom: categories from tags and a single-string 'categories'")
t.eq(byid["nihongo"]["published"], "2023-01-02T01:00:00+09:00",
     "atom: RFC 3339 with the post's own zone")
t.eq(byid["2022-09-04-hello"]["summary"],
     "A first post <with> & symbols", "atom: description is the summary")
t.ok("서울에서 쓴 글입니다" in (byid["hangul"]["summary"] or ""),
     "atom: summary from the first paragraph without a description",
     byid["hangul"])
t.ok((byid["old"]["summary"] or "").startswith("Fish & Chips <3"),
     "atom: escaped text round-trips", byid["old"])
t.eq(byid["old"]["title"], "Old & \"dusty\" <3", "atom: escaped title")
t.ok(b"<published>2023-01-02T01:00:00+09:00</published>" in raw,
     "atom: the zone offset is written as in the post")

raw = gopher("/atom.xml")
f = feedparse(raw)
t.ok(f.get("bozo") == 0, "gopher atom: feedparser bozo false", f)
GB = "gopher://localhost:%d" % OP
t.eq([e["link"] for e in f.get("entries", [])],
     [GB + "/1/posts/hangul", GB + "/1/posts/nihongo",
      GB + "/1/posts/2022-09-04-hello", GB + "/1/posts/old"],
     "gopher atom: absolute gopher://HOST:PORT/1/ links")
t.eq(f.get("self"), [GB + "/0/atom.xml"], "gopher atom: self link")
t.eq(sorted(e["id"] for e in f.get("entries", [])), sorted(e["id"] for e in ents),
     "entry ids are the same over both protocols")

# ------------------------------------------------------------ search
t.eq(gem("/search")[0], "10 Search the posts", "search without query: 10")
t.eq(gem("/search?")[0][:3], "10 ", "search with an empty query: 10")


def gsearch(q):
    return gem("/search?" + quote(q, safe=""))


for q, want, snip in [("東京", "/posts/nihongo", "東京で書いた"),
                      ("カタカナ", "/posts/nihongo", "ｶﾀｶﾅ"),
                      ("서울", "/posts/hangul", "서울에서"),
                      ("QUICK brown", "/posts/2022-09-04-hello",
                       "Quick brown fox"),
                      ("일기", "/posts/hangul", None),
                      ("ferrets", "/posts/old", "ferrets")]:
    head, body = gsearch(q)
    hits = [m.group(1) for m in map(GEMFEED.match, body.split("\n")) if m]
    t.ok(head.startswith("20 text/gemini") and hits == [want],
         "gemini search %r finds %s" % (q, want), body)
    if snip:
        t.ok(any(ln.startswith("> ") and snip in ln
                 for ln in body.split("\n")),
             "gemini search %r: snippet around the match" % q, body)
for q in ["zebra", "없는말", "存在しない", "unicornsecret"]:
    head, body = gsearch(q)
    t.ok(head.startswith("20") and "No posts match" in body and
         "=> /posts/" not in body, "gemini search miss %r" % q, body)
head, body = gem("/search?%ff")
t.eq(head[:3], "59 ", "search query that is not UTF-8: 59")

data, items, problems = menu("/search\t東京")
t.ok(problems == [] and [i[2] for i in items if i[0] == "1" and
     i[2].startswith("/posts/")] == ["/posts/nihongo"],
     "gopher search (Japanese) finds the post", data)
t.ok(any(i[0] == "i" and "東京" in i[1] for i in items),
     "gopher search: snippet info line", data)
for q, want in [("서울", "/posts/hangul"), ("lazy DOG", "/posts/2022-09-04-hello")]:
    data, items, problems = menu("/search\t" + q)
    t.ok(problems == [] and [i[2] for i in items if i[0] == "1" and
         i[2].startswith("/posts/")] == [want],
         "gopher search %r finds %s" % (q, want), data)
data, items, problems = menu("/search\tzebra")
t.ok(problems == [] and any("No posts match" in i[1] for i in items) and
     not any(i[2].startswith("/posts/") for i in items),
     "gopher search miss", data)
data, items, problems = menu("/search")
t.ok(problems == [] and any(i[0] == "7" and i[2] == "/search" for i in items),
     "gopher search without a string offers the search", data)
t.ok(all(len(i[1].encode()) < 400 for i in items), "gopher lines bounded")

# ------------------------------------------------------------ small files
head, body = gem("/robots.txt")
t.ok(head.startswith("20 text/plain"), "gemini robots.txt: text/plain", head)
t.ok("User-agent: *" in body and re.search(r"^Disallow:\s*$", body, re.M)
     and all(a in body for a in ["archiver", "indexer", "researcher",
                                 "webproxy"]),
     "gemini robots.txt: allows all, names the virtual agents", body)
r1, r2 = gopher("/robots.txt"), gopher("robots.txt")
t.ok(b"User-agent: *" in r1 and b"Disallow:" in r1,
     "gopher robots.txt default", r1)
t.eq(r2, r1, "gopher robots.txt without slash: same")
head, body = gem("/favicon.txt")
t.eq((head, body.strip()), ("20 text/plain; charset=utf-8", "🪐"),
     "favicon.txt default: one emoji")
caps = gopher("/caps.txt").decode()
clines = caps.replace("\r\n", "\n").split("\n")
t.eq(clines[0], "CAPS", "caps.txt: CAPS first line")
kv = dict(ln.split("=", 1) for ln in clines if "=" in ln and
          not ln.startswith("#"))
want_caps = {"CapsVersion": "1", "ExpireCapsAfter": "3600",
             "PathDelimeter": "/", "PathIdentity": ".", "PathParent": "..",
             "PathParentDouble": "FALSE", "PathKeepPreDelimeter": "FALSE",
             "ServerSoftware": "capsuled",
             "ServerDefaultEncoding": "UTF-8", "ServerAdmin": ""}
t.eq({k: kv.get(k) for k in want_caps}, want_caps, "caps.txt keys")
t.ok(re.match(r"^\d+\.\d+", kv.get("ServerSoftwareVersion", "")) and
     kv.get("ServerDescription"), "caps.txt: version and description", kv)

# Overrides: a file in the root wins.
write("robots.txt", "User-agent: *\nDisallow: /private/\n")
write("favicon.txt", "🦊\n")
t.eq(gem("/robots.txt")[1], "User-agent: *\nDisallow: /private/\n",
     "gemini robots.txt: root file overrides")
t.eq(gopher("robots.txt"), b"User-agent: *\nDisallow: /private/\n",
     "gopher robots.txt (no slash): root file overrides")
t.eq(gopher("/robots.txt"), b"User-agent: *\nDisallow: /private/\n",
     "gopher /robots.txt: root file overrides")
t.eq(gem("/favicon.txt")[1].strip(), "🦊", "favicon.txt: root file overrides")

# ------------------------------------------------------------ home, posts
head, body = gem("/")
for link in ["/gemlog/", "/tags/", "/search", "/atom.xml"]:
    t.ok(re.search(r"^=> %s( |$)" % re.escape(link), body, re.M),
         "gemini home links %s" % link, body)
data, items, problems = menu("/")
t.eq(problems, [], "gopher home well formed")
for typ, sel in [("1", "/gemlog/"), ("1", "/tags/"), ("7", "/search"),
                 ("0", "/atom.xml")]:
    t.ok(any(i[0] == typ and i[2] == sel for i in items),
         "gopher home links %s %s" % (typ, sel), data)

head, body = gem("/posts/nihongo")
tail = [ln for ln in body.rstrip("\n").split("\n")][-5:]
t.ok(any(ln.startswith("=> /tags/" + quote("日本語")) for ln in tail) and
     any(ln.startswith("=> /gemlog/") for ln in tail) and
     any(re.match(r"^=> / ", ln) for ln in tail),
     "gemini post ends with links to its tags, the gemlog and home", body)
data, items, problems = menu("/posts/nihongo")
sels = [i[2] for i in items if i[0] == "1"][-4:]
t.ok(problems == [] and "/tags/" + quote("日本語") + "/" in sels and
     "/gemlog/" in sels and "/" in sels,
     "gopher post ends with items to its tags, the phlog and home", data)

# ------------------------------------------------------------ crawls


def crawl_gemini():
    seen, queue, broken = {}, ["/"], []
    while queue and len(seen) < 300:
        path = queue.pop(0)
        if path in seen:
            continue
        head, body, _ = srv.gemini(BASE + path)
        seen[path] = head
        st = head[:2]
        if st == "31":
            queue.append(head[3:])
            continue
        if st not in ("20", "10"):
            broken.append((path, head))
            continue
        if st == "20" and head.startswith("20 text/gemini"):
            for link in crawl_links(body):
                if link.startswith("/") and not link.startswith("//"):
                    queue.append(link.split("#")[0])
    return seen, broken


seen, broken = crawl_gemini()
t.eq(broken, [], "gemini crawl from / finds no broken link")
want = (["/posts/hangul", "/posts/nihongo",
         "/posts/2022-09-04-hello", "/posts/old", "/atom.xml",
         "/gemlog/", "/tags/"] + [v[0] for v in want_tags.values()])
t.eq([w for w in want if w not in seen], [],
     "gemini crawl reaches every post, tag and the feed")


seen, broken, _ = gopher_crawl(srv)
t.eq(broken, [], "gopher crawl from the root finds no broken item")
want = (["/posts/hangul", "/posts/nihongo", "/posts/2022-09-04-hello",
         "/posts/old", "/atom.xml", "/gemlog/", "/tags/"] +
        [v[0] for v in want_tags.values()])
t.eq([w for w in want if w not in seen], [],
     "gopher crawl reaches every post, tag and the feed")

# ------------------------------------------------------------ live update
# The indexer takes changes in by itself, no request needed; requests
# meanwhile get the previous index.
n = srv.index_updates()
write("posts/fresh.md", """---
title: Fresh post
date: 2030-01-01
tags: [새태그]
---
A brandnewword appears.
""")
t.ok(srv.wait_index(n), "the indexer takes a new post in by itself")
head, body = gem("/gemlog/")
first = [m for m in map(GEMFEED.match, body.split("\n")) if m]
t.ok(first and first[0].group(1) == "/posts/fresh",
     "a post added while running then tops the gemlog", body)
head, body = gsearch("brandnewword")
t.ok("=> /posts/fresh " in body, "the new post is searchable",
     body)
t.ok("/posts/fresh" in gopher("/gemlog/").decode(),
     "and in the gopher phlog")
t.ok(gem("/tags/" + quote("새태그") + ".gmi")[0].startswith("20"),
     "its new tag has a page")
n = srv.index_updates()
os.remove(os.path.join(posts, "fresh.md"))
srv.wait_index(n)
head, body = gem("/gemlog/")
t.ok("/posts/fresh " not in body, "a removed post leaves the gemlog")
t.ok("No posts match" in gsearch("brandnewword")[1],
     "and the search index")

# ------------------------------------------------------------ limits
for i in range(52):
    write("posts/bulk-%02d.md" % i, "---\ntitle: Bulk %02d\ndate: 2010-01-01T"
          "%02d:%02d:00Z\n---\nbulkword number %d\n" % (i, i // 60, i % 60, i))
body = srv.until(lambda: (lambda b: b if b.count("/posts/bulk-") == 52
                          else None)(gem("/gemlog/")[1])) or ""
t.eq(len([m for m in map(GEMFEED.match, body.split("\n")) if m]), 56,
     "gemlog lists all 56 posts on one page")
f = feedparse(srv.gemini(BASE + "/atom.xml")[1])
t.ok(f.get("bozo") == 0 and len(f.get("entries", [])) == 50 and
     f["entries"][-1]["title"] == "Bulk 06",
     "atom: the newest 50 entries", [e["title"] for e in
                                     f.get("entries", [])][-3:])
head, body = gsearch("BULKWORD")
t.ok(body.count("=> /posts/bulk-") == 50 and "52 posts match" in body,
     "search: 50 hits listed, the total told", body[:300])
data, items, problems = menu("/search\tbulkword")
t.ok(problems == [] and len([i for i in items if i[0] == "1" and
                             i[2].startswith("/posts/bulk-")]) == 50,
     "gopher search: 50 hits", data[:300])

# ------------------------------------------------------------ language
# Generated pages speak the language most posts are written in, unless
# the host says otherwise (--lang is only the default for undetected
# text); a tie goes to the default language.
ja = os.path.join(work, "ja")
for i, body in enumerate(["港のカモメは朝早くから鳴いている。",
                          "灯台の光が海を照らしている。",
                          "The harbour at first light."]):
    path = os.path.join(ja, "posts", "p%d.md" % i)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("---\ntitle: P%d\ndate: 2023-0%d-01\ntags: [t]\n---\n\n%s\n"
                % (i, i + 1, body))
srv2 = Server(ja)
B2 = "gemini://localhost:%d" % srv2.gemini_port
for path in ["/", "/gemlog/", "/tags/", "/tags/t.gmi", "/search?harbour"]:
    head, _, _ = srv2.gemini(B2 + path)
    t.eq(head, "20 text/gemini; charset=utf-8; lang=ja",
         "%s: lang of the majority of posts (2 ja, 1 en)" % path)
srv2.stop()
srv2.cleanup()
os.remove(os.path.join(ja, "posts", "p1.md"))
srv2 = Server(ja)
head, _, _ = srv2.gemini("gemini://localhost:%d/" % srv2.gemini_port)
t.eq(head, "20 text/gemini; charset=utf-8; lang=en",
     "home: a tie (1 ja, 1 en) goes to the default language")
srv2.stop()
srv2.cleanup()

finish(t, srv, work)
