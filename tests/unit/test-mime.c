/*
 * test-mime: the extension table (src/mime.c): MIME types for Gemini and
 * item types for Gopher, case-insensitive, by the last extension only.
 */
#include <stdio.h>

#include "mime.h"
#include "tap.h"

static void
both(const char *name, const char *type, char gopher)
{
	char	 label[128];

	snprintf(label, sizeof(label), "%s type", name);
	is_str(mime_type(name), type, label);
	snprintf(label, sizeof(label), "%s gopher type", name);
	is_int(mime_gopher_type(name), gopher, label);
}

int
main(void)
{
	both("index.gmi", "text/gemini; charset=utf-8", '1');
	both("a.gemini", "text/gemini; charset=utf-8", '1');
	both("post.md", "text/markdown; charset=utf-8", '0');
	both("post.markdown", "text/markdown; charset=utf-8", '0');
	both("notes.txt", "text/plain; charset=utf-8", '0');
	both("page.html", "text/html; charset=utf-8", 'h');
	both("page.htm", "text/html; charset=utf-8", 'h');
	both("style.css", "text/css; charset=utf-8", '0');
	both("data.xml", "application/xml", '0');
	both("feed.atom", "application/atom+xml", '0');
	both("data.json", "application/json", '0');
	both("a.png", "image/png", 'I');
	both("a.jpg", "image/jpeg", 'I');
	both("a.jpeg", "image/jpeg", 'I');
	both("a.gif", "image/gif", 'g');
	both("a.webp", "image/webp", 'I');
	both("a.svg", "image/svg+xml", 'I');
	both("a.avif", "image/avif", 'I');
	both("favicon.ico", "image/vnd.microsoft.icon", 'I');
	both("doc.pdf", "application/pdf", '9');
	both("a.mp3", "audio/mpeg", 's');
	both("a.ogg", "audio/ogg", 's');
	both("a.opus", "audio/opus", 's');
	both("a.flac", "audio/flac", 's');
	both("a.mp4", "video/mp4", '9');
	both("a.webm", "video/webm", '9');
	both("a.zip", "application/zip", '9');
	both("a.tar.gz", "application/gzip", '9');
	both("a.tar", "application/x-tar", '9');
	both("book.epub", "application/epub+zip", '9');

	/* case-insensitive, by the last extension of the last component */
	both("PHOTO.JPG", "image/jpeg", 'I');
	both("Index.Gmi", "text/gemini; charset=utf-8", '1');
	both("/posts/2022/a.b.md", "text/markdown; charset=utf-8", '0');
	both("dir.md/file", "application/octet-stream", '9');
	both("README", "application/octet-stream", '9');
	both(".profile", "application/octet-stream", '9');
	both("dir/.md", "application/octet-stream", '9');
	both("x.", "application/octet-stream", '9');
	both("x.unknown", "application/octet-stream", '9');
	both("", "application/octet-stream", '9');
	both(NULL, "application/octet-stream", '9');
	return tap_done();
}
