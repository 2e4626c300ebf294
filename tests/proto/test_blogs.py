"""Real blogs as they are (issues 8 and 11): every fixture folder under
tests/blogs/ (Hugo, Jekyll, the Next.js blog starter, Zenn, Hatena via
blogsync, Astro, Docusaurus with MDX) served with `--root` and no configuration,
crawled over Gemini and Gopher from the home page.  Checked: the site's
title from its own config; posts at the web site's paths, newest first,
with title, date (front matter, file name or the commit that added the
file), tags and language; links written in the web's form landing on the
canonical page; old paths (source forms, aliases, old permalinks) moving
there in one step in both protocols; no generator syntax, Markdown or HTML
left visible; drafts and editor or build leftovers reachable by no path
and listed nowhere; no broken local link; local images (page bundles too)
linked and served by both protocols.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import Tap, Server, copy_capsule, menu_lines  # noqa: E402

top = os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__),
                                                 "..", ".."))
BLOGS = os.path.join(top, "tests", "blogs")
MAX_RESOURCES = 300

t = Tap()

# Markdown or HTML that must never reach a reader (as in test_markdown.py).
LEAKS = [re.compile(p) for p in [
    r"^#{4,} ", r"\*\*\S", r"\S\*\*", r"\]\(", r"!\[", r"^\s*[-+] \[[ xX]\]",
    r"</?(span|div|br|img|a|p|script|figure|figcaption|ul|li|strong)\b",
    r"<!--", r"^---$", r"^\|.*\|$", r"\[\^\d+\]", r"&(amp|lt|gt|quot|nbsp);",
    r"^\s+\* ",
]]
# Generator syntax: shortcodes, Liquid, Kramdown, Zenn, alerts, Hatena.
GENERATOR = [re.compile(p) for p in [
    r"\{\{<", r"\{\{%", r">\}\}", r"%\}\}", r"\{%", r"%\}", r"\{:", r"^:::",
    r"@\[\w+\]", r"\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", r"\[f:id:",
    r"\[:contents\]", r":embed", r":title[\]=]", r"\^\[", r" =\d*x\d*\)",
    r"\[asin:",
    # Hatena notation.
    r"\|\|<", r"^>\|", r"^\|<$", r"^>>$", r"^<<$", r"\(\(", r"\[tex:",
    # MDX.
    r"\{/\*", r"^</?[A-Z]\w*[ />]",
]]
# Liquid output tags, which may stand in code.
LIQUID_OUT = re.compile(r"\{\{ ?[\w.]+ ?\}\}")


def leaks(text, literal=()):
    """Markdown/HTML leaks outside preformatted text, generator syntax
    anywhere; lines in literal are the author's on purpose (Liquid shown
    through {% raw %})."""
    out = []
    pre = False
    for line in text.splitlines():
        if line.strip() in literal:
            continue
        if line.startswith("```"):
            pre = not pre
            continue
        out += ["%s in %r" % (p.pattern, line) for p in GENERATOR
                if p.search(line)]
        if pre or line.startswith("=>"):
            continue
        out += ["%s in %r" % (p.pattern, line) for p in LEAKS + [LIQUID_OUT]
                if p.search(line)]
    return out


def mark_code(lines):
    """Gopher and plain-text renderings set code off by four spaces:
    wrap such lines in ``` so that leaks() treats them as code."""
    out = []
    for s in lines:
        if re.match(r"^(> )*( {2})*\s{4}", s):
            out += ["```", s, "```"]
        else:
            out.append(s)
    return "\n".join(out)


def gopher_text(lines):
    """The display text of a menu's i lines, code marked."""
    return mark_code(ln.split(b"\t")[0][1:].decode("utf-8", "replace")
                     for ln in lines if ln.startswith(b"i"))


def gem_path(p):
    return "gemini://localhost:{port}" + urllib.parse.quote(p, safe="/%")


def gopher_sel(gpath):
    """A page's Gopher selector: its canonical path, as in Gemini."""
    return urllib.parse.quote(gpath, safe="/%")


def text_sel(gpath):
    """The plain-text (type 0) form of a page."""
    return gopher_sel(gpath.rstrip("/")) + ".txt"


def is_local(url):
    return "://" not in url and not url.startswith(("mailto:", "//"))


def crawl_gemini(srv):
    """Every local resource reachable from /: (pages, others, broken)."""
    pages, others, broken, seen = {}, {}, [], set()
    queue = [("/", "/")]
    while queue and len(seen) < MAX_RESOURCES:
        path, via = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        h, b, _ = srv.gemini(gem_path(path))
        if h.startswith("31 "):
            target = urllib.parse.urljoin(path, h[3:])
            if is_local(h[3:]) or target.startswith("/"):
                queue.append((urllib.parse.urlparse(target).path, via))
            continue
        if h.startswith("10 "):
            continue
        if not h.startswith("20 "):
            broken.append((path, h, via))
            continue
        if "text/gemini" not in h:
            others[path] = (h, b)
            continue
        body = b.decode("utf-8", "replace")
        pages[path] = (h, body)
        for link in re.findall(r"^=>\s*(\S+)", body, re.M):
            if is_local(link):
                target = urllib.parse.unquote(urllib.parse.urljoin(path,
                                                                   link))
                queue.append((urllib.parse.urlparse(target).path, path))
    return pages, others, broken


def gopher_error(data):
    first = data.split(b"\r\n", 1)[0]
    return data.startswith(b"3") and b"\terror.host\t" in first


def crawl_gopher(srv):
    """Every local item reachable from the root menu: (menus, files,
    broken, framing problems).  Gopher has no redirects: a moved page is
    a menu whose first item is the new place, followed like any item."""
    menus, files, broken, problems, seen = {}, {}, [], [], set()
    queue = [("1", "", "")]
    while queue and len(seen) < MAX_RESOURCES:
        typ, sel, via = queue.pop(0)
        if sel in seen:
            continue
        seen.add(sel)
        data = srv.gopher(sel)
        if gopher_error(data) or not data:
            broken.append((typ + sel, data[:80], via))
            continue
        if typ != "1":
            files[sel] = (typ, data)
            continue
        lines, probs = menu_lines(data)
        problems += ["%s: %s" % (sel, p) for p in probs]
        menus[sel] = lines
        for ln in lines:
            f = ln.split(b"\t")
            if len(f) != 4 or not f[0]:
                continue
            it = chr(f[0][0])
            host, port = f[2].decode(), f[3].decode()
            if it not in "10Ig9" or host != "localhost" or \
                    port != str(srv.gopher_port):
                continue
            queue.append((it, f[1].decode("utf-8", "replace"), sel))
    return menus, files, broken, problems


def header(body):
    lines = body.split("\n")
    return (lines[0] if lines else ""), (lines[1] if len(lines) > 1 else "")


# ------------------------------------------------------------ the blogs
#
# posts: canonical path (the web's) -> (title, date, tags, lang)
# drafts: canonical path -> title; private: sources and leftovers that no
#   path may serve and no page or menu may list
# images: canonical path of the page showing it -> [(URL path, file)]
# aliases: old path -> the canonical path it moves to, in one step
# links: page -> local links it must carry, written in the web's form
#   (root-relative, on the site's own base URL, ref/relref, tag URLs)
# listings: folders whose generated listing must not show private files
# git: commit the fixture with this date, which dates posts without one

FIXTURES = [
    {
        "name": "hugo",
        "title": "Harbour Notes",
        "git": "2022-02-02T10:00:00+00:00",
        "posts": {
            "/posts/first-light/": (
                "First Light in the Harbour", "2023-03-14",
                ["boats", "photography", "Travel"], "en-us"),
            "/posts/kamome/": (
                "港のカモメ", "2023-04-02", ["写真", "鳥", "日記"], "ja"),
            "/posts/sunset/": (
                "바닷가의 노을", "2023-05-20", ["사진", "여행"], "ko"),
            "/2023/06/tides/": (
                "Reading Tide Tables", "2023-06-11", ["boats"], "en-us"),
            "/2022/02/a-note-without-a-date/": (
                "A Note Without a Date", "2022-02-02", [], "en-us"),
        },
        "pages": {"/posts/": "All the Posts", "/about/": "About"},
        # Night Crossing is published by its own front matter, but Hugo
        # builds nothing below a draft section.
        "drafts": {"/posts/draft-ideas/": "Ideas for Next Season",
                   "/posts/winter-plans/": "Winter Plans",
                   "/posts/logbook-drafts/night-crossing/":
                       "Night Crossing"},
        "private": ["/content/posts/draft-ideas.md",
                    "/content/posts/logbook-drafts/night-crossing.md",
                    "/content/posts/winter-plans/index.md",
                    "/content/posts/winter-plans/shed.png",
                    "/posts/winter-plans/shed.png",
                    "/content/posts/winter-plans/",
                    "/content/posts/draft-ideas",
                    "/content/posts/first-light.md~",
                    "/content/posts/kamome.md.bak",
                    "/public/index.html", "/public/"],
        "listings": ["/", "/content/", "/content/notes/"],
        # Generated pages that a content folder must not shadow: Hugo
        # keeps term pages' front matter in content/tags/ (boats has a
        # title there; 鳥 also a url: of its own).  Each taxonomy of the
        # config (tags, categories, series) has its pages.
        "generated": {"/tags/": "Tags", "/tags/boats/": "Posts tagged Boats",
                      "/tags/birds/": "Posts tagged Birds",
                      "/tags/鳥/": "Posts tagged Birds",
                      "/categories/": "Categories",
                      "/categories/Travel/": "Category: Travel",
                      "/categories/日記/": "Category: 日記",
                      "/series/": "Series",
                      "/series/Harbour Birds/": "Series: Harbour Birds",
                      # Hugo's urlized form, as the web has it.
                      "/series/harbour-birds/": "Series: Harbour Birds"},
        "images": {
            "/posts/first-light/": [
                ("/images/og-harbour.png", "static/images/og-harbour.png"),
                ("/images/harbour.png", "static/images/harbour.png")],
            "/posts/kamome/": [
                ("/images/kamome.png", "static/images/kamome.png")],
            "/posts/sunset/": [
                ("/posts/sunset/sunset.png",
                 "content/posts/sunset/sunset.png"),
                ("/posts/sunset/lighthouse.png",
                 "content/posts/sunset/lighthouse.png"),
                # In a folder inside the bundle.
                ("/posts/sunset/images/wave.png",
                 "content/posts/sunset/images/wave.png")],
        },
        "aliases": {
            "/2023/03/first-light/": "/posts/first-light/",
            "/posts/old-first-light/": "/posts/first-light/",
            "/2023/04/kamome/": "/posts/kamome/",
            "/about-me/": "/about/",
            "/content/posts/first-light.gmi": "/posts/first-light/",
            "/content/posts/first-light": "/posts/first-light/",
            "/content/posts/sunset/": "/posts/sunset/",
            "/content/posts/": "/posts/",
            "/content/notes/tide-tables.gmi": "/2023/06/tides/",
            "/posts/first-light": "/posts/first-light/",
            # Written for another permalink scheme: the file's name.
            "/notes/kamome.html": "/posts/kamome/",
            # Categories had no pages of their own before: the old tag
            # path of a category leads to its category page.
            "/tags/Travel/": "/categories/Travel/",
        },
        "links": {
            "/about/": ["/posts/first-light/", "/posts/kamome/",
                        "/posts/sunset/", "/tags/%EC%82%AC%EC%A7%84/"],
            "/2023/06/tides/": ["/posts/first-light/", "/posts/kamome/",
                                "/tags/photography/"],
            "/2022/02/a-note-without-a-date/": [
                "/2023/06/tides/", "/posts/sunset/",
                "/posts/sunset/lighthouse.png"],
            "/posts/kamome/": ["/posts/first-light/", "/posts/sunset/",
                               "/categories/%E6%97%A5%E8%A8%98/",
                               "/series/Harbour%20Birds/"],
            "/posts/first-light/": ["/tags/boats/", "/categories/Travel/",
                                    "/series/Harbour%20Birds/"],
            # The term page's own url: is where its list entry leads.
            "/tags/": ["/tags/birds/", "/tags/boats/"],
            "/series/Harbour%20Birds/": ["/posts/kamome/",
                                         "/posts/first-light/"],
            # A section without an _index.md: Hugo lists it anyway.
            "/notes/": ["/2023/06/tides/",
                        "/2022/02/a-note-without-a-date/"],
        },
        "remote": {
            "/posts/first-light/":
                ["=> https://www.youtube.com/watch?v=w7Ft2ymGmfc "
                 "Boats leaving at dawn"],
            "/posts/sunset/":
                ["=> https://gist.github.com/harbour/4d2e9a0b"],
        },
    },
    {
        # Two languages with their own content folders: the default one
        # at the root, the other under /en/; titled by the default one.
        "name": "hugo-i18n",
        "title": "灯台日誌",
        # disableKinds: [taxonomy, term]: no taxonomy pages at all.
        "private": ["/tags/", "/tags/当直/"],
        "posts": {
            "/logbook/first-watch/": (
                "初めての当直", "2023-01-05", ["当直"], "ja"),
            "/logbook/storm/": (
                "嵐の夜", "2023-02-11", ["天気", "当直"], "ja"),
            "/en/logbook/first-watch/": (
                "The First Watch", "2023-01-06", ["watch"], "en"),
        },
        "pages": {"/about/": "このサイトについて",
                  "/en/about/": "About This Log"},
        "drafts": {},
        "images": {},
        "aliases": {
            "/content/ja/logbook/storm.gmi": "/logbook/storm/",
            "/content/en/logbook/first-watch": "/en/logbook/first-watch/",
            "/content/en/about.en": "/en/about/",
        },
        "links": {
            "/about/": ["/logbook/first-watch/", "/en/logbook/first-watch/"],
            "/en/about/": ["/en/logbook/first-watch/", "/logbook/storm/"],
            "/en/logbook/first-watch/": ["/logbook/first-watch/"],
        },
    },
    {
        "name": "jekyll",
        "title": "Liquid Days",
        "posts": {
            "/jekyll/update/2020/05/17/welcome-to-jekyll.html": (
                "Welcome to Jekyll!", "2020-05-17", ["jekyll", "update"],
                "en"),
            "/旅行/2021/02/11/kyoto-notes.html": (
                "京都の寺をめぐる", "2021-02-11", ["旅行", "京都", "寺"],
                "ja"),
            "/2022/busan-tower/": (
                "부산 타워에서", "2022-07-03", ["travel", "부산", "여행"],
                "ko"),
            "/jekyll/2023/03/10/liquid-everywhere.html": (
                "Liquid everywhere", "2023-03-10", ["jekyll"], "en"),
        },
        "pages": {"/about/": "About",
                  "/docs/history/": "History of This Site"},
        "drafts": {
            "/notes/2023/01/01/unfinished.html": "Unfinished Thoughts",
            "/notes/2099/01/01/from-the-future.html":
                "A Post From the Future",
        },
        "private": ["/_posts/2023-01-01-unfinished.md",
                    "/_drafts/a-post-in-progress.md",
                    "/_drafts/a-post-in-progress",
                    "/_posts/#2021-02-11-kyoto-notes.md#",
                    "/_posts/2020-05-17-welcome-to-jekyll.markdown.orig",
                    "/_site/index.html", "/_site/"],
        # site.tags and site.categories, at the paths Chirpy publishes
        # them on (jekyll-archives: /tags/:name/, /categories/:name/).
        "generated": {"/categories/": "Categories",
                      "/categories/jekyll/": "Category: jekyll",
                      "/categories/旅行/": "Category: 旅行",
                      "/tags/京都/": "Posts tagged 京都"},
        "listings": ["/", "/_posts/", "/_drafts/"],
        "images": {
            "/jekyll/update/2020/05/17/welcome-to-jekyll.html": [
                ("/assets/images/spinner.gif", "assets/images/spinner.gif")],
            "/旅行/2021/02/11/kyoto-notes.html": [
                ("/assets/images/temple.png", "assets/images/temple.png")],
            "/2022/busan-tower/": [
                ("/assets/images/busan-tower.png",
                 "assets/images/busan-tower.png")],
            "/about/": [
                ("/assets/images/logo.png", "assets/images/logo.png")],
        },
        "aliases": {
            "/_posts/2022-07-03-busan-tower.gmi": "/2022/busan-tower/",
            "/_posts/2020-05-17-welcome-to-jekyll":
                "/jekyll/update/2020/05/17/welcome-to-jekyll.html",
            "/about.gmi": "/about/",
            "/docs/history": "/docs/history/",
            "/kyoto/": "/旅行/2021/02/11/kyoto-notes.html",
            # Categories were tags before they had pages of their own.
            "/tags/travel/": "/categories/travel/",
            "/2021/kyoto-temples.html": "/旅行/2021/02/11/kyoto-notes.html",
        },
        "links": {
            "/2022/busan-tower/": ["/categories/travel/",
                                   "/tags/%EB%B6%80%EC%82%B0/"],
            "/jekyll/update/2020/05/17/welcome-to-jekyll.html": [
                "/docs/history/",
                "/jekyll/update/2020/05/17/welcome-to-jekyll.html"],
            "/docs/history/": [
                "/2022/busan-tower/",
                "/%E6%97%85%E8%A1%8C/2021/02/11/kyoto-notes.html"],
            "/2022/busan-tower/": ["/about/"],
        },
        "remote": {
            # An include that is a template shows its text parameters;
            # {% raw %} shows its content, in code spans too.
            "/jekyll/2023/03/10/liquid-everywhere.html": [
                "Site values, includes and raw blocks in one post.",
                "Back up your data before upgrading.",
                "Print a title with {{ page.title }}, or in a block:",
                "Closed issues: [#12][] and [#15][]."],
        },
        "literal": (
            "Print a title with {{ page.title }}, or in a block:",
            "{% for post in site.posts %}{{ post.title }}{% endfor %}"),
        "home": "jekyll-home",
    },
    {
        # A theme's config: permalinks from front matter defaults by
        # scope, a category kept in its own folder (rockpools/_posts/).
        "name": "jekyll-defaults",
        "title": "Tide Pool Journal",
        "posts": {
            "/2021/04/05/low-tide.html": (
                "Waiting for Low Tide", "2021-04-05", ["tides"], "en"),
            "/field/notes/biology/2022/06/01/anemones.html": (
                "イソギンチャクの観察", "2022-06-01",
                ["Biology", "海", "観察"], "ja"),
            "/quick/kelp/": ("Kelp, Briefly", "2023-02-02", ["kelp"], "en"),
            "/rockpools/2020/09/09/hermit-crabs.html": (
                "소라게의 새 집", "2020-09-09", ["게", "바다"], "ko"),
            # A one-digit month and day in the file name.
            "/rockpools/2020/10/02/tide-chart.html": (
                "Reading a Tide Chart", "2020-10-02", [], "en"),
            # No title in front matter: Jekyll titleizes the slug, never
            # a "## Morning" heading.
            "/2021/07/19/spring-tide-log.html": (
                "Spring Tide Log", "2021-07-19", ["tides"], "en"),
        },
        # A collection document (_tabs/) without a title: its slug too.
        "pages": {"/about/": "About", "/tide-tables/": "Tide Tables"},
        "drafts": {"/quick/more-kelp/": "More Kelp Later",
                   # Not named YYYY-MM-DD-title: Jekyll skips it.
                   "/_posts/short/kelp-notes": "Kelp Notes Without a Date"},
        "private": ["/_posts/short/2023-05-05-more-kelp.md",
                    "/_posts/short/kelp-notes.md"],
        "images": {},
        "aliases": {
            # The source forms move to the web's paths.
            "/_posts/short/2023-02-02-kelp": "/quick/kelp/",
            "/rockpools/_posts/2020-09-09-hermit-crabs":
                "/rockpools/2020/09/09/hermit-crabs.html",
            "/_tabs/about": "/about/",
        },
        "links": {
            "/about/": ["/quick/kelp/",
                        "/rockpools/2020/09/09/hermit-crabs.html"],
            "/2021/04/05/low-tide.html": [
                "/field/notes/biology/2022/06/01/anemones.html",
                "/rockpools/2020/09/09/hermit-crabs.html"],
            "/field/notes/biology/2022/06/01/anemones.html": [
                "/quick/kelp/"],
        },
    },
    {
        # The starter's name is a constant in lib/constants.js.
        "name": "nextjs",
        "title": "Notes from Three Cities",
        "title_from": "lib/constants.js (BLOG_NAME)",
        "posts": {
            "/posts/hello-world": (
                "Hello, World: Notes from a Static Blog", "2020-03-16", [],
                "en"),
            "/posts/tokyo-night": (
                "東京の夜を歩く", "2021-11-05", [], "ja"),
            "/posts/hangang-picnic": (
                "한강에서 피크닉", "2022-04-23", [], "ko"),
        },
        "drafts": {},
        "images": {
            "/posts/hello-world": [
                ("/assets/blog/hello-world/cover.png",
                 "public/assets/blog/hello-world/cover.png")],
            "/posts/tokyo-night": [
                ("/assets/blog/tokyo-night/cover.png",
                 "public/assets/blog/tokyo-night/cover.png"),
                ("/assets/blog/tokyo-night/alley.png",
                 "public/assets/blog/tokyo-night/alley.png")],
            "/posts/hangang-picnic": [
                ("/assets/blog/hangang-picnic/cover.png",
                 "public/assets/blog/hangang-picnic/cover.png")],
        },
        "aliases": {"/_posts/hello-world.gmi": "/posts/hello-world",
                    "/posts/hello-world/": "/posts/hello-world"},
        "links": {"/posts/hello-world": ["/posts/tokyo-night"],
                  "/posts/hangang-picnic": ["/posts/hello-world"]},
    },
    {
        "name": "zenn",
        "title": None,
        "posts": {
            "/articles/rust-async-memo": (
                "Rustの非同期ランタイムを図で理解する", "2023-06-10",
                ["rust", "tokio", "async"], "ja"),
            "/articles/zenn-cli-english": (
                "Writing Zenn Articles Locally with zenn-cli", "2023-07-01",
                ["zenn", "markdown"], "en"),
            "/articles/korean-web-fonts": (
                "한국어 웹 폰트 고르기", "2023-08-15", ["css", "font", "한국어"],
                "ko"),
        },
        # Book chapters are pages at Zenn's viewer paths; a numbered file
        # (1.setup.md) is chapter setup.
        "pages": {"/books/rust-workshop/viewer/intro": "はじめに",
                  "/books/rust-workshop/viewer/ownership": "所有権",
                  "/books/numbered-guide/viewer/setup": "Setting Up",
                  "/books/numbered-guide/viewer/first-run":
                      "The First Run"},
        # A chapter its book does not list, a book with published: false.
        "drafts": {"/articles/wip-draft-article": "書きかけの記事",
                   "/books/rust-workshop/viewer/scratch":
                       "メモ（本には入れない）",
                   "/books/secret-book/viewer/plan": "The Plan"},
        "private": ["/articles/wip-draft-article.md",
                    "/books/rust-workshop/scratch.md",
                    "/books/secret-book/plan.md",
                    "/books/secret-book/"],
        # A book's page: its config's title and summary, then the
        # chapters in their order at Zenn's viewer paths.
        "generated": {"/books/rust-workshop/": "手を動かすRustワークショップ",
                      "/books/numbered-guide/": "A Numbered Guide"},
        "listings": ["/articles/", "/books/"],
        "images": {
            "/articles/rust-async-memo": [
                ("/images/rust-async-memo/runtime.png",
                 "images/rust-async-memo/runtime.png")],
            "/articles/zenn-cli-english": [
                ("/images/zenn-cli-english/preview.png",
                 "images/zenn-cli-english/preview.png")],
            "/articles/korean-web-fonts": [
                ("/images/korean-web-fonts/sample.png",
                 "images/korean-web-fonts/sample.png")],
        },
        "aliases": {"/articles/rust-async-memo.gmi":
                    "/articles/rust-async-memo",
                    "/books/numbered-guide/1.setup":
                    "/books/numbered-guide/viewer/setup"},
        "order": {"/books/rust-workshop/": [
            "/books/rust-workshop/viewer/intro",
            "/books/rust-workshop/viewer/ownership"],
            "/books/numbered-guide/": [
            "/books/numbered-guide/viewer/setup",
            "/books/numbered-guide/viewer/first-run"]},
        "links": {"/": ["/books/numbered-guide/", "/books/rust-workshop/"],
                  "/articles/zenn-cli-english": [
            "/books/rust-workshop/viewer/intro",
            "/books/numbered-guide/viewer/setup"],
            "/books/rust-workshop/viewer/intro": [
            "/books/rust-workshop/viewer/ownership"]},
        "remote": {
            "/articles/rust-async-memo":
                ["=> https://tokio.rs/tokio/tutorial"],
            "/articles/korean-web-fonts":
                ["=> https://speakerdeck.com/player/4f926da9cb4cd0001f00a1ff"],
        },
    },
    {
        "name": "hatena",
        "title": None,
        "posts": {
            "/entry/2021/08/15/200000": (
                "夏の終わりの鎌倉", "2021-08-15", ["旅行", "写真"], "ja"),
            "/entry/2022/01/03/120000": (
                "New Year in a Small Town", "2022-01-03", ["Diary"], "en"),
            "/entry/2022/05/05/093000": (
                "어린이날의 공원", "2022-05-05", ["일기", "가족"], "ko"),
            # Entries in Hatena notation (はてな記法), titles with
            # character references as blogsync writes them.
            "/entry/2019/11/02/210000": (
                'Common Lispの"再帰"メモ', "2019-11-02", ["Lisp"], "ja"),
            "/entry/2019/12/24/080000": (
                "引用と表と脚注", "2019-12-24", ["読書"], "ja"),
            "/entry/2020/02/29/120000": (
                "Notes on C++ templates", "2020-02-29", ["Programming"],
                "en"),
        },
        "drafts": {"/entry/2023/02/01/000000": "下書きのメモ"},
        "private": ["/entry/2023/02/01/000000.md"],
        "listings": ["/entry/2023/02/01/"],
        "images": {},
        "aliases": {"/entry/2022/01/03/120000.gmi":
                    "/entry/2022/01/03/120000"},
        "remote": {
            "/entry/2021/08/15/200000": [
                "=> https://cdn-ak.f.st-hatena.com/images/fotolife/h/harbour/"
                "20210815/20210815110000.png 長谷寺からの眺め",
                "=> https://www.enoden.co.jp/"],
            "/entry/2022/05/05/093000": [
                "=> https://cdn-ak.f.st-hatena.com/images/fotolife/h/harbour/"
                "20220505/20220505101010.png"],
            "/entry/2019/11/02/210000": [
                "## 再帰の基本", "### 末尾再帰", "```lisp",
                "  (if (<= n 1)", "* 再帰は読みやすい", "* 1. 定義する"],
            "/entry/2019/12/24/080000": [
                "> 吾輩は猫である。名前はまだ無い。",
                "=> https://www.aozora.gr.jp/cards/000148/card789.html",
                "こころ  夏目漱石", "[1] 数え方は適当です",
                "=> https://blog.hatena.ne.jp/harbour/ id:harbour",
                "=> https://www.aozora.gr.jp/ 青空文庫",
                "=> https://cdn-ak.f.st-hatena.com/images/fotolife/h/harbour/"
                "20191224/20191224080000.jpg 本棚"],
            "/entry/2020/02/29/120000": [
                "```cpp", "* It needs a header",
                "[1] even on a leap day"],
        },
    },
    {
        # blogsync's own layout: <local_root>/<blog domain>/entry/...
        # (blogsync.yaml at the root).  One blog: its folder is the site,
        # served at the paths Hatena publishes, its domain the base URL.
        "name": "hatena-blogsync",
        "title": None,
        "posts": {
            "/entry/2024/03/10/070000": (
                "磯の観察会", "2024-03-10", ["観察"], "ja"),
            "/entry/2024/04/02/180000": (
                "Rock Pools in Spring", "2024-04-02", ["Notes"], "en"),
        },
        "drafts": {"/entry/_draft/13574176438100000003": "下書き：夏の磯"},
        "private": ["/tidepool.hatenablog.com/entry/_draft/"
                    "13574176438100000003.md"],
        "images": {},
        "aliases": {
            "/tidepool.hatenablog.com/entry/2024/03/10/070000":
                "/entry/2024/03/10/070000",
            "/entry/2024/04/02/180000.gmi": "/entry/2024/04/02/180000",
            # Hatena's category page is the tag page.
            "/archive/category/観察": "/tags/観察/",
        },
        # Links on the blog's own domain land on the local page.
        "links": {"/entry/2024/03/10/070000": ["/entry/2024/04/02/180000"],
                  "/entry/2024/04/02/180000": ["/entry/2024/03/10/070000"]},
    },
    {
        # Posts and pages in MDX: import/export blocks, JSX elements
        # wrapping Markdown, self-closing components, {/* comments */};
        # src/pages/ published at /NAME by the pages plugin.
        "name": "docusaurus-mdx",
        "title": "Tide Tables",
        "posts": {
            "/blog/2024/05/01/spring-tides": (
                "Spring Tides at the Breakwater", "2024-05-01",
                ["tides", "harbour"], "en"),
            "/blog/2024/05/09/neap-tides": (
                "小潮の日の港", "2024-05-09", ["潮"], "ja"),
            "/blog/2024/06/02/harbour-log": (
                "항구 일지", "2024-06-02", ["항구"], "ko"),
        },
        "pages": {"/about": "About the Log", "/gauges": "潮位计"},
        "drafts": {},
        "images": {
            "/blog/2024/05/01/spring-tides": [
                ("/img/neap.png", "static/img/neap.png")],
        },
        "aliases": {
            "/blog/2024-05-01-spring-tides.gmi":
                "/blog/2024/05/01/spring-tides",
            "/src/pages/about": "/about",
        },
        "links": {
            "/blog/2024/05/01/spring-tides": ["/blog/2024/05/09/neap-tides"],
            "/blog/2024/05/09/neap-tides": ["/blog/2024/05/01/spring-tides"],
            "/blog/2024/06/02/harbour-log": ["/blog/2024/05/09/neap-tides"],
            "/about": ["/blog/2024/05/01/spring-tides"],
            # <Link to="/about"> in an MDX page.
            "/gauges": ["/about"],
        },
        "remote": {
            "/blog/2024/05/01/spring-tides": [
                "Morning", "High water at 06:12, 4.8 m above chart datum.",
                "* the slipway was covered",
                "=> https://www.youtube.com/watch?v=dQw4w9WgXcQ "
                "Time-lapse of the flood tide",
                "import Tabs from '@theme/Tabs';"],
            "/blog/2024/05/09/neap-tides": [
                "観測メモ", "満潮 09:30、潮位 2.1 m。"],
        },
    },
    {
        # A glob loader outside src/content (content.config.ts), routed
        # by src/pages/[category]/[slug].astro, trailingSlash "never".
        "name": "astro-loader",
        # Titled only in its feed endpoint, src/pages/rss.xml.ts.
        "title": "Garden Ledger",
        "title_from": "src/pages/rss.xml.ts (title)",
        "posts": {
            "/garden/first-frost": (
                "The First Frost", "2024-11-02", ["garden", "weather"],
                "en"),
            "/kitchen/green-tomato-chutney": (
                "青いトマトのチャツネ", "2024-11-05", ["料理"], "ja"),
        },
        "drafts": {"/garden/seed-order": "Next Year's Seed Order"},
        "private": ["/content/posts/garden/seed-order.md"],
        "images": {},
        "aliases": {
            "/content/posts/garden/first-frost": "/garden/first-frost",
            "/garden/first-frost/": "/garden/first-frost",
        },
        "links": {
            "/garden/first-frost": ["/kitchen/green-tomato-chutney"],
            "/kitchen/green-tomato-chutney": ["/garden/first-frost"],
        },
    },
    {
        # baseUrl /handbook/, docs at the root (routeBasePath '/'), the
        # blog read from journal/ and published under /diary.
        "name": "docusaurus-routes",
        "title": "Rain Gauge Handbook",
        "posts": {
            "/diary/2024/03/01/first-rain": (
                # i18n.defaultLocale is the language of a post
                # written in no other.
                "The First Rain", "2024-03-01", ["rain"], "en-GB"),
            "/diary/2024/04/02/spring-wind": (
                "春の風", "2024-04-02", ["風"], "ja"),
        },
        "pages": {"/intro": "Start Here", "/setup/wiring": "Wiring the Sensor",
                  "/guide": "Reading the Gauge"},
        "drafts": {},
        "images": {},
        "aliases": {
            "/docs/intro": "/intro",
            "/docs/01-setup/02-wiring.gmi": "/setup/wiring",
            "/journal/2024-03-01-first-rain": "/diary/2024/03/01/first-rain",
        },
        "links": {
            # Relative file links and links on the base path.
            "/intro": ["/setup/wiring", "/guide",
                       "/diary/2024/03/01/first-rain"],
            "/setup/wiring": ["/intro"],
            "/diary/2024/03/01/first-rain": ["/setup/wiring"],
        },
    },
    {
        "name": "astro",
        "title": "Stargazer Log",
        "posts": {
            "/blog/first-night/": (
                "First Night Out", "2022-07-08", [], "en"),
            "/blog/orion/": (
                "オリオン座の星雲", "2023-01-15", [], "ja"),
            "/blog/markdown-style-guide/": (
                "별 사진 찍는 법", "2023-03-02", [], "ko"),
        },
        "drafts": {"/blog/next-eclipse/": "The Next Eclipse"},
        "private": ["/src/content/blog/next-eclipse.md"],
        "listings": ["/src/content/blog/"],
        "images": {
            "/blog/first-night/": [
                ("/blog-placeholder-1.png", "public/blog-placeholder-1.png")],
            "/blog/markdown-style-guide/": [
                ("/blog/markdown-style-guide/big-dipper.png",
                 "src/content/blog/markdown-style-guide/big-dipper.png")],
        },
        "aliases": {"/src/content/blog/orion.gmi": "/blog/orion/",
                    "/blog/orion": "/blog/orion/"},
        "links": {"/blog/first-night/": ["/blog/orion/"],
                  "/blog/orion/": ["/blog/first-night/"]},
    },
    {
        "name": "docusaurus",
        "title": "Field Notes",
        "posts": {
            "/blog/2023/08/14/rain-gauge": (
                "Calibrating the Rain Gauge", "2023-08-14",
                ["hardware", "rain"], "en"),
            "/blog/welcome": (
                "기상 관측소를 시작하며", "2023-09-01", ["시작"], "ko"),
            "/blog/2023/10/05/wind": (
                "風速計の取り付け", "2023-10-06", ["風"], "ja"),
            # No title and no leading h1: Docusaurus names the post
            # after its file, never after a "## Why log it" section.
            "/blog/2024/02/10/anemometer-log": (
                "anemometer-log", "2024-02-10", ["wind"], "en"),
        },
        "pages": {"/docs/setup": "Setting Up the Station"},
        "drafts": {},
        "images": {
            "/blog/welcome": [
                ("/blog/welcome/station.png",
                 "blog/2023-09-01-welcome/station.png")],
        },
        "aliases": {"/blog/2023-08-14-rain-gauge.gmi":
                    "/blog/2023/08/14/rain-gauge",
                    "/blog/2023-09-01-welcome/": "/blog/welcome"},
        "links": {"/blog/2023/08/14/rain-gauge": ["/docs/setup",
                                                  "/blog/welcome"],
                  "/docs/setup": ["/blog/2023/08/14/rain-gauge"]},
    },
]


