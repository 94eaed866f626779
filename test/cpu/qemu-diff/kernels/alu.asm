; alu — a general mix of integer code: ALU of every width with register and memory operands, shifts and
; rotates by immediates and CL, multiply/divide, bit tests and scans, extensions, exchange/atomics, BCD,
; flags instructions, stack frames, near indirect calls, loop/jecxz, xlat, and rep string instructions
; in both directions. Operands come from a xorshift32 generator so every iteration differs.

%include "common.inc"

ITERATIONS equ 640

section .text
BOOT
trace_start:
  ; every vector goes to `unexpected`: this kernel must not fault
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
  mov dword [seed], 0x2545f491
  mov dword [iter], ITERATIONS

main_loop:
  call rand
  mov esi, eax
  call rand
  mov edi, eax
  call rand
  mov ebx, eax
  call rand
  mov ecx, eax

  ; --- ALU, all widths, register and memory forms
  add esi, edi
  adc ebx, ecx
  sbb edi, 0x1234
  sub bl, cl
  xor bh, ch
  and si, di
  or edi, ebx
  cmp esi, ebx
  setb al
  setg ah
  setpe dl
  seto dh
  cmovl esi, edi
  cmovbe ebx, ecx
  cmovs cx, si
  neg ecx
  not edi
  inc bx
  dec cl
  test esi, 0x8000
  adc al, 0x7f
  sbb ax, 0x8001
  add dh, 0x80
  mov edx, ebx
  and edx, 0x3c
  add [buf + edx], esi
  sub [buf + edx + 4], di
  xor [buf + edx + 2], bl
  adc esi, [buf + edx]
  cmp dword [buf + edx + 8], 0x1000
  sete al
  or word [buf + edx + 12], 0x1111
  and byte [buf + edx + 1], 0xf7
  sar word [buf + edx + 6], 3
  rol dword [buf + edx + 16], cl
  inc dword [buf + edx]
  neg byte [buf + edx + 3]
  not word [buf + edx + 20]

  ; --- shifts and rotates
  mov ecx, ebx
  and ecx, 0x3f
  shl esi, cl
  sar edi, cl
  rol ebx, cl
  rcr si, cl
  shr bl, 3
  ror edi, 7
  rcl eax, 1
  sal dx, 1
  sar ah, 1
  rcl bh, cl
  shld esi, edi, cl
  shrd ebx, esi, 13
  shld dx, ax, 5
  shrd eax, edx, cl

  ; --- multiply and divide (never faulting here)
  mov eax, esi
  mul edi
  xor esi, edx
  imul ebx, ecx
  imul esi, edi, 0x1235
  imul di, bx, -7
  mov eax, ebx
  imul ecx
  add edi, eax
  mov al, bl
  mul bh
  mov ax, si
  imul di
  mov ecx, edi
  or ecx, 1
  xor edx, edx
  mov eax, esi
  div ecx
  add ebx, edx
  mov eax, esi
  cdq
  mov ecx, edi
  and ecx, 0x7fff
  or ecx, 1
  idiv ecx
  xor esi, eax
  movzx eax, bl
  mov cl, bh
  or cl, 1
  div cl
  mov dx, 0
  mov ax, di
  mov cx, si
  or cx, 0x100
  div cx
  movsx eax, bl
  cbw
  mov cl, 7
  idiv cl

  ; --- bits
  mov ecx, ebx
  bt esi, ecx
  setc al
  bts edi, 5
  btr ebx, ecx
  btc esi, 31
  and ecx, 0x3ff
  bt [buf], ecx
  bts [buf], ecx
  adc eax, 0
  btr dword [buf + 4], 7
  btc word [buf + 8], cx
  mov edx, esi
  or edx, 0x10000
  bsf eax, edx
  bsr ecx, edx
  add edi, ecx
  bswap esi
  xor esi, eax

  ; --- conversions
  movsx eax, bl
  movzx edx, di
  movsx cx, bh
  movzx ebx, byte [buf + 5]
  movsx edx, word [buf + 10]
  cbw
  cwde
  cwd
  cdq

  ; --- exchange and atomics
  xchg esi, edi
  xchg al, bh
  xadd ebx, esi
  mov eax, [buf + 24]
  cmpxchg [buf + 24], edi
  cmpxchg [buf + 28], esi
  lock xadd [buf + 32], eax
  xchg [buf + 36], cx
  mov eax, [buf + 40]
  mov edx, [buf + 44]
  mov ebx, esi
  mov ecx, edi
  cmpxchg8b [buf + 40]
  cmpxchg8b [buf + 40]

  ; --- flags and BCD
  lahf
  xor ah, 0x55
  sahf
  cmc
  stc
  adc esi, 0
  clc
  mov eax, esi
  daa
  das
  aaa
  aas
  aam
  aad
  aam 16
  aad 7
  add edi, eax

  ; --- stack, frames, calls
  push esi
  push edi
  pop ebx
  pop ecx
  push word 0x1234
  pop dx
  pushad
  xor eax, eax
  popad
  pushfd
  pop eax
  push eax
  popfd
  call frame_func
  push esi
  call [fnptr]
  mov ebx, xlat_table
  mov al, cl
  xlatb
  add esi, eax

  ; --- loops
  mov ecx, esi
  and ecx, 7
  jecxz .skip
