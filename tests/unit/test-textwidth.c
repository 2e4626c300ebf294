/*
 * test-textwidth: display widths, character classes, wrapping and
 * UTF-8 clean-up (textwidth.c), and script-based language detection
 * (lang.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lang.h"
#include "tap.h"
#include "textwidth.h"

struct lines {
	struct buf	 all;		/* lines joined by '|' */
	size_t		 n;
	size_t		 maxw;
	int		 widths_ok;	/* reported widths match tw_width */
};

static int
collect(void *arg, const char *s, size_t n, size_t w)
{
	struct lines	*l = arg;

	if (l->n++ > 0)
		buf_putc(&l->all, '|');
	buf_append(&l->all, s, n);
	if (w > l->maxw)
		l->maxw = w;
	if (tw_width(s, n) != w)
		l->widths_ok = 0;
	return 0;
}

static void
wrap_is(const char *in, size_t width, const char *want, const char *name)
{
	struct lines	 l;
	int		 rv;

	memset(&l, 0, sizeof(l));
	buf_init(&l.all, 1 << 20);
	l.widths_ok = 1;
	rv = tw_wrap(in, strlen(in), width, collect, &l);
	ok(rv == 0, "%s: wraps", name);
	is_str(l.all.data ? l.all.data : "", want, name);
	ok(l.widths_ok, "%s: widths reported", name);
	buf_free(&l.all);
}

static int
stop(void *arg, const char *s, size_t n, size_t w)
{
	(void)arg;
	(void)s;
	(void)n;
	(void)w;
	return -1;
}

static void
test_width(void)
{
	int32_t	 cp;

	is_int(tw_width("hello", 5), 5, "ASCII: one column each");
	is_int(tw_width("日本語", 9), 6, "CJK: two columns");
	is_int(tw_width("한국어", 9), 6, "Hangul: two columns");
	is_int(tw_width("ｶﾀｶﾅ", 12), 4, "halfwidth katakana: one column");
	is_int(tw_width("ｈｉ", 6), 4, "fullwidth Latin: two columns");
	is_int(tw_width("e\xcc\x81", 3), 1, "combining acute: zero columns");
	is_int(tw_width("\xf0\x9f\x8e\x89", 4), 2, "emoji: two columns");
	is_int(tw_width("a\xffz", 3), 3, "invalid byte: one column");
	is_int(tw_width("a\x01\x7f", 3), 1, "controls: zero columns");
	is_int(tw_width("", 0), 0, "empty");
	is_int(tw_width("\xe6\x97", 2), 2, "truncated sequence: a column a byte");

	is_int(tw_next("\xc3\xa9", 2, &cp), 2, "next: two-byte length");
	is_int(cp, 0xe9, "next: é");
	is_int(tw_next("\xf0\x9f\x98\x80", 4, &cp), 4, "next: four bytes");
	is_int(cp, 0x1f600, "next: emoji");
	tw_next("\xc0\xaf", 2, &cp);
	is_int(cp, TW_INVALID, "next: overlong rejected");
	tw_next("\xed\xa0\x80", 3, &cp);
	is_int(cp, TW_INVALID, "next: surrogate rejected");
	tw_next("\xf4\x90\x80\x80", 4, &cp);
	is_int(cp, TW_INVALID, "next: past U+10FFFF rejected");
	is_int(tw_next("\xe6\x97", 2, &cp), 1, "next: truncated is one byte");
	is_int(cp, TW_INVALID, "next: truncated rejected");
}

