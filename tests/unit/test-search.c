/*
 * test-search: normalisation, post keys, matching in three scripts and
 * snippets mapped back to the original text.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "buf.h"
#include "search.h"
#include "store.h"
#include "tap.h"

static char *
norm(const char *s)
{
	static char	 out[4096];
	struct buf	 b;

	buf_init(&b, sizeof(out) - 1);
	if (search_normalize(s, strlen(s), &b) == -1) {
		buf_free(&b);
		return "(full)";
	}
	snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	buf_free(&b);
	return out;
}

/*
 * search_normalize against utf8proc itself, for every code point of the
 * blocks search.c's fast path reads (ASCII, kana, CJK ideographs, Hangul)
 * and their neighbours, alone before ASCII and before the marks that join
 * a cluster (dakuten, a final jamo, a variation selector, a halfwidth
 * sound mark): whatever ranges the fast path takes, it must give what
 * utf8proc gives.  Strings utf8proc maps to whitespace or nothing are
 * left out (search_normalize trims and folds spaces).  Returns how many
 * strings disagree.
 */
static int
fast_path_disagreements(void)
{
	static const int32_t ranges[][2] = {
		{ 0x21, 0x7e }, { 0x3001, 0x30ff }, { 0x3400, 0x4dbf },
		{ 0x4e00, 0x9fff }, { 0xac00, 0xd7ff }, { 0xff01, 0xffee },
	};
	static const int32_t after[] = { 'a', 0x3099, 0x11a8, 0xfe0f,
	    0xff9e };
	utf8proc_uint8_t	 in[16], *want;
	utf8proc_ssize_t	 len, r;
	struct buf		 b;
	size_t			 i, k, j;
	int32_t			 cp;
	int			 bad = 0;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		for (cp = ranges[i][0]; cp <= ranges[i][1]; cp++)
			for (k = 0; k < sizeof(after) / sizeof(after[0]);
			    k++) {
				len = utf8proc_encode_char(cp, in);
				len += utf8proc_encode_char(after[k],
				    in + len);
				if ((r = utf8proc_map(in, len, &want,
				    SEARCH_NORM_OPTS)) < 0)
					continue;
				for (j = 0; j < (size_t)r && want[j] > 0x20 &&
				    want[j] != 0x7f; j++)
					;
				buf_init(&b, 64);
				if (r > 0 && j == (size_t)r && (search_normalize(
				    (const char *)in, (size_t)len, &b) == -1 ||
				    b.len != (size_t)r ||
				    memcmp(b.data, want, (size_t)r) != 0))
					bad++;
				buf_free(&b);
				free(want);
			}
	return bad;
}

/* A post with the text its key is made from (the index keeps only the
 * key; the server reads the text again for snippets). */
struct tpost {
	struct post	 p;
	char		*text;
};

static const char *
text_of(const struct post *p)
{
	return ((const struct tpost *)(const void *)p)->text;
}

static struct post *
mkpost(const char *title, const char *tag, const char *text)
{
	struct tpost	*tp = calloc(1, sizeof(*tp));
	struct post	*p = &tp->p;

	p->title = strdup(title);
	tp->text = text ? strdup(text) : NULL;
	if (tag != NULL) {
		p->tags = calloc(1, sizeof(*p->tags));
		p->tags[0] = strdup(tag);
		p->ntags = 1;
	}
	p->search = search_key(p->title, p->tags, p->ntags, tp->text);
	return p;
}

static void
freepost(struct post *p)
{
	size_t i;

	for (i = 0; i < p->ntags; i++)
		free(p->tags[i]);
	free(p->tags);
	free(p->title);
	free(((struct tpost *)(void *)p)->text);
	free(p->search);
	free(p);
}

/* The snippet of the first hit of q, or "(none)"/"(empty)". */
static const char *
snippet(const struct post_index *ix, const char *q, size_t ctx, int *in_text)
{
	static char		 out[4096];
	struct search_hit	 h[4];
	struct buf		 b;
	size_t			 total;
	int			 n;

	n = search_run(ix, q, strlen(q), h, 4, &total);
	if (n <= 0)
		return "(none)";
	*in_text = h[0].in_text;
	buf_init(&b, sizeof(out) - 1);
	search_snippet(text_of(h[0].post), &h[0], ctx, &b);
	snprintf(out, sizeof(out), "%s", b.data ? b.data : "(empty)");
	buf_free(&b);
	return out;
}

