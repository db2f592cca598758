// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * net.* sysctls of a network namespace. /proc/sys/net resolves to the netns of the task
 * that opens it (net_ctl_header_lookup() looks at current->nsproxy), and an open file stays
 * bound to that netns: so the core opens the file inside the netns, and the read or write
 * happens here, back home, with no further setns.
 */
#include <ctype.h>
#include <fcntl.h>

#include "core.h"
#include "netconf-internal.h"

#define SYSCTL_KEY_MAX 200
#define SYSCTL_VALUE_MAX 255

/* "net." then dot-separated components of [A-Za-z0-9_-]: no "..", no '/', nothing empty. */
int nsli_sysctl_path(const char *key, char *buf, size_t size, struct nsl_err *err)
{
	size_t len = key ? strlen(key) : 0;
	char *p;

	if (key && strchr(key, '/'))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, key,
				   "give the key in dotted form (net.ipv4.ip_forward), not as a path");
	if (!key || strncmp(key, "net.", 4) != 0 || len <= 4)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, key, "only net.* keys can be set per netns");
	if (len > SYSCTL_KEY_MAX)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, key, "key longer than %d bytes",
				   SYSCTL_KEY_MAX);
	for (const char *s = key; *s; s++) {
		bool ok = isascii((unsigned char)*s) &&
			  (isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '.');

		if (!ok || (*s == '.' && (s[1] == '.' || s[1] == '\0')))
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, key, "invalid sysctl key");
	}
	if ((size_t)snprintf(buf, size, "/proc/sys/%s", key) >= size)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, key, "key too long");
	for (p = buf + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

int nsli_sysctl_check_value(const char *key, const char *value, struct nsl_err *err)
{
	size_t len = value ? strlen(value) : 0;

	if (len == 0 || len > SYSCTL_VALUE_MAX)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, key, "value must be 1 to %d bytes",
				   SYSCTL_VALUE_MAX);
	for (const char *s = value; *s; s++)
		if (!isprint((unsigned char)*s) && *s != '\t')
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, key, "value has control characters");
	return 0;
}

static int open_key(struct nsl_ctx *ctx, const char *netns, const char *key, int flags, int *ret_fd,
		    struct nsl_err *err)
{
	char path[256];
	int r;

	r = nsli_sysctl_path(key, path, sizeof(path), err);
	if (r < 0)
		return r;
	r = nsli_ns_open_file(ctx, netns, path, flags, ret_fd, err);
	if (r == -ENOENT)
		return nsl_err_set(err, NSL_E_USAGE, r, key, "no such sysctl key");
	if (r == -EISDIR)
		return nsl_err_set(err, NSL_E_USAGE, r, key, "a group of keys, not a key");
	if (r < 0 && err && err->object[0] && STREQ(err->object, path))
		return nsl_err_set(err, err->kind, r, key, "cannot open %s: %s", path, strerror(-r));
	return r;
}

_public_ int nsl_sysctl_set(struct nsl_ctx *ctx, const char *netns, const char *key,
			    const char *value, struct nsl_err *err)
{
	_cleanup_close_ int fd = -1;
	size_t len;
	ssize_t n;
	int r;

	r = nsli_sysctl_path(key, (char[256]){ 0 }, 256, err);
	if (r < 0)
		return r;
	r = nsli_sysctl_check_value(key, value, err);
	if (r < 0)
		return r;
	len = strlen(value);
	r = open_key(ctx, netns, key, O_WRONLY, &fd, err);
	if (r < 0)
		return r;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return nsl_err_set(err, errno == EINVAL ? NSL_E_USAGE : NSL_E_SYSTEM, negerrno(), key,
				   "cannot set to '%s': %s", value, strerror(errno));
	if ((size_t)n != len)
		return nsl_err_set(err, NSL_E_SYSTEM, -EIO, key, "short write");
	return 0;
}

_public_ int nsl_sysctl_get(struct nsl_ctx *ctx, const char *netns, const char *key, char *buf,
			    size_t size, struct nsl_err *err)
{
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int r;

	if (!buf || size < 2)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, key, "buffer too small");
	r = open_key(ctx, netns, key, O_RDONLY, &fd, err);
	if (r < 0)
		return r;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EISDIR)
		return nsl_err_set(err, NSL_E_USAGE, -EISDIR, key, "a group of keys, not a key");
	if (n < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), key, "cannot read: %s", strerror(errno));
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}
