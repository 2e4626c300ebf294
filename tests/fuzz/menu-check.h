/*
 * menu-check: shared by the fuzz harnesses that render gophermaps.
 * Aborts on a menu line that is not `T display TAB sel TAB host TAB
 * port CRLF' or a menu that does not end with ".\r\n".
 */
#ifndef CAPSULED_FUZZ_MENU_CHECK_H
#define CAPSULED_FUZZ_MENU_CHECK_H

#include <stdlib.h>

#include "buf.h"

static inline void
check_menu(const struct buf *b)
{
	size_t	 i = 0, e, k, tabs;

	while (i < b->len) {
		for (e = i; e < b->len && b->data[e] != '\n'; e++)
			;
		if (e == b->len || e == i || b->data[e - 1] != '\r')
			abort();
		if (e - i == 2 && b->data[i] == '.') {
			if (e + 1 != b->len)
				abort();
			return;
		}
		for (tabs = 0, k = i; k < e - 1; k++)
			if (b->data[k] == '\t')
				tabs++;
			else if (b->data[k] == '\r' || b->data[k] == '\0')
				abort();
		if (tabs != 3)
			abort();
		i = e + 1;
	}
	abort();
}

#endif
