"""Real blogs as they are (issue 8): every fixture folder under tests/blogs/
(Hugo, Jekyll, the Next.js blog starter, Zenn, Hatena via blogsync) served
with `--root` and no configuration, crawled over Gemini and Gopher from the
home page.  Checked: no generator syntax, Markdown or HTML left visible;
each post's title, date, tags and language; drafts nowhere; no broken local
link; local images linked and served by both protocols; old paths (Hugo
aliases, Jekyll permalinks) redirected.

Checks that wait on server work not done yet are TAP TODO lines (listed in
PENDING with the reason); remove an entry when its feature lands, or the
unexpected pass (XPASS) will say so.
"""

import os
import re
import shutil
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capsuletest import Tap, Server, copy_capsule, menu_lines  # noqa: E402

top = os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__),
                                                 "..", ".."))
BLOGS = os.path.join(top, "tests", "blogs")
MAX_RESOURCES = 300

# Server features the fixtures need that have not landed yet.
PENDING = {
    "page-aliases": "aliases of pages that are not posts (content/about.md) "
                    "redirect too; only posts are indexed",
}


class BlogTap(Tap):
    def check(self, cond, name, pending=None, diag=None):
        """ok(), or a TODO line when the check waits on PENDING[key]."""
        if pending is None or pending not in PENDING:
            return self.ok(cond, name, diag)
        self.n += 1
        print("%s %d - %s # TODO %s" % ("ok" if cond else "not ok", self.n,
                                         name, PENDING[pending]))
        if not cond and diag is not None:
            for line in str(diag).splitlines()[:20]:
                print("#   " + line)
        sys.stdout.flush()
        return cond


t = BlogTap()

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
    return "gemini://localhost:{port}" + p


def gopher_sel(gpath):
    """Gemini path of a page -> its Gopher selector."""
    return gpath[:-4] if gpath.endswith(".gmi") else gpath


