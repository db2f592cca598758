// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Records of hot-added NICs: STATE_DIR/nic/LOGICAL, one "key=value" line each. A record is
 * written (fsync'd, renamed into place) before the first kernel change, so a crash in the
 * middle of `nic add` leaves something `nic del` can finish. Every file is opened relative
 * to the directory fd with O_NOFOLLOW; the directory's flock serialises add and del. The
 * directory goes when its last record does, so nothing is left once every NIC is deleted.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "core.h"
#include "nic-internal.h"

#define RECORD_MAX 8192

/* @fd is still the directory named "nic" in @bfd (the last `nic del` may have removed it). */
static bool still_linked(int bfd, int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && fstatat(bfd, "nic", &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int nsli_nic_state_open(struct nsl_ctx *ctx, bool create, bool excl, int *ret_dirfd,
		   struct nsl_err *err)
{
	const char *base = nsl_ctx_get_dir(ctx, NSL_DIR_STATE);
	_cleanup_close_ int bfd = -1, fd = -1;

	if (create && mkdir(base, 0755) < 0 && errno != EEXIST)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), base, "mkdir: %s", strerror(errno));
	bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return nsl_err_set(err, errno == ENOENT ? NSL_E_USAGE : NSL_E_SYSTEM, negerrno(), base,
				   "%s", strerror(errno));
	/* The directory is the lock, and a del that held it may have removed it while we waited
	 * for it: take the lock again on the one that is there now. Each round means another
	 * process removed it, so a bound only guards against a bug. */
	for (int tries = 0; tries < 100; tries++) {
		closep(&fd);
		fd = -1;
		if (create && mkdirat(bfd, "nic", 0700) < 0 && errno != EEXIST)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), base, "mkdir nic: %s",
					   strerror(errno));
		fd = openat(bfd, "nic", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return nsl_err_set(err, errno == ENOENT ? NSL_E_USAGE : NSL_E_SYSTEM, negerrno(),
					   base, "%s/nic: %s", base, strerror(errno));
		if (flock(fd, excl ? LOCK_EX : LOCK_SH) < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), base, "flock: %s",
					   strerror(errno));
		if (still_linked(bfd, fd)) {
			*ret_dirfd = TAKE_FD(fd);
			return 0;
		}
		if (!create)
			return nsl_err_set(err, NSL_E_USAGE, -ENOENT, base, "%s/nic: %s", base,
					   strerror(ENOENT));
	}
	return nsl_err_set(err, NSL_E_SYSTEM, -EAGAIN, base, "%s/nic keeps being removed", base);
}

static int put(char *buf, size_t size, size_t *used, const char *key, const char *val)
{
	int n;

	if (!val || !*val)
		return 0;
	n = snprintf(buf + *used, size - *used, "%s=%s\n", key, val);
	if (n < 0 || (size_t)n >= size - *used)
		return -ENOSPC;
	*used += (size_t)n;
	return 0;
}

int nsli_nic_record_format(const struct nsl_nic_info *i, dev_t dev, ino_t ino, char *buf, size_t size)
{
	char tmp[64];
	size_t used = 0;
	int r = 0;

	r |= put(buf, size, &used, "version", "1");
	r |= put(buf, size, &used, "logical", i->logical);
	r |= put(buf, size, &used, "target", i->target);
	r |= put(buf, size, &used, "ifname", i->ifname);
	r |= put(buf, size, &used, "kind", i->kind);
	r |= put(buf, size, &used, "host", i->host_ifname);
	r |= put(buf, size, &used, "host_netns", i->host_netns);
	r |= put(buf, size, &used, "bridge", i->bridge);
	r |= put(buf, size, &used, "parent", i->parent);
	r |= put(buf, size, &used, "mode", i->mode);
	r |= put(buf, size, &used, "bridge_created", i->bridge_created ? "1" : "0");
	if (i->has_mac) {
		snprintf(tmp, sizeof(tmp), "%02x:%02x:%02x:%02x:%02x:%02x", i->mac[0], i->mac[1],
			 i->mac[2], i->mac[3], i->mac[4], i->mac[5]);
		r |= put(buf, size, &used, "mac", tmp);
	}
	snprintf(tmp, sizeof(tmp), "%" PRIu32, i->mtu);
	r |= put(buf, size, &used, "mtu", i->mtu ? tmp : NULL);
	for (size_t k = 0; k < i->n_addrs; k++)
		r |= put(buf, size, &used, "addr", nsl_prefix_str(&i->addrs[k], true, tmp, sizeof(tmp)));
	for (size_t k = 0; k < i->n_gws; k++)
		r |= put(buf, size, &used, "gw", nsl_prefix_str(&i->gws[k], false, tmp, sizeof(tmp)));
	snprintf(tmp, sizeof(tmp), "%" PRIu64 ":%" PRIu64, (uint64_t)dev, (uint64_t)ino);
	r |= put(buf, size, &used, "netns", tmp);
	return r ? -ENOSPC : (int)used;
}