/* The matched bytes of the first hit in the original text. */
static const char *
matched(const struct post_index *ix, const char *q)
{
	static char		 out[256];
	struct search_hit	 h[1];
	size_t			 total, start, end;

	if (search_run(ix, q, strlen(q), h, 1, &total) != 1 ||
	    search_locate(text_of(h[0].post), &h[0], &start, &end) == -1)
		return "(none)";
	snprintf(out, sizeof(out), "%.*s", (int)(end - start),
	    text_of(h[0].post) + start);
	return out;
}

int
main(void)
{
	struct post		*posts[7];
	struct post_index	 ix;
	struct search_hit	 hits[8];
	size_t			 total, i;
	char			*key;
	const char		*tags[] = { "Gemini", "日本語" };
	char			 long_text[3000];
	int			 n, in_text = 0;

	/* Normalisation. */
	is_str(norm("HeLLo World"), "hello world", "Latin is case folded");
	is_str(norm("Straße"), "strasse", "ß folds to ss");
	is_str(norm("ＡＢＣ１２３"), "abc123", "full-width ASCII -> ASCII (NFKC)");
	is_str(norm("ｶﾀｶﾅ"), "カタカナ", "half-width katakana -> full width");
	is_str(norm("\xe1\x84\x80\xe1\x85\xa1"), "가",
	    "Hangul jamo compose into a syllable");
	is_str(norm("e\xcc\x81"), "é", "e + combining acute composes");
	is_str(norm("ÉCOLE"), "école", "accented capitals fold");
	is_str(norm("  a \n\t b\r\n\nc  "), "a b c",
	    "whitespace runs are one space, trimmed at the start");
	is_str(norm("a\xe3\x80\x80" "b"), "a b", "ideographic space is a space");
	is_str(norm("don\xe2\x80\x99t"), "don't", "curly apostrophe lumps to '");
	is_str(norm("soft\xc2\xad" "hyphen"), "softhyphen",
	    "default ignorables are dropped");
	is_str(norm("a\xff" "b"), "a\xef\xbf\xbd" "b", "invalid byte -> U+FFFD");
	is_str(norm("\xe3\x81\x8b\xe3\x82\x99"), "が",
	    "kana + combining dakuten composes (marks are not stripped)");
	is_str(norm(""), "", "empty stays empty");
	ok(fast_path_disagreements() == 0,
	    "the fast path's characters are their own normal form and cluster");
	is_str(norm("\xea\xb0\x80\xe1\x86\xa8"), "각",
	    "a syllable + final jamo composes (the slow path)");
	is_str(norm("かな\xe3\x82\x99 漢字 가나 CAFÉ e\xcc\x81 x\xff\xe3\x81"),
	    "かな\xe3\x82\x99 漢字 가나 café é x\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "mixed: fast and slow paths side by side, invalid bytes");
	is_str(norm("ＡB日本\r\nＣ"), "ab日本 c",
	    "full width beside the fast path, CR LF");

	/* Keys. */
	key = search_key("Title", (char *const *)tags, 2, "Body\ntext");
	is_str(key, "title\ngemini 日本語\nbody text", "key joins three parts");
	free(key);
	key = search_key(NULL, NULL, 0, NULL);
	is_str(key, "\n\n", "key of nothing");
	free(key);

	/* An index, newest first. */
	posts[0] = mkpost("Hello Gemini", "Gemini",
	    "The Quick brown fox jumps over the lazy dog.\n"
	    "A second paragraph about ＴＬＳ certificates.");
	posts[1] = mkpost("日本語の投稿", "日本語",
	    "これは日本語の記事です。\n東京で書きました。ｶﾀｶﾅも使います。");
	posts[2] = mkpost("한국어 글", "한국어",
	    "안녕하세요. 이것은 한국어로 쓴 글입니다.");
	posts[3] = mkpost("Tag only", "Unicorn", "Nothing to see.");
	posts[4] = mkpost("Empty text", NULL, NULL);
	memset(&ix, 0, sizeof(ix));
	ix.posts = posts;
	ix.n = 5;

	n = search_run(&ix, "quick", 5, hits, 8, &total);
	is_int(n, 1, "one hit for quick");
	ok(n == 1 && hits[0].post == posts[0] && hits[0].in_text,
	    "the English post, in its text");
	is_str(matched(&ix, "QUICK BROWN"), "Quick brown",
	    "case-insensitive match maps back to the original bytes");
	is_str(matched(&ix, "tls"), "ＴＬＳ",
	    "NFKC match maps back to the full-width original");
	is_str(matched(&ix, "東京"), "東京", "Japanese query");
	is_str(matched(&ix, "ｶﾀｶﾅ"), "ｶﾀｶﾅ", "half-width query finds half-width");
	is_str(matched(&ix, "カタカナ"), "ｶﾀｶﾅ",
	    "full-width query finds half-width text");
	is_str(matched(&ix, "한국어로"), "한국어로", "Korean query");
	is_str(matched(&ix, "\xe1\x84\x80\xe1\x85\xa1"), "(none)",
	    "a jamo query is a syllable too: no false hit");
	is_str(matched(&ix, "dog. a second"), "dog.\nA second",
	    "a query spans a line break");
	n = search_run(&ix, "unicorn", 7, hits, 8, &total);
	ok(n == 1 && hits[0].post == posts[3] && !hits[0].in_text,
	    "a tag matches (not in the text)");
	n = search_run(&ix, "empty", 5, hits, 8, &total);
	ok(n == 1 && hits[0].post == posts[4], "a title matches");
	n = search_run(&ix, "zebra", 5, hits, 8, &total);
	ok(n == 0 && total == 0, "a miss");
	n = search_run(&ix, "  \t ", 4, hits, 8, &total);
	is_int(n, -1, "a blank query asks again");
	n = search_run(&ix, "e", 1, hits, 2, &total);
	ok(n == 2 && total >= 3, "max caps the hits, total counts all (%zu)",
	    total);
	ok(n == 2 && hits[0].post == posts[0] && hits[1].post == posts[3],
	    "hits keep the index order");
	n = search_run(&ix, "title\ngemini", 12, hits, 8, &total);
	is_int(n, 0, "no match across the key's parts");

	/* Snippets. */
	is_str(snippet(&ix, "lazy", 10, &in_text),
	    "…over the lazy dog. A se…",
	    "snippet: context both sides, newline flattened, cut marks");
	ok(in_text, "snippet hit is in the text");
	is_str(snippet(&ix, "quick", 100, &in_text),
	    "The Quick brown fox jumps over the lazy dog. A second paragraph "
	    "about ＴＬＳ certificates.", "snippet without cuts has no marks");
	is_str(snippet(&ix, "東京", 4, &in_text), "…す。 東京で書…",
	    "CJK context counts two columns a character");
	is_str(snippet(&ix, "unicorn", 3, &in_text), "Nothin…",
	    "tag hit: the start of the text, twice the context");
	is_str(snippet(&ix, "empty", 10, &in_text), "(empty)",
	    "no text: no snippet");

	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	memcpy(long_text + 1000, "e\xcc\x81" "t\xc3\xa9", 6);
	posts[5] = mkpost("Long", NULL, long_text);
	ix.posts = posts + 5;
	ix.n = 1;
	is_str(matched(&ix, "été"), "e\xcc\x81" "té",
	    "decomposed original maps back whole");
	is_str(snippet(&ix, "été", 3, &in_text),
	    "…xxxe\xcc\x81" "téxxx…", "snippet around a decomposed match");

	/* Code and tables after the prose: matched, never excerpted. */
	posts[6] = mkpost("Cafe", NULL, "커피를 마셨다.\n맛있었다.\n\f\n"
	    "메뉴 가격 ---------- ---- 라떼 5000\nlet espresso = 1;\n");
	ix.posts = posts + 6;
	ix.n = 1;
	is_str(snippet(&ix, "espresso", 40, &in_text),
	    "커피를 마셨다. 맛있었다.",
	    "match in code: the prose's start, no code in the snippet");
	is_str(snippet(&ix, "라떼", 40, &in_text),
	    "커피를 마셨다. 맛있었다.",
	    "match in a table: no table cells in the snippet");
	is_str(snippet(&ix, "맛있", 2, &in_text), "…. 맛있었…",
	    "match in the prose: cut as before, nothing after it shown");

	for (i = 0; i < 7; i++)
		freepost(posts[i]);
	return tap_done();
}
