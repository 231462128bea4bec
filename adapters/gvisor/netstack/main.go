// nfconform-gvisor: the gvisor adapter's front process. It speaks the adapter
// protocol (docs/adapter-protocol.md) on stdin/stdout for one session:
//
//   - frag6.run is answered here, by gVisor's netstack linked in as a library
//     (frag6.go): a fresh stack per run, driven by a manual clock;
//   - every other request (hello, reset, bpf.*, unknown ops) goes, line for
//     line, to the sandbox agent (agent.mjs inside runsc) started as the child
//     process named on the command line, and its reply comes back as it is;
//     hello's reply gains the frag6 area, its profile and netstack's version.
//
// One front and one sandbox per session; frag6 keeps no state between runs,
// so reset has nothing to clear on this side.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"nfconform/protocol"
)

// netstackVersion is the Debian package's version (golang-gvisor-gvisor-dev), set by ../build.
var netstackVersion = "unknown"

var (
	invalid   = protocol.Invalid
	strictInt = protocol.StrictInt
	fromHex   = protocol.FromHex
)

type params = protocol.Params

// sandbox is the child serving the sandbox's areas: one request line in, one reply line out.
type sandbox struct {
	in  io.WriteCloser
	out *bufio.Reader
	cmd *exec.Cmd
}

func startSandbox(argv []string) (*sandbox, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &sandbox{in: in, out: bufio.NewReaderSize(out, 1<<20), cmd: cmd}, nil
}

// exchange sends one request line and returns the sandbox's reply line.
func (s *sandbox) exchange(line string) (string, error) {
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		return "", fmt.Errorf("the sandbox agent is gone (%v)", err)
	}
	reply, err := s.out.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("the sandbox agent is gone (%v)", err)
	}
	return strings.TrimRight(reply, "\n"), nil
}

func (s *sandbox) close() {
	s.in.Close()
	s.cmd.Wait()
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: nfconform-gvisor SANDBOX-COMMAND [ARG...]")
		os.Exit(2)
	}
	box, err := startSandbox(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "nfconform-gvisor: cannot start the sandbox agent %q: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	defer box.close()
	protocol.Serve(func(line string) string { return answer(box, line) })
}

func errorReply(id any, err error) string {
	return protocol.Encode(protocol.Reply(id, nil, err))
}

// answer turns one request line into its reply line.
func answer(box *sandbox, line string) string {
	id, op, request, err := protocol.Request(line)
	if err != nil {
		return errorReply(id, err)
	}
	switch op {
	case "frag6.run":
		result, err := runFrag6(request)
		return protocol.Encode(protocol.Reply(id, result, err))
	case "hello":
		reply, err := box.exchange(line)
		if err != nil {
			return errorReply(id, err)
		}
		return withFrag6(reply)
	default:
		reply, err := box.exchange(line)
		if err != nil {
			return errorReply(id, err)
		}
		return reply
	}
}

// withFrag6 adds this process's area to the sandbox's hello reply (an error reply passes as it is).
func withFrag6(reply string) string {
	var hello map[string]any
	if err := json.Unmarshal([]byte(reply), &hello); err != nil || hello["error"] != nil {
		return reply
	}
	areas, _ := hello["areas"].([]any)
	hello["areas"] = append(areas, "frag6")
	profiles, _ := hello["profiles"].(map[string]any)
	if profiles == nil {
		profiles = map[string]any{}
	}
	// gVisor claims Linux compatibility; its reassembler stands for the plain one (net/ipv6/reassembly.c).
	profiles["frag6"] = "linux-ipv6"
	hello["profiles"] = profiles
	version, _ := hello["version"].(string)
	hello["version"] = fmt.Sprintf("%s; frag6: netstack (gvisor.dev/gvisor %s, %s)", version, netstackVersion, runtime.Version())
	b, _ := json.Marshal(hello)
	return string(b)
}