static int copy_field(char *dst, size_t size, const char *v)
{
	if (strlen(v) >= size)
		return -EINVAL;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int parse_list(struct nsl_prefix *arr, size_t *n, size_t max, const char *v, bool cidr)
{
	if (*n >= max)
		return -EINVAL;
	if ((cidr ? nsl_parse_cidr(v, &arr[*n], NULL) : nsl_parse_addr(v, &arr[*n], NULL)) < 0)
		return -EINVAL;
	(*n)++;
	return 0;
}

static int parse_netns(const char *v, dev_t *dev, ino_t *ino)
{
	uint64_t d, i;
	int used = 0;

	if (sscanf(v, "%" SCNu64 ":%" SCNu64 "%n", &d, &i, &used) != 2 || v[used])
		return -EINVAL;
	*dev = (dev_t)d;
	*ino = (ino_t)i;
	return 0;
}

/* The plain string keys of a record, and where each one goes. */
static const struct {
	const char *key;
	size_t off, size;
} str_keys[] = {
#define STR_KEY(k, field) { k, offsetof(struct nsl_nic_info, field), sizeof(((struct nsl_nic_info *)0)->field) }
	STR_KEY("logical", logical), STR_KEY("target", target),	 STR_KEY("ifname", ifname),
	STR_KEY("kind", kind),	     STR_KEY("host", host_ifname), STR_KEY("bridge", bridge),
	STR_KEY("host_netns", host_netns),
	STR_KEY("parent", parent),   STR_KEY("mode", mode),
#undef STR_KEY
};

static int parse_line(const char *k, const char *v, struct nsl_nic_info *i, dev_t *dev, ino_t *ino)
{
	uint32_t u;

	for (size_t n = 0; n < ELEMENTSOF(str_keys); n++)
		if (STREQ(k, str_keys[n].key))
			return copy_field((char *)i + str_keys[n].off, str_keys[n].size, v);
	if (STREQ(k, "version"))
		return STREQ(v, "1") ? 0 : -EINVAL;
	if (STREQ(k, "bridge_created"))
		return (i->bridge_created = STREQ(v, "1")) || STREQ(v, "0") ? 0 : -EINVAL;
	if (STREQ(k, "mac"))
		return (i->has_mac = nsl_parse_mac(v, i->mac, NULL) == 0) ? 0 : -EINVAL;
	if (STREQ(k, "mtu"))
		return nsl_parse_u32(v, 1, 65535, "mtu", &u, NULL) < 0 ? -EINVAL : (i->mtu = u, 0);
	if (STREQ(k, "addr"))
		return parse_list(i->addrs, &i->n_addrs, NSL_NIC_MAX_ADDRS, v, true);
	if (STREQ(k, "gw"))
		return parse_list(i->gws, &i->n_gws, ELEMENTSOF(i->gws), v, false);
	if (STREQ(k, "netns"))
		return parse_netns(v, dev, ino);
	return 0; /* a newer writer's key: keep going */
}

int nsli_nic_record_parse(const char *text, struct nsl_nic_info *ret, dev_t *ret_dev, ino_t *ret_ino)
{
	struct nsl_nic_info i = { 0 };
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL, *line;
	dev_t dev = 0;
	ino_t ino = 0;

	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			return -EINVAL;
		*eq = '\0';
		if (parse_line(line, eq + 1, &i, &dev, &ino) < 0)
			return -EINVAL;
	}
	if (!i.logical[0] || !i.target[0] || !i.ifname[0] || !i.kind[0])
		return -EINVAL;
	*ret = i;
	if (ret_dev)
		*ret_dev = dev;
	if (ret_ino)
		*ret_ino = ino;
	return 0;
}

