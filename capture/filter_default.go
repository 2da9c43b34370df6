//go:build !libpcap

package capture

// defaultCompiler of the default, cgo-free build: the system's tcpdump.
var defaultCompiler Compiler = TcpdumpCompiler

// FilterCompilerName names what compiles filters in this build.
const FilterCompilerName = "tcpdump"
