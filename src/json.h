/*
 * json: a reader for a JSON object at the top of a page (Hugo's JSON
 * front matter).  It builds nothing: each value of a member of that object
 * is handed to a callback.  Pure, recursion bounded.
 */
#ifndef CAPSULED_JSON_H
#define CAPSULED_JSON_H

#include <stddef.h>

/*
 * Called with the scalar value of each member of the root object
 * (item = 0) and with each scalar item of a member's array (item = 1).
 * Values nested deeper are skipped.  val is the decoded string, the text
 * of a number or boolean, or NULL for null; line is its line in the file.
 */
typedef void	(*json_value_cb)(void *arg, const char *key, size_t keylen,
		    int item, const char *val, size_t vallen,
		    unsigned long line);

/*
 * Read n bytes holding one JSON object (and nothing else but blanks),
 * whose first byte is on line `line` of the file.  Returns 0; or -1 with
 * *errstr and *errline set at the first error (the values before it have
 * been reported); or -1 with *errstr NULL when out of memory.
 */
int	json_read(const char *s, size_t n, unsigned long line,
	    json_value_cb cb, void *arg, const char **errstr,
	    unsigned long *errline);

/*
 * Where the object that opens s ends: the offset after its matching
 * brace, found by counting braces outside strings, so that even a broken
 * object has a known end.  Returns 0, or -1 if it never closes.
 */
int	json_object_end(const char *s, size_t n, size_t *end);

#endif
