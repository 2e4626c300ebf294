/*
 * config: lookups over struct conf (see config.h).
 */
#include <strings.h>

#include "config.h"

struct host *
conf_find_host(const struct conf *c, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < c->nhosts; i++)
		if (strcasecmp(c->hosts[i].name, name) == 0)
			return &c->hosts[i];
	return NULL;
}
