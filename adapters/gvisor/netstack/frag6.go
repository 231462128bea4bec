// frag6.run on gVisor's netstack: one stack per run (nothing leaks from one
// case to the next), a channel link endpoint carrying the case's packets in,
// the case's destinations as the NIC's addresses, and a manual clock that the
// case's virtual times drive, so reassembly timeouts fire exactly when the
// case says, not when a loaded machine gets round to it.
package main

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"gvisor.dev/gvisor/pkg/bufferv2"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/faketime"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

const (
	nicID = 1
	// Virtual times run to 2**40 ms (iut/ops/frag6.ts).
	maxT = 1 << 40
	// netstack's reassembly memory limits: fragmentation.HighFragThreshold and LowFragThreshold
	// (pkg/tcpip/network/internal/fragmentation, which no program outside network/ may import).
	highFragThreshold = 4 << 20
	lowFragThreshold  = 3 << 20
	// The link's MTU: veth's default, as the kernel IUT's link has (it bounds the ICMP errors' size only).
	linkMTU = 1500
)

type event struct {
	t      int64
	packet []byte
}

type icmpError struct {
	T       int64  `json:"t"`
	Type    uint8  `json:"type"`
	Code    uint8  `json:"code"`
	Pointer uint32 `json:"pointer"`
}

type delivery struct {
	T      int64  `json:"t"`
	Packet string `json:"packet"`
}

// readFrag6 checks the request against frag6.run's declaration (iut/ops/frag6.ts): anything else is `invalid`.
func readFrag6(p params) ([]event, error) {
	var raw []json.RawMessage
	if p["events"] == nil || json.Unmarshal(p["events"], &raw) != nil || raw == nil {
		return nil, invalid("frag6.run: \"events\" must be an array")
	}
	events := make([]event, len(raw))
	for i, r := range raw {
		var e map[string]json.RawMessage
		if json.Unmarshal(r, &e) != nil || e == nil {
			return nil, invalid("frag6.run: events[%d] must be an object", i)
		}
		if err := strictInt(e["t"], &events[i].t, 0, maxT); err != nil {
			return nil, invalid("frag6.run: events[%d].t %v", i, err)
		}
		var hex string
		if e["packet"] == nil || json.Unmarshal(e["packet"], &hex) != nil {
			return nil, invalid("frag6.run: events[%d].packet must be a hex string", i)
		}
		b, err := fromHex(hex)
		if err != nil {
			return nil, invalid("frag6.run: events[%d].packet: %v", i, err)
		}
		events[i].packet = b
		if i > 0 && events[i].t < events[i-1].t {
			return nil, invalid("frag6.run: events[%d].t must not be less than the t before it (%d)", i, events[i-1].t)
		}
	}
	if c := p["config"]; c != nil {
		var config map[string]json.RawMessage
		if json.Unmarshal(c, &config) != nil || config == nil {
			return nil, invalid("frag6.run: \"config\" must be an object")
		}
		var timeout, high, low int64
		if err := strictInt(config["timeoutMs"], &timeout, 1, maxT); err != nil {
			return nil, invalid("frag6.run: config.timeoutMs %v", err)
		}
		if err := strictInt(config["highThresh"], &high, 0, maxT); err != nil {
			return nil, invalid("frag6.run: config.highThresh %v", err)
		}
		if err := strictInt(config["lowThresh"], &low, 0, maxT); err != nil {
			return nil, invalid("frag6.run: config.lowThresh %v", err)
		}
		// netstack has no option for any of the three: they are constants of the package.
		if timeout != ipv6.ReassembleTimeout.Milliseconds() {
			return nil, invalid("netstack fixes its reassembly timeout at %d ms (the constant ipv6.ReassembleTimeout; no option sets it), the case asks for %d", ipv6.ReassembleTimeout.Milliseconds(), timeout)
		}
		if high != highFragThreshold || low != lowFragThreshold {
			return nil, invalid("netstack fixes its reassembly memory limits at %d and %d bytes (the constants fragmentation.HighFragThreshold and LowFragThreshold; no option sets them), the case asks for %d and %d", highFragThreshold, lowFragThreshold, high, low)
		}
	}
	return events, nil
}

func runFrag6(p params) (map[string]any, error) {
	events, err := readFrag6(p)
	if err != nil {
		return nil, err
	}
	locals, err := caseAddresses(events)
	if err != nil {
		return nil, err
	}
	return runOnNetstack(events, locals)
}

// caseAddresses: every destination the case's packets name becomes an address of the NIC, as the kernel IUT
// makes them addresses of its veth. Declines what cannot be made one, as the kernel IUT does.
func caseAddresses(events []event) ([]tcpip.Address, error) {
	seen := map[tcpip.Address]bool{}
	var locals []tcpip.Address
	for i, e := range events {
		if len(e.packet) < header.IPv6MinimumSize {
			continue // netstack drops it unread: it names no address
		}
		if upperProtocol(e.packet) == uint8(header.ICMPv6ProtocolNumber) {
			return nil, invalid("event %d carries ICMPv6: netstack hands ICMPv6 to its own ICMPv6 code (ipv6 endpoint.handleICMP), which passes only Echo Replies on to a transport endpoint, after checking the checksum; no upper-layer hand-over of other ICMPv6 datagrams is observable", i)
		}
		dst := tcpip.Address(e.packet[24:40])
		if header.IsV6MulticastAddress(dst) || dst == header.IPv6Any || dst == header.IPv6Loopback {
			return nil, invalid("event %d: destination %s cannot be made a local unicast address of the NIC", i, dst)
		}
		if !seen[dst] {
			seen[dst] = true
			locals = append(locals, dst)
		}
	}
	for i, e := range events {
		if len(e.packet) >= header.IPv6MinimumSize && seen[tcpip.Address(e.packet[8:24])] {
			return nil, invalid("event %d: source %s is also a destination, which the case makes a local address (errors to it would not leave the NIC)", i, tcpip.Address(e.packet[8:24]))
		}
	}
	return locals, nil
}

