package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/spf13/pflag"

	"github.com/padlock-tls/padlock/capture"
	"github.com/padlock-tls/padlock/reassembly"
	"github.com/padlock-tls/padlock/report"
)

// version is padlock's release; builds from a checkout say so.
const version = "0.1.0-dev"

// Exit codes, documented in --help and README.
const (
	exitOK    = 0 // the capture was read (warnings may have been printed)
	exitError = 1 // output could not be written, or reading failed midway
	exitUsage = 2 // bad flags, or the input is not a usable capture
)

const usage = `padlock: a passive TLS dissector

Usage:
  padlock -r FILE [flags] [FILTER]    read a pcap or pcapng file (gzip allowed; - is stdin)
  padlock -i IFACE [flags] [FILTER]   capture live on an interface (any: all of them)
  padlock -D                          list the interfaces -i accepts

Reports one entry per TCP connection that spoke TLS: who talked to whom,
every TLS record and handshake message with the frames that carried it,
what was agreed, alerts and problems. Results go to stdout, diagnostics to
stderr. FILTER is a tcpdump capture filter ('tcp port 443'), given with -f
or as the last arguments, as tcpdump takes it; it is compiled by the
system's tcpdump, so it means exactly what it means to tcpdump.

Live capture writes each connection's report as soon as the connection
ends (FIN, RST, or idle for --flow-timeout), one flushed line at a time.
Ctrl-C (SIGINT) or SIGTERM stops it: connections still open are written,
then the packet counters; a second Ctrl-C exits at once.

Flags:
%s
Exit status:
  0  the capture was read, or the live capture was stopped (warnings about
     damaged input go to stderr)
  1  reading or writing failed midway
  2  bad flags, a filter that does not compile, or an input padlock cannot
     read or capture from (including missing privileges)
`

