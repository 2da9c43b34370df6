package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// SummaryWriter counts what the connections of a whole capture agreed and
// where they failed, and prints one screen of tables at Close.
type SummaryWriter struct {
	w       io.Writer
	conns   int
	estab   int
	first   int
	last    int
	start   string
	end     string
	tables  map[string]map[string]int
	ordered []string // table names in print order
}

// summaryTop caps the rows printed per table; the rest are added up.
const summaryTop = 10

// NewSummaryWriter returns a writer that prints a summary at Close.
func NewSummaryWriter(w io.Writer) *SummaryWriter {
	s := &SummaryWriter{w: w, tables: map[string]map[string]int{}}
	s.ordered = []string{"version", "cipher suite", "group", "SNI", "ALPN", "padlock", "verdict problem", "failure", "alert", "problem", "JA4"}
	for _, t := range s.ordered {
		s.tables[t] = map[string]int{}
	}
	return s
}

func (s *SummaryWriter) count(table, key string) {
	if key == "" {
		return
	}
	s.tables[table][key]++
}

func (s *SummaryWriter) Write(c *Connection) error {
	s.conns++
	if c.TLS.Established {
		s.estab++
	}
	if s.first == 0 || c.FirstFrame < s.first {
		s.first = c.FirstFrame
	}
	if c.LastFrame > s.last {
		s.last = c.LastFrame
	}
	if s.start == "" || (c.Start != "" && c.Start < s.start) {
		s.start = c.Start
	}
	if c.End > s.end {
		s.end = c.End
	}
	t := c.TLS
	v := t.Version
	if v == "" {
		v = "(no ServerHello)"
		if t.ClientVersion != "" {
			v += ", offered " + t.ClientVersion
		}
	}
	s.count("version", v)
	s.count("cipher suite", t.CipherSuite)
	s.count("group", t.Group)
	sni := t.SNI
	if sni == "" && t.ClientHellos > 0 {
		sni = "(none)"
	}
	s.count("SNI", sni)
	alpn := t.ALPN
	if alpn == "" && len(t.ALPNOffered) > 0 {
		why := "none selected"
		if t.EncryptedHandshake {
			why = "encrypted"
		}
		alpn = "(" + why + "; offered " + strings.Join(t.ALPNOffered, ",") + ")"
	}
	s.count("ALPN", alpn)
	if t.Failure != nil {
		s.count("failure", t.Failure.Reason)
	}
	for _, a := range t.Alerts {
		if a.Encrypted {
			s.count("alert", a.From+" encrypted")
		} else {
			s.count("alert", a.From+" "+a.Level+" "+a.Description)
		}
	}
	for _, e := range c.Errors {
		s.count("problem", e.Code)
	}
	if c.Verdict.Padlock {
		s.count("padlock", "yes")
	} else {
		s.count("padlock", "no")
	}
	for _, p := range c.Verdict.Problems {
		s.count("verdict problem", p.Severity+" "+p.Code)
	}
	if c.Fingerprints != nil {
		s.count("JA4", c.Fingerprints.JA4)
	}
	return nil
}

type row struct {
	key string
	n   int
}

func (s *SummaryWriter) Close() error {
	bw := bufio.NewWriter(&terminalSafe{w: s.w})
	pct := func(n int) string {
		if s.conns == 0 {
			return "0%"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(s.conns))
	}
	fmt.Fprintf(bw, "%d TLS connections", s.conns)
	if s.conns > 0 {
		fmt.Fprintf(bw, " in frames %d–%d, %s → %s", s.first, s.last, s.start, s.end)
	}
	fmt.Fprintf(bw, "\nestablished %d (%s), not established %d (%s)\n", s.estab, pct(s.estab), s.conns-s.estab, pct(s.conns-s.estab))
	for _, name := range s.ordered {
		tab := s.tables[name]
		if len(tab) == 0 {
			continue
		}
		rows := make([]row, 0, len(tab))
		for k, n := range tab {
			rows = append(rows, row{k, n})
		}
		// Most frequent first; ties by name so output never depends on map order.
		sort.Slice(rows, func(i, j int) bool {
			if rows[i].n != rows[j].n {
				return rows[i].n > rows[j].n
			}
			return rows[i].key < rows[j].key
		})
		fmt.Fprintf(bw, "\n%s\n", name)
		for i, r := range rows {
			if i == summaryTop {
				rest := 0
				for _, r := range rows[i:] {
					rest += r.n
				}
				fmt.Fprintf(bw, "  %7d  %-7s  (%d more)\n", rest, "", len(rows)-i)
				break
			}
			fmt.Fprintf(bw, "  %7d  %7s  %s\n", r.n, pct(r.n), r.key)
		}
	}
	return bw.Flush()
}