// upperProtocol is the protocol a packet's headers name last, through the extension headers netstack
// knows (Hop-by-Hop, Routing, Destination Options, Fragment), into the fragmentable part of an
// offset-0 fragment. Used only to decline ICMPv6 cases, never to decide what is delivered.
func upperProtocol(p []byte) uint8 {
	next, at := p[6], header.IPv6MinimumSize
	for {
		switch next {
		case 0, 43, 60:
			if at+2 > len(p) {
				return next
			}
			next, at = p[at], at+8*(int(p[at+1])+1)
		case 44:
			if at+8 > len(p) {
				return next
			}
			offset := (uint16(p[at+2])<<8 | uint16(p[at+3])) >> 3
			next, at = p[at], at+8
			if offset != 0 {
				return next
			}
		default:
			return next
		}
	}
}

// run is one case's record: what the stack delivered and the errors it wrote, each at the clock's time.
type run struct {
	mu        sync.Mutex
	clock     *faketime.ManualClock
	link      *channel.Endpoint
	delivered []delivery
	icmp      []icmpError
	failure   error
}

// now is the clock's time as the case's virtual milliseconds (the clock starts at the Unix epoch).
func (r *run) now() int64 {
	return r.clock.Now().Sub(time.Unix(0, 0)).Milliseconds()
}

// WriteNotify is the channel endpoint's: netstack wrote a packet out. ICMPv6 Time Exceeded and Parameter
// Problem are kept, as the kernel IUT keeps them (iut/linux/frag6/icmp-capture.ts); the rest (Destination
// Unreachable, NDP, MLD) is the upper layers' business.
func (r *run) WriteNotify() {
	for pkt := r.link.Read(); !pkt.IsNil(); pkt = r.link.Read() {
		b := pkt.ToView().AsSlice()
		if len(b) >= header.IPv6MinimumSize+header.ICMPv6ErrorHeaderSize && b[6] == uint8(header.ICMPv6ProtocolNumber) {
			icmp := header.ICMPv6(b[header.IPv6MinimumSize:])
			if t := icmp.Type(); t == header.ICMPv6TimeExceeded || t == header.ICMPv6ParamProblem {
				r.mu.Lock()
				r.icmp = append(r.icmp, icmpError{T: r.now(), Type: uint8(t), Code: uint8(icmp.Code()), Pointer: icmp.TypeSpecific()})
				r.mu.Unlock()
			}
		}
		pkt.DecRef()
	}
}

func runOnNetstack(events []event, locals []tcpip.Address) (map[string]any, error) {
	r := &run{clock: faketime.NewManualClock(), link: channel.New(256, linkMTU, "")}
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{observedIPv6(r)},
		TransportProtocols: upperLayerSinks(),
		Clock:              r.clock,
	})
	defer func() {
		s.Destroy()
		r.link.Close()
	}()
	r.link.AddNotify(r)
	if err := s.CreateNIC(nicID, r.link); err != nil {
		return nil, fmt.Errorf("netstack CreateNIC: %s", err)
	}
	for _, a := range locals {
		address := tcpip.ProtocolAddress{Protocol: ipv6.ProtocolNumber, AddressWithPrefix: tcpip.AddressWithPrefix{Address: a, PrefixLen: 128}}
		if err := s.AddProtocolAddress(nicID, address, stack.AddressProperties{}); err != nil {
			return nil, fmt.Errorf("netstack AddProtocolAddress %s: %s", a, err)
		}
	}
	// Errors go back to every source through the one link, as the kernel IUT's default route sends them out of veth0.
	s.SetRouteTable([]tcpip.Route{{Destination: header.IPv6EmptySubnet, NIC: nicID}})

	var at int64
	for _, e := range events {
		// Every timer due by the event's time fires first (the model's expireUntil does the same).
		r.clock.Advance(time.Duration(e.t-at) * time.Millisecond)
		at = e.t
		r.link.InjectInbound(ipv6.ProtocolNumber, stack.NewPacketBuffer(stack.PacketBufferOptions{
			Payload: bufferv2.MakeWithData(e.packet),
		}))
	}
	// Time runs on until every queue has completed or expired: the last one began by now.
	r.clock.Advance(ipv6.ReassembleTimeout)

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failure != nil {
		return nil, r.failure
	}
	delivered := r.delivered
	if delivered == nil {
		delivered = []delivery{}
	}
	icmp := r.icmp
	if icmp == nil {
		icmp = []icmpError{}
	}
	return map[string]any{"delivered": delivered, "icmp": icmp}, nil
}
