package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// TextWriter draws each connection as a ladder: client on the left, server
// on the right, one arrow per record with the frames that carried it, so a
// reader sees where a record crossed packets and where a packet held
// several records.
type TextWriter struct {
	bw *bufio.Writer
	n  int
	// FlushEach flushes after every connection (live output).
	FlushEach bool
}

// NewTextWriter returns a ladder writer on w.
func NewTextWriter(w io.Writer) *TextWriter {
	return &TextWriter{bw: bufio.NewWriterSize(&terminalSafe{w: w}, 64<<10)}
}

// Close flushes buffered output.
func (t *TextWriter) Close() error { return t.bw.Flush() }

// arrowWidth is the width of the arrow column; with the other columns a
// ladder fits in 100 terminal columns.
const arrowWidth = 58

type ladderRow struct {
	frames   string
	toServ   bool // client -> server
	tcp      bool // a TCP event rather than a record
	label    string
	size     string
	rec      string
	note     string
	last     int // last frame, for ordering TCP events
	frameSet []int
}

func (t *TextWriter) Write(c *Connection) error {
	w := t.bw
	if t.n > 0 {
		w.WriteString("\n")
	}
	t.n++
	// Header: who talked to whom, and what they agreed.
	fmt.Fprintf(w, "#%d  client %s  ⇄  server %s    frames %d–%d   %s\n", c.ID,
		hostPort(c.Client), hostPort(c.Server), c.FirstFrame, c.LastFrame, duration(c.Start, c.End))
	var agreed []string
	tl := c.TLS
	if tl.Version != "" {
		agreed = append(agreed, tl.Version)
	} else if tl.ClientVersion != "" {
		agreed = append(agreed, "offered "+tl.ClientVersion)
	}
	if tl.CipherSuite != "" {
		agreed = append(agreed, tl.CipherSuite)
	}
	if tl.Group != "" {
		agreed = append(agreed, tl.Group)
	}
	if tl.SNI != "" {
		agreed = append(agreed, "sni "+tl.SNI)
	}
	if tl.ALPN != "" {
		agreed = append(agreed, "alpn "+tl.ALPN)
	} else if len(tl.ALPNOffered) > 0 {
		agreed = append(agreed, "alpn offered "+strings.Join(tl.ALPNOffered, ","))
	}
	var flags []string
	if tl.HelloRetry {
		flags = append(flags, "hello retry")
	}
	if tl.Resumed {
		flags = append(flags, "resumed")
	}
	if tl.Established {
		flags = append(flags, "established")
	} else {
		flags = append(flags, "not established")
	}
	fmt.Fprintf(w, "    %s\n", strings.Join(append(agreed, flags...), " · "))
	var details []string
	if tm := tl.Timing; tm.Handshake != nil {
		d := "handshake " + ms(*tm.Handshake)
		if tm.ClientHelloToServerHello != nil {
			d += " (ClientHello→ServerHello " + ms(*tm.ClientHelloToServerHello) + ")"
		}
		details = append(details, d)
	}
	if tl.Cipher != nil && !strings.HasPrefix(tl.CipherSuite, "TLS_AES") && !strings.HasPrefix(tl.CipherSuite, "TLS_CHACHA") {
		fs := "no forward secrecy"
		if tl.Cipher.ForwardSecrecy {
			fs = "forward secrecy"
		}
		details = append(details, fs)
	}
	yesNo := func(name string, b *bool) {
		if b == nil {
			return
		}
		if *b {
			details = append(details, name)
		} else {
			details = append(details, "no "+name)
		}
	}
	yesNo("EMS", tl.ExtendedMasterSecret)
	yesNo("secure renegotiation", tl.SecureRenegotiation)
	if tl.Resumption != "" {
		details = append(details, "resumed by "+strings.ReplaceAll(tl.Resumption, "_", " "))
	}
	if tl.HelloRetryGroup != "" {
		details = append(details, "server asked for "+tl.HelloRetryGroup)
	}
	if d := c.Decryption; d != nil {
		if d.Status == "decrypted" {
			details = append(details, fmt.Sprintf("decrypted (%d records)", d.Records.Client+d.Records.Server))
		} else {
			details = append(details, "decryption "+d.Status+": "+d.Reason)
		}
	}
	if len(details) > 0 {
		fmt.Fprintf(w, "    %s\n", strings.Join(details, " · "))
	}
	if f := tl.Failure; f != nil {
		fmt.Fprintf(w, "    ✗ %s: %s\n", f.Reason, f.Explanation)
	}
	if c.Start != "" {
		fmt.Fprintf(w, "    %s  start seen: %s  end: %s\n", c.Start, c.TCP.Start, c.TCP.End)
	}
	w.WriteString("\n")
	fmt.Fprintf(w, "    %-12s %s\n", "frame", "client"+strings.Repeat(" ", arrowWidth-12)+"server")

	rows := ladder(c)
	for _, r := range rows {
		line := fmt.Sprintf("    %-12s %s %8s %6s  %s", r.frames, arrow(r.label, r.toServ), r.size, r.rec, r.note)
		w.WriteString(strings.TrimRight(line, " "))
		w.WriteString("\n")
	}
	if n := len(c.Alerts()); n > 0 {
		w.WriteString("\n")
		for _, a := range c.Alerts() {
			if a.Encrypted && !a.Decrypted {
				fmt.Fprintf(w, "    alert from %s in frame %d: encrypted (cannot be read without keys)\n", a.From, a.Frame)
				continue
			}
			resp := ""
			if a.InResponseTo != "" {
				resp = ", after " + camel(a.InResponseTo)
			}
			fmt.Fprintf(w, "    alert from %s in frame %d: %s %s (%d)%s\n", a.From, a.Frame, a.Level, a.Description, *a.Code, resp)
		}
	}
	if len(c.Certificates) > 0 {
		w.WriteString("\n")
		for _, ct := range c.Certificates {
			word := "frames"
			if len(ct.Frames) == 1 {
				word = "frame"
			}
			fmt.Fprintf(w, "    %s certificate %d (%s %s): %s\n", ct.From, ct.Index, word, frameList(ct.Frames), orUnknown(ct.Subject))
			var parts []string
			if ct.Issuer != "" {
				parts = append(parts, "issuer "+ct.Issuer)
			}
			if ct.NotBeforeText != "" || ct.NotAfterText != "" {
				parts = append(parts, "valid "+dateOnly(ct.NotBeforeText)+" → "+dateOnly(ct.NotAfterText))
			}
			if ct.Key != "" {
				parts = append(parts, ct.Key)
			}
			if ct.Signature != "" {
				parts = append(parts, ct.Signature)
			}
			if len(ct.SANs) > 0 {
				parts = append(parts, "names "+strings.Join(ct.SANs, ","))
			}
			if len(parts) > 0 {
				fmt.Fprintf(w, "        %s\n", strings.Join(parts, " · "))
			}
		}
	}
	if fp := c.Fingerprints; fp != nil {
		w.WriteString("\n")
		if fp.JA4 != "" {
			fmt.Fprintf(w, "    ja4  %s   ja3  %s\n", fp.JA4, fp.JA3)
		}
		if fp.JA4S != "" {
			fmt.Fprintf(w, "    ja4s %s   ja3s %s\n", fp.JA4S, fp.JA3S)
		} else if fp.JA3S != "" {
			fmt.Fprintf(w, "    ja3s %s\n", fp.JA3S)
		}
	}
	v := c.Verdict
	w.WriteString("\n")
	if v.Padlock {
		w.WriteString("    🔒 padlock: yes\n")
	} else {
		w.WriteString("    ✗ padlock: no\n")
	}
	for _, p := range v.Problems {
		fmt.Fprintf(w, "      %-8s %s: %s\n", p.Severity, p.Code, p.Explanation)
	}
	if len(c.Errors) > 0 {
		w.WriteString("\n")
		for _, e := range c.Errors {
			where := e.Where
			if e.From != "" {
				where += ", " + e.From
			}
			if e.Frame != 0 {
				where += ", frame " + strconv.Itoa(e.Frame)
			}
			fmt.Fprintf(w, "    ✗ %s (%s): %s\n", e.Code, where, e.Message)
		}
	}
	if t.FlushEach {
		return w.Flush()
	}
	return nil
}

