/*
 * gensyntax-fuzzer: libFuzzer entry for the generator-syntax pass alone
 * (Hugo, Liquid, Kramdown, Zenn, GitHub alerts, Hatena inline links,
 * MDX),
 * with a site whose variables and includes answer, so the Liquid paths
 * that read them run too.  The rewrite must stay linear: its output may
 * grow only by a bounded factor of the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "frontmatter.h"
#include "gensyntax.h"
#include "markdown.h"

#define FUZZ_OUT_MAX	((size_t)64 << 20)

static const char *
site_var(void *arg, const char *key)
{
	(void)arg;
	return strcmp(key, "url") == 0 ? "https://example.org" :
	    strcmp(key, "missing") == 0 ? NULL : "{{ site.url }}";
}

static int
site_include(void *arg, const char *name, struct buf *out)
{
	(void)arg;
	if (strcmp(name, "none.html") == 0)
		return -1;
	/* An include that itself holds Liquid: it must not recurse. */
	return buf_puts(out, "**inc** {% include x.html %} {{ site.url }}");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*src = (const char *)data;
	struct md_site		 site = { site_var, site_include, NULL, NULL };
	struct page_meta	 meta;
	struct md_opts		 o;
	struct buf		 out, warn;

	if (frontmatter_parse(src, size, &meta) == -1)
		return 0;
	memset(&o, 0, sizeof(o));
	/* Bit 7: a Hugo bundle; bit 5: an MDX post (ESM, JSX). */
	o.path = size > 0 && data[0] & 0x80 ?
	    "/content/posts/fuzz/index.md" : size > 0 && data[0] & 0x20 ?
	    "/blog/fuzz.mdx" : "/_posts/fuzz.md";
	o.meta = &meta;
	o.breaks = -1;
	o.site = size > 0 && data[0] & 0x40 ? &site : NULL;
	buf_init(&warn, 1 << 16);
	o.warn = &warn;
	buf_init(&out, FUZZ_OUT_MAX);
	if (gen_rewrite(src + meta.body, size - meta.body, &o, &out) == 0 &&
	    out.len > 64 * (size + 1) + 4096)
		abort();
	buf_free(&out);
	buf_free(&warn);
	page_meta_free(&meta);
	return 0;
}
