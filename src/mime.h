/*
 * mime: one table from file-name extension to MIME type and Gopher item
 * type, used by both protocols and by the converters' link items.
 */
#ifndef CAPSULED_MIME_H
#define CAPSULED_MIME_H

/* MIME type for a file name, by extension (case-insensitive); text types
 * carry "; charset=utf-8".  Unknown: "application/octet-stream". */
const char	*mime_type(const char *name);

/* Gopher item type for a file (not a directory): '0' text (including
 * .md, .gmi, .txt), 'g' GIF, 'I' other images, 'h' HTML, '9' anything
 * else. */
char		 mime_gopher_type(const char *name);

#endif
