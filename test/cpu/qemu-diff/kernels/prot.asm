; prot — descriptor-driven control transfers and the rarer exceptions: far call/jmp/ret through code
; descriptors, a call gate from ring 3 into ring 0 (parameter copy, stack switch from the TSS, retf back
; to the outer ring), entering ring 3 by retf and by iret with IOPL 3, #NP and #SS from segment loads,
; and the double fault: a #GP whose IDT gate is not present raises #NP during delivery, the contributory
; pair becomes #DF, and #DF goes through a task gate into its own TSS; the handler task repairs the gate,
; moves the interrupted task past its faulting instruction and returns with iret (NT=1: back-link task
; switch). Also the lazy-FPU pattern: CR0.TS set, the first x87 instruction raises #NM, the handler does
; clts and the instruction is retried (then fld/fadd/fmul/fstp on doubles, fild/fistp, fnstsw/fnstcw).
; Repeated ROUNDS times.

%include "common.inc"

ROUNDS equ 950

P_KCODE equ 0x08
P_KDATA equ 0x10
P_UCODE equ 0x1b
P_UDATA equ 0x23
P_TSS1 equ 0x28
P_TSS2 equ 0x30
P_NPSEG equ 0x38                 ; data segment with P=0
P_CGATE equ 0x43                 ; call gate (DPL 3), used with RPL 3
P_BEYOND equ 0x58                ; beyond the GDT limit

extern fixups, fixups_end

%macro FIX 1+
%%s: %1
%%e:
[section .fixup]
  dd %%s, %%e
__SECT__
%endmacro

; GATE_AT addr, selector(base of table already added), handler, type
%macro IDT_GATE 3
  mov eax, %2
  mov word [idt + %1 * 8], ax
  mov word [idt + %1 * 8 + 2], P_KCODE
  mov byte [idt + %1 * 8 + 4], 0
  mov byte [idt + %1 * 8 + 5], %3
  shr eax, 16
  mov word [idt + %1 * 8 + 6], ax
%endmacro

; TSS descriptor: base in eax, at GDT offset %1
%macro TSS_DESC 1
  mov word [pgdt + %1], 0x67
  mov word [pgdt + %1 + 2], ax
  shr eax, 16
  mov byte [pgdt + %1 + 4], al
  mov byte [pgdt + %1 + 5], 0x89
  mov byte [pgdt + %1 + 6], 0
  mov byte [pgdt + %1 + 7], ah
%endmacro

section .text
BOOT
trace_start:
  lgdt [pgdt_desc]
  jmp P_KCODE:.reload
.reload:
  ; --- IDT: unexpected everywhere; #GP #NP #SS -> fixups; #DF -> task gate; int 0x80 from ring 3
  mov ecx, 0
