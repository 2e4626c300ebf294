/*
 * lang: a page's language guessed from its script, for the Gemini
 * `lang=' parameter when the front matter does not name one.  Pure.
 */
#ifndef CAPSULED_LANG_H
#define CAPSULED_LANG_H

#include <stddef.h>

/*
 * "ja" when kana dominate the CJK text, "ko" when Hangul does, and
 * only when that text outweighs the Latin letters (code and quoted
 * words in an English post do not change its language); else dflt.
 * Han alone stays dflt: it is shared by Chinese and Japanese.
 */
const char	*lang_detect(const char *s, size_t n, const char *dflt);

#endif
