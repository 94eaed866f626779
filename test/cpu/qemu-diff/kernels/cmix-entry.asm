; cmix-entry — the common boot for the C kernel (cmix.c): own GDT, segments, stack, registers, then
; trace_start, an IDT where every vector means failure, and a call to cmain; exit status 0.

%include "common.inc"

extern cmain

section .text
BOOT
trace_start:
  mov ecx, 0
.idt:
  mov eax, unexpected
  mov word [idt + ecx * 8], ax
  mov word [idt + ecx * 8 + 2], KCODE
  mov word [idt + ecx * 8 + 4], 0x8e00
  shr eax, 16
  mov word [idt + ecx * 8 + 6], ax
  inc ecx
  cmp ecx, 256
  jne .idt
  lidt [idt_desc]
  call cmain
  mov [result], eax
  EXIT 0

unexpected:
  EXIT 0x3f

section .bss
alignb 4096
idt: resb 2048
result: resd 1
alignb 16
kstack: resb 16384
kstack_top:
