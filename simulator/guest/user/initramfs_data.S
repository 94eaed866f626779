/*
 * The initramfs-like archive: every user program's ELF image, linked into the kernel's read-only data,
 * with a table the kernel's execve searches by name (fs/exec.c: find_initramfs_program).
 *
 * Linux 2.6 links a cpio archive the same way (usr/initramfs_data.S: .incbin into .init.ramfs) and
 * unpacks it into a RAM file system at boot; we skip the file system and execute the images in place.
 *
 * Table entry (struct initramfs_entry): { const char *name; const unsigned char *data; unsigned long size; },
 * terminated by an entry whose name is NULL.
 */

	.macro PROGRAM name
	.section .rodata.initramfs.names, "a"
.Lname_\name:
	.asciz "\name"
	.section .rodata.initramfs.images, "a"
	.balign 16
.Limage_\name:
	.incbin "\name"
.Limage_end_\name:
	.section .rodata.initramfs.table, "a"
	.long .Lname_\name, .Limage_\name, .Limage_end_\name - .Limage_\name
	.endm

	.section .rodata.initramfs.table, "a"
	.balign 4
	.globl initramfs_table
	.type initramfs_table, @object
initramfs_table:
	PROGRAM clone_flags
	PROGRAM cow_demo
	PROGRAM cpu_hog
	PROGRAM forker
	PROGRAM fpu_user
	PROGRAM init
	PROGRAM pipeline
	PROGRAM rt_demo
	PROGRAM segv
	PROGRAM shell
	PROGRAM sigdemo
	PROGRAM sleeper
	PROGRAM threads
	PROGRAM vforker
	.section .rodata.initramfs.table, "a"
	.long 0, 0, 0
	.size initramfs_table, . - initramfs_table
	.section .note.GNU-stack,"",@progbits
