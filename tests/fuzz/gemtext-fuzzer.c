/*
 * gemtext-fuzzer: libFuzzer entry for the gemtext parser (gmiparse.c):
 * the page parsed and rendered as a gophermap (every menu line checked)
 * and as plain text, at a width taken from the first byte.
 */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "doc.h"
#include "gmiparse.h"
#include "markdown.h"
#include "menu-check.h"

#define FUZZ_OUT_MAX	((size_t)64 << 20)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*src = (const char *)data;
	struct md_doc	 d;
	struct md_opts	 o;
	struct buf	 out;

	/* Relative links resolve against a page below the root, or the
	 * root itself. */
	if (gmi_parse(&d, src, size, size > 0 && data[0] & 0x80 ?
	    "/docs/a/page.gmi" : "/index.gmi", "localhost", NULL,
	    FUZZ_OUT_MAX) == -1)
		return 0;
	memset(&o, 0, sizeof(o));
	o.width = size > 0 ? 20 + data[0] % 60 : 67;
	o.host = "localhost";
	o.port = 7070;
	buf_init(&out, FUZZ_OUT_MAX);
	if (doc_emit(&d, MD_GOPHERMAP, &o, &out) == 0)
		check_menu(&out);
	buf_reset(&out);
	doc_emit(&d, MD_TEXT, &o, &out);
	buf_free(&out);
	md_doc_free(&d);
	return 0;
}
