// Package protocol is the adapter protocol's plumbing for the Go adapters
// (go-bpf, gvisor's front process): JSON lines on stdin/stdout, error replies,
// and the strict readers of request fields. The contract itself is
// docs/adapter-protocol.md; this package only speaks it.
package protocol

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Error is an error reply: `unsupported`, `invalid` or `internal`.
type Error struct{ Code, Message string }

func (e *Error) Error() string { return e.Message }

// Invalid is the error for a request the protocol does not allow.
func Invalid(format string, args ...any) error {
	return &Error{"invalid", fmt.Sprintf(format, args...)}
}

// Unsupported is the error for a request the adapter cannot carry out.
func Unsupported(format string, args ...any) error {
	return &Error{"unsupported", fmt.Sprintf(format, args...)}
}

// Params are a request's fields, each read by the op that takes it.
type Params map[string]json.RawMessage

// Request is one request line, split into its id, op and the other fields.
// A line that is not an object, or whose id is not an integer, has no id to
// answer with: id is then nil, and its reply carries id null.
func Request(line string) (id any, op string, p Params, err error) {
	if err := json.Unmarshal([]byte(line), &p); err != nil || p == nil {
		return nil, "", nil, Invalid("request is not a JSON object: %.80s", line)
	}
	var n int64
	if err := StrictInt(p["id"], &n, -1<<53, 1<<53); err != nil {
		return nil, "", nil, Invalid("request: \"id\" must be an integer")
	}
	if err := json.Unmarshal(p["op"], &op); err != nil || p["op"] == nil {
		return n, "", nil, Invalid("request: \"op\" must be a string")
	}
	delete(p, "id")
	delete(p, "op")
	return n, op, p, nil
}

// Reply is the reply object for a result, or for an error (any error that is
// not an *Error is `internal`). A nil id is JSON null.
func Reply(id any, result map[string]any, err error) map[string]any {
	if err != nil {
		pe, ok := err.(*Error)
		if !ok {
			pe = &Error{"internal", err.Error()}
		}
		return map[string]any{"id": id, "error": map[string]string{"code": pe.Code, "message": pe.Message}}
	}
	result["id"] = id
	return result
}

// Encode is a reply object as its line (without the newline).
func Encode(reply map[string]any) string {
	b, _ := json.Marshal(reply)
	return string(b)
}

// Serve answers request lines from stdin, one reply line each on stdout, until
// stdin ends. Blank lines are skipped.
func Serve(answer func(line string) string) {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		out.WriteString(answer(line))
		out.WriteByte('\n')
		out.Flush()
	}
}

// StrictInt reads a JSON integer within [min, max] (no fraction, no string).
func StrictInt(raw json.RawMessage, dst *int64, min, max int64) error {
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

// FromHex reads the protocol's bytes: lowercase hex, two digits a byte.
func FromHex(s string) ([]byte, error) {
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
