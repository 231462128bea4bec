// go-bpf: golang.org/x/net/bpf's VM behind the nfconform adapter protocol
// (docs/adapter-protocol.md), area bpf, attach point `socket`.
//
// It wraps the package faithfully: Disassemble and NewVM decide whether a
// program loads, vm.Run what a packet gives. Where their answer differs from
// Linux's, the suite reports it; this file never corrects it. Only errors
// whose meaning is Linux's EINVAL (a program the kernel's checker refuses for
// the same reason) become EINVAL; the rest get errnos of their own (see
// loadErrno) so each shows as a finding of its own.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/net/bpf"

	"nfconform/protocol"
)

// xnetVersion is the Debian package's version, set by ./build (-ldflags -X).
var xnetVersion = "unknown"

const (
	errnoENOENT     = 2
	errnoEINVAL     = 22
	errnoEOPNOTSUPP = 95
)

var invalid = protocol.Invalid

type params = protocol.Params

type adapter struct {
	vms  map[string]*bpf.VM
	next int
}

func main() {
	a := &adapter{vms: map[string]*bpf.VM{}}
	protocol.Serve(a.answer)
}

// answer turns one request line into its reply line.
func (a *adapter) answer(line string) string {
	id, op, request, err := protocol.Request(line)
	if err != nil {
		return protocol.Encode(protocol.Reply(id, nil, err))
	}
	result, err := a.call(op, request)
	return protocol.Encode(protocol.Reply(id, result, err))
}

func (a *adapter) call(op string, p params) (map[string]any, error) {
	switch op {
	case "hello":
		var spoken int64
		if err := protocol.StrictInt(p["protocol"], &spoken, 0, 1<<31); err != nil || spoken != 1 {
			return nil, protocol.Unsupported("protocol %s (this adapter speaks 1)", p["protocol"])
		}
		return map[string]any{
			"protocol": 1,
			"name":     "go-bpf",
			"version":  fmt.Sprintf("golang.org/x/net/bpf %s, %s", xnetVersion, runtime.Version()),
			"areas":    []string{"bpf"},
			"profiles": map[string]string{"bpf": "linux"},
		}, nil
	case "reset":
		a.vms = map[string]*bpf.VM{}
		return map[string]any{}, nil
	case "bpf.load":
		return a.load(p)
	case "bpf.run":
		return a.run(p)
	case "bpf.unload":
		handle, err := handleField(p)
		if err != nil {
			return nil, err
		}
		if _, ok := a.vms[handle]; !ok {
			return map[string]any{"errno": errnoENOENT}, nil
		}
		delete(a.vms, handle)
		return map[string]any{"errno": 0}, nil
	}
	return nil, protocol.Unsupported("go-bpf does not implement %q (only hello, reset and the bpf ops)", op)
}

// xtBpfDeclined says why `xt_bpf` has no counterpart here.
const xtBpfDeclined = "attach xt_bpf: golang.org/x/net/bpf is a VM over a byte slice, with no netfilter match " +
	"(no iptables rule, no XT_BPF_MAX_NUM_INSTR check, no network-header skb); only attach socket is wrapped"

func (a *adapter) load(p params) (map[string]any, error) {
	raw, err := programField(p)
	if err != nil {
		return nil, err
	}
	var attach string
	if err := json.Unmarshal(p["attach"], &attach); err != nil || p["attach"] == nil {
		return nil, invalid("bpf.load: \"attach\" must be \"socket\" or \"xt_bpf\"")
	}
	switch attach {
	case "socket":
	case "xt_bpf":
		return nil, protocol.Unsupported("%s", xtBpfDeclined)
	default:
		return nil, invalid("bpf.load: \"attach\" must be \"socket\" or \"xt_bpf\", not %q", attach)
	}
	vm, errno, why := loadVM(raw)
	if errno != 0 {
		fmt.Fprintf(os.Stderr, "go-bpf: load refused (errno %d): %s\n", errno, why)
		return map[string]any{"errno": errno}, nil
	}
	a.next++
	handle := "vm" + strconv.Itoa(a.next)
	a.vms[handle] = vm
	return map[string]any{"errno": 0, "handle": handle}, nil
}

