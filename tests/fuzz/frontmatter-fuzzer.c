/*
 * frontmatter-fuzzer: libFuzzer entry for frontmatter_parse() and
 * frontmatter_parse_date().  Besides crashes it checks the promises the
 * renderers rely on: body inside the input, every string valid UTF-8
 * without control characters, err and err_line set together.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fuzz_clean(const char *s, int nl)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 k, n;

	if (s == NULL)
		return 1;
	while (*p != '\0') {
		if (*p < 0x80) {
			if ((*p < 0x20 && !(nl && *p == '\n')) || *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 2;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 3;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 4;
		else
			return 0;
		cp = *p & (0xff >> (n + 1));
		for (k = 1; k < n; k++) {
			if ((p[k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[k] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    (cp >= 0x80 && cp <= 0x9f))
			return 0;
		p += n;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct page_meta	 m;
	char			*s;
	time_t			 t;
	size_t			 i;
	int			 off;

	if (frontmatter_parse((const char *)data, size, &m) == -1)
		return 0;
	if (m.body > size || (m.err == NULL) != (m.err_line == 0) ||
	    (m.ntags > 0 && m.tags == NULL) || m.breaks < -1 ||
	    m.breaks > 1 || !fuzz_clean(m.title, 0) ||
	    !fuzz_clean(m.summary, 1) || !fuzz_clean(m.lang, 0) ||
	    !fuzz_clean(m.slug, 0))
		abort();
	for (i = 0; i < m.ntags; i++)
		if (m.tags[i] == NULL || m.tags[i][0] == '\0' ||
		    !fuzz_clean(m.tags[i], 0))
			abort();
	page_meta_free(&m);

	/* The date parser on its own, as a NUL-terminated string. */
	if (size <= 64 && (s = malloc(size + 1)) != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
		if (frontmatter_parse_date(s, &t, &off) == 0 &&
		    (off < -24 * 60 || off > 24 * 60))
			abort();
		free(s);
	}
	return 0;
}
