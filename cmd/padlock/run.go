package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

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
  padlock -r FILE [flags]        read a pcap or pcapng file (gzip allowed; - is stdin)

Reports one entry per TCP connection that spoke TLS: who talked to whom,
every TLS record and handshake message with the frames that carried it,
what was agreed, alerts and problems. Results go to stdout, diagnostics to
stderr.

Flags:
%s
Exit status:
  0  the capture was read (warnings about damaged input go to stderr)
  1  reading or writing failed midway
  2  bad flags, or the input is not a capture padlock can read
`

type options struct {
	read    string
	format  string
	count   int
	version bool
	help    bool
	schema  bool
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("padlock", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o options
	fs.StringVarP(&o.read, "read", "r", "", "read packets from `FILE` (pcap or pcapng, optionally gzip'd; - for stdin)")
	fs.StringVar(&o.format, "format", "", "output `FORMAT`: text (a ladder per connection), json (NDJSON, one line per connection)\nor summary (one screen of counts for the whole capture);\ndefault text when stdout is a terminal, json otherwise")
	fs.IntVarP(&o.count, "count", "c", 0, "stop after `N` packets (0: read everything)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVar(&o.schema, "schema", false, "print the JSON Schema of the NDJSON report and exit")
	fs.BoolVarP(&o.help, "help", "h", false, "print this help and exit")
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
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "padlock: unexpected argument %q (see padlock --help)\n", fs.Arg(0))
		return exitUsage
	}
	if o.read == "" {
		fmt.Fprintln(stderr, "padlock: no input: give a capture file with -r FILE (see padlock --help)")
		return exitUsage
	}
	format := o.format
	if format == "" {
		format = "json"
		if isTerminal(stdout) {
			format = "text"
		}
	}
	var w report.Writer
	switch format {
	case "json", "ndjson":
		w = report.NewJSONWriter(stdout)
	case "text":
		w = report.NewTextWriter(stdout)
	case "summary":
		w = report.NewSummaryWriter(stdout)
	default:
		fmt.Fprintf(stderr, "padlock: unknown --format %q: use text, json or summary\n", format)
		return exitUsage
	}

	src, err := capture.Open(o.read, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "padlock: %v\n", err)
		return exitUsage
	}
	defer src.Close()
	code := process(src, w, o, stderr)
	for _, warn := range src.Warnings() {
		fmt.Fprintf(stderr, "padlock: warning: %s\n", strings.TrimPrefix(warn, "padlock: "))
	}
	return code
}

// process runs the pipeline: packets -> segments -> connections -> reports.
func process(src *capture.Source, w report.Writer, o options, stderr io.Writer) int {
	builder := report.NewBuilder(w.Write)
	builder.Recover = true
	tracker := reassembly.New(reassembly.DefaultOptions, builder)
	dec := capture.NewDecoder()
	var badPackets int
	var firstBad error
	code := exitOK
	for n := 0; o.count == 0 || n < o.count; n++ {
		p, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(stderr, "padlock: %v\n", err)
			code = exitError
			break
		}
		seg, ok, err := dec.Decode(p)
		if err != nil {
			badPackets++
			if firstBad == nil {
				firstBad = err // names its frame
			}
			continue
		}
		if ok {
			tracker.Add(&seg)
		}
	}
	tracker.Close()
	if err := builder.Err(); err != nil {
		fmt.Fprintf(stderr, "padlock: writing output: %v\n", err)
		return exitError
	}
	if err := w.Close(); err != nil {
		fmt.Fprintf(stderr, "padlock: writing output: %v\n", err)
		return exitError
	}
	if badPackets > 0 {
		fmt.Fprintf(stderr, "padlock: warning: %d packets could not be decoded (first: %v)\n", badPackets, firstBad)
	}
	return code
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
