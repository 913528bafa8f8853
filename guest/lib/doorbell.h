/*
 * The guest side of the lvmm doorbell (docs/doorbell.md), after the KVM selftests' ucall:
 * each call fills this CPU's struct doorbell_ucall in guest RAM and writes its address to
 * DOORBELL_REG_UCALL. lvmm handles the call before the vCPU runs on, so a call returns only
 * once lvmm has printed its line, and ASSERT and DONE never return.
 */
#ifndef GUEST_DOORBELL_H
#define GUEST_DOORBELL_H

#include <stddef.h>
#include <stdint.h>

#include "lvmm/arm_memory_map.h"
#include "lvmm/doorbell.h"

void guest_print(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* "guest: <text>" */
void guest_report(const char *name, uint64_t value);                            /* "report <name>=<value>" */
void guest_sync(uint64_t stage, uint64_t value);                                /* "sync <stage> <value>" */
void guest_assert_failed(const char *text, uint64_t a, uint64_t b) __attribute__((noreturn));
void guest_done(void) __attribute__((noreturn));                                /* lvmm exits 0 */

/* Raw register access, for tests of the doorbell itself. */
uint64_t doorbell_read(uint64_t offset);
void doorbell_write(uint64_t offset, uint64_t value);
/*
 * Makes size bytes at data, written by this guest, visible to lvmm before it rings. With the
 * MMU off the guest's stores bypass the caches while lvmm reads through a cacheable mapping;
 * on hosts without FEAT_S2FWB that mapping may hold stale lines, which this cleans and
 * invalidates to the point of coherency.
 */
void doorbell_publish(const volatile void *data, size_t size);

#define GUEST_STRINGIFY2(x) #x
#define GUEST_STRINGIFY(x) GUEST_STRINGIFY2(x)
#define GUEST_WHERE " at " __FILE__ ":" GUEST_STRINGIFY(__LINE__)

/* "guest assert failed: <cond> at <file>:<line> (0x0, 0x0)", lvmm exits 6. */
#define GUEST_ASSERT(cond)                                                      \
	do {                                                                     \
		if (!(cond))                                                     \
			guest_assert_failed(#cond GUEST_WHERE, 0, 0);            \
	} while (0)

/* "guest assert failed: <a> == <b> at <file>:<line> (0x<a>, 0x<b>)"; each evaluated once. */
#define GUEST_ASSERT_EQ(a, b)                                                   \
	do {                                                                     \
		uint64_t guest_a_ = (uint64_t)(a), guest_b_ = (uint64_t)(b);     \
		if (guest_a_ != guest_b_)                                        \
			guest_assert_failed(#a " == " #b GUEST_WHERE, guest_a_, guest_b_); \
	} while (0)

#endif