def text_sel(gpath):
    return gpath + "index.txt" if gpath.endswith("/") else gpath[:-4] + ".txt"


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
        h, b, _ = srv.gemini(gem_path(urllib.parse.quote(path, safe="/%")))
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
    broken, framing problems).  Gopher has no redirects: an error line
    "Moved to SELECTOR" stands for one, and is followed."""
    menus, files, broken, problems, seen = {}, {}, [], [], set()
    queue = [("1", "", "")]
    while queue and len(seen) < MAX_RESOURCES:
        typ, sel, via = queue.pop(0)
        if sel in seen:
            continue
        seen.add(sel)
        data = srv.gopher(sel)
        moved = re.match(rb"3Moved to (/[^\t]*)\t", data)
        if moved:
            queue.append((typ, moved.group(1).decode("utf-8", "replace"),
                          sel))
            continue
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
# posts: Gemini path -> (title, date, tags, lang)
# images: Gemini path of the page showing it -> [(URL path, fixture file)]
# aliases: old path -> the page it now is
# remote: text every page of the post must link (images kept remote)

FIXTURES = [
    {
        "name": "hugo",
        "posts": {
            "/content/posts/first-light.gmi": (
                "First Light in the Harbour", "2023-03-14",
                ["boats", "photography", "Travel"], "en"),
            "/content/posts/kamome.gmi": (
                "港のカモメ", "2023-04-02", ["写真", "鳥", "日記"], "ja"),
            "/content/posts/sunset/": (
                "바닷가의 노을", "2023-05-20", ["사진", "여행"], "ko"),
        },
        "drafts": {"/content/posts/draft-ideas.gmi": "Ideas for Next Season"},
        "images": {
            "/content/posts/first-light.gmi": [
                ("/images/og-harbour.png", "static/images/og-harbour.png"),
                ("/images/harbour.png", "static/images/harbour.png")],
            "/content/posts/kamome.gmi": [
                ("/images/kamome.png", "static/images/kamome.png")],
            "/content/posts/sunset/": [
                ("/content/posts/sunset/sunset.png",
                 "content/posts/sunset/sunset.png"),
                ("/content/posts/sunset/lighthouse.png",
                 "content/posts/sunset/lighthouse.png")],
        },
        "aliases": {
            "/2023/03/first-light/": "/content/posts/first-light.gmi",
            "/posts/old-first-light/": "/content/posts/first-light.gmi",
            "/2023/04/kamome/": "/content/posts/kamome.gmi",
        },
        "page_aliases": {
            "/about-me/": "/content/about.gmi",
        },
        "remote": {
            "/content/posts/first-light.gmi":
                ["=> https://www.youtube.com/watch?v=w7Ft2ymGmfc "
                 "Boats leaving at dawn"],
            "/content/posts/sunset/":
                ["=> https://gist.github.com/harbour/4d2e9a0b"],
        },
    },
    {
        "name": "jekyll",
        "posts": {
            "/_posts/2020-05-17-welcome-to-jekyll.gmi": (
                "Welcome to Jekyll!", "2020-05-17", ["jekyll", "update"],
                "en"),
            "/_posts/2021-02-11-kyoto-notes.gmi": (
                "京都の寺をめぐる", "2021-02-11", ["旅行", "京都", "寺"],
                "ja"),
            "/_posts/2022-07-03-busan-tower.gmi": (
                "부산 타워에서", "2022-07-03", ["travel", "부산", "여행"],
                "ko"),
            "/_posts/2023-03-10-liquid-everywhere.gmi": (
                "Liquid everywhere", "2023-03-10", ["jekyll"], "en"),
        },
        "drafts": {
            "/_posts/2023-01-01-unfinished.gmi": "Unfinished Thoughts",
            "/_drafts/a-post-in-progress.gmi": "A Post in Progress",
        },
        "images": {
            "/_posts/2020-05-17-welcome-to-jekyll.gmi": [
                ("/assets/images/spinner.gif", "assets/images/spinner.gif")],
            "/_posts/2021-02-11-kyoto-notes.gmi": [
                ("/assets/images/temple.png", "assets/images/temple.png")],
            "/_posts/2022-07-03-busan-tower.gmi": [
                ("/assets/images/busan-tower.png",
                 "assets/images/busan-tower.png")],
            "/about.gmi": [
                ("/assets/images/logo.png", "assets/images/logo.png")],
        },
        "aliases": {
            "/2022/busan-tower/": "/_posts/2022-07-03-busan-tower.gmi",
            "/about/": "/about.gmi",
        },
        "remote": {
            # An include that is a template shows its text parameters;
            # {% raw %} shows its content, in code spans too.
            "/_posts/2023-03-10-liquid-everywhere.gmi": [
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
        "name": "nextjs",
        "posts": {
            "/_posts/hello-world.gmi": (
                "Hello, World: Notes from a Static Blog", "2020-03-16", [],
                "en"),
            "/_posts/tokyo-night.gmi": (
                "東京の夜を歩く", "2021-11-05", [], "ja"),
            "/_posts/hangang-picnic.gmi": (
                "한강에서 피크닉", "2022-04-23", [], "ko"),
        },
        "drafts": {},
        "images": {
            "/_posts/hello-world.gmi": [
                ("/assets/blog/hello-world/cover.png",
                 "public/assets/blog/hello-world/cover.png")],
            "/_posts/tokyo-night.gmi": [
                ("/assets/blog/tokyo-night/cover.png",
                 "public/assets/blog/tokyo-night/cover.png"),
                ("/assets/blog/tokyo-night/alley.png",
                 "public/assets/blog/tokyo-night/alley.png")],
            "/_posts/hangang-picnic.gmi": [
                ("/assets/blog/hangang-picnic/cover.png",
                 "public/assets/blog/hangang-picnic/cover.png")],
        },
        "broken_pending": (r"^/posts/", "nextjs-routes"),
    },
    {
        "name": "zenn",
        "posts": {
            "/articles/rust-async-memo.gmi": (
                "Rustの非同期ランタイムを図で理解する", "2023-06-10",
                ["rust", "tokio", "async"], "ja"),
            "/articles/zenn-cli-english.gmi": (
                "Writing Zenn Articles Locally with zenn-cli", "2023-07-01",
                ["zenn", "markdown"], "en"),
            "/articles/korean-web-fonts.gmi": (
                "한국어 웹 폰트 고르기", "2023-08-15", ["css", "font", "한국어"],
                "ko"),
        },
        "drafts": {"/articles/wip-draft-article.gmi": "書きかけの記事"},
        "images": {
            "/articles/rust-async-memo.gmi": [
                ("/images/rust-async-memo/runtime.png",
                 "images/rust-async-memo/runtime.png")],
            "/articles/zenn-cli-english.gmi": [
                ("/images/zenn-cli-english/preview.png",
                 "images/zenn-cli-english/preview.png")],
            "/articles/korean-web-fonts.gmi": [
                ("/images/korean-web-fonts/sample.png",
                 "images/korean-web-fonts/sample.png")],
        },
        "remote": {
            "/articles/rust-async-memo.gmi":
                ["=> https://tokio.rs/tokio/tutorial"],
            "/articles/korean-web-fonts.gmi":
                ["=> https://speakerdeck.com/player/4f926da9cb4cd0001f00a1ff"],
        },
    },
    {
        "name": "hatena",
        "posts": {
            "/entry/2021/08/15/200000.gmi": (
                "夏の終わりの鎌倉", "2021-08-15", ["旅行", "写真"], "ja"),
            "/entry/2022/01/03/120000.gmi": (
                "New Year in a Small Town", "2022-01-03", ["Diary"], "en"),
            "/entry/2022/05/05/093000.gmi": (
                "어린이날의 공원", "2022-05-05", ["일기", "가족"], "ko"),
            # Entries in Hatena notation (はてな記法), titles with
            # character references as blogsync writes them.
            "/entry/2019/11/02/210000.gmi": (
                'Common Lispの"再帰"メモ', "2019-11-02", ["Lisp"], "ja"),
            "/entry/2019/12/24/080000.gmi": (
                "引用と表と脚注", "2019-12-24", ["読書"], "ja"),
            "/entry/2020/02/29/120000.gmi": (
                "Notes on C++ templates", "2020-02-29", ["Programming"],
                "en"),
        },
        "drafts": {"/entry/2023/02/01/000000.gmi": "下書きのメモ"},
        "images": {},
        "remote": {
            "/entry/2021/08/15/200000.gmi": [
                "=> https://cdn-ak.f.st-hatena.com/images/fotolife/h/harbour/"
                "20210815/20210815110000.png 長谷寺からの眺め",
                "=> https://www.enoden.co.jp/"],
            "/entry/2022/05/05/093000.gmi": [
                "=> https://cdn-ak.f.st-hatena.com/images/fotolife/h/harbour/"
                "20220505/20220505101010.png"],
            "/entry/2019/11/02/210000.gmi": [
                "## 再帰の基本", "### 末尾再帰", "```lisp",
                "  (if (<= n 1)", "* 再帰は読みやすい", "* 1. 定義する"],
            "/entry/2019/12/24/080000.gmi": [
                "> 吾輩は猫である。名前はまだ無い。",
                "=> https://www.aozora.gr.jp/cards/000148/card789.html",
                "こころ  夏目漱石", "[1] 数え方は適当です",
                "=> https://blog.hatena.ne.jp/harbour/ id:harbour",
                "=> https://www.aozora.gr.jp/ 青空文庫",
                "=> https://cdn-ak.f.st-hatena.com/images/fotolife/h/harbour/"
                "20191224/20191224080000.jpg 本棚"],
            "/entry/2020/02/29/120000.gmi": [
                "```cpp", "* It needs a header",
                "[1] even on a leap day"],
        },
        "posts_pending": "hatena-layout",
    },
]


def check_blog(fx):
    name = fx["name"]
    work = tempfile.mkdtemp(prefix="capsuled-blog-")
    root = os.path.join(work, "root")
    copy_capsule(os.path.join(BLOGS, name), root)
    srv = Server(root)
    listed = fx.get("posts_pending")
    try:
        pages, others, broken = crawl_gemini(srv)
        menus, files, gbroken, problems = crawl_gopher(srv)

        # Nothing broken, except what waits on the server.
        pat, why = fx.get("broken_pending", (None, None))
        later = [b for b in broken if pat and re.search(pat, b[0])]
        t.eq([b for b in broken if b not in later], [],
             "%s: Gemini crawl of %d resources finds no broken local link"
             % (name, len(pages) + len(others)))
        if pat:
            t.check(not later, "%s: Gemini links to web routes resolve"
                    % name, why, later)
        glater = [b for b in gbroken if pat and re.search(pat, b[0][1:])]
        t.eq([b for b in gbroken if b not in glater], [],
             "%s: Gopher crawl of %d items finds no broken local item"
             % (name, len(menus) + len(files)))
        if pat:
            t.check(not glater, "%s: Gopher items for web routes resolve"
                    % name, why, glater)
        t.eq(problems, [], "%s: every menu line well framed" % name)

        # The home lists the posts, newest first.
        home = pages.get("/", ("", ""))[1]
        feed = re.findall(r"^=> (\S+) (\d{4}-\d{2}-\d{2}) ", home, re.M)
        want = sorted(fx["posts"], key=lambda p: fx["posts"][p][1],
                      reverse=True)
        t.check([u for u, _ in feed] == want,
                "%s: home lists the posts newest first" % name,
                fx.get("home") or listed, home[:600])

        # Every post: reached, titled, dated, tagged, in its language,
        # over both protocols, with nothing leaking.
        raw = fx.get("literal", ())
        for path, (title, date, tags, lang) in fx["posts"].items():
            t.check(path in pages, "%s: crawl reaches %s" % (name, path),
                    fx.get("home") or listed)
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
            t.check("=> /gemlog/ " in body and "=> / Home" in body,
                    "%s %s: ends with links to the gemlog and home" %
                    (name, path), listed)
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

        # Every other page the crawl found is clean too.
        dirty = []
        for path, (h, body) in pages.items():
            dirty += ["%s: %s" % (path, x) for x in leaks(body, raw)]
        for sel, lines in menus.items():
            dirty += ["%s: %s" % (sel, x)
                      for x in leaks(gopher_text(lines), raw)]
        t.eq(dirty, [], "%s: nothing leaks on any of %d pages and %d menus" %
             (name, len(pages), len(menus)))

        # Drafts are nowhere: no link, no listing, no feed entry.
        gemlog = srv.gemini(gem_path("/gemlog/"))[1].decode()
        atom = srv.gemini(gem_path("/atom.xml"))[1].decode("utf-8",
                                                          "replace")
        for path, title in fx["drafts"].items():
            linked = [p for p, (h, body) in pages.items()
                      if re.search(r"^=> %s( |$)" % re.escape(path), body,
                                   re.M)]
            glinked = [s for s, lines in menus.items() for ln in lines
                       if ("\t%s\t" % gopher_sel(path)).encode() in ln]
            t.ok(not linked and not glinked and title not in gemlog and
                 title not in atom and title not in home,
                 "%s: draft %s is not listed or linked" % (name, path),
                 (linked, glinked))

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
                     (name, page, url, kind))
                h, b, _ = srv.gemini(gem_path(url))
                t.ok(h.startswith("20 image/") and b == want_bytes,
                     "%s %s: served over Gemini" % (name, url), h)
                t.ok(srv.gopher(url) == want_bytes,
                     "%s %s: served over Gopher" % (name, url))

        # Old paths redirect to the page (or serve it, as Jekyll's
        # permalink /about/ is also the pretty URL of about.markdown).
        for key, pending in (("aliases", None),
                             ("page_aliases", "page-aliases")):
            for old, new in fx.get(key, {}).items():
                h, b, _ = srv.gemini(gem_path(old))
                want_body = srv.gemini(gem_path(new))[1]
                t.check(h == "31 " + new or (h.startswith("20 ") and
                                             b == want_body),
                        "%s: old path %s leads to %s" % (name, old, new),
                        pending, h)
                if h.startswith("31 "):
                    g = srv.gopher(old)
                    t.ok(gopher_error(g) and gopher_sel(new).encode() in
                         g.split(b"\r\n")[0],
                         "%s: Gopher names the new place of %s" %
                         (name, old), g[:120])

        t.ok(srv.alive(), "%s: daemon alive" % name)
    finally:
        t.eq(srv.stop(), 0, "%s: clean exit" % name)
        shutil.rmtree(work, ignore_errors=True)


for fx in FIXTURES:
    check_blog(fx)
t.done()
