package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/padlock-tls/padlock/capture"
	"github.com/padlock-tls/padlock/reassembly"
	"github.com/padlock-tls/padlock/report"
)

// Live capture: packets come from capture.LiveSource on their own
// goroutine; the loop in runLive decodes them and feeds one tracker on its
// own goroutine (the tracker is not safe for concurrent use), or, with
// --workers, shares the connections out to that many trackers as a file's
// are (workers.go), each report written as its connection ends. The same
// loop takes a wall-clock tick, so idle connections are flushed and the -w
// file written out even when no packet arrives.

// tick is how often the live loop flushes idle flows and the -w file;
// pushEvery how often the segments batched for --workers go out, full or
// not, so that a report comes within that of its connection's end.
const (
	tick      = time.Second
	pushEvery = 100 * time.Millisecond
)

// Hooks for tests: where stop signals come from, and how a second signal
// ends the process.
var (
	notifySignals = func(c chan<- os.Signal) func() {
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		return func() { signal.Stop(c) }
	}
	exitNow = os.Exit
)

// exitInterrupted is the status of a capture cut short by a second
// signal, as a shell reports a process killed by SIGINT.
const exitInterrupted = 130

// liveCaptureMethod picks the Linux capture method ("ring" or "socket";
// empty: the ring, falling back to the socket). For troubleshooting and
// tests; not a flag, as nobody should need it.
const liveCaptureMethodEnv = "PADLOCK_CAPTURE_METHOD"

func runLive(o options, w report.Writer, stderr io.Writer) int {
	src, err := capture.OpenLive(capture.LiveOptions{
		Interface: o.iface,
		Snaplen:   o.snaplen,
		NoPromisc: o.noPromisc,
		Filter:    o.filter,
		Method:    os.Getenv(liveCaptureMethodEnv),
	})
	if err != nil {
		fmt.Fprintf(stderr, "padlock: %s\n", liveError(err))
		return exitUsage
	}
	closed := false
	defer func() {
		if !closed {
			src.Close()
		}
	}()
	if o.user != "" {
		if err := capture.DropPrivileges(o.user); err != nil {
			fmt.Fprintf(stderr, "padlock: %v\n", err)
			return exitUsage
		}
	}
	var save *capture.Saver
	var saveFile *os.File
	if o.write != "" {
		// Opened after dropping privileges, as tcpdump does: the file
		// belongs to the -Z user.
		f, err := os.Create(o.write)
		if err != nil {
			fmt.Fprintf(stderr, "padlock: -w: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		saveFile = f
		save = capture.NewSaver(f, src.Interface(), o.filter, src.Snaplen())
		embedSecrets(save, o, stderr)
	}

	// Signals: the first stops the capture, the second exits at once.
	sigs := make(chan os.Signal, 2)
	stopSignals := notifySignals(sigs)
	defer stopSignals()
	stopping := make(chan struct{})
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		close(stopping)
		src.Stop()
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "padlock: interrupted again: exiting without writing open connections")
			exitNow(exitInterrupted)
		case <-done:
		}
	}()

	// Said once the signals are caught: whoever waits for it to send one
	// (a test, a script) must not kill the process by the default action.
	if !o.quiet {
		fmt.Fprintf(stderr, "padlock: listening on %s, link-type %s, snapshot length %d bytes\n",
			src.Interface(), capture.LinkTypeName(src.LinkType()), src.Snaplen())
	}

	// The reader goroutine ends when Next fails: after Stop, or on a
	// capture error, which it hands over.
	pkts := make(chan capture.Packet, 4096)
	readErr := make(chan error, 1)
	go func() {
		defer close(pkts)
		for {
			p, err := src.Next()
			if err != nil {
				if !errors.Is(err, capture.ErrStopped) {
					readErr <- err
				}
				return
			}
			pkts <- p
		}
	}()

	var sink liveSink
	if o.workers > 1 {
		sink = newWorkers(w, o)
	} else {
		sink = newSingle(w, o)
	}
	// --max-memory holds on a busy link as it does on a file; without it,
	// the collector's soft limit follows the live heap (memGuard).
	mem := newMemGuard(o, sink.evictOldest)
	dec := capture.NewDecoder()
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	pusher := time.NewTicker(pushEvery)
	defer pusher.Stop()

	code := exitOK
	start := time.Now()
	var captured, capturedBytes int64
	var badPackets int
	var firstBad error
	limitHit := false
	stop := func() {
		limitHit = true
		src.Stop()
	}