// dateOnly shortens an RFC 3339 time to its date.
func dateOnly(ts string) string {
	if len(ts) >= 10 {
		return ts[:10]
	}
	return orUnknown(ts)
}

// Alerts returns the connection's alerts.
func (c *Connection) Alerts() []Alert { return c.TLS.Alerts }

func hostPort(e Endpoint) string {
	if strings.Contains(e.IP, ":") {
		return "[" + e.IP + "]:" + strconv.Itoa(e.Port)
	}
	return e.IP + ":" + strconv.Itoa(e.Port)
}

func duration(start, end string) string {
	s, err1 := time.Parse(time.RFC3339Nano, start)
	e, err2 := time.Parse(time.RFC3339Nano, end)
	if err1 != nil || err2 != nil {
		return ""
	}
	return fmt.Sprintf("%.6f s", e.Sub(s).Seconds())
}

// arrow draws a labelled arrow of arrowWidth columns.
func arrow(label string, toServer bool) string {
	n := arrowWidth - utf8.RuneCountInString(label) - 3
	if n < 2 {
		n = 2
	}
	if toServer {
		return label + " " + strings.Repeat("─", n) + "▶ "
	}
	return " ◀" + strings.Repeat("─", n) + " " + label
}

// camel turns an IANA snake_case name into the CamelCase that Wireshark
// users read in the Info column: server_hello_done -> ServerHelloDone.
func camel(s string) string {
	if strings.HasPrefix(s, "0x") {
		return "Handshake(" + s + ")"
	}
	parts := strings.Split(s, "_")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

// frameList prints frames compactly: 6, 6–9 (a run) or 6,8,9.
func frameList(fr []int) string {
	if len(fr) == 0 {
		return "?"
	}
	run := true
	for i := 1; i < len(fr); i++ {
		if fr[i] != fr[i-1]+1 {
			run = false
		}
	}
	if len(fr) == 1 {
		return strconv.Itoa(fr[0])
	}
	if run {
		return fmt.Sprintf("%d–%d", fr[0], fr[len(fr)-1])
	}
	s := make([]string, len(fr))
	for i, f := range fr {
		s[i] = strconv.Itoa(f)
	}
	return strings.Join(s, ",")
}

// ms prints seconds as milliseconds.
func ms(sec float64) string { return fmt.Sprintf("%.1f ms", sec*1000) }

func size(n int) string {
	return strconv.Itoa(n) + " B"
}

// ladder builds the rows: TCP handshake and teardown, then one row per
// record (runs of application data collapsed), with notes where a record
// crossed packets or a packet carried several records.
func ladder(c *Connection) []ladderRow {
	// Which parts of which messages each record carried.
	type piece struct{ name string }
	pieces := map[int][]string{}
	for _, m := range c.Handshake {
		name := camel(m.Type)
		if m.Encrypted && !m.Decrypted {
			name = "EncryptedHandshake"
		}
		if d, ok := m.Detail.(serverHelloDetail); ok && d.HelloRetryRequest {
			name = "HelloRetryRequest"
		}
		for i, r := range m.Records {
			label := name
			if len(m.Records) > 1 {
				label = fmt.Sprintf("%s (%d/%d)", name, i+1, len(m.Records))
			}
			if !m.Complete && i == len(m.Records)-1 {
				label += " (cut)"
			}
			pieces[r] = append(pieces[r], label)
		}
	}
	alerts := map[int][]Alert{}
	for _, a := range c.TLS.Alerts {
		alerts[a.Record] = append(alerts[a.Record], a)
	}

	var rows []ladderRow
	tls13 := c.TLS.EncryptedHandshake
	for i := 0; i < len(c.Records); i++ {
		r := c.Records[i]
		row := ladderRow{frames: frameList(r.Frames), toServ: r.From == "client", size: size(r.Length),
			rec: "#" + strconv.Itoa(r.Number), frameSet: r.Frames}
		if len(r.Frames) > 0 {
			row.last = r.Frames[len(r.Frames)-1]
		}
		code := r.TypeCode
		if r.Decrypted && r.InnerTypeCode != 0 {
			code = r.InnerTypeCode
		}
		switch code {
		case 22:
			row.label = strings.Join(pieces[r.Number], " + ")
			if row.label == "" {
				row.label = "Handshake fragment"
			}
		case 21:
			var parts []string
			for _, a := range alerts[r.Number] {
				if a.Encrypted && !a.Decrypted {
					parts = append(parts, "Alert (encrypted)")
				} else {
					parts = append(parts, "Alert "+a.Level+" "+a.Description)
				}
			}
			row.label = strings.Join(parts, " + ")
			if row.label == "" {
				row.label = "Alert"
			}
		case 20:
			row.label = "ChangeCipherSpec"
		case 23:
			// Collapse a run of application data in one direction.
			j := i
			total := r.Length
			frames := append([]int{}, r.Frames...)
			for j+1 < len(c.Records) && c.Records[j+1].TypeCode == 23 && c.Records[j+1].From == r.From &&
				c.Records[j+1].InnerTypeCode == r.InnerTypeCode {
				j++
				total += c.Records[j].Length
				frames = append(frames, c.Records[j].Frames...)
			}
			name := "ApplicationData"
			if tls13 && !r.Decrypted {
				name = "Encrypted record"
			}
			if j > i {
				row.label = fmt.Sprintf("%s ×%d", name, j-i+1)
				row.rec = fmt.Sprintf("#%d–%d", r.Number, c.Records[j].Number)
				row.size = size(total)
				row.frames = frameList(dedupe(frames))
				row.frameSet = dedupe(frames)
				row.last = row.frameSet[len(row.frameSet)-1]
				i = j
			} else {
				row.label = name
			}
		case 24:
			row.label = "Heartbeat"
		default:
			row.label = "Record " + r.Type
		}
		if r.SSLv2 {
			row.label += " (SSLv2 record)"
		}
		if n := len(row.frameSet); n > 1 && !strings.Contains(row.rec, "–") {
			row.note = fmt.Sprintf("↕ %d frames", n)
		}
		rows = append(rows, row)
	}
	// Rows go in the order the records completed on the wire; record
	// numbers follow delivery, which differs after a gap or reordering.
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].last < rows[j].last })
	markSharedFrames(rows)
	return mergeTCP(c, rows)
}

