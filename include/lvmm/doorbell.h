/*
 * The lvmm doorbell (compatible "lvmm,doorbell-v1"): how bare-metal test guests report to the
 * host, in the style of the KVM selftests' ucall. Guest-visible; specified in docs/doorbell.md.
 * Shared by lvmm (hw/doorbell.c) and the guests in guest/.
 */
#ifndef LVMM_DOORBELL_H
#define LVMM_DOORBELL_H

#include <stdint.h>

/* Register offsets from LVMM_DOORBELL_BASE. All accesses are 64-bit unless noted. */
#define DOORBELL_REG_UCALL      0x00 /* write: IPA of a struct doorbell_ucall in guest RAM */
#define DOORBELL_REG_MARKER     0x08 /* write (any width): timestamp a boot marker (value = id) */
#define DOORBELL_REG_VERSION    0x10 /* read: DOORBELL_VERSION */
#define DOORBELL_REG_HOST_NS    0x18 /* read: host CLOCK_MONOTONIC in ns */

#define DOORBELL_VERSION        1

enum doorbell_command {
	UCALL_PRINT  = 1, /* print text: "guest: <text>" on lvmm's stdout */
	UCALL_REPORT = 2, /* print "report <text>=<args[0]>" (numbers a test or benchmark measured) */
	UCALL_SYNC   = 3, /* print "sync <args[0]> <args[1]>" (a stage reached) */
	UCALL_ASSERT = 4, /* print "guest assert failed: <text> (args[0], args[1])"; exit status 6 */
	UCALL_DONE   = 5, /* the guest's test passed: lvmm exits with status 0 */
};

#define DOORBELL_TEXT_MAX 192

struct doorbell_ucall {
	uint64_t command;              /* enum doorbell_command */
	uint64_t args[4];
	char text[DOORBELL_TEXT_MAX];  /* NUL-terminated; lvmm never reads past the end */
};

#endif