// loadVM is what a Go program does with a raw program: Disassemble, then
// NewVM. An instruction Disassemble does not recognise, a jump past the end,
// a constant division by zero, a program that does not end in a return, and
// an instruction that does not assemble are refusals Linux makes with EINVAL
// too (bpf_check_classic()); an extension x/net/bpf does not implement is its
// own limit (Linux accepts SKF_AD_*): EOPNOTSUPP, so it shows apart.
func loadVM(raw []bpf.RawInstruction) (*bpf.VM, int, string) {
	insts, allDecoded := bpf.Disassemble(raw)
	if !allDecoded {
		for i, ins := range insts {
			if r, ok := ins.(bpf.RawInstruction); ok {
				return nil, errnoEINVAL, fmt.Sprintf("Disassemble does not recognise instruction %d (code %#x)", i, r.Op)
			}
		}
	}
	vm, err := bpf.NewVM(insts)
	if err != nil {
		if strings.HasPrefix(err.Error(), "extension ") {
			return nil, errnoEOPNOTSUPP, "NewVM: " + err.Error()
		}
		return nil, errnoEINVAL, "NewVM: " + err.Error()
	}
	return vm, 0, ""
}

func (a *adapter) run(p params) (map[string]any, error) {
	handle, err := handleField(p)
	if err != nil {
		return nil, err
	}
	var packets []string
	if err := json.Unmarshal(p["packets"], &packets); err != nil || p["packets"] == nil {
		return nil, invalid("bpf.run: \"packets\" must be an array of hex strings")
	}
	vm, ok := a.vms[handle]
	if !ok {
		return nil, invalid("bpf.run: no program loaded with handle %q", handle)
	}
	results := make([]int, len(packets))
	for i, hex := range packets {
		data, err := protocol.FromHex(hex)
		if err != nil {
			return nil, invalid("bpf.run: packets[%d]: %v", i, err)
		}
		// vm.Run's count, as a Go user of the package gets it; an error
		// (an instruction NewVM accepted but Run cannot execute) is logged
		// and its count (0) kept, so the suite judges what the user sees.
		n, err := vm.Run(data)
		if err != nil {
			fmt.Fprintf(os.Stderr, "go-bpf: vm.Run error on packets[%d]: %v (count %d)\n", i, err, n)
		}
		if n < 0 {
			return nil, fmt.Errorf("vm.Run returned %d", n)
		}
		results[i] = n
	}
	return map[string]any{"results": results}, nil
}

func handleField(p params) (string, error) {
	var handle string
	if err := json.Unmarshal(p["handle"], &handle); err != nil || p["handle"] == nil || handle == "" {
		return "", invalid("\"handle\" must be a non-empty string")
	}
	return handle, nil
}

// programField reads `[[code, jt, jf, k], ...]`; k may be signed (as a u32 bit pattern).
func programField(p params) ([]bpf.RawInstruction, error) {
	var rows []json.RawMessage
	if err := json.Unmarshal(p["program"], &rows); err != nil || p["program"] == nil {
		return nil, invalid("bpf.load: \"program\" must be an array of [code, jt, jf, k]")
	}
	if len(rows) > 0xffff {
		return nil, invalid("bpf.load: \"program\" has %d instructions (sock_fprog.len is a u16)", len(rows))
	}
	program := make([]bpf.RawInstruction, len(rows))
	for i, row := range rows {
		var fields []json.RawMessage
		if err := json.Unmarshal(row, &fields); err != nil || len(fields) != 4 {
			return nil, invalid("bpf.load: program[%d] must be [code, jt, jf, k]", i)
		}
		var code, jt, jf, k int64
		for j, f := range []struct {
			dst      *int64
			min, max int64
		}{{&code, 0, 0xffff}, {&jt, 0, 255}, {&jf, 0, 255}, {&k, -0x80000000, 0xffffffff}} {
			if err := protocol.StrictInt(fields[j], f.dst, f.min, f.max); err != nil {
				return nil, invalid("bpf.load: program[%d][%d]: %v", i, j, err)
			}
		}
		program[i] = bpf.RawInstruction{Op: uint16(code), Jt: uint8(jt), Jf: uint8(jf), K: uint32(k)}
	}
	return program, nil
}
