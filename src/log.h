/*
 * log: the error log and the access log.  Error messages go to stderr
 * (later a file or syslog); client-supplied bytes are escaped before they
 * are written so a request cannot forge log lines.
 */
#ifndef CAPSULED_LOG_H
#define CAPSULED_LOG_H

#include <stddef.h>
#include <stdint.h>

extern int log_verbose;

/* Where lines go: stderr (the default), a file (appended; reopened by
 * log_reopen, for rotation) or syslog (facility daemon).  0 or -1. */
int	log_open_stderr(void);
int	log_open_file(const char *path);
int	log_open_syslog(void);
int	log_reopen(void);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* Copy at most dstlen-1 bytes of untrusted src, escaping controls and
 * non-printable bytes as \xNN. */
void	log_escape(char *dst, size_t dstlen, const char *src, size_t srclen);

/* One access-log line: time, client, protocol, request, status, bytes,
 * duration in microseconds. */
void	log_access(const char *client, const char *proto, const char *req,
	    size_t reqlen, const char *status, uint64_t bytes, uint64_t usec);

#endif
