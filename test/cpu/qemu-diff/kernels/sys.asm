; sys — the protected-mode machinery: paging with 4 KiB and 4 MiB (PSE) pages, CR0.WP, accessed/dirty bits
; read back from the page tables, demand paging through #PF (CR2, error codes) with invlpg and CR3 reloads;
; ring 0 <-> ring 3 round trips through iret (TSS esp0) and int 0x80; and faults in both rings delivered
; and returned from: #DE #UD #GP #PF (and the int3/into traps). Fault handlers resume through a fixup
; table (faulting instruction -> continuation), as Linux's exception tables do.

%include "common.inc"

ITERATIONS equ 145
DEMAND equ 0x00800000       ; 8 demand-paged 4 KiB pages, mapped by the #PF handler
DEMAND_PAGES equ 8
FRAMES equ 0x00600000       ; their physical frames (inside the identity 4 MiB page at 4-8 MiB)
BIGPAGE equ 0x00400000      ; PDE 1: one 4 MiB page, identity

extern fixups, fixups_end

; FIX insn: the instruction is expected to fault; the handler continues after it.
%macro FIX 1+
%%s: %1
%%e:
[section .fixup]
  dd %%s, %%e
__SECT__
%endmacro

section .text
BOOT
trace_start:
  ; --- IDT: everything unexpected, then the handled vectors
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
  SET_GATE 0, de_handler, 0x8e
  SET_GATE 3, trap_return, 0xee
  SET_GATE 4, trap_return, 0xee
  SET_GATE 6, ud_handler, 0x8e
  SET_GATE 13, fault_common, 0x8e
  SET_GATE 14, pf_handler, 0x8e
  SET_GATE 0x80, syscall_handler, 0xee
  lidt [idt_desc]

  ; --- TSS: ring-0 stack for entries from ring 3; I/O bitmap base past the limit (no port access)
  mov dword [tss + 4], kstack_top
  mov dword [tss + 8], KDATA
  mov word [tss + 102], 0x68
  mov eax, tss
  mov word [gdt_tss], 0x67
  mov word [gdt_tss + 2], ax
  shr eax, 16
  mov byte [gdt_tss + 4], al
  mov byte [gdt_tss + 5], 0x89
  mov byte [gdt_tss + 6], 0
  mov byte [gdt_tss + 7], ah
  mov ax, TSSSEL
  ltr ax

  ; --- page tables: PT0 identity 0-4 MiB (user-accessible except one supervisor page and one
  ;     read-only page, page 0 absent), PDE 1 a 4 MiB page, PDE 2 the demand region
  mov ecx, 0
.pt0:
  mov eax, ecx
  shl eax, 12
  or eax, 7
  mov [pt0 + ecx * 4], eax
  inc ecx
  cmp ecx, 1024
  jne .pt0
  mov dword [pt0], 0
  mov eax, superpage
  shr eax, 12
  and dword [pt0 + eax * 4], ~4
  mov eax, ropage
  shr eax, 12
  and dword [pt0 + eax * 4], ~2
  mov dword [pd], pt0 + 7
  mov dword [pd + 4], BIGPAGE + 0x87
  mov dword [pd + 8], pt2 + 7
  mov eax, pd
  mov cr3, eax
  mov eax, cr4
  or eax, 0x10              ; PSE
  mov cr4, eax
  mov eax, cr0
  or eax, 0x80010000        ; PG | WP
  mov cr0, eax
  mov dword [iter], ITERATIONS

main_loop:
  ; --- kernel-mode faults
  FIX ud2
  xor ecx, ecx
  mov eax, [iter]
  xor edx, edx
  FIX div ecx
  FIX mov [ropage + 8], eax         ; WP=1: supervisor write to a read-only page faults
  xor eax, eax
  FIX mov ss, ax                    ; null SS at CPL 0: #GP(0)
  mov eax, 0x40
  FIX mov ds, ax                    ; selector beyond the GDT limit: #GP(0x40)
  mov eax, 0x10
  FIX mov ebx, [eax]                ; page 0 not present: #PF

  ; --- enter ring 3 (FS holds a DPL-0 selector: iret must null it)
  mov [kesp_save], esp
  mov ax, UDATA
  mov ds, ax
  mov es, ax
  mov gs, ax
  mov ax, KDATA
  mov fs, ax
  push UDATA
  push ustack_top
  mov eax, [iter]
  and eax, 0x8d5                    ; some status flags into the user's EFLAGS
  or eax, 2
  push eax
  push UCODE
  push user_main
  iret

back_from_user:
  mov ax, KDATA
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
  ; --- accessed/dirty bits the CPU wrote: fold them into ESI, then clear them
  mov ecx, 0
