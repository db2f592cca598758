/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Entering a node's or a command's root directory: libc only, shared by the launcher's
 * command process (child.c) and nslab-supervise, which links this object alone.
 * Internal: not part of the public API.
 */
#ifndef NSL_LAUNCH_ROOTFS_H
#define NSL_LAUNCH_ROOTFS_H

#include <stdbool.h>

/**
 * nsli_rootfs_enter - make @dir the root of the calling process's mount namespace: bind it
 * on itself (recursively, so mounts already made inside it come along), mount /proc, /sys,
 * a minimal /dev (a tmpfs with null, zero, full, random, urandom and tty bound from the
 * current /dev, the fd/stdin/stdout/stderr/ptmx links, a private devpts and /dev/shm) and
 * a /tmp tmpfs in it, missing mount points created, then pivot_root into it and detach the
 * old root; the working directory is the new "/".
 * @dir: an absolute directory.
 * @mount_proc: true: a fresh procfs (for a new PID namespace), falling back to a recursive
 *	bind of the current /proc where that is refused (a user namespace without its own PID
 *	namespace); false: the recursive bind of the current /proc only.
 * @ret_what: on failure, set to a static text naming the failed step ("mount of /sys").
 * Needs: its own mount namespace (the mounts are not undone on failure) and CAP_SYS_ADMIN
 * in the user namespace owning it; allocates nothing (safe after fork of a threaded caller).
 * Return: 0, or the negative errno of the failed step (also left in errno).
 */
int nsli_rootfs_enter(const char *dir, bool mount_proc, const char **ret_what);

#endif
