// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names for hot-added NICs: TARGET words to a target, the target's id in logical names,
 * the host-side interface name, and MACs derived from a seed. Pure functions, no kernel.
 */
#include <inttypes.h>

#include "core.h"
#include "macro.h"
#include "nic-internal.h"

/* Linux's PID_MAX_LIMIT on 64-bit. */
#define NIC_PID_MAX 4194304

_public_ int nsl_nic_target_parse(char *const *words, int n, struct nsl_nic_target *ret,
				  int *ret_used, struct nsl_err *err)
{
	struct nsl_nic_target t = { 0 };
	uint32_t pid;
	int r, used = 1;

	if (n < 1 || !words[0][0])
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "no TARGET given");
	if (STREQ(words[0], "netns")) {
		if (n < 2)
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "'netns' needs a NAME");
		r = nsl_parse_nsname(words[1], err);
		if (r < 0)
			return r;
		t.kind = NSL_NIC_TARGET_NETNS;
		t.name = words[1];
		used = 2;
	} else if (strspn(words[0], "0123456789") == strlen(words[0])) {
		r = nsl_parse_u32(words[0], 1, NIC_PID_MAX, "PID", &pid, err);
		if (r < 0)
			return r;
		t.kind = NSL_NIC_TARGET_PID;
		t.pid = (pid_t)pid;
	} else {
		r = nsli_nic_container_name_check(words[0], err);
		if (r < 0)
			return r;
		t.kind = NSL_NIC_TARGET_CONTAINER;
		t.name = words[0];
	}
	*ret = t;
	*ret_used = used;
	return 0;
}

static const char *container_bare(const char *name)
{
	const char *colon = strchr(name, ':');

	return colon ? colon + 1 : name;
}

_public_ int nsl_nic_target_id(const struct nsl_nic_target *t, char *buf, size_t size,
			       struct nsl_err *err)
{
	int n, r;

	switch (t->kind) {
	case NSL_NIC_TARGET_PID:
		if (t->pid <= 0 || t->pid > NIC_PID_MAX)
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "invalid PID %d", (int)t->pid);
		n = snprintf(buf, size, "pid%d", (int)t->pid);
		break;
	case NSL_NIC_TARGET_NETNS:
		r = nsl_parse_nsname(t->name ? t->name : "", err);
		if (r < 0)
			return r;
		n = snprintf(buf, size, "ns-%s", t->name);
		break;
	case NSL_NIC_TARGET_CONTAINER:
		r = nsli_nic_container_name_check(t->name ? t->name : "", err);
		if (r < 0)
			return r;
		n = snprintf(buf, size, "ctr-%s", container_bare(t->name));
		break;
	default:
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "invalid target kind");
	}
	if (n < 0 || (size_t)n >= size)
		return nsl_err_set(err, NSL_E_USAGE, -ENAMETOOLONG, NULL, "target name too long");
	return 0;
}

_public_ void nsl_nic_mac_from_seed(const char *seed, uint8_t ret[6])
{
	uint64_t h = nsli_hash64("nslab-mac\n", seed, 0);

	for (int i = 0; i < 6; i++)
		ret[i] = (uint8_t)(h >> (8 * (5 - i)));
	/* Locally administered (bit 1), unicast (bit 0 clear). */
	ret[0] = (uint8_t)((ret[0] & 0xfc) | 0x02);
}

_public_ void nsl_nic_host_name(const char *logical, unsigned salt, char *ret)
{
	uint64_t h = nsli_hash64("nslab-nic\n", logical, salt);

	/* "nsl" + 12 hex digits = 15 bytes, IFNAMSIZ - 1. */
	snprintf(ret, NSL_IFNAMSIZ, "nsl%012" PRIx64, (uint64_t)(h & 0xffffffffffffULL));
}
