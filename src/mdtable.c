/*
 * mdtable: GFM tables for the document builder of markdown.c: cells
 * collected, then one preformatted block.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "buf.h"
#include "markdown.h"
#include "mdb.h"
#include "textwidth.h"
#include "url.h"

static int
mdb_cell_push(struct mdb *b, size_t off)
{
	size_t	*nc;

	if (b->ncells == b->cellcap) {
		size_t n = b->cellcap ? b->cellcap * 2 : 64;

		if ((nc = reallocarray(b->cells, n, sizeof(*nc))) == NULL) {
			mdb_fail(b);
			return -1;
		}
		b->cells = nc;
		b->cellcap = n;
	}
	b->cells[b->ncells++] = off;
	return 0;
}

static int
mdb_table_row_end(struct mdb *b)
{
	/* Rows short of cells are padded; pool offset 0 is "". */
	while (b->ncells - b->rowstart < b->ncols)
		if (mdb_cell_push(b, 0) == -1)
			return -1;
	return 0;
}

static int
mdb_table_end(struct mdb *b)
{
	struct md_doc	*d = b->d;
	size_t		*w, r, c, nrows, cw, pad, left;
	const char	*s;
	int		 rv = -1;

	b->in_table = 0;
	if (b->ncols == 0)
		return mdb_end(b);
	if ((w = calloc(b->ncols, sizeof(*w))) == NULL) {
		mdb_fail(b);
		return -1;
	}
	nrows = b->ncells / b->ncols;
	for (r = 0; r < nrows; r++)
		for (c = 0; c < b->ncols; c++) {
			s = md_str(d, b->cells[r * b->ncols + c]);
			cw = tw_width(s, strlen(s));
			if (cw > w[c])
				w[c] = cw;
		}
	buf_reset(&b->text);
	for (r = 0; r < nrows; r++) {
		if (r > 0 && buf_putc(&b->text, '\n') == -1)
			goto done;
		for (c = 0; c < b->ncols; c++) {
			s = md_str(d, b->cells[r * b->ncols + c]);
			pad = w[c] - tw_width(s, strlen(s));
			switch (b->align[c]) {
			case 'r':
				left = pad;
				break;
			case 'c':
				left = pad / 2;
				break;
			default:
				left = 0;
			}
			if ((c > 0 && buf_puts(&b->text, "  ") == -1) ||
			    buf_printf(&b->text, "%*s%s%*s", (int)left, "", s,
			    (int)(pad - left), "") == -1)
				goto done;
		}
		while (b->text.len > 0 && b->text.data[b->text.len - 1] == ' ')
			b->text.len--;
		if (r == 0) {
			if (buf_putc(&b->text, '\n') == -1)
				goto done;
			for (c = 0; c < b->ncols; c++) {
				if (c > 0 && buf_puts(&b->text, "  ") == -1)
					goto done;
				for (cw = 0; cw < (w[c] ? w[c] : 1); cw++)
					if (buf_putc(&b->text, '-') == -1)
						goto done;
			}
		}
	}
	b->cur.alt = mdb_pool_str(b, "table", 5);
	rv = mdb_end(b);
done:
	if (rv == -1)
		mdb_fail(b);
	free(w);
	return rv;
}

int
mdb_table(struct mdb *b, cmark_node *node, const char *type, int enter)
{
	uint8_t	*al;

	if (strcmp(type, "table") == 0) {
		if (!enter)
			return mdb_table_end(b);
		if (mdb_begin(b, MDB_PRE) == -1)
			return -1;
		b->in_table = 1;
		b->ncells = b->rowstart = 0;
		b->ncols = cmark_gfm_extensions_get_table_columns(node);
		free(b->align);
		if ((b->align = calloc(b->ncols + 1, 1)) == NULL) {
			mdb_fail(b);
			return -1;
		}
		al = cmark_gfm_extensions_get_table_alignments(node);
		if (al != NULL)
			memcpy(b->align, al, b->ncols);
		return 0;
	}
	if (!b->in_table)
		return 0;
	if (strcmp(type, "table_row") == 0 ||
	    strcmp(type, "table_header") == 0) {
		if (enter)
			b->rowstart = b->ncells;
		else
			return mdb_table_row_end(b);
		return 0;
	}
	if (strcmp(type, "table_cell") == 0) {
		if (enter) {
			buf_reset(&b->text);
			b->line = 0;
			b->in_cell = 1;
			return 0;
		}
		while (b->nopen > 0 || b->overflow > 0)
			if (mdb_link_end(b, -1) == -1)
				return -1;
		b->in_cell = 0;
		b->hskip = 0;
		if (b->ncells - b->rowstart >= b->ncols)
			return 0;
		return mdb_cell_push(b, mdb_pool_line(b, b->text.data ?
		    b->text.data : "", b->text.len, 0));
	}
	return 0;
}

