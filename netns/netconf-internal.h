/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to netns/etc.c and netns/sysctl.c: validation and rendering kept apart from the
 * file system, so tests/unit/test-netconf.c checks them without root.
 */
#ifndef NSL_NETCONF_INTERNAL_H
#define NSL_NETCONF_INTERNAL_H

#include <stddef.h>

#include "nslab/netconf.h"

/**
 * nsl_dns_render - validate @dns and render the resolv.conf text for @netns into a malloc'd
 * *@ret of *@ret_len bytes. Errors: -EINVAL (NSL_E_USAGE, @err says which value), -ENOMEM.
 */
int nsl_dns_render(const char *netns, const struct nsl_dns *dns, char **ret, size_t *ret_len,
		   struct nsl_err *err);
/** nsl_hosts_render - likewise for a hosts file: localhost lines, then @entries. */
int nsl_hosts_render(const char *netns, const struct nsl_host_entry *entries, size_t n, char **ret,
		     size_t *ret_len, struct nsl_err *err);
/** nsl_sysctl_path - "net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward"; -EINVAL if not a net.* key. */
int nsl_sysctl_path(const char *key, char *buf, size_t size, struct nsl_err *err);
/** nsl_sysctl_check_value - 1..255 printable bytes (tabs allowed). */
int nsl_sysctl_check_value(const char *key, const char *value, struct nsl_err *err);

#endif
