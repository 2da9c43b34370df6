package report

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

// What a hostile SNI or certificate name could send to a terminal comes
// out escaped; the ladder's own box drawing and newlines pass.
func TestTerminalSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain example.com\n", "plain example.com\n"},
		{"\x1b]0;owned\x07\n", `\x1b]0;owned\x07` + "\n"},
		{"a\rb\tc\x7f", `a\x0db\x09c\x7f`},
		{"C1 \u009b31m", `C1 \u009b31m`},
		{"bad \xff utf-8", `bad \xff utf-8`},
		{"◀──── ✗ 🔒 é", "◀──── ✗ 🔒 é"},
	} {
		var out bytes.Buffer
		n, err := (&terminalSafe{w: &out}).Write([]byte(tc.in))
		assert.NoError(t, err)
		assert.Equal(t, len(tc.in), n)
		assert.Equal(t, tc.want, out.String(), "%q", tc.in)
	}
}