.inner:
  add edi, ecx
  rol edi, 3
  loop .inner
.skip:
  mov ecx, 6
  mov eax, edi
.le:
  cmp al, 0
  loope .le
  mov ecx, 4
.lne:
  add al, 0x40
  cmp al, 0xc0
  loopne .lne

  ; --- strings, both directions
  call rand
  mov ecx, eax
  and ecx, 15
  cld
  mov esi, sbuf
  mov edi, dbuf
  rep movsb
  mov ecx, eax
  shr ecx, 4
  and ecx, 7
  rep movsd
  mov ecx, 5
  mov eax, esi
  rep stosw
  std
  mov esi, sbuf + 252
  mov edi, dbuf + 252
  mov ecx, 9
  rep movsd
  mov ecx, 3
  lodsw
  stosb
  cld
  mov esi, sbuf
  mov edi, dbuf
  mov ecx, 40
  repe cmpsb
  mov esi, sbuf
  mov edi, dbuf
  mov ecx, 20
  repe cmpsd
  mov edi, dbuf
  mov ecx, 64
  mov al, [seed]
  repne scasb
  std
  mov edi, dbuf + 60
  mov ecx, 10
  mov ax, [seed]
  repne scasw
  mov esi, sbuf + 100
  mov edi, dbuf + 100
  mov ecx, 7
  repe cmpsw
  cld
  mov edi, sbuf
  mov ecx, 8
  rep stosd
  movsb
  cmpsw
  scasd

  dec dword [iter]
  jnz main_loop
  EXIT 0

; enter/leave frame with a local and an argument-free body
frame_func:
  enter 16, 0
  mov [ebp - 4], esi
  add esi, [ebp - 4]
  enter 8, 1
  leave
  leave
  ret

; called indirectly with one stack argument, returns with ret 4
indirect_func:
  mov eax, [esp + 4]
  xor edi, eax
  ret 4

rand:                       ; xorshift32 -> eax (clobbers edx)
  mov eax, [seed]
  mov edx, eax
  shl edx, 13
  xor eax, edx
  mov edx, eax
  shr edx, 17
  xor eax, edx
  mov edx, eax
  shl edx, 5
  xor eax, edx
  mov [seed], eax
  ret

unexpected:
  EXIT 0x3f

section .data
align 4
fnptr: dd indirect_func
xlat_table:
%assign i 0
%rep 256
  db (i * 37 + 11) & 0xff
%assign i i + 1
%endrep

section .bss
alignb 4096
idt: resb 256 * 8
seed: resd 1
iter: resd 1
buf: resb 256
sbuf: resb 512
dbuf: resb 512
alignb 16
kstack: resb 8192
kstack_top:
