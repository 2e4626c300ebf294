/*
 * defaults: every limit and default value in one place.
 */
#ifndef CAPSULED_DEFAULTS_H
#define CAPSULED_DEFAULTS_H

#define DEFAULT_ROOT		"capsule"
#define DEFAULT_HOSTNAME	"localhost"
#define DEFAULT_CERTS		"certs"
#define DEFAULT_GEMINI_PORT	1965
#define DEFAULT_GOPHER_PORT	7070
#define DEFAULT_LANG		"en"
#define DEFAULT_GOPHER_WIDTH	67
#define DEFAULT_TITLE		"A capsule"
#define DEFAULT_USER		"nobody"	/* when started as root */
#define DEFAULT_CACHE_DIR_ROOT	"/var/cache/capsuled"	/* index file, as
							   root */

#define DEFAULT_TIMEOUT_MS	10000	/* request must arrive by then */
#define DEFAULT_MAX_CONNS	1024	/* per process, all listeners */
#define DEFAULT_MAX_PER_IP	32	/* connections from one address */
#define DEFAULT_RATE		20	/* requests per second per address */
#define DEFAULT_BURST		60
#define DEFAULT_BUSY_TIMEOUT_MS	2000	/* request timeout when busy */
#define BUSY_PERCENT		75	/* of max_conns: busy above */
#define DEFAULT_MIN_RATE	1024	/* bytes/s a response must keep, */
#define DEFAULT_RATE_WINDOW_MS	30000	/* averaged over this */
#define RATE_SAMPLES		9	/* kept per connection to do so */
#define LIMITER_SLOTS		16384	/* addresses tracked */
#define LISTEN_BACKLOG		511	/* 16 gives 1 s tails at 64 clients */

#define REQUEST_MAX		1026	/* 1024 + CRLF */
#define READ_CHUNK		65536	/* file bytes read per step */
#define WRITE_HIGH_WATER	(64 * 1024)	/* stop producing above */
#define TLS_RECORD_MAX		16384	/* plaintext per SSL_write */

/* Rendering and digesting a source bigger than this runs in a child
 * process under these limits (isolate.c), at about 4 ms a file for the
 * fork; smaller ones cannot cost much (the worst known shapes scale to
 * 10 ms and 60 MB at this size) and real posts are nearly all smaller,
 * so a big blog's index does not pay a fork per post. */
#define ISOLATE_MIN_BYTES	(256 * 1024)
#define RENDER_CPU_SEC		2	/* CPU seconds per source file */
/* Questions an isolated render may ask the server (whether a link's
 * target is a plain file: one open and a round trip each, which take
 * milliseconds on a loaded machine), and the bytes in one. */
#define ISOLATE_ASK_MAX		1024
#define ISOLATE_ASK_LEN		4096
#define RENDER_MEM_MAX		(1024UL * 1024 * 1024)	/* address space */
#define INDEX_PARTIAL_WAIT_MS	250	/* a request waits this long for a
					   cold index's body pass */
#define INDEX_SETTLE_MS		50	/* changes taken in as one burst */
#define INDEX_SAVE_DELAY_MS	2000	/* index file written this long
					   after the last update */
#define INDEX_WARM_WHOLE	256	/* sources changed since the index
					   file was saved loaded whole at
					   start, before a first index */
#define INDEX_LOADERS_MAX	4	/* threads loading sources at once */
#define INDEX_CHANGED_MAX	1024	/* files named by inotify before
					   the tree is walked instead */
#define THREADPOOL_SIZE		"8"	/* libuv's, unless set */
#define RENDER_WALL_MS		8000	/* killed after this regardless (the
					   request timeout is 10 s) */

/* gcc says __SANITIZE_ADDRESS__, clang 14 only __has_feature.  Under
 * ASan the address-space limit cannot apply (its shadow is terabytes). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAPSULED_HAS_ASAN	1
#endif
#endif
#if !defined(CAPSULED_HAS_ASAN) && defined(__SANITIZE_ADDRESS__)
#define CAPSULED_HAS_ASAN	1
#endif
#ifndef CAPSULED_HAS_ASAN
#define CAPSULED_HAS_ASAN	0
#endif

#define CACHE_MAX_BYTES		(64UL * 1024 * 1024)
#define CACHE_FILE_MAX		(256 * 1024)	/* bigger files stream */
#define PAGE_SOURCE_MAX		(8UL * 1024 * 1024)	/* Markdown read cap */
#define RENDER_MAX		(32UL * 1024 * 1024)	/* output cap */
#define HOME_LATEST_POSTS	10

#endif
