/*
 * The sandbox's init program (vmm/sandbox_init_program.c, built by the Makefile with musl) as
 * bytes inside lvmm, which writes them into each sandbox's initrd as /init
 * (vmm/sandbox_init_image.h): lvmm stays one file.
 */
	.section .rodata.sandbox_init_image, "a"
	.balign 16
	.global sandbox_init_image
sandbox_init_image:
	.incbin SANDBOX_INIT_PROGRAM
	.global sandbox_init_image_end
sandbox_init_image_end:
	.section .note.GNU-stack, "", %progbits
