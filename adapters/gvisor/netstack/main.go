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
	"strconv"
	"strings"
)

// netstackVersion is the Debian package's version (golang-gvisor-gvisor-dev), set by ../build.
var netstackVersion = "unknown"

// protocolError is an error reply: `unsupported`, `invalid` or `internal`.
type protocolError struct{ code, message string }

func (e *protocolError) Error() string { return e.message }

func invalid(format string, args ...any) error {
	return &protocolError{"invalid", fmt.Sprintf(format, args...)}
}

type params map[string]json.RawMessage

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
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		out.WriteString(answer(box, line))
		out.WriteByte('\n')
		out.Flush()
	}
}

func errorReply(id any, err error) string {
	pe, ok := err.(*protocolError)
	if !ok {
		pe = &protocolError{"internal", err.Error()}
	}
	b, _ := json.Marshal(map[string]any{"id": id, "error": map[string]string{"code": pe.code, "message": pe.message}})
	return string(b)
}

// answer turns one request line into its reply line.
func answer(box *sandbox, line string) string {
	var request params
	if err := json.Unmarshal([]byte(line), &request); err != nil {
		return errorReply(nil, invalid("request is not a JSON object: %.80s", line))
	}
	var id int64
	if err := strictInt(request["id"], &id, -1<<53, 1<<53); err != nil {
		return errorReply(nil, invalid("request: \"id\" must be an integer"))
	}
	var op string
	_ = json.Unmarshal(request["op"], &op)
	switch op {
	case "frag6.run":
		delete(request, "id")
		delete(request, "op")
		result, err := runFrag6(request)
		if err != nil {
			return errorReply(id, err)
		}
		result["id"] = id
		b, _ := json.Marshal(result)
		return string(b)
	case "hello":
		reply, err := box.exchange(line)
		if err != nil {
			return errorReply(id, err)
		}
		return withFrag6(id, reply)
	default:
		reply, err := box.exchange(line)
		if err != nil {
			return errorReply(id, err)
		}
		return reply
	}
}

// withFrag6 adds this process's area to the sandbox's hello reply (an error reply passes as it is).
func withFrag6(id int64, reply string) string {
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

func strictInt(raw json.RawMessage, dst *int64, min, max int64) error {
	if raw == nil {
		return fmt.Errorf("missing")
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || n < min || n > max {
		return fmt.Errorf("must be an integer in %d..%d, not %.40s", min, max, raw)
	}
	*dst = n
	return nil
}

func fromHex(s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("odd hex length %d", len(s))
	}
	out := make([]byte, len(s)/2)
	for i := 0; i < len(s); i += 2 {
		hi, lo := nibble(s[i]), nibble(s[i+1])
		if hi < 0 || lo < 0 {
			return nil, fmt.Errorf("not lowercase hex at %d", i)
		}
		out[i/2] = byte(hi<<4 | lo)
	}
	return out, nil
}

func nibble(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}
