/*
 * markdown-fuzzer: libFuzzer entry for the converters: front matter,
 * then the page rendered as gemtext, gophermap and plain text (every
 * menu line checked, generator warnings collected), plus the title,
 * summary and search-text paths.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "frontmatter.h"
#include "markdown.h"
#include "menu-check.h"
#include "page.h"

#define FUZZ_OUT_MAX	((size_t)64 << 20)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum md_format	 fmts[] = {
		MD_GEMTEXT, MD_GOPHERMAP, MD_TEXT
	};
	const char			*src = (const char *)data;
	struct page_meta		 meta;
	struct md_opts			 o;
	struct buf			 out, warn;
	size_t				 i;

	if (frontmatter_parse(src, size, &meta) == -1)
		return 0;
	memset(&o, 0, sizeof(o));
	o.path = "/posts/fuzz.md";
	o.meta = &meta;
	o.fallback_title = "fuzz";
	o.breaks = -1;
	o.is_post = 1;
	o.width = size > 0 ? 20 + data[0] % 60 : 67;
	o.host = "localhost";
	o.port = 7070;
	/* The Hugo layout: refs resolve under /content/. */
	if (size > 0 && data[0] & 0x80)
		o.path = "/content/posts/fuzz/index.md";
	buf_init(&warn, 1 << 16);
	o.warn = &warn;
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		buf_init(&out, FUZZ_OUT_MAX);
		if (page_render(src + meta.body, size - meta.body, fmts[i], &o,
		    &out) == 0 && fmts[i] == MD_GOPHERMAP)
			check_menu(&out);
		buf_free(&out);
	}
	buf_init(&out, FUZZ_OUT_MAX);
	md_page_title(src + meta.body, size - meta.body,
	    (enum md_title_rule)(size % 4), &out);
	buf_reset(&out);
	md_summary(src + meta.body, size - meta.body, 64, &out);
	if (out.len > 64)
		abort();
	buf_reset(&out);
	md_plaintext(src + meta.body, size - meta.body, &out);
	buf_free(&out);
	buf_free(&warn);
	page_meta_free(&meta);
	return 0;
}