.idt:
  mov eax, unexpected
  mov word [idt + ecx * 8], ax
  mov word [idt + ecx * 8 + 2], P_KCODE
  mov word [idt + ecx * 8 + 4], 0x8e00
  shr eax, 16
  mov word [idt + ecx * 8 + 6], ax
  inc ecx
  cmp ecx, 256
  jne .idt
  IDT_GATE 11, fault_common, 0x8e
  IDT_GATE 12, fault_common, 0x8e
  IDT_GATE 13, fault_common, 0x8e
  IDT_GATE 7, nm_handler, 0x8e
  IDT_GATE 0x80, syscall_handler, 0xee
  mov dword [idt + 8 * 8], P_TSS2 << 16           ; task gate: selector in bits 16-31
  mov dword [idt + 8 * 8 + 4], 0x8500             ; P, DPL 0, type 5
  lidt [idt_desc]
  ; --- TSS1: the main task (ring-0 stack for entries from ring 3)
  mov dword [tss1 + 4], kstack_top
  mov dword [tss1 + 8], P_KDATA
  mov word [tss1 + 102], 0x68
  mov eax, tss1
  TSS_DESC P_TSS1
  ; --- TSS2: the double-fault task
  mov dword [tss2 + 32], df_task                   ; EIP
  mov dword [tss2 + 36], 2                         ; EFLAGS
  mov dword [tss2 + 56], dfstack_top               ; ESP
  mov dword [tss2 + 72], P_KDATA                   ; ES
  mov dword [tss2 + 76], P_KCODE                   ; CS
  mov dword [tss2 + 80], P_KDATA                   ; SS
  mov dword [tss2 + 84], P_KDATA                   ; DS
  mov dword [tss2 + 88], P_KDATA                   ; FS
  mov dword [tss2 + 92], P_KDATA                   ; GS
  mov word [tss2 + 102], 0x68
  mov eax, cr3
  mov [tss2 + 28], eax
  mov eax, tss2
  TSS_DESC P_TSS2
  ; --- call gate: 32-bit, DPL 3, one parameter, to cg_target
  mov eax, cg_target
  mov word [pgdt + (P_CGATE & ~3)], ax
  mov word [pgdt + (P_CGATE & ~3) + 2], P_KCODE
  mov byte [pgdt + (P_CGATE & ~3) + 4], 1
  mov byte [pgdt + (P_CGATE & ~3) + 5], 0xec
  shr eax, 16
  mov word [pgdt + (P_CGATE & ~3) + 6], ax
  mov ax, P_TSS1
  ltr ax
  mov dword [rounds], ROUNDS

round:
  ; --- far transfers inside ring 0
  call P_KCODE:far_k
  call far [fptr]
  jmp far [jptr]
.after_jmp:
  ; --- #NP and #SS from segment loads
  mov ax, P_NPSEG
  FIX mov es, ax                                   ; not present: #NP(0x38)
  FIX mov ss, ax                                   ; not present SS: #SS(0x38)
  mov ax, P_BEYOND
  FIX mov fs, ax                                   ; beyond the limit: #GP(0x58)
  ; --- double fault through the task gate
  and byte [idt + 13 * 8 + 5], 0x7f                ; #GP gate not present
  mov ax, P_BEYOND
  FIX mov gs, ax                                   ; #GP -> #NP during delivery -> #DF -> task switch
  mov ax, P_KDATA
  mov es, ax
  mov fs, ax
  mov gs, ax
  ; --- lazy FPU: with CR0.TS set the first x87 instruction raises #NM; the handler clears TS (clts) and
  ;     returns to retry it, as a kernel switching FPU state lazily does
  mov eax, cr0
  or eax, 8
  mov cr0, eax
  fninit
  fld qword [fa]
  fadd qword [fb]
  fmul qword [fc]
  fstp qword [fres]                                ; exact results (see the README: SW.PE is not modelled)
  fild dword [rounds]
  fistp dword [fint]
  fnstsw ax
  fnstcw [fcw]
  mov ebx, [fres + 4]
  add esi, ebx
  add esi, [fint]
  ; --- into ring 3: by retf on even rounds, by iret with IOPL 3 on odd ones
  mov [kesp_save], esp
  mov ax, P_UDATA
  mov ds, ax
  mov es, ax
  test dword [rounds], 1
  jnz .by_iret
  push P_UDATA
  push ustack_top
  push P_UCODE
  push user_main
  retf
.by_iret:
  push P_UDATA
  push ustack_top
  push 0x3002                                      ; IOPL 3
  push P_UCODE
  push user_main
  iret

back_from_user:
  mov ax, P_KDATA
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
  dec dword [rounds]
  jnz round
  mov eax, [fault_count]
  cmp eax, ROUNDS * 3
  jne .bad
  mov eax, [df_count]
  cmp eax, ROUNDS
  jne .bad
  mov eax, [nm_count]
  cmp eax, ROUNDS
  jne .bad
  EXIT 0
.bad:
  EXIT 1

far_k:
  add esi, 3
  retf
