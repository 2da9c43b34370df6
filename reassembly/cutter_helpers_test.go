package reassembly

// funcSink is a cutter's sink made of functions, for the tests that drive a
// cutter alone.
type funcSink struct {
	emit    func(*Record)
	problem func(Problem)
}

func (f funcSink) cutRecord(_ Dir, r *Record)  { f.emit(r) }
func (f funcSink) cutProblem(_ Dir, p Problem) { f.problem(p) }
func (f funcSink) skipAppData() bool           { return false }

// newCutter returns a cutter for direction dir that hands its records to
// emit and its problems to problem.
func newCutter(dir Dir, emit func(*Record), problem func(Problem)) *cutter {
	c := new(cutter)
	c.init(dir, funcSink{emit, problem}, false)
	return c
}