def git_commit(root, when):
    """Make root a git work tree whose one commit has the date when: the
    date posts without one in front matter or file name get."""
    env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when,
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org",
               GIT_CONFIG_NOSYSTEM="1", HOME=root)
    for cmd in (["init", "-q"], ["add", "-A"],
                ["commit", "-q", "-m", "fixture"]):
        subprocess.run(["git", "-C", root] + cmd, env=env, check=True,
                       stdout=subprocess.DEVNULL)


def listed_anywhere(pages, menus, path):
    """Pages and menus that link path (or its raw form)."""
    q = urllib.parse.quote(path, safe="/%")
    out = [p for p, (h, body) in pages.items()
           if re.search(r"^=> (%s|%s)( |$)" % (re.escape(path),
                                               re.escape(q)), body, re.M)]
    out += [s for s, lines in menus.items() for ln in lines
            if ("\t%s\t" % q).encode() in ln]
    return out


def check_blog(fx):
    name = fx["name"]
    work = tempfile.mkdtemp(prefix="capsuled-blog-")
    root = os.path.join(work, "root")
    copy_capsule(os.path.join(BLOGS, name), root)
    if fx.get("git"):
        git_commit(root, fx["git"])
        if os.geteuid() == 0:
            # Another user's repository, which git refuses to root as
            # "dubious ownership" unless told otherwise.
            try:
                import pwd
                nobody = pwd.getpwnam("nobody")
                for d, dirs, files in os.walk(root):
                    for n in dirs + files + [""]:
                        os.lchown(os.path.join(d, n), nobody.pw_uid,
                                  nobody.pw_gid)
            except KeyError:
                pass
    srv = Server(root)
    try:
        log = srv.stderr().decode("utf-8", "replace")
        t.ok(re.search(r"%s: \S.* site; " % re.escape(root), log),
             "%s: start-up names the generator and what it read" % name,
             log)
        pages, others, broken = crawl_gemini(srv)
        menus, files, gbroken, problems = crawl_gopher(srv)

        t.eq(broken, [],
             "%s: Gemini crawl of %d resources finds no broken local link"
             % (name, len(pages) + len(others)))
        t.eq(gbroken, [],
             "%s: Gopher crawl of %d items finds no broken local item"
             % (name, len(menus) + len(files)))
        t.eq(problems, [], "%s: every menu line well framed" % name)

        # The site's own title, in the home page and the feed.
        home = pages.get("/", ("", ""))[1]
        atom = srv.gemini(gem_path("/atom.xml"))[1].decode("utf-8",
                                                          "replace")
        if fx.get("title"):
            t.ok(home.startswith("# %s\n" % fx["title"]) and
                 "<title>%s</title>" % fx["title"] in atom,
                 "%s: home and Atom feed titled %r" % (name, fx["title"]),
                 home[:200])
        # The start-up line says where the title came from, or how to
        # set one.
        log = srv.stderr().decode("utf-8", "replace")
        if fx.get("title_from"):
            t.ok('title "%s" from %s;' % (fx["title"], fx["title_from"])
                 in log, "%s: start-up line names the title's source"
                 % name, log[-600:])
        elif not fx.get("title"):
            t.ok("no site title found (set title: in capsuled.yaml)"
                 in log and home.startswith("# A capsule\n"),
                 "%s: no title: the default, and the start-up line says "
                 "how to set one" % name, log[-600:])

        # The home lists the posts at their canonical paths, newest first.
        feed = re.findall(r"^=> (\S+) (\d{4}-\d{2}-\d{2}) ", home, re.M)
        want = sorted(fx["posts"], key=lambda p: fx["posts"][p][1],
                      reverse=True)
        t.eq([urllib.parse.unquote(u) for u, _ in feed], want,
             "%s: home lists the posts newest first" % name)

        # Every post: reached, titled, dated, tagged, in its language,
        # over both protocols, with nothing leaking.
        raw = fx.get("literal", ())
        for path, (title, date, tags, lang) in fx["posts"].items():
            t.ok(path in pages, "%s: crawl reaches %s" % (name, path))
            h, b, _ = srv.gemini(gem_path(path))
            body = b.decode("utf-8", "replace")
            t.eq(h, "20 text/gemini; charset=utf-8; lang=%s" % lang,
                 "%s %s: served with lang=%s" % (name, path, lang))
            first, second = header(body)
            t.eq(first, "# " + title, "%s %s: title" % (name, path))
            m = re.match(r"^(\d{4}-\d{2}-\d{2})(?: · tags: (.*))?$", second)
            t.ok(m and m.group(1) == date and
                 (m.group(2) or "").split(", ") == (tags or [""]),
                 "%s %s: date %s and tags %s" % (name, path, date, tags),
                 second)
            t.eq(leaks(body, raw), [], "%s %s: nothing leaks (gemtext)" %
                 (name, path))
            t.ok("=> /gemlog/ " in body and "=> / Home" in body,
                 "%s %s: ends with links to the gemlog and home" %
                 (name, path))
            for want_line in fx.get("remote", {}).get(path, []):
                t.ok(want_line + "\n" in body + "\n" or
                     re.search("^" + re.escape(want_line) + "( |$)", body,
                               re.M),
                     "%s %s: %s" % (name, path, want_line[3:60]))
            sel = gopher_sel(path)
            lines, probs = menu_lines(srv.gopher(sel))
            gtext = gopher_text(lines)
            t.ok(not probs and gtext.startswith(title + "\n") and
                 date in gtext.split("\n")[2],
                 "%s %s: Gopher page with title and date" % (name, sel),
                 probs or gtext[:300])
            t.eq(leaks(gtext, raw), [], "%s %s: nothing leaks (gophermap)" %
                 (name, sel))
            txt = srv.gopher(text_sel(path)).decode("utf-8", "replace")
            t.ok(txt.startswith(title + "\n") and not gopher_error(
                txt.encode()), "%s %s: plain text" % (name, text_sel(path)),
                 txt[:200])
            t.eq(leaks(mark_code(txt.split("\n")), raw), [],
                 "%s %s: nothing leaks (text)" % (name, text_sel(path)))

        # Pages that are not posts (sections, about): served at their web
        # path, never in the gemlog.
        gemlog = srv.gemini(gem_path("/gemlog/"))[1].decode()
        for path, title in fx.get("pages", {}).items():
            h, b, _ = srv.gemini(gem_path(path))
            t.ok(h.startswith("20 ") and b.decode().startswith(
                "# " + title + "\n") and title not in gemlog,
                 "%s: page %s served, not a post" % (name, path), h)

        # Every other page the crawl found is clean too.
        dirty = []
        for path, (h, body) in pages.items():
            dirty += ["%s: %s" % (path, x) for x in leaks(body, raw)]
        for sel, lines in menus.items():
            dirty += ["%s: %s" % (sel, x)
                      for x in leaks(gopher_text(lines), raw)]
        t.eq(dirty, [], "%s: nothing leaks on any of %d pages and %d menus" %
             (name, len(pages), len(menus)))

        # Links written in the web's form land on the canonical page.
        for page, links in fx.get("links", {}).items():
            body = srv.gemini(gem_path(page))[1].decode()
            gm = srv.gopher(gopher_sel(page))
            for link in links:
                t.ok(re.search(r"^=> %s( |$)" % re.escape(link), body, re.M)
                     and ("\t%s\t" % link).encode() in gm and
                     srv.gemini(gem_path(urllib.parse.unquote(link)))[0]
                     .startswith("20 "),
                     "%s %s: link to %s, canonical in both protocols" %
                     (name, page, link), body)

        # Pages whose links come in a set order (a book's chapters), in
        # both protocols, and nothing else of the folder (config.yaml).
        for page, links in fx.get("order", {}).items():
            body = srv.gemini(gem_path(page))[1].decode()
            gm = srv.gopher(gopher_sel(page)).decode()
            gem = [ln.split()[1] for ln in body.splitlines()
                   if ln.startswith("=> ") and ln.split()[1] in links]
            gop = [ln.split("\t")[1] for ln in gm.split("\r\n")
                   if ln.count("\t") == 3 and ln.split("\t")[1] in links]
            t.ok(gem == links and gop == links and
                 "config.yaml" not in body and "config.yaml" not in gm,
                 "%s %s: %s in order in both protocols" %
                 (name, page, ", ".join(links)), (gem, gop))

        # Drafts and leftovers are nowhere: no link, no listing, no feed
        # entry, and no path serves them.
        for path, title in fx["drafts"].items():
            t.ok(not listed_anywhere(pages, menus, path) and
                 title not in gemlog and title not in atom and
                 title not in home,
                 "%s: draft %s is not listed or linked" % (name, path),
                 listed_anywhere(pages, menus, path))
        for path in list(fx["drafts"]) + fx.get("private", []):
            h = srv.gemini(gem_path(path))[0]
            g = srv.gopher(gopher_sel(path))
            t.ok(h.startswith("51 ") and gopher_error(g) and
                 not listed_anywhere(pages, menus, path),
                 "%s: %s is 51 in both protocols and listed nowhere" %
                 (name, path), (h, g[:80]))
        for folder in fx.get("listings", []):
            h, b, _ = srv.gemini(gem_path(folder))
            g = srv.gopher(gopher_sel(folder))
            names = [os.path.basename(p.rstrip("/"))
                     for p in fx.get("private", []) +
                     [d.rstrip("/") for d in fx["drafts"]]]
            shown = [n for n in names if n and (n.encode() in b or
                                                n.encode() in g)]
            t.eq(shown, [], "%s: listing %s shows nothing private" %
                 (name, folder))

        for path, heading in fx.get("generated", {}).items():
            h, b, _ = srv.gemini(gem_path(path))
            g = srv.gopher(gopher_sel(path))
            t.ok(h.startswith("20 text/gemini") and
                 b.startswith(("# %s\n" % heading).encode()) and
                 g.startswith(("i%s\t" % heading).encode()),
                 "%s: %s is the generated page in both protocols" %
                 (name, path), (h, b[:120], g[:120]))

        # Local images: linked from their page, served by both protocols.
        for page, images in fx["images"].items():
            body = srv.gemini(gem_path(page))[1].decode()
            gm = srv.gopher(gopher_sel(page))
            for url, rel in images:
                with open(os.path.join(root, rel), "rb") as f:
                    want_bytes = f.read()
                kind = "g" if url.endswith(".gif") else "I"
                t.ok(re.search(r"^=> %s( |$)" % re.escape(url), body, re.M)
                     and re.search(rb"^%s[^\t]*\t%s\t" % (
                         kind.encode(), re.escape(url.encode())), gm, re.M),
                     "%s %s: links image %s (Gemini, Gopher %s)" %
                     (name, page, url, kind), body)
                h, b, _ = srv.gemini(gem_path(url))
                t.ok(h.startswith("20 image/") and b == want_bytes,
                     "%s %s: served over Gemini" % (name, url), h)
                t.ok(srv.gopher(url) == want_bytes,
                     "%s %s: served over Gopher" % (name, url))

        # Old paths (source forms, aliases, old permalinks) move to the
        # canonical path in one step: 31 over Gemini, a menu whose first
        # item is the new place over Gopher.
        for old, new in fx.get("aliases", {}).items():
            h = srv.gemini(gem_path(old))[0]
            t.eq(h, "31 " + urllib.parse.quote(new, safe="/%"),
                 "%s: old path %s moves to %s" % (name, old, new))
            g = srv.gopher(gopher_sel(old))
            first = g.split(b"\r\n")[0].split(b"\t")
            ok = g.startswith(b"1") and first[1] == gopher_sel(new).encode()
            if not ok:
                # Gopher serves the page at its path without the slash.
                ok = gopher_sel(old).rstrip("/") == \
                    gopher_sel(new).rstrip("/") and g.startswith(b"i")
            t.ok(ok, "%s: Gopher leads from %s to %s" % (name, old, new),
                 g[:160])

        t.ok(srv.alive(), "%s: daemon alive" % name)
    finally:
        t.eq(srv.stop(), 0, "%s: clean exit" % name)
        shutil.rmtree(work, ignore_errors=True)


for fx in FIXTURES:
    check_blog(fx)
t.done()