far_k2:
  xor esi, 0x55
  retf
far_j:
  jmp P_KCODE:round.after_jmp

; ------------------------------------------------------------------------------------- ring 3
user_main:
  mov ecx, 5
.calls:
  push ecx                                         ; the call gate copies this parameter
  call P_CGATE:0
  add edi, eax
  loop .calls
  pushfd
  pop eax
  and eax, 0x3000                                  ; IOPL as the CPU sees it
  jz .no_iopl
  add edi, eax
  cli                                              ; allowed with IOPL 3 (IF stays 0)
.no_iopl:
  mov eax, 2
  int 0x80

; ------------------------------------------------------------------------------------- ring 0 entries
cg_target:                                         ; via the call gate: [esp+8] is the copied parameter
  mov eax, [esp + 8]
  imul eax, eax, 1000
  add eax, [esp + 4]                               ; the caller's CS (0x1b)
  retf 4                                           ; back to ring 3, dropping the parameter

nm_handler:                                        ; #NM (no error code): clear CR0.TS and retry
  clts
  inc dword [nm_count]
  iret

syscall_handler:
  mov esp, [kesp_save]
  jmp back_from_user

fault_common:                                      ; [esp] error code, [esp+4] eip: continue at the fixup
  push eax
  push ecx
  mov eax, [esp + 8]
  add [err_sum], eax
  mov eax, [esp + 12]
  call find_fixup
  mov [esp + 12], eax
  inc dword [fault_count]
  pop ecx
  pop eax
  add esp, 4
  iret

find_fixup:                                        ; eax = faulting eip -> eax = continuation
  mov ecx, fixups
.search:
  cmp ecx, fixups_end
  jae unexpected
  cmp [ecx], eax
  je .found
  add ecx, 8
  jmp .search
.found:
  mov eax, [ecx + 4]
  ret

df_task:                                           ; runs in TSS2; the error code (0) is on its stack
  add esp, 4
  or byte [idt + 13 * 8 + 5], 0x80                 ; repair the #GP gate
  mov eax, [tss1 + 32]                             ; the interrupted task's EIP: the faulting instruction
  call find_fixup
  mov [tss1 + 32], eax
  inc dword [df_count]
  iret                                             ; NT=1: switch back to the previous task
  jmp df_task                                      ; the next #DF resumes the task here

unexpected:
  EXIT 0x3f

section .data
align 8
pgdt:
  dq 0
  dq 0x00cf9a000000ffff                            ; 0x08 kernel code
  dq 0x00cf92000000ffff                            ; 0x10 kernel data
  dq 0x00cffa000000ffff                            ; 0x18 user code
  dq 0x00cff2000000ffff                            ; 0x20 user data
  dq 0                                             ; 0x28 TSS1
  dq 0                                             ; 0x30 TSS2
  dq 0x00cf12000000ffff                            ; 0x38 data, not present
  dq 0                                             ; 0x40 call gate
  dq 0x00cf92000000ffff                            ; 0x48 kernel data (spare)
  dq 0x00cf92000000ffff                            ; 0x50 kernel data (spare)
pgdt_end:
pgdt_desc:
  dw pgdt_end - pgdt - 1
  dd pgdt
fptr:
  dd far_k2
  dw P_KCODE
jptr:
  dd far_j
  dw P_KCODE
align 8
fa: dq 1.0
fb: dq 0.5
fc: dq 0.75
fres: dq 0

section .bss
alignb 4096
idt: resb 2048
tss1: resb 0x68
tss2: resb 0x68
rounds: resd 1
kesp_save: resd 1
fault_count: resd 1
df_count: resd 1
err_sum: resd 1
nm_count: resd 1
fint: resd 1
fcw: resw 1
alignb 16
kstack: resb 8192
kstack_top:
ustack: resb 8192
ustack_top:
dfstack: resb 4096
dfstack_top:
