package report

import (
	"fmt"
	"io"
	"unicode/utf8"
)

// terminalSafe passes text through to a terminal with every control
// character written as a \xNN (or \u00NN) escape, except the newlines that
// end lines: an SNI, a certificate name or an ALPN protocol comes from the
// wire, and raw escape sequences in it would drive the reader's terminal
// (CVE-2021-35938-style injection; Wireshark escapes them the same way).
type terminalSafe struct {
	w   io.Writer
	buf []byte
}

func (t *terminalSafe) Write(p []byte) (int, error) {
	t.buf = t.buf[:0]
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\n':
			t.buf = append(t.buf, c)
			i++
		case c < 0x20 || c == 0x7f:
			t.buf = fmt.Appendf(t.buf, `\x%02x`, c)
			i++
		case c < utf8.RuneSelf:
			t.buf = append(t.buf, c)
			i++
		default:
			r, n := utf8.DecodeRune(p[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				t.buf = fmt.Appendf(t.buf, `\x%02x`, c) // not UTF-8
			case r >= 0x80 && r <= 0x9f: // C1 controls
				t.buf = fmt.Appendf(t.buf, `\u%04x`, r)
			default:
				t.buf = append(t.buf, p[i:i+n]...)
			}
			i += n
		}
	}
	if _, err := t.w.Write(t.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}
