package capture

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/net/bpf"
)

// The userspace BPF machine, a transcription of libpcap's bpf_filter()
// (bpf_filter.c), so that `padlock -r FILE EXPR` selects exactly the
// packets `tcpdump -r FILE EXPR` does. golang.org/x/net/bpf gives the
// instruction type (and attaches programs to sockets), but its VM differs
// from libpcap in two ways tcpdump users can hit: it has no negation
// (`neg`, which libpcap emits for a unary minus such as `ip[0] = -ip[1]`),
// and its `len` is the captured length where libpcap's is the length on
// the wire (`len > 1000` on a capture cut by a snap length). The tests run
// both machines side by side on every program they share.

// Classic BPF opcode fields (bpf.h).
const (
	bpfClass = 0x07
	bpfLD    = 0x00
	bpfLDX   = 0x01
	bpfST    = 0x02
	bpfSTX   = 0x03
	bpfALU   = 0x04
	bpfJMP   = 0x05
	bpfRET   = 0x06
	bpfMISC  = 0x07

	bpfSize = 0x18
	bpfW    = 0x00
	bpfH    = 0x08
	bpfB    = 0x10

	bpfMode = 0xe0
	bpfIMM  = 0x00
	bpfABS  = 0x20
	bpfIND  = 0x40
	bpfMEM  = 0x60
	bpfLEN  = 0x80
	bpfMSH  = 0xa0

	bpfOp  = 0xf0
	bpfADD = 0x00
	bpfSUB = 0x10
	bpfMUL = 0x20
	bpfDIV = 0x30
	bpfOR  = 0x40
	bpfAND = 0x50
	bpfLSH = 0x60
	bpfRSH = 0x70
	bpfNEG = 0x80
	bpfMOD = 0x90
	bpfXOR = 0xa0

	bpfJA   = 0x00
	bpfJEQ  = 0x10
	bpfJGT  = 0x20
	bpfJGE  = 0x30
	bpfJSET = 0x40

	bpfSrc = 0x08
	bpfK   = 0x00
	bpfX   = 0x08

	bpfRval = 0x18
	bpfA    = 0x10

	bpfMiscOp = 0xf8
	bpfTAX    = 0x00
	bpfTXA    = 0x80

	bpfMemWords = 16   // BPF_MEMWORDS
	maxInsns    = 4096 // BPF_MAXINSNS, the kernel's limit
)

// validate is libpcap's bpf_validate: known opcodes only, jumps and
// scratch memory in range, no division by a constant zero, and a return at
// the end, so runBPF needs no checks of its own beyond packet bounds.
func validate(p []bpf.RawInstruction) error {
	if len(p) == 0 || len(p) > maxInsns {
		return fmt.Errorf("%d instructions (1 to %d allowed)", len(p), maxInsns)
	}
	for i, ins := range p {
		bad := func(why string) error { return fmt.Errorf("instruction %d (%#04x): %s", i, ins.Op, why) }
		switch ins.Op & bpfClass {
		case bpfLD, bpfLDX:
			ld := ins.Op&bpfClass == bpfLD
			switch mode := ins.Op & bpfMode; {
			case mode == bpfMEM:
				if ins.K >= bpfMemWords {
					return bad("scratch memory index out of range")
				}
			case mode == bpfIMM, mode == bpfLEN:
			case ld && (mode == bpfABS || mode == bpfIND):
				if ins.Op&bpfSize == 0x18 {
					return bad("unknown load size")
				}
			case !ld && mode == bpfMSH:
			default:
				return bad("unknown load mode")
			}
		case bpfST, bpfSTX:
			if ins.K >= bpfMemWords {
				return bad("scratch memory index out of range")
			}
		case bpfALU:
			switch ins.Op & bpfOp {
			case bpfADD, bpfSUB, bpfMUL, bpfOR, bpfAND, bpfXOR, bpfNEG:
			case bpfLSH, bpfRSH:
				if ins.Op&bpfSrc == bpfK && ins.K >= 32 {
					return bad("shift by 32 or more")
				}
			case bpfDIV, bpfMOD:
				if ins.Op&bpfSrc == bpfK && ins.K == 0 {
					return bad("division by zero")
				}
			default:
				return bad("unknown ALU operation")
			}
		case bpfJMP:
			rest := uint64(len(p) - i - 1)
			switch ins.Op & bpfOp {
			case bpfJA:
				if uint64(ins.K) >= rest {
					return bad("jump out of the program")
				}
			case bpfJEQ, bpfJGT, bpfJGE, bpfJSET:
				if uint64(ins.Jt) >= rest || uint64(ins.Jf) >= rest {
					return bad("jump out of the program")
				}
			default:
				return bad("unknown jump")
			}
		case bpfRET:
			switch ins.Op & bpfRval {
			case bpfK, bpfA:
			default:
				return bad("unknown return")
			}
		case bpfMISC:
			switch ins.Op & bpfMiscOp {
			case bpfTAX, bpfTXA:
			default:
				return bad("unknown misc operation")
			}
		}
	}
	if p[len(p)-1].Op&bpfClass != bpfRET {
		return fmt.Errorf("the program does not end with a return")
	}
	return nil
}

