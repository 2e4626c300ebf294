/*
 * test-buf: the bounded buffer keeps its bound and its terminator.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

int
main(void)
{
	struct buf	 b;
	char		*p;
	size_t		 n;

	buf_init(&b, 8);
	is_int(buf_puts(&b, "abcd"), 0, "append within the bound");
	is_int(buf_printf(&b, "%d", 123), 0, "printf within the bound");
	is_str(b.data, "abcd123", "contents and terminator");
	is_int(buf_puts(&b, "xy"), -1, "append past the bound fails");
	is_str(b.data, "abcd123", "a failed append changes nothing");
	is_int(buf_putc(&b, 'z'), 0, "exactly at the bound");
	is_int((int)b.len, 8, "length at the bound");
	buf_reset(&b);
	is_int((int)b.len, 0, "reset empties");
	buf_puts(&b, "hi");
	p = buf_detach(&b, &n);
	is_str(p, "hi", "detach hands over the bytes");
	is_int((int)n, 2, "detach reports the length");
	ok(b.data == NULL && b.len == 0, "detach leaves it empty");
	free(p);
	p = buf_detach(&b, &n);
	ok(p != NULL && *p == '\0' && n == 0, "detach of empty gives \"\"");
	free(p);
	buf_free(&b);
	return tap_done();
}
