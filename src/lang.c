/*
 * lang: language detection by counting script characters (kana,
 * Hangul, Han, Latin letters).  Pure.
 */
#include <stdint.h>

#include "lang.h"
#include "textwidth.h"

/* tw_next, with the three-byte characters of CJK text decoded in line:
 * lang_detect reads every byte of every post at a cold start. */
static size_t
lang_next(const char *s, size_t n, int32_t *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	int32_t			 v;

	if (n >= 3 && (u[0] & 0xf0) == 0xe0 && (u[1] & 0xc0) == 0x80 &&
	    (u[2] & 0xc0) == 0x80) {
		v = (u[0] & 0x0f) << 12 | (u[1] & 0x3f) << 6 | (u[2] & 0x3f);
		if (v >= 0x800 && (v < 0xd800 || v > 0xdfff)) {
			*cp = v;
			return 3;
		}
	}
	return tw_next(s, n, cp);
}

const char *
lang_detect(const char *s, size_t n, const char *dflt)
{
	size_t	 i, kana = 0, hangul = 0, han = 0, latin = 0;
	int32_t	 cp;

	for (i = 0; i < n; ) {
		if ((unsigned char)s[i] < 0x80) {
			if ((s[i] >= 'a' && s[i] <= 'z') ||
			    (s[i] >= 'A' && s[i] <= 'Z'))
				latin++;
			i++;
			continue;
		}
		i += lang_next(s + i, n - i, &cp);
		if ((cp >= 0x3041 && cp <= 0x30ff && cp != 0x30fb &&
		    cp != 0x30fc) || (cp >= 0x31f0 && cp <= 0x31ff) ||
		    (cp >= 0xff66 && cp <= 0xff9d))
			kana++;
		else if (tw_is_hangul(cp))
			hangul++;
		else if ((cp >= 0x4e00 && cp <= 0x9fff) ||
		    (cp >= 0x3400 && cp <= 0x4dbf) ||
		    (cp >= 0xf900 && cp <= 0xfaff) ||
		    (cp >= 0x20000 && cp <= 0x3134f))
			han++;
	}
	/*
	 * One CJK character carries about as much as a short word, four
	 * or five Latin letters: weigh them so before comparing.
	 */
	if (kana > 0 && kana >= hangul && (kana + han) * 4 >= latin)
		return "ja";
	if (hangul > kana && hangul * 3 >= latin)
		return "ko";
	return dflt;
}