// runBPF runs a validated program on a packet whose first len(pkt) bytes
// were captured out of wirelen, with libpcap's semantics: a load past the
// captured bytes rejects the packet (returns 0), as does a division by a
// zero X; shifts by 32 or more give 0.
func runBPF(p []bpf.RawInstruction, pkt []byte, wirelen int) int {
	var a, x uint32
	var mem [bpfMemWords]uint32
	buflen := uint64(len(pkt))
	load := func(k uint64, size uint64) (uint32, bool) {
		if k > buflen || size > buflen-k {
			return 0, false
		}
		switch size {
		case 4:
			return binary.BigEndian.Uint32(pkt[k:]), true
		case 2:
			return uint32(binary.BigEndian.Uint16(pkt[k:])), true
		}
		return uint32(pkt[k]), true
	}
	sizeOf := func(op uint16) uint64 {
		switch op & bpfSize {
		case bpfW:
			return 4
		case bpfH:
			return 2
		}
		return 1
	}
	for pc := 0; pc < len(p); pc++ {
		ins := p[pc]
		k := ins.K
		switch ins.Op & bpfClass {
		case bpfRET:
			if ins.Op&bpfRval == bpfA {
				return int(a)
			}
			return int(k)
		case bpfLD, bpfLDX:
			var v uint32
			switch ins.Op & bpfMode {
			case bpfIMM:
				v = k
			case bpfLEN:
				v = uint32(wirelen)
			case bpfMEM:
				v = mem[k&(bpfMemWords-1)]
			case bpfABS:
				var ok bool
				if v, ok = load(uint64(k), sizeOf(ins.Op)); !ok {
					return 0
				}
			case bpfIND:
				var ok bool
				if v, ok = load(uint64(x)+uint64(k), sizeOf(ins.Op)); !ok {
					return 0
				}
			case bpfMSH:
				b, ok := load(uint64(k), 1)
				if !ok {
					return 0
				}
				v = (b & 0xf) << 2
			default:
				return 0
			}
			if ins.Op&bpfClass == bpfLD && ins.Op&bpfMode != bpfMSH {
				a = v
			} else {
				x = v
			}
		case bpfST:
			mem[k&(bpfMemWords-1)] = a
		case bpfSTX:
			mem[k&(bpfMemWords-1)] = x
		case bpfJMP:
			op := ins.Op & bpfOp
			if op == bpfJA {
				pc += int(k)
				continue
			}
			v := k
			if ins.Op&bpfSrc == bpfX {
				v = x
			}
			var t bool
			switch op {
			case bpfJEQ:
				t = a == v
			case bpfJGT:
				t = a > v
			case bpfJGE:
				t = a >= v
			case bpfJSET:
				t = a&v != 0
			default:
				return 0
			}
			if t {
				pc += int(ins.Jt)
			} else {
				pc += int(ins.Jf)
			}
		case bpfALU:
			op := ins.Op & bpfOp
			if op == bpfNEG {
				a = -a
				continue
			}
			v := k
			if ins.Op&bpfSrc == bpfX {
				v = x
			}
			switch op {
			case bpfADD:
				a += v
			case bpfSUB:
				a -= v
			case bpfMUL:
				a *= v
			case bpfDIV:
				if v == 0 {
					return 0
				}
				a /= v
			case bpfMOD:
				if v == 0 {
					return 0
				}
				a %= v
			case bpfAND:
				a &= v
			case bpfOR:
				a |= v
			case bpfXOR:
				a ^= v
			case bpfLSH:
				if v < 32 {
					a <<= v
				} else {
					a = 0
				}
			case bpfRSH:
				if v < 32 {
					a >>= v
				} else {
					a = 0
				}
			default:
				return 0
			}
		case bpfMISC:
			if ins.Op&bpfMiscOp == bpfTAX {
				x = a
			} else {
				a = x
			}
		}
	}
	return 0
}