func dedupe(fr []int) []int {
	out := fr[:0:0]
	seen := map[int]bool{}
	for _, f := range fr {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// markSharedFrames brackets runs of rows whose records share a frame: one
// packet that carried several records.
func markSharedFrames(rows []ladderRow) {
	shares := func(a, b ladderRow) int {
		for _, x := range a.frameSet {
			for _, y := range b.frameSet {
				if x == y {
					return x
				}
			}
		}
		return 0
	}
	for i := 0; i < len(rows); {
		j := i
		f := 0
		for j+1 < len(rows) {
			g := shares(rows[j], rows[j+1])
			if g == 0 || (f != 0 && g != f) {
				break
			}
			f = g
			j++
		}
		if j > i {
			for k := i; k <= j; k++ {
				mark := "│"
				switch k {
				case i:
					mark = fmt.Sprintf("┐ frame %d carries %d records", f, j-i+1)
				case j:
					mark = "┘"
				}
				rows[k].note = strings.TrimSpace(mark + "  " + rows[k].note)
			}
		}
		i = j + 1
	}
}

// mergeTCP places SYN, SYN/ACK, FIN and RST rows among the record rows by
// frame number.
func mergeTCP(c *Connection, rows []ladderRow) []ladderRow {
	type ev struct {
		frame  int
		toServ bool
		label  string
	}
	var evs []ev
	if f := c.TCP.SYNFrame; f != 0 {
		evs = append(evs, ev{f, true, "SYN"})
	}
	if f := c.TCP.SYNACKFrame; f != 0 {
		evs = append(evs, ev{f, false, "SYN/ACK"})
	}
	if f := c.TCP.FINFrame.Client; f != 0 {
		evs = append(evs, ev{f, true, "FIN"})
	}
	if f := c.TCP.FINFrame.Server; f != 0 {
		evs = append(evs, ev{f, false, "FIN"})
	}
	if f := c.TCP.RSTFrame.Client; f != 0 {
		evs = append(evs, ev{f, true, "RST"})
	}
	if f := c.TCP.RSTFrame.Server; f != 0 {
		evs = append(evs, ev{f, false, "RST"})
	}
	// Sort events by frame (few of them: insertion sort).
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].frame < evs[j-1].frame; j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
	out := make([]ladderRow, 0, len(rows)+len(evs))
	k := 0
	for _, r := range rows {
		for k < len(evs) && evs[k].frame < r.last {
			out = append(out, ladderRow{frames: strconv.Itoa(evs[k].frame), toServ: evs[k].toServ, tcp: true, label: "TCP " + evs[k].label})
			k++
		}
		out = append(out, r)
	}
	for ; k < len(evs); k++ {
		out = append(out, ladderRow{frames: strconv.Itoa(evs[k].frame), toServ: evs[k].toServ, tcp: true, label: "TCP " + evs[k].label})
	}
	return out
}
