; realmode — the application-processor path in both directions: from 32-bit protected mode down through a
; 16-bit code segment to real mode (CR0.PE=0, far jump), real-mode work with 16-bit default operand and
; address size (segment:offset addressing incl. BP-relative SS accesses, 0x66/0x67 overrides, rep string
; ops on SI/DI/CX, near/far calls, the IVT with int n and #DE/#UD faults returning through iret), then back
; up with lgdt, CR0.PE=1 and a far jump, as a trampoline does. Repeated ROUNDS times.

%include "common.inc"

ROUNDS equ 46
TRAMP equ 0x8000                 ; where the 16-bit code runs (segment 0x0800)
TSEG equ TRAMP >> 4

global DFILTER_EXTRA_BASE, DFILTER_EXTRA_SIZE
DFILTER_EXTRA_BASE equ TRAMP     ; the harness traces this range too
DFILTER_EXTRA_SIZE equ 0x1000  ; the code page (data lives in the next one)

%define T(x) ((x) - tramp_start) ; offset of a trampoline label inside segment 0x0800
%define D(x) ((x) - tdata_start + 0x1000) ; its data, one page above the code (writes must not hit the code page)

section .text
BOOT
trace_start:
  ; the trampoline goes below 1 MiB
  cld
  mov esi, tramp_start
  mov edi, TRAMP
  mov ecx, tramp_end - tramp_start
  rep movsb
  mov esi, tdata_start
  mov edi, TRAMP + 0x1000
  mov ecx, tdata_end - tdata_start
  rep movsb
  ; real-mode vectors (IVT at 0): #DE, #UD and int 0x30 into the trampoline
  mov dword [0 * 4], (TSEG << 16) | T(rm_fault_de)
  mov dword [6 * 4], (TSEG << 16) | T(rm_fault_ud)
  mov dword [0x30 * 4], (TSEG << 16) | T(rm_int30)
  mov dword [rounds], ROUNDS

round:
  jmp 0x30:(TRAMP + T(pm16_entry))   ; into the 16-bit code segment
pm_back:                              ; arriving from real mode with CR0.PE=1, CS=0x08
  mov ax, KDATA
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
  mov ss, ax
  mov esp, kstack_top
  add ebx, eax
  dec dword [rounds]
  jnz round
  EXIT 0

section .data
align 16
tramp_start:
bits 16
pm16_entry:                           ; 16-bit protected mode: 64 KiB segments, then PE off
  mov ax, 0x38
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov eax, cr0
  and eax, ~1
  mov cr0, eax
  jmp TSEG:T(rm_entry)
rm_entry:                             ; real mode
  mov ax, cs
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7000
  lidt [D(rm_idt)]
  mov cx, 60
.work:
  push cx
  mov ax, [D(state)]
  mov bx, 0x3d
  mul bx
  add ax, 0x2f1b
  adc dx, 0
  mov [D(state)], ax
  xor ax, dx
  mov esi, D(buf)                     ; full 32 bits: the 0x67 access below must stay inside the 64 KiB limit
  mov edi, D(buf) + 32
  mov bp, sp
  mov [bp - 2], ax                    ; SS-relative through BP
  sub sp, 4
  mov bx, ax
  and bx, 15
  add [bx + si], al                   ; [bx+si] addressing
  rol word [bp + di - D(buf) - 32 - 4], 3
  mov ebx, eax                        ; 32-bit registers with the 0x66 prefix
  shl ebx, 7
  add ebx, [D(state32)]
  mov [D(state32)], ebx
  imul ebx, ebx, 0x45
  mov edx, [ds:esi]                   ; 0x67: 32-bit addressing in real mode
  add edx, ebx
  mov cx, 8
  rep movsw                           ; SI/DI/CX, DS -> ES
  std
  mov cx, 3
  rep stosb
  cld
  call near_func
  call TSEG:T(far_func)
  int 0x30
  xor cx, cx
  div cl                              ; #DE: the handler skips the div
  ud2                                 ; #UD: the handler skips it
  pushf
  pop ax
  xor ax, 0x0001
  push ax
  popf
  cmc
  mov ax, 0x0a00
  mov es, ax                          ; another segment base
  mov bx, ax
  mov al, [es:bx - 0x0a00 + 0x10]
  mov ax, cs
  mov es, ax
  mov cx, 3
.l:
  add word [D(ints)], cx
  loop .l
  add sp, 4
  pop cx
  dec cx
  jnz .work
  ; back up to protected mode, as an AP trampoline does
  o32 lgdt [D(tr_gdt_desc)]
  mov eax, cr0
  or al, 1
  mov cr0, eax
  jmp dword KCODE:pm_back

near_func:
  add word [D(state)], 7
  ret
far_func:
  push bp
  mov bp, sp
  mov ax, [bp + 4]                    ; the caller's CS
  pop bp
  retf

rm_int30:
  inc word [D(ints)]
  iret
rm_fault_de:                          ; fault: the pushed IP is the div's (2 bytes: f6 f1)
  push bp
  mov bp, sp
  add word [bp + 2], 2
  pop bp
  iret
rm_fault_ud:                          ; ud2 is 2 bytes
  push bp
  mov bp, sp
  add word [bp + 2], 2
  pop bp
  iret

bits 32
tramp_end:

align 4
tdata_start:
rm_idt:
  dw 0x3ff
  dd 0
tr_gdt_desc:
  dw gdt_end - gdt - 1
  dd gdt
state: dw 0x1234
state32: dd 0x89abcdef
ints: dw 0
buf: times 64 db 0x5a
tdata_end:

section .bss
rounds: resd 1
alignb 16
kstack: resb 8192
kstack_top:
alignb 8
idt: resb 8