static void
test_classes(void)
{
	ok(tw_is_wide(0x65e5), "日 is wide");
	ok(tw_is_wide(0x3042), "あ is wide");
	ok(tw_is_wide(0xff76), "halfwidth ｶ counts as East Asian");
	ok(!tw_is_wide(0xd55c), "한 is not in the joining class");
	ok(!tw_is_wide('a'), "a is not wide");
	ok(tw_is_hangul(0xd55c), "한 is Hangul");
	ok(tw_is_hangul(0x1100), "jamo is Hangul");
	ok(!tw_is_hangul(0x65e5), "日 is not Hangul");

	is_int(tw_join_space(0x65e5, 0x672c), 0, "join: 日|本 no space");
	is_int(tw_join_space(0x3002, 0x3042), 0, "join: 。|あ no space");
	is_int(tw_join_space('a', 0x65e5), 1, "join: a|日 space");
	is_int(tw_join_space(0x65e5, 'a'), 1, "join: 日|a space");
	is_int(tw_join_space(0xd55c, 0xad6d), 1, "join: 한|국 space");
	is_int(tw_join_space(0x65e5, 0xd55c), 1, "join: 日|한 space");
	is_int(tw_join_space(0x200b, 'a'), 0, "join: after ZWSP no space");

	ok(tw_can_break(0x65e5, 0x672c), "break: between two kanji");
	ok(!tw_can_break(0x65e5, 0x3002), "break: not before 。");
	ok(!tw_can_break(0x300c, 0x65e5), "break: not after 「");
	ok(!tw_can_break(0x3042, 0x3063), "break: not before small っ");
	ok(!tw_can_break(0x30a2, 0x30fc), "break: not before ー");
	ok(!tw_can_break('a', 'b'), "break: not inside a Latin word");
	ok(tw_can_break('a', 0x65e5), "break: Latin then kanji");
	ok(!tw_can_break(0xd55c, 0xad6d), "break: not inside a Korean word");
	ok(!tw_can_break(0x65e5, 0x0301), "break: not before a combining mark");

	ok(tw_is_sentence_end('.'), "sentence end: .");
	ok(tw_is_sentence_end(0x3002), "sentence end: 。");
	ok(tw_is_sentence_end(0x300d), "sentence end: 」");
	ok(tw_is_sentence_end(0x1f389), "sentence end: emoji");
	ok(!tw_is_sentence_end('a'), "sentence end: not a");
	ok(!tw_is_sentence_end(','), "sentence end: not a comma");
	ok(!tw_is_sentence_end(0x65e5), "sentence end: not 日");

	ok(tw_is_mark(0x0301), "mark: combining acute");
	ok(!tw_is_mark('a'), "mark: not a");
	ok(tw_is_punct_space(','), "punct: comma");
	ok(tw_is_punct_space(0x3001), "punct: 、");
	ok(tw_is_punct_space(0x3000), "punct: ideographic space");
	ok(!tw_is_punct_space('x'), "punct: not x");
}

static void
test_wrap(void)
{
	struct lines	 l;
	struct buf	 in;
	size_t		 i, w;
	unsigned	 seed = 7;
	int		 fits = 1;
	static const char *const pieces[] = {
		"word ", "日本語", "。", "「", "」", "longerwordhere", " ",
		"한국어 ", "\t", "e\xcc\x81", "\xf0\x9f\x8e\x89", "、", "ｶﾅ",
	};

	wrap_is("the quick brown fox jumps over the lazy dog", 15,
	    "the quick brown|fox jumps over|the lazy dog", "Latin at spaces");
	wrap_is("a  b   c", 80, "a  b   c", "inner spaces kept on a line");
	wrap_is("   leading and trailing   ", 80, "leading and trailing",
	    "edges trimmed");
	wrap_is("", 10, "", "empty input: one empty line");
	wrap_is("    ", 10, "", "blank input: one empty line");
	wrap_is("abcdefghijklmnop", 5, "abcde|fghij|klmno|p",
	    "long word split between characters");
	wrap_is("hi abcdefghij", 5, "hi|abcde|fghij",
	    "long word starts its own line");
	wrap_is("日本語の文章です", 6, "日本語|の文章|です",
	    "CJK between characters");
	wrap_is("これは。あれ", 6, "これ|は。あ|れ",
	    "no 。 at the start of a line");
	wrap_is("あい「うえ」", 6, "あい|「う|え」",
	    "「 stays with what follows, 」 with what precedes");
	wrap_is("한국어 문장은 띄어 씁니다", 13, "한국어 문장은|띄어 씁니다",
	    "Korean at spaces");
	wrap_is("Rustの非同期", 8, "Rustの非|同期", "Latin then CJK");
	wrap_is("a\tb", 80, "a       b", "TAB expanded to the next stop");
	wrap_is("e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 2,
	    "e\xcc\x81" "e\xcc\x81|e\xcc\x81", "combining marks stay with base");
	wrap_is("日本", 1, "日|本", "a wide character on a too narrow line");

	memset(&l, 0, sizeof(l));
	buf_init(&l.all, 1 << 20);
	fits = tw_wrap("a b c", 5, 1, stop, &l);
	ok(fits == -1, "callback error stops");
	fits = 1;
	buf_free(&l.all);

	/* Every line fits, whatever the mix, unless one character is
	 * wider than the line. */
	for (i = 0; i < 300 && fits; i++) {
		buf_init(&in, 1 << 20);
		memset(&l, 0, sizeof(l));
		buf_init(&l.all, 1 << 20);
		l.widths_ok = 1;
		while (in.len < 400) {
			seed = seed * 1103515245 + 12345;
			buf_puts(&in, pieces[(seed >> 16) %
			    (sizeof(pieces) / sizeof(pieces[0]))]);
		}
		w = 3 + i % 40;
		if (tw_wrap(in.data, in.len, w, collect, &l) == -1 ||
		    l.maxw > w || !l.widths_ok)
			fits = 0;
		buf_free(&in);
		buf_free(&l.all);
	}
	ok(fits, "random mixes: no line wider than the width");
}

