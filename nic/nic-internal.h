/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal pieces of the hot-add module: targets, records, link kinds. */
#ifndef NSL_NIC_INTERNAL_H
#define NSL_NIC_INTERNAL_H

#include <netlink/msg.h>
#include <sys/types.h>

#include "nslab/nic.h"

/* ---- targets (nic/target.c) ---- */

/**
 * struct nic_target - an opened TARGET.
 * @pid:   the process (PID and container targets), 0 for a named netns
 * @pidfd: a pidfd pinning it; -1 for a named netns, or where pidfd_open is missing
 * @nsfd:  its network namespace, held open for the whole operation
 * @spec:  "/proc/self/fd/N" naming @nsfd, for every nsl_* call that takes a netns
 * @path:  RUN_DIR/NAME of a named netns ("" otherwise)
 * @dev, @ino: the identity of the netns
 */
struct nic_target {
	struct nsl_ctx *ctx;
	struct nsl_nic_target t;
	pid_t pid;
	int pidfd;
	unsigned long long starttime; /* without pidfd_open: the stand-in pin */
	int nsfd;
	char spec[32];
	char path[4096]; /* RUN_DIR/NAME of a named netns */
	dev_t dev;
	ino_t ino;
};

#define NIC_TARGET_NULL { .pidfd = -1, .nsfd = -1 }

int nsli_nic_target_open(struct nsl_ctx *ctx, const struct nsl_nic_target *t, struct nic_target *ret,
		    struct nsl_err *err);
/* 0 while the target is still the one we opened; -ESRCH once it exited or was renamed away. */
int nsli_nic_target_alive(struct nsl_ctx *ctx, const struct nic_target *nt, struct nsl_err *err);
/* Close the fds and drop the netlink session opened for "/proc/self/fd/N". */
void nsli_nic_target_close(struct nic_target *nt);
static inline void nic_target_closep(struct nic_target *nt)
{
	nsli_nic_target_close(nt);
}

/* PID of container @name through `docker|podman inspect` (nic/container.c). */
int nsli_nic_container_pid(const char *name, pid_t *ret, struct nsl_err *err);
/* Validate a container name (docker's rule [A-Za-z0-9][A-Za-z0-9_.-]*, optional CLI prefix). */
int nsli_nic_container_name_check(const char *name, struct nsl_err *err);

/* ---- records under STATE_DIR/nic (nic/state.c) ---- */

/* Open (and with @create, make) STATE_DIR/nic, flock'd exclusively when @excl, else shared.
 * -ENOENT when it is absent and not to be created. */
int nsli_nic_state_open(struct nsl_ctx *ctx, bool create, bool excl, int *ret_dirfd,
		   struct nsl_err *err);
int nsli_nic_state_write(int dirfd, const struct nsl_nic_info *info, dev_t dev, ino_t ino,
		    struct nsl_err *err);
/* -ENOENT when there is no record for @logical. */
int nsli_nic_state_read(int dirfd, const char *logical, struct nsl_nic_info *ret, dev_t *ret_dev,
		   ino_t *ret_ino, struct nsl_err *err);
int nsli_nic_state_remove(int dirfd, const char *logical, struct nsl_err *err);
/* Logical names recorded, sorted; those of target @id only when @id is not NULL. */
int nsli_nic_state_names(int dirfd, const char *id, char ***ret, size_t *ret_n, struct nsl_err *err);
void nsli_nic_strv_free(char **v, size_t n);

/* Serialisation, apart from the files so that unit tests can drive it. */
int nsli_nic_record_format(const struct nsl_nic_info *info, dev_t dev, ino_t ino, char *buf,
		      size_t size);
int nsli_nic_record_parse(const char *text, struct nsl_nic_info *ret, dev_t *ret_dev, ino_t *ret_ino);

/* ---- link kinds (nic/kind.c) ---- */

/**
 * struct nic_plan - everything decided before the first kernel change.
 * @info:  the record (names, bridge, addresses, MAC, MTU)
 * @host:  netns of the host side: NULL (the context's) while adding; the recorded one
 *         when removing or listing
 * @alias: the ownership marker "nslab:nic:LOGICAL"
 * @parent_ifindex: macvlan parent in the host netns
 */
struct nic_plan {
	struct nsl_nic_info info;
	const char *host;
	const struct nic_target *tgt;
	char alias[NSL_ALTNAME_MAX + 16];
	int parent_ifindex;
	uint32_t macvlan_mode;
};

/**
 * struct nic_kind - one link kind hot-add can make.
 * @prepare: fill in what the kind decides before any change (host name, bridge, parent);
 *           reads the kernel, changes nothing
 * @create: make the link; on failure leave nothing behind
 * @remove: remove it again when it is there and carries our marker (0 when already gone)
 * @present: 1 when it exists and is ours, 0 when not
 * @needs_target: @remove and @present look inside the target (else the host is enough)
 */
struct nic_kind {
	const char *name;
	bool needs_target;
	int (*prepare)(struct nsl_ctx *ctx, const struct nsl_nic *nic, struct nic_plan *p,
		       struct nsl_err *err);
	int (*create)(struct nsl_ctx *ctx, const struct nic_plan *p, struct nsl_err *err);
	int (*remove)(struct nsl_ctx *ctx, const struct nic_plan *p, struct nsl_err *err);
	int (*present)(struct nsl_ctx *ctx, const struct nic_plan *p, struct nsl_err *err);
};

const struct nic_kind *nsli_nic_kind_find(const char *name);

/* The macvlan RTM_NEWLINK, built apart from sending (unit-tested). Caller frees *@ret. */
int nsli_nic_macvlan_build(const char *ifname, int parent_ifindex, uint32_t mode, int nsfd,
		      const uint8_t *mac, uint32_t mtu, struct nl_msg **ret);
/* MACVLAN_MODE_* for a mode name; -EINVAL when unknown. */
int nsli_nic_macvlan_mode(const char *name, uint32_t *ret);

/* Link @ifname in @netns exists and its alias is @alias: 1; absent: 0; foreign: -EEXIST. */
int nsli_nic_link_owned(struct nsl_ctx *ctx, const char *netns, const char *ifname, const char *alias,
		   struct nsl_err *err);

#endif
