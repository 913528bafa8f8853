/*
 * Entry of every bare-metal test guest: an arm64 Image header, so that lvmm -k accepts the
 * file and loads it at RAM base + text_offset = 0x80000000 (guest.ld links it there), then
 * per-CPU stacks, BSS clearing and the exception vectors.
 * lvmm enters with the MMU off and DAIF masked; both stay that way (see guest.h).
 */
#include "limits.h"

	.section .text.head, "ax"
	.globl	_start
_start:
	b	boot_entry		/* code0: lvmm jumps to offset 0 */
#ifndef GUEST_FLAT
	/* GUEST_FLAT: a flat binary without the header (guest/flat/), as kvm-unit-tests' .flat
	 * tests are; lvmm -k loads it at RAM + 0x80000, as kvmtool does. */
	.long	0			/* code1 */
	.quad	0			/* text_offset: linked at the very start of RAM */
	.quad	__image_size		/* image_size: BSS and stacks included (guest.ld) */
	.quad	0x2			/* flags: little-endian, 4K pages, as close to RAM base as possible */
	.quad	0, 0, 0			/* res2..res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE/COFF header */
#endif

boot_entry:
	mov	x19, x0			/* the DTB address lvmm passes in x0 */
	mov	x20, #0			/* the boot CPU is CPU 0 */
	bl	setup_cpu
	/* Only the boot CPU clears BSS: secondaries are started later, from guest_main. */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, x19
	bl	guest_main
	bl	guest_done		/* returning from guest_main means the test passed */
	b	park

/*
 * PSCI CPU_ON entry: x0 = the context id = the CPU number lib/smp.c chose. A number with no
 * stack parks here, before touching memory, so probing for vCPUs beyond the last stack is safe.
 */
	.globl	secondary_entry
secondary_entry:
	cmp	x0, #GUEST_MAX_CPUS
	b.hs	park
	mov	x20, x0
	bl	setup_cpu
	mov	x0, x20
	bl	secondary_main
park:
	wfi
	b	park

/* x20 = CPU number. Sets sp, VBAR_EL1 and TPIDR_EL1 (read by this_cpu()); uses no stack. */
setup_cpu:
	adrp	x1, guest_stacks
	add	x1, x1, :lo12:guest_stacks
	mov	x2, #GUEST_STACK_SIZE
	add	x3, x20, #1		/* stacks grow down from the top of the CPU's slot */
	madd	x1, x3, x2, x1
	mov	sp, x1
	adrp	x1, exception_vectors
	add	x1, x1, :lo12:exception_vectors
	msr	vbar_el1, x1
	msr	tpidr_el1, x20
	isb
	ret

/* Every exception is unexpected: report which vector, ESR, ELR and FAR, never return. */
	.macro	vector index
	.balign	0x80
	mov	x0, #\index
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	bl	unexpected_exception
	b	.
	.endm

	.balign	0x800
exception_vectors:
	.irp	index, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vector	\index
	.endr

	.section .bss
	.balign	16
guest_stacks:
	.space	GUEST_STACK_SIZE * GUEST_MAX_CPUS