static void
test_clean(void)
{
	struct buf	 b;

	buf_init(&b, 1024);
	tw_clean(&b, "ok \xff!", 5, 0);
	is_str(b.data, "ok \xef\xbf\xbd!", "clean: invalid byte -> U+FFFD");
	buf_reset(&b);
	tw_clean(&b, "a\x01\x1b\x7f" "b\xc2\x85" "c", 8, 0);
	is_str(b.data, "abc", "clean: C0, DEL and C1 dropped");
	buf_reset(&b);
	tw_clean(&b, "a\tb\nc", 5, 0);
	is_str(b.data, "abc", "clean: TAB and LF dropped by default");
	buf_reset(&b);
	tw_clean(&b, "a\tb\nc", 5, TW_KEEP_TAB | TW_KEEP_LF);
	is_str(b.data, "a\tb\nc", "clean: TAB and LF kept when asked");
	buf_reset(&b);
	tw_clean(&b, "日本\xe6\x97", 8, 0);
	is_str(b.data, "日本\xef\xbf\xbd\xef\xbf\xbd",
	    "clean: truncated sequence replaced byte by byte");
	buf_reset(&b);
	tw_expand_tabs(&b, "ab\tc\td", 6);
	is_str(b.data, "ab      c       d", "expand tabs");
	buf_reset(&b);
	tw_expand_tabs(&b, "日本\tx", 8);
	is_str(b.data, "日本    x", "expand tabs by display width");
	buf_reset(&b);
	tw_put(&b, 0xd800);
	is_str(b.data, "\xef\xbf\xbd", "put: surrogate -> U+FFFD");
	buf_free(&b);
}

static void
test_lang(void)
{
	const char	*s;

	s = "こんにちは。今日はいい天気ですね。";
	is_str(lang_detect(s, strlen(s), "en"), "ja", "kana: ja");
	s = "안녕하세요. 오늘은 날씨가 좋네요.";
	is_str(lang_detect(s, strlen(s), "en"), "ko", "hangul: ko");
	s = "今天天气很好。我们去公园散步吧。";
	is_str(lang_detect(s, strlen(s), "en"), "en", "Han only: default");
	s = "This post is about the word こんにちは and how to say hello in "
	    "Japanese, with a long English explanation around it.";
	is_str(lang_detect(s, strlen(s), "en"), "en",
	    "a Japanese word in English prose: default");
	s = "Rustの非同期処理について書きます。tokioを使います。";
	is_str(lang_detect(s, strlen(s), "en"), "ja", "Japanese with Latin: ja");
	is_str(lang_detect("", 0, "fr"), "fr", "empty: default");
	is_str(lang_detect("\xff\xfe", 2, "en"), "en", "invalid bytes: default");
	is_str(lang_detect("\xe3\x81", 2, "en"), "en",
	    "a cut-off kana: default");
	is_str(lang_detect("\xe0\x83\x81\xed\xa0\x80", 6, "en"), "en",
	    "an overlong form and a surrogate count as nothing");
	is_str(lang_detect("\xe3\x81\x8b\xe3\x81", 5, "en"), "ja",
	    "a whole kana before a cut-off one: ja");
}

int
main(void)
{
	test_width();
	test_classes();
	test_wrap();
	test_clean();
	test_lang();
	return tap_done();
}
