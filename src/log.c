/*
 * log: error and access logging (see log.h).  Writes are one fprintf per
 * line so lines from several worker threads never interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

int log_verbose;

/*
 * The destination is switched only by the main thread, but workers write
 * concurrently: the lock keeps a reopen from closing a stream that a
 * worker is writing to.
 */
static pthread_mutex_t	 log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE		*log_fp;	/* NULL: stderr */
static char		*log_path;
static int		 log_syslog;

static void
log_line(int prio, const char *line)
{
	pthread_mutex_lock(&log_lock);
	if (log_syslog)
		syslog(prio, "%s", line);
	else {
		/* One write per line: lines from workers never interleave
		 * and a crash loses nothing. */
		fprintf(log_fp ? log_fp : stderr, "%s\n", line);
		if (log_fp != NULL)
			fflush(log_fp);
	}
	pthread_mutex_unlock(&log_lock);
}

static void
log_close_locked(void)
{
	if (log_fp != NULL)
		fclose(log_fp);
	log_fp = NULL;
	if (log_syslog)
		closelog();
	log_syslog = 0;
}

int
log_open_stderr(void)
{
	pthread_mutex_lock(&log_lock);
	log_close_locked();
	free(log_path);
	log_path = NULL;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

int
log_open_file(const char *path)
{
	FILE	*fp;
	char	*copy;

	if ((fp = fopen(path, "ae")) == NULL)
		return -1;
	if ((copy = strdup(path)) == NULL) {
		fclose(fp);
		return -1;
	}
	pthread_mutex_lock(&log_lock);
	log_close_locked();
	free(log_path);
	log_path = copy;
	log_fp = fp;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

int
log_open_syslog(void)
{
	pthread_mutex_lock(&log_lock);
	log_close_locked();
	openlog("capsuled", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = 1;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

/* After a log rotation (SIGUSR1): the file is opened anew by name. */
int
log_reopen(void)
{
	FILE	*fp;
	int	 r = 0;

	pthread_mutex_lock(&log_lock);
	if (log_path != NULL) {
		if ((fp = fopen(log_path, "ae")) == NULL)
			r = -1;
		else {
			if (log_fp != NULL)
				fclose(log_fp);
			log_fp = fp;
		}
	}
	pthread_mutex_unlock(&log_lock);
	return r;
}

static void
vlog(int prio, const char *prefix, const char *fmt, va_list ap,
    int with_errno)
{
	char	 msg[1024], line[1400];
	int	 saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno)
		snprintf(line, sizeof(line), "capsuled: %s%s: %s", prefix, msg,
		    strerror(saved));
	else
		snprintf(line, sizeof(line), "capsuled: %s%s", prefix, msg);
	log_line(prio, line);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "", fmt, ap, 1);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "", fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, "", fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, "debug: ", fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, "fatal: ", fmt, ap, 1);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, "fatal: ", fmt, ap, 0);
	va_end(ap);
	exit(1);
}

void
log_escape(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o = 0;
	unsigned char		 c;

	if (dstlen == 0)
		return;
	for (i = 0; i < srclen && o + 1 < dstlen; i++) {
		c = (unsigned char)src[i];
		if (c >= 0x20 && c != 0x7f && c != '\\' && c != '"') {
			dst[o++] = (char)c;	/* UTF-8 passes through */
			continue;
		}
		if (o + 4 >= dstlen)
			break;
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[c >> 4];
		dst[o++] = hex[c & 0xf];
	}
	dst[o] = '\0';
}

void
log_access(const char *client, const char *proto, const char *req,
    size_t reqlen, const char *status, uint64_t bytes, uint64_t usec)
{
	char		 esc[1100], ts[32], line[1400];
	struct tm	 tm;
	time_t		 now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	log_escape(esc, sizeof(esc), req, reqlen);
	snprintf(line, sizeof(line), "%s %s %s \"%s\" %s %llu %lluus", ts,
	    client, proto, esc, status, (unsigned long long)bytes,
	    (unsigned long long)usec);
	log_line(LOG_INFO, line);
}
