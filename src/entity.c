/*
 * entity: HTML character references (&amp; &#43; &#x2B;) decoded, for
 * raw HTML in Markdown and for titles that blog tools store as HTML.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "entity.h"
#include "textwidth.h"
#include "url.h"

static const struct {
	const char	*name;
	int32_t		 cp;
} ent_names[] = {
	{ "AElig", 0xc6 }, { "Auml", 0xc4 }, { "Eacute", 0xc9 },
	{ "Ouml", 0xd6 }, { "Uuml", 0xdc }, { "aacute", 0xe1 },
	{ "acirc", 0xe2 }, { "aelig", 0xe6 }, { "agrave", 0xe0 },
	{ "amp", '&' }, { "apos", '\'' }, { "aring", 0xe5 },
	{ "auml", 0xe4 }, { "bull", 0x2022 }, { "ccedil", 0xe7 },
	{ "cent", 0xa2 }, { "copy", 0xa9 }, { "darr", 0x2193 },
	{ "deg", 0xb0 }, { "divide", 0xf7 }, { "eacute", 0xe9 },
	{ "ecirc", 0xea }, { "egrave", 0xe8 }, { "emsp", 0x2003 },
	{ "ensp", 0x2002 }, { "euml", 0xeb }, { "euro", 0x20ac },
	{ "frac12", 0xbd }, { "gt", '>' }, { "harr", 0x2194 },
	{ "hearts", 0x2665 }, { "hellip", 0x2026 }, { "iacute", 0xed },
	{ "iexcl", 0xa1 }, { "iquest", 0xbf }, { "laquo", 0xab },
	{ "larr", 0x2190 }, { "ldquo", 0x201c }, { "lsquo", 0x2018 },
	{ "lt", '<' }, { "mdash", 0x2014 }, { "middot", 0xb7 },
	{ "nbsp", 0xa0 }, { "ndash", 0x2013 }, { "ntilde", 0xf1 },
	{ "oacute", 0xf3 }, { "ocirc", 0xf4 }, { "ouml", 0xf6 },
	{ "para", 0xb6 }, { "plusmn", 0xb1 }, { "pound", 0xa3 },
	{ "quot", '"' }, { "raquo", 0xbb }, { "rarr", 0x2192 },
	{ "rdquo", 0x201d }, { "reg", 0xae }, { "rsquo", 0x2019 },
	{ "sect", 0xa7 }, { "shy", 0xad }, { "szlig", 0xdf },
	{ "thinsp", 0x2009 }, { "times", 0xd7 }, { "trade", 0x2122 },
	{ "uacute", 0xfa }, { "uarr", 0x2191 }, { "uuml", 0xfc },
	{ "yen", 0xa5 }, { "zwj", 0x200d }, { "zwnj", 0x200c },
};

int
entity_decode(struct buf *out, const char *s, size_t n)
{
	size_t		 i, j, k;
	int32_t		 cp;
	int		 hex, d;

	for (i = 0; i < n; i++) {
		if (s[i] != '&')
			goto literal;
		j = i + 1;
		if (j < n && s[j] == '#') {
			hex = ++j < n && (s[j] == 'x' || s[j] == 'X');
			j += hex;
			for (cp = 0, k = j; k < n && k - j < 8; k++) {
				if (hex)
					d = url_hexval((unsigned char)s[k]);
				else
					d = isdigit((unsigned char)s[k]) ?
					    s[k] - '0' : -1;
				if (d < 0)
					break;
				cp = cp * (hex ? 16 : 10) + d;
			}
			if (k == j || k >= n || s[k] != ';')
				goto literal;
			if (cp == 0 || cp > 0x10ffff ||
			    (cp >= 0xd800 && cp <= 0xdfff))
				cp = 0xfffd;
			if (tw_put(out, cp) == -1)
				return -1;
			i = k;
			continue;
		}
		for (k = j; k < n && k - j < 10 && isalnum((unsigned char)s[k]);
		    k++)
			;
		if (k == j || k >= n || s[k] != ';')
			goto literal;
		for (d = 0; d < (int)(sizeof(ent_names) /
		    sizeof(ent_names[0])); d++)
			if (strlen(ent_names[d].name) == k - j &&
			    strncmp(ent_names[d].name, s + j, k - j) == 0)
				break;
		if (d == (int)(sizeof(ent_names) / sizeof(ent_names[0])))
			goto literal;
		if (tw_put(out, ent_names[d].cp) == -1)
			return -1;
		i = k;
		continue;
literal:
		if (buf_putc(out, s[i]) == -1)
			return -1;
	}
	return 0;
}
