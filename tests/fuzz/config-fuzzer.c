/*
 * config-fuzzer: libFuzzer entry for the capsuled.yaml loader
 * (src/confload.c) and its dump (src/confdump.c).  Whatever loads must
 * dump to YAML that loads back to the same dump; whatever fails must say
 * why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *
dump(const struct conf *c, size_t *len)
{
	char	*s = NULL;
	FILE	*fp;

	if ((fp = open_memstream(&s, len)) == NULL)
		abort();
	conf_dump(c, fp);
	fclose(fp);
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf		 c, c2;
	struct conf_errors	 e = { 0 }, e2 = { 0 };
	char			*d1, *d2;
	size_t			 l1, l2, i;
	int			 r;

	if (conf_init(&c) == -1)
		return 0;
	r = conf_parse(&c, "fuzz.yaml", (const char *)data, size, &e);
	if ((r == 0) != (e.n == 0))
		abort();
	for (i = 0; i < e.n; i++)
		if (strncmp(e.msgs[i], "fuzz.yaml", 9) != 0 ||
		    strchr(e.msgs[i], '\n') != NULL)
			abort();
	if (r == 0) {
		/* Exercise the lookups on whatever was loaded. */
		for (i = 0; i < c.nhosts; i++) {
			conf_find_redirect(&c.hosts[i], "/a/b");
			conf_cert_zone(&c.hosts[i], "/a/b", NULL);
			if (c.hosts[i].name == NULL || c.hosts[i].root == NULL)
				abort();
		}
		d1 = dump(&c, &l1);
		if (conf_init(&c2) == -1)
			abort();
		if (conf_parse(&c2, "dump.yaml", d1, l1, &e2) != 0) {
			fprintf(stderr, "dump does not load: %s\n%s",
			    e2.msgs[0], d1);
			abort();
		}
		d2 = dump(&c2, &l2);
		if (l1 != l2 || memcmp(d1, d2, l1) != 0) {
			fprintf(stderr, "dump differs:\n%s---\n%s", d1, d2);
			abort();
		}
		free(d1);
		free(d2);
		conf_errors_free(&e2);
		conf_free(&c2);
	}
	conf_errors_free(&e);
	conf_free(&c);
	return 0;
}
