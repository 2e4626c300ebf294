/*
 * mime: the one table from file-name extension to MIME type and Gopher
 * item type.  Gopher types stay within what common clients know
 * (0 1 3 7 9 g I h i s): video, PDF and archives are plain binaries ('9').
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "mime.h"

struct mime_entry {
	const char	*ext;
	const char	*type;
	char		 gopher;
};

static const struct mime_entry mime_table[] = {
	/* Gemtext, converted to a menu for Gopher (gmiparse.c). */
	{ "gmi",	"text/gemini; charset=utf-8",		'1' },
	{ "gemini",	"text/gemini; charset=utf-8",		'1' },
	/* Text, shown by every Gopher client as type 0. */
	{ "md",		"text/markdown; charset=utf-8",		'0' },
	{ "markdown",	"text/markdown; charset=utf-8",		'0' },
	{ "mdx",	"text/markdown; charset=utf-8",		'0' },
	{ "txt",	"text/plain; charset=utf-8",		'0' },
	{ "text",	"text/plain; charset=utf-8",		'0' },
	{ "asc",	"text/plain; charset=utf-8",		'0' },
	{ "csv",	"text/csv; charset=utf-8",		'0' },
	{ "css",	"text/css; charset=utf-8",		'0' },
	{ "js",		"text/javascript; charset=utf-8",	'0' },
	{ "xml",	"application/xml",			'0' },
	{ "atom",	"application/atom+xml",			'0' },
	{ "rss",	"application/rss+xml",			'0' },
	{ "json",	"application/json",			'0' },
	{ "html",	"text/html; charset=utf-8",		'h' },
	{ "htm",	"text/html; charset=utf-8",		'h' },
	/* Images: 'g' for GIF, 'I' for the rest. */
	{ "gif",	"image/gif",				'g' },
	{ "png",	"image/png",				'I' },
	{ "jpg",	"image/jpeg",				'I' },
	{ "jpeg",	"image/jpeg",				'I' },
	{ "webp",	"image/webp",				'I' },
	{ "svg",	"image/svg+xml",			'I' },
	{ "avif",	"image/avif",				'I' },
	{ "bmp",	"image/bmp",				'I' },
	{ "ico",	"image/vnd.microsoft.icon",		'I' },
	/* Sound. */
	{ "mp3",	"audio/mpeg",				's' },
	{ "ogg",	"audio/ogg",				's' },
	{ "oga",	"audio/ogg",				's' },
	{ "opus",	"audio/opus",				's' },
	{ "flac",	"audio/flac",				's' },
	{ "wav",	"audio/wav",				's' },
	{ "m4a",	"audio/mp4",				's' },
	/* Video: no common client knows ';', so binary. */
	{ "mp4",	"video/mp4",				'9' },
	{ "webm",	"video/webm",				'9' },
	{ "mkv",	"video/x-matroska",			'9' },
	/* Documents and archives. */
	{ "pdf",	"application/pdf",			'9' },
	{ "epub",	"application/epub+zip",			'9' },
	{ "zip",	"application/zip",			'9' },
	{ "gz",		"application/gzip",			'9' },
	{ "tgz",	"application/gzip",			'9' },
	{ "bz2",	"application/x-bzip2",			'9' },
	{ "xz",		"application/x-xz",			'9' },
	{ "zst",	"application/zstd",			'9' },
	{ "tar",	"application/x-tar",			'9' },
	{ "7z",		"application/x-7z-compressed",		'9' },
};

/* The table row for name's extension, or NULL. */
static const struct mime_entry *
mime_lookup(const char *name)
{
	const char	*base, *dot;
	size_t		 i;

	if (name == NULL)
		return NULL;
	base = strrchr(name, '/');
	base = base != NULL ? base + 1 : name;
	/* ".profile" is a hidden file without an extension. */
	if ((dot = strrchr(base, '.')) == NULL || dot == base)
		return NULL;
	for (i = 0; i < sizeof(mime_table) / sizeof(mime_table[0]); i++)
		if (strcasecmp(dot + 1, mime_table[i].ext) == 0)
			return &mime_table[i];
	return NULL;
}

const char *
mime_type(const char *name)
{
	const struct mime_entry	*e;

	if ((e = mime_lookup(name)) == NULL)
		return "application/octet-stream";
	return e->type;
}

char
mime_gopher_type(const char *name)
{
	const struct mime_entry	*e;

	if ((e = mime_lookup(name)) == NULL)
		return '9';
	return e->gopher;
}

const char *const mime_markdown_exts[] = { ".md", ".markdown", ".mdx",
    NULL };

size_t
mime_markdown_ext(const char *name, size_t n)
{
	size_t	 i, k;

	for (i = 0; mime_markdown_exts[i] != NULL; i++) {
		k = strlen(mime_markdown_exts[i]);
		if (n > k && name[n - k - 1] != '/' &&
		    strncasecmp(name + n - k, mime_markdown_exts[i], k) == 0)
			return k;
	}
	return 0;
}