loop:
	for {
		select {
		case p, ok := <-pkts:
			if !ok {
				break loop
			}
			if limitHit {
				continue // read after -c was reached or output failed; drained, not used
			}
			captured++
			capturedBytes += int64(len(p.Data))
			if captured%memoryEvery == 0 {
				mem.check()
			}
			if save != nil {
				if err := save.Write(p); err != nil {
					fmt.Fprintf(stderr, "padlock: -w: %v\n", err)
					code = exitError
					save = nil
				}
			}
			seg, ok, err := dec.Decode(p)
			if err != nil {
				badPackets++
				if firstBad == nil {
					firstBad = err
				}
			} else if ok {
				sink.add(&seg)
			}
			if sink.failed() {
				stop()
			}
			if o.count > 0 && captured >= int64(o.count) {
				stop()
			}
		case <-pusher.C:
			sink.push()
		case <-ticker.C:
			sink.tick(time.Now())
			mem.check()
			if save != nil {
				if err := save.Flush(); err != nil {
					fmt.Fprintf(stderr, "padlock: -w: %v\n", err)
					code = exitError
					save = nil
				}
			}
			if sink.failed() {
				stop()
			}
		}
	}
	select {
	case err := <-readErr:
		fmt.Fprintf(stderr, "padlock: %v\n", err)
		code = exitError
	default:
	}

	// Every connection still open ends here, written with end_seen
	// "capture_end".
	sink.close()
	if p, ok := sink.(*workers); ok {
		mem.evicted += p.memEvicted()
	}
	if err := sink.err(); err != nil {
		fmt.Fprintf(stderr, "padlock: writing output: %v\n", err)
		code = exitError
	} else if err := w.Close(); err != nil {
		fmt.Fprintf(stderr, "padlock: writing output: %v\n", err)
		code = exitError
	}
	src.Close()
	closed = true
	st := src.Stats()
	st.Captured = captured
	if save != nil {
		if err := save.Close(src.LinkType(), &st); err != nil {
			fmt.Fprintf(stderr, "padlock: -w: %v\n", err)
			code = exitError
		} else if err := saveFile.Close(); err != nil {
			fmt.Fprintf(stderr, "padlock: -w: %v\n", err)
			code = exitError
		}
	}
	if badPackets > 0 {
		fmt.Fprintf(stderr, "padlock: warning: %d packets could not be decoded (first: %v)\n", badPackets, firstBad)
	}
	mem.finish(stderr)
	if o.perf.stats {
		ts, h := sink.stats()
		writeStats(stderr, captured, capturedBytes, time.Since(start), ts, dec.Stats(), h)
	}
	if !o.quiet {
		printCounters(stderr, st)
	}
	return code
}

// printCounters prints what tcpdump prints when it stops.
func printCounters(w io.Writer, st capture.LiveStats) {
	plural := func(n int64) string {
		if n == 1 {
			return ""
		}
		return "s"
	}
	fmt.Fprintf(w, "%d packet%s captured\n", st.Captured, plural(st.Captured))
	fmt.Fprintf(w, "%d packet%s received by filter\n", st.Received, plural(st.Received))
	fmt.Fprintf(w, "%d packet%s dropped by kernel\n", st.Dropped, plural(st.Dropped))
}

// liveError words an error from opening a capture for the one line the
// user sees: the capture package's errors already say what to do.
func liveError(err error) string {
	var perm *capture.PermissionError
	if errors.As(err, &perm) {
		return perm.Error()
	}
	return strings.TrimPrefix(err.Error(), "capture: ")
}

// listInterfaces prints the interfaces, numbered, as tcpdump -D does.
func listInterfaces(stdout, stderr io.Writer) int {
	list, err := capture.Interfaces()
	if err != nil {
		fmt.Fprintf(stderr, "padlock: %s\n", liveError(err))
		return exitError
	}
	for i, ifc := range list {
		fmt.Fprintf(stdout, "%d.%s\n", i+1, ifc)
	}
	return exitOK
}

// liveSink is what the live loop feeds: one tracker (single) or --workers
// of them (workers).
type liveSink interface {
	add(seg *capture.Segment)
	tick(now time.Time) // the wall-clock tick: flush idle connections
	push()              // hand over what is batched (workers)
	evictOldest(share float64) int
	failed() bool // writing the output failed (while running)
	close()
	err() error                          // after close
	stats() (reassembly.Stats, *handler) // after close
}