type options struct {
	read        string
	format      string
	count       int
	version     bool
	help        bool
	schema      bool
	iface       string
	list        bool
	filter      string
	snaplen     int
	noPromisc   bool
	write       string
	flowTimeout time.Duration
	user        string
	workers     int // reassemblers the flows are shared out to
	quiet       bool
	caps        capOptions
	perf        perfOptions
	ja4plus     bool
	caFile      string
	trust       *report.Trust // from --ca-file; nil: the system's roots
	keylog      string
	keys        *keySources // nil: no key material

	// Set up by run for process, not flags.
	match *capture.Filter // nil: every packet
	save  *capture.Saver  // nil: no -w
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("padlock", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o options
	fs.StringVarP(&o.read, "read", "r", "", "read packets from `FILE` (pcap or pcapng, optionally gzip'd; - for stdin)")
	fs.StringVar(&o.format, "format", "", "output `FORMAT`: text (a ladder per connection), json (NDJSON, one line per connection)\nor summary (one screen of counts for the whole capture);\ndefault text when stdout is a terminal, json otherwise")
	fs.BoolVar(&o.ja4plus, "ja4plus", false, "also compute JA4S and JA4X (FoxIO License 1.1: free for your own use, not for resale; see README)")
	fs.StringVar(&o.caFile, "ca-file", "", "judge server certificate chains against the PEM roots in `FILE` instead of the system's")
	fs.StringVar(&o.keylog, "keylog", "", "decrypt with the TLS secrets in `FILE` (NSS key log format, as SSLKEYLOGFILE writes; also read: $SSLKEYLOGFILE and pcapng Decryption Secrets Blocks)")
	fs.StringVarP(&o.iface, "interface", "i", "", "capture live on `IFACE` (a name, \"any\", or a number from -D)")
	fs.BoolVarP(&o.list, "list-interfaces", "D", false, "list the interfaces -i accepts and exit")
	fs.StringVarP(&o.filter, "filter", "f", "", "capture filter `EXPR` in tcpdump syntax (or give it as the last arguments)")
	fs.IntVarP(&o.count, "count", "c", 0, "stop after `N` packets (that pass the filter; 0: no limit)")
	fs.IntVarP(&o.snaplen, "snapshot-length", "s", 0, "capture at most `SNAPLEN` bytes of each packet (0: 262144)")
	fs.BoolVarP(&o.noPromisc, "no-promiscuous-mode", "p", false, "do not put the interface into promiscuous mode")
	fs.StringVarP(&o.write, "write", "w", "", "also save the packets read or captured (after the filter) to `FILE`, as pcapng")
	fs.DurationVar(&o.flowTimeout, "flow-timeout", reassembly.DefaultOptions.FlowTimeout, "end a connection idle for `DURATION` (report it with end_seen \"idle\")")
	fs.StringVarP(&o.user, "relinquish-privileges", "Z", "", "after opening the capture, switch to `USER` (when run as root)")
	fs.IntVar(&o.workers, "workers", runtime.NumCPU(), "share the connections out to `N` reassemblers running in parallel (the output\nof a file is the same for every N; live, each report is written when its\nconnection ends); by default at most one per 64 MiB of --max-memory")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "live capture: do not print the listening line and the packet counters;\nfile: no progress line (drawn only when stderr is a terminal)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVar(&o.schema, "schema", false, "print the JSON Schema of the NDJSON report and exit")
	fs.BoolVarP(&o.help, "help", "h", false, "print this help and exit")
	addCapFlags(fs, &o.caps)
	addPerfFlags(fs, &o.perf)
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "padlock: %v (see padlock --help)\n", err)
		return exitUsage
	}
	if o.help {
		fmt.Fprintf(stdout, usage, fs.FlagUsages())
		return exitOK
	}
	if o.schema {
		stdout.Write(report.Schema)
		return exitOK
	}
	if o.version {
		fmt.Fprintf(stdout, "padlock %s\n", version)
		return exitOK
	}
	if o.list {
		return listInterfaces(stdout, stderr)
	}
	if fs.NArg() > 0 {
		// tcpdump takes the filter as its last arguments.
		if fs.Changed("filter") {
			fmt.Fprintf(stderr, "padlock: a filter was given both with -f and as arguments (%q): give it once\n", strings.Join(fs.Args(), " "))
			return exitUsage
		}
		o.filter = strings.Join(fs.Args(), " ")
	}
	if !loadTrust(&o, stderr) {
		return exitUsage
	}
	if o.read != "" && o.iface != "" {
		fmt.Fprintln(stderr, "padlock: give either -r FILE or -i IFACE, not both")
		return exitUsage
	}
	if o.read == "" && o.iface == "" {
		fmt.Fprintln(stderr, "padlock: no input: give a capture file with -r FILE or an interface with -i IFACE (see padlock --help)")
		return exitUsage
	}
	if o.snaplen < 0 || o.snaplen > capture.DefaultSnaplen {
		fmt.Fprintf(stderr, "padlock: invalid snap length %d (must be >= 0 and <= %d)\n", o.snaplen, capture.DefaultSnaplen)
		return exitUsage
	}
	if o.snaplen == 0 {
		o.snaplen = capture.DefaultSnaplen
	}
	if o.count < 0 {
		fmt.Fprintf(stderr, "padlock: invalid -c %d: the packet count must be >= 0\n", o.count)
		return exitUsage
	}
	if o.workers < 1 {
		fmt.Fprintf(stderr, "padlock: invalid --workers %d: it must be >= 1\n", o.workers)
		return exitUsage
	}
	if o.perf.maxMemory > 0 && !fs.Changed("workers") {
		// Each worker holds its own batches and flows: under a small
		// --max-memory, fewer of them keep the cap.
		o.workers = max(1, min(o.workers, o.perf.maxMemory/memoryPerWorker))
	} else if o.perf.maxMemory > 0 && o.workers > 1 && o.perf.maxMemory < o.workers*memoryPerWorker {
		// What the workers hold in flight leaves the flows so little of
		// the cap that the collector runs nearly all the time: 200,000
		// never-closing flows under 64 MiB took twice as long with 2
		// workers as with 1.
		fmt.Fprintf(stderr, "padlock: warning: --max-memory %d with --workers %d: each worker needs about %d MiB, and padlock will be slower than with --workers %d\n",
			o.perf.maxMemory, o.workers, memoryPerWorker, max(1, o.perf.maxMemory/memoryPerWorker))
	}
	if o.flowTimeout <= 0 {
		fmt.Fprintf(stderr, "padlock: invalid --flow-timeout %v: it must be positive\n", o.flowTimeout)
		return exitUsage
	}
	if err := o.caps.check(); err != nil {
		fmt.Fprintf(stderr, "padlock: %v\n", err)
		return exitUsage
	}
	if o.write == "-" {
		fmt.Fprintln(stderr, "padlock: -w - would mix packets with the reports on stdout: give a file name")
		return exitUsage
	}
	format := o.format
	if format == "" {
		format = "json"
		if isTerminal(stdout) {
			format = "text"
		}
	}
	live := o.iface != ""
	var w report.Writer
	switch format {
	case "json", "ndjson":
		jw := report.NewJSONWriter(stdout)
		jw.FlushEach = live
		w = jw
	case "text":
		tw := report.NewTextWriter(stdout)
		tw.FlushEach = live
		w = tw
	case "summary":
		w = report.NewSummaryWriter(stdout)
	default:
		fmt.Fprintf(stderr, "padlock: unknown --format %q: use text, json or summary\n", format)
		return exitUsage
	}

	if live {
		if !setKeys(&o, nil, stderr) {
			return exitUsage
		}
		return runLive(o, w, stderr)
	}

	src, err := capture.Open(o.read, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "padlock: %v\n", err)
		return exitUsage
	}
	defer src.Close()
	if !setKeys(&o, src, stderr) {
		return exitUsage
	}
	if o.filter != "" {
		o.match = capture.NewFilter(o.filter, nil)
	}
	if o.user != "" {
		if err := capture.DropPrivileges(o.user); err != nil {
			fmt.Fprintf(stderr, "padlock: %v\n", err)
			return exitUsage
		}
	}
	if o.write != "" {
		f, err := os.Create(o.write)
		if err != nil {
			fmt.Fprintf(stderr, "padlock: -w: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		o.save = capture.NewSaver(f, "", o.filter, o.snaplen)
		embedSecrets(o.save, o, stderr)
	}
	code := process(src, w, o, stderr)
	for _, warn := range src.Warnings() {
		fmt.Fprintf(stderr, "padlock: warning: %s\n", strings.TrimPrefix(warn, "padlock: "))
	}
	return code
}

// trackerOptions are the tracker's options from the flags.
func trackerOptions(o options) reassembly.Options {
	topts := reassembly.DefaultOptions
	if o.flowTimeout > 0 {
		topts.FlowTimeout = o.flowTimeout
	}
	o.caps.apply(&topts)
	return topts
}

// pipeline is what process feeds segments to: one tracker and builder
// (single), or --workers of them with a merger (workers.go).
type pipeline interface {
	add(seg *capture.Segment) // seg is reused by the caller after the call
	// close ends the input: every connection ends and every report is
	// written (or stop: the same, on the way out after an error).
	close()
	stop()
	stats() (reassembly.Stats, *handler) // after close
	err() error                          // the first output error, after close
	conns() int                          // TCP connections so far, for the progress line
	evictOldest(share float64) int       // --max-memory: see monitor.checkMemory
}

// single is the pipeline of one tracker, on the caller's goroutine.
type single struct {
	tracker *reassembly.Tracker
	h       *handler
}

func newSingle(w report.Writer, o options) *single {
	sink := w.Write
	var builder *report.Builder
	if jw, ok := w.(*report.JSONWriter); ok {
		// A JSON line is written at once: the report's buffers can serve
		// the next one.
		sink = func(c *report.Connection) error {
			err := jw.Write(c)
			builder.Recycle(c)
			return err
		}
	}
	builder = report.NewBuilder(sink)
	configure(builder, o)
	builder.Recover = recoverPanics
	h := &handler{Builder: builder, keys: o.keys}
	topts := trackerOptions(o)
	if o.iface != "" {
		// Live: each report as soon as its connection ends, not in
		// first-packet order.
		topts.Ordered = false
	}
	return &single{tracker: reassembly.New(topts, h), h: h}
}

func (s *single) add(seg *capture.Segment)            { s.tracker.Add(seg) }
func (s *single) close()                              { s.tracker.Close() }
func (s *single) stop()                               {}
func (s *single) stats() (reassembly.Stats, *handler) { return s.tracker.Stats(), s.h }
func (s *single) err() error                          { return s.h.Err() }
func (s *single) conns() int                          { return s.tracker.Stats().Connections }
func (s *single) evictOldest(share float64) int       { return s.tracker.EvictOldest(share) }

// The live loop's (liveSink): idle connections end by the wall clock too;
// nothing is batched; the output failed.
func (s *single) tick(now time.Time) { s.tracker.Flush(now) }
func (s *single) push()              {}
func (s *single) failed() bool       { return s.h.Err() != nil }

// process runs the pipeline: packets -> segments -> connections -> reports.
func process(src *capture.Source, w report.Writer, o options, stderr io.Writer) int {
	var pl pipeline
	if o.workers > 1 {
		pl = newWorkers(w, o)
	} else {
		pl = newSingle(w, o)
	}
	mon := newMonitor(o, src, pl.conns, pl.evictOldest, stderr)
	defer mon.mem.finish(stderr) // on the early returns too: the memory limit comes back
	dec := capture.NewDecoder()
	var badPackets int
	var firstBad error
	var seg capture.Segment // reused: the tracker keeps no pointer to it
	stable := src.Stable()
	code := exitOK
	for n := 0; o.count == 0 || n < o.count; {
		p, err := src.NextShared() // p is done with before the next read
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(stderr, "padlock: %v\n", err)
			code = exitError
			break
		}
		mon.packet(len(p.Data))
		if o.match != nil {
			// Frames keep their numbers in the file, so they still
			// name the packet in Wireshark.
			ok, err := o.match.Match(p)
			if err != nil {
				fmt.Fprintf(stderr, "padlock: %v (frame %d)\n", err, p.Frame)
				pl.stop()
				return exitUsage
			}
			if !ok {
				continue
			}
		}
		n++
		if o.save != nil {
			if err := o.save.Write(p); err != nil {
				fmt.Fprintf(stderr, "padlock: -w: %v\n", err)
				pl.stop()
				return exitError
			}
		}
		var ok bool
		seg, ok, err = dec.DecodeShared(p)
		if err != nil {
			badPackets++
			if firstBad == nil {
				firstBad = err // names its frame
			}
			continue
		}
		if ok {
			// Bytes of a packet that stays valid are not copied.
			seg.Stable = seg.Stable || stable
			pl.add(&seg)
		}
	}
	pl.close()
	st, h := pl.stats()
	if p, ok := pl.(*workers); ok {
		mon.mem.evicted += p.memEvicted()
	}
	mon.finish(st, dec.Stats(), h)
	capWarnings(st, o.caps, stderr)
	if err := pl.err(); err != nil {
		var bug workerBug
		if errors.As(err, &bug) {
			fmt.Fprintf(stderr, "padlock: %v\n", err)
		} else {
			fmt.Fprintf(stderr, "padlock: writing output: %v\n", err)
		}
		return exitError
	}
	if err := w.Close(); err != nil {
		fmt.Fprintf(stderr, "padlock: writing output: %v\n", err)
		return exitError
	}
	if o.save != nil {
		if err := o.save.Close(layers.LinkTypeEthernet, nil); err != nil {
			fmt.Fprintf(stderr, "padlock: -w: %v\n", err)
			return exitError
		}
	}
	if badPackets > 0 {
		fmt.Fprintf(stderr, "padlock: warning: %d packets could not be decoded (first: %v)\n", badPackets, firstBad)
	}
	return code
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	// Not os.ModeCharDevice: /dev/null is one too, and `padlock -r f
	// >/dev/null` must cost what `| jq` costs (stats.go).
	return isTTY(w)
}