int nsli_nic_state_write(int dirfd, const struct nsl_nic_info *info, dev_t dev, ino_t ino,
		    struct nsl_err *err)
{
	char buf[RECORD_MAX];
	int n, r;

	n = nsli_nic_record_format(info, dev, ino, buf, sizeof(buf));
	if (n < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, n, info->logical, "record too large");
	/* The directory's flock serialises the writers: a fixed temporary name is safe, and
	 * a crash leaves only ".LOGICAL.tmp", which the next write replaces. */
	r = nsli_write_atomic(dirfd, info->logical, &(struct iovec){ buf, (size_t)n }, 1, 0600,
			     NSL_WRITE_SYNC | NSL_WRITE_FIXED_TMP);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, info->logical, "state: %s", strerror(-r));
	return 0;
}

int nsli_nic_state_read(int dirfd, const char *logical, struct nsl_nic_info *ret, dev_t *ret_dev,
		   ino_t *ret_ino, struct nsl_err *err)
{
	_cleanup_close_ int fd = -1;
	char buf[RECORD_MAX];
	ssize_t n;

	fd = openat(dirfd, logical, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return -ENOENT;
	if (fd < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), logical, "state: %s", strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), logical, "state: %s", strerror(errno));
	buf[n] = '\0';
	if (nsli_nic_record_parse(buf, ret, ret_dev, ret_ino) < 0 || !STREQ(ret->logical, logical))
		return nsl_err_set(err, NSL_E_SYSTEM, -EBADMSG, logical, "corrupt state record");
	return 0;
}

/*
 * Remove STATE_DIR/nic when no record is left in it. The caller holds the lock on it, and
 * whoever waited for that lock sees the directory is gone (still_linked) and makes a new
 * one. Best effort: a directory left behind is only untidy.
 */
static bool remove_dir_if_empty(int dirfd)
{
	_cleanup_close_ int bfd = openat(dirfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (bfd < 0 || !still_linked(bfd, dirfd) || unlinkat(bfd, "nic", AT_REMOVEDIR) < 0)
		return false;
	fsync(bfd);
	return true;
}

/* Remove the record of @logical, and the directory with the last one. @logical NULL: only
 * the directory, when it is empty (an add that failed before writing a record). */
int nsli_nic_state_remove(int dirfd, const char *logical, struct nsl_err *err)
{
	if (logical && unlinkat(dirfd, logical, 0) < 0 && errno != ENOENT)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), logical, "state: %s", strerror(errno));
	if (!remove_dir_if_empty(dirfd) && logical)
		fsync(dirfd);
	return 0;
}

void nsli_nic_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool name_matches(const char *name, const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (name[0] == '.' || !strchr(name, ':'))
		return false;
	return !id || (strncmp(name, id, n) == 0 && name[n] == ':');
}

int nsli_nic_state_names(int dirfd, const char *id, char ***ret, size_t *ret_n, struct nsl_err *err)
{
	_cleanup_(closedirp) DIR *d = NULL;
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);

	if (fd < 0 || !(d = fdopendir(fd))) {
		closep(&fd);
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "state: %s", strerror(errno));
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if ((de->d_type != DT_REG && de->d_type != DT_UNKNOWN) || !name_matches(de->d_name, id))
			continue;
		if (!GREEDY_REALLOC(v, cap, n + 1) || !(v[n] = strdup(de->d_name))) {
			nsli_nic_strv_free(v, n);
			return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
		}
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*ret = v;
	*ret_n = n;
	return 0;
}
