/*
 * Entry of every bare-metal test guest: an arm64 Image header (so lvmm -k accepts it and loads
 * it at RAM + text_offset = 0x80000000), per-CPU stacks, the exception vectors, BSS clearing.
 * The MMU stays off, so all memory is Device-nGnRnE: the C code is built with -mstrict-align.
 */
#define STACK_SIZE 16384

	.section .text.head, "ax"
	.globl _start
_start:
	b	boot_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	__image_size		/* image_size, BSS and stacks included */
	.quad	0xa			/* flags: little-endian, 4K pages, anywhere in RAM */
	.quad	0, 0, 0
	.ascii	"ARM\x64"		/* magic */
	.long	0

boot_entry:
	mov	x19, x0			/* the DTB address lvmm passes in x0 */
	mov	x20, #0			/* CPU number 0 */
	bl	setup_cpu
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
	bl	guest_done
	b	.

/* PSCI CPU_ON entry: x0 = context id = the CPU number lib/smp.c assigned. */
	.globl secondary_entry
secondary_entry:
	mov	x20, x0
	bl	setup_cpu
	mov	x0, x20
	bl	secondary_main
	b	.

/* Stack for CPU x20 and the vector base; no stack use before sp is set. */
setup_cpu:
	adrp	x1, guest_stacks
	add	x1, x1, :lo12:guest_stacks
	mov	x2, #STACK_SIZE
	add	x3, x20, #1
	madd	x1, x3, x2, x1
	mov	sp, x1
	adrp	x1, exception_vectors
	add	x1, x1, :lo12:exception_vectors
	msr	vbar_el1, x1
	msr	tpidr_el1, x20
	isb
	ret

	.macro vector kind
	.balign 0x80
	mov	x0, #\kind
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	bl	unexpected_exception
	b	.
	.endm

	.balign 0x800
exception_vectors:
	vector 0
	vector 1
	vector 2
	vector 3
	vector 4
	vector 5
	vector 6
	vector 7
	vector 8
	vector 9
	vector 10
	vector 11
	vector 12
	vector 13
	vector 14
	vector 15

	.section .bss
	.balign 16
	.globl guest_stacks
guest_stacks:
	.space STACK_SIZE * 8
