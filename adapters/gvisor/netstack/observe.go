// What netstack hands to the upper layer, seen where it hands it: the IPv6
// network endpoint's TransportDispatcher.DeliverTransportPacket(protocol,
// packet), the one call through which netstack's IPv6 passes a datagram (an
// unfragmented one, or the one its reassembler rebuilt) to any transport
// protocol. The adapter wraps the dispatcher each IPv6 endpoint is given, so
// it sees the PacketBuffer exactly as the transport layer gets it.
package main

import (
	"encoding/hex"
	"fmt"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/waiter"
)

// observedIPv6 is netstack's IPv6 protocol (default options: no DAD, no SLAAC, no MLD), whose endpoints
// report to r each datagram they deliver.
func observedIPv6(r *run) stack.NetworkProtocolFactory {
	return func(s *stack.Stack) stack.NetworkProtocol {
		return observedProtocol{NetworkProtocol: ipv6.NewProtocol(s), r: r}
	}
}

type observedProtocol struct {
	stack.NetworkProtocol
	r *run
}

func (p observedProtocol) NewEndpoint(nic stack.NetworkInterface, d stack.TransportDispatcher) stack.NetworkEndpoint {
	return p.NetworkProtocol.NewEndpoint(nic, observingDispatcher{TransportDispatcher: d, r: p.r})
}

type observingDispatcher struct {
	stack.TransportDispatcher
	r *run
}

func (d observingDispatcher) DeliverTransportPacket(protocol tcpip.TransportProtocolNumber, pkt stack.PacketBufferPtr) stack.TransportPacketDisposition {
	d.r.deliver(protocol, pkt)
	return d.TransportDispatcher.DeliverTransportPacket(protocol, pkt)
}

// deliver records the datagram as the protocol's `delivered` form (see delivered()).
func (r *run) deliver(protocol tcpip.TransportProtocolNumber, pkt stack.PacketBufferPtr) {
	packet, err := delivered(uint8(protocol), pkt)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if r.failure == nil {
			r.failure = err
		}
		return
	}
	r.delivered = append(r.delivered, delivery{T: r.now(), Packet: hex.EncodeToString(packet)})
}

// delivered rebuilds the whole IPv6 packet the upper layer got. Every byte comes from the PacketBuffer
// netstack delivers (pkt.ToView(): the bytes from its network header on), which holds, in order:
//   - its network header (pkt.NetworkHeader()): the IPv6 header and the extension headers netstack
//     parsed before the payload; for a reassembled datagram these are the offset-0 fragment's own,
//     up to and including its Fragment header (the reassembler clones that fragment and appends the
//     others' data: fragmentation reassembler.process, stack.MergeFragment);
//   - the extension headers netstack walked after the Fragment header in the reassembled data (it
//     consumes them from pkt.Data() before delivery, the bytes stay in the buffer);
//   - the transport header and data, as reassembled.
//
// Then, as the protocol's form asks (and as the kernel IUT does for Linux): every Fragment header is
// taken out with the Next Header before it set to its own, and Payload Length is recomputed. The chain
// must then end in the protocol netstack delivered to, or the adapter fails the request (internal).
func delivered(protocol uint8, pkt stack.PacketBufferPtr) ([]byte, error) {
	view := pkt.ToView()
	b := append([]byte(nil), view.AsSlice()...)
	view.Release()
	nh := pkt.NetworkHeader().Slice()
	if len(b) < len(nh) || len(nh) < header.IPv6MinimumSize || string(b[:len(nh)]) != string(nh) {
		return nil, fmt.Errorf("a delivered packet buffer does not begin with its network header (%d bytes, network header %d)", len(b), len(nh))
	}
	next, at := 6, header.IPv6MinimumSize
walk:
	for {
		switch b[next] {
		case 0, 43, 60: // Hop-by-Hop, Routing, Destination Options: kept
			if at+2 > len(b) {
				return nil, fmt.Errorf("a delivered packet's extension header at %d is cut short", at)
			}
			next, at = at, at+8*(int(b[at+1])+1)
			continue
		case 44: // Fragment: removed
			if at+8 > len(b) {
				return nil, fmt.Errorf("a delivered packet's Fragment header at %d is cut short", at)
			}
			b[next] = b[at]
			b = append(b[:at], b[at+8:]...)
			continue
		}
		break walk
	}
	if at > len(b) || b[next] != protocol {
		return nil, fmt.Errorf("a packet delivered to protocol %d names %d after its headers", protocol, b[next])
	}
	// netstack can rebuild a datagram whose payload is longer than 65535 bytes (it bounds each fragment's
	// offset and length, not the headers before the Fragment header): 16 bits cannot hold that length, so
	// Payload Length is 0, as for a jumbogram (RFC 2675), and the packet keeps every byte delivered.
	length := len(b) - header.IPv6MinimumSize
	if length > 0xffff {
		length = 0
	}
	header.IPv6(b).SetPayloadLength(uint16(length))
	return b, nil
}

// upperLayerSinks are the transport protocols the case's datagrams carry (TCP, UDP and 253, as in
// wire/ipv6-datagram.ts UPPER_PROTOCOLS; ICMPv6 is netstack's own): each takes every datagram of its
// number and does nothing with it, as the kernel IUT's raw sockets do. Without one, netstack answers
// an unregistered protocol with Parameter Problem code 1, as Linux does without a raw socket.
func upperLayerSinks() []stack.TransportProtocolFactory {
	var out []stack.TransportProtocolFactory
	for _, n := range []tcpip.TransportProtocolNumber{6, 17, 253} {
		n := n
		out = append(out, func(*stack.Stack) stack.TransportProtocol { return sink(n) })
	}
	return out
}

type sink tcpip.TransportProtocolNumber

func (s sink) Number() tcpip.TransportProtocolNumber { return tcpip.TransportProtocolNumber(s) }
func (sink) NewEndpoint(tcpip.NetworkProtocolNumber, *waiter.Queue) (tcpip.Endpoint, tcpip.Error) {
	return nil, &tcpip.ErrNotSupported{}
}
func (sink) NewRawEndpoint(tcpip.NetworkProtocolNumber, *waiter.Queue) (tcpip.Endpoint, tcpip.Error) {
	return nil, &tcpip.ErrNotSupported{}
}
func (sink) MinimumPacketSize() int                               { return 0 }
func (sink) ParsePorts([]byte) (src, dst uint16, err tcpip.Error) { return 0, 0, nil }
func (sink) HandleUnknownDestinationPacket(stack.TransportEndpointID, stack.PacketBufferPtr) stack.UnknownDestinationPacketDisposition {
	return stack.UnknownDestinationPacketHandled
}
func (sink) SetOption(tcpip.SettableTransportProtocolOption) tcpip.Error {
	return &tcpip.ErrUnknownProtocolOption{}
}
func (sink) Option(tcpip.GettableTransportProtocolOption) tcpip.Error {
	return &tcpip.ErrUnknownProtocolOption{}
}
func (sink) Close()                           {}
func (sink) Wait()                            {}
func (sink) Pause()                           {}
func (sink) Resume()                          {}
func (sink) Parse(stack.PacketBufferPtr) bool { return true }
