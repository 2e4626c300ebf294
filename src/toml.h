/*
 * toml: a reader for the TOML found in front matter (Hugo's `+++` blocks):
 * strings, numbers, booleans, dates, arrays, inline tables, [table]
 * headers and comments.  It builds nothing: each value of a top-level key
 * is handed to a callback.  Pure.
 */
#ifndef CAPSULED_TOML_H
#define CAPSULED_TOML_H

#include <stddef.h>

/*
 * Called with the scalar value of each top-level key (item = 0) and with
 * each scalar item of a top-level array (item = 1).  Keys under a [table]
 * header and dotted keys are not top-level; values nested deeper are
 * skipped.  val is the decoded string, or the text of a number, boolean
 * or date as written; line is its line in the file.
 */
typedef void	(*toml_value_cb)(void *arg, const char *key, size_t keylen,
		    int item, const char *val, size_t vallen,
		    unsigned long line);

/*
 * Read n bytes of TOML whose first byte is on line `line` of the file.
 * Returns 0; or -1 with *errstr and *errline set at the first error (the
 * values before it have been reported); or -1 with *errstr NULL when out
 * of memory.
 */
int	toml_read(const char *s, size_t n, unsigned long line,
	    toml_value_cb cb, void *arg, const char **errstr,
	    unsigned long *errline);

/*
 * The same over a whole config file (Hugo's hugo.toml): every key is
 * reported, under its [table]'s name and with its dots ("permalinks.posts",
 * "params.author.name"); arrays of tables are skipped.
 */
int	toml_read_all(const char *s, size_t n, unsigned long line,
	    toml_value_cb cb, void *arg, const char **errstr,
	    unsigned long *errline);

#endif