.ad:
  mov eax, [pt2 + ecx * 4]
  and eax, 0x60
  add esi, eax
  rol esi, 1
  and dword [pt2 + ecx * 4], ~0x60
  inc ecx
  cmp ecx, DEMAND_PAGES
  jne .ad
  mov eax, [pd + 4]
  and eax, 0x60
  add esi, eax
  and dword [pd + 4], ~0x60
  mov eax, [pd + 8]
  and eax, 0x20
  add esi, eax
  and dword [pd + 8], ~0x20
  mov eax, ropage
  shr eax, 12
  mov eax, [pt0 + eax * 4]
  and eax, 0x60
  add esi, eax
  ; --- unmap one demand page (invlpg) and, every fourth round, reload CR3
  mov ecx, [iter]
  and ecx, DEMAND_PAGES - 1
  mov dword [pt2 + ecx * 4], 0
  shl ecx, 12
  invlpg [DEMAND + ecx]
  test dword [iter], 3
  jnz .nocr3
  mov eax, cr3
  mov cr3, eax
.nocr3:
  dec dword [iter]
  jnz main_loop
  mov eax, [fault_count]
  cmp eax, ITERATIONS * 16       ; 6 kernel + 10 user faults per round
  jne .bad
  EXIT 0
.bad:
  EXIT 1

; ------------------------------------------------------------------------------------- ring 3
user_main:
  mov ecx, 12
.calls:
  mov eax, 1
  mov ebx, ecx
  int 0x80
  add edi, eax
  loop .calls
  ; demand pages: first touch of an unmapped page faults, the handler maps it, the access retries
  mov ecx, 0
.touch:
  mov eax, ecx
  shl eax, 12
  add eax, [ustate]
  and eax, 0x7ffc
  mov [DEMAND + eax], edi
  add edi, [DEMAND + eax]
  inc ecx
  cmp ecx, 5
  jne .touch
  add dword [ustate], 0x1234
  ; the 4 MiB page
  mov eax, [ustate]
  and eax, 0x3ffffc
  mov [BIGPAGE + eax], esi
  add esi, [BIGPAGE + eax]
  ; faults in ring 3
  FIX cli                           ; IOPL 0: #GP(0)
  FIX hlt                           ; #GP(0)
  mov dx, 0x80
  FIX in al, dx                     ; no I/O permission: #GP(0)
  FIX ud2                           ; #UD
  xor ecx, ecx
  FIX div ecx                       ; #DE
  FIX mov eax, [superpage]          ; supervisor page: #PF, error 5
  FIX mov [ropage], eax             ; read-only page: #PF, error 7
  mov ax, KDATA
  FIX mov ds, ax                    ; DPL 0 data at CPL 3: #GP(0x10)
  FIX int 0x81                      ; DPL 0 gate: #GP(0x40a)
  FIX mov eax, cr0                  ; privileged: #GP(0)
  int3                              ; trap: returns to the next instruction
  mov eax, 0x7fffffff
  add eax, 1
  into                              ; OF=1: trap
  mov eax, 2
  int 0x80                          ; back to the kernel

; ------------------------------------------------------------------------------------- handlers
syscall_handler:                    ; eax=1: eax = 3*ebx + ecx; eax=2: return to the kernel loop
  cmp eax, 2
  je .exit
  lea eax, [ebx + ebx * 2]
  add eax, ecx
  add dword [esp + 8], 0            ; touch the saved EFLAGS
  iret
.exit:
  mov esp, [kesp_save]
  jmp back_from_user

trap_return:
  add dword [trap_count], 1
  iret

de_handler:
ud_handler:
  push 0                            ; no error code: make the frame look like one that has
fault_common:                       ; [esp] error code, [esp+4] eip: continue at the fixup
  push eax
  push ecx
  mov eax, [esp + 8]
  add [err_sum], eax
  mov eax, [esp + 12]
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
  mov [esp + 12], eax
  inc dword [fault_count]
  pop ecx
  pop eax
  add esp, 4
  iret

pf_handler:                         ; demand region and not present: map and retry; else fixup
  push eax
  push ecx
  test dword [esp + 8], 1
  jnz .other
  mov eax, cr2
  sub eax, DEMAND
  cmp eax, DEMAND_PAGES * 4096
  jae .other
  shr eax, 12
  mov ecx, eax
  shl ecx, 12
  add ecx, FRAMES + 7
  mov [pt2 + eax * 4], ecx
  add dword [map_count], 1
  pop ecx
  pop eax
  add esp, 4
  iret
.other:
  mov eax, cr2
  add [err_sum], eax
  pop ecx
  pop eax
  jmp fault_common

unexpected:
  EXIT 0x3f

section .data
align 4
ustate: dd 0x5a5a

section .bss
alignb 4096
pd: resb 4096
pt0: resb 4096
pt2: resb 4096
idt: resb 4096
superpage: resb 4096
ropage: resb 4096
tss: resb 0x68
iter: resd 1
kesp_save: resd 1
fault_count: resd 1
trap_count: resd 1
map_count: resd 1
err_sum: resd 1
alignb 16
kstack: resb 8192
kstack_top:
ustack: resb 8192
ustack_top:
