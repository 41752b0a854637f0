package config

import (
	"strings"
)

// Problem is one configuration error: the key path it concerns (`hosts[1].issuer`, `argon2.memory`, or the
// environment variable's name for an override) and what is wrong with it.
type Problem struct {
	Path    string
	Message string
}

// String renders the problem as one line, "path: message".
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Errors is every problem found in a configuration, in the order found. Load returns it (as *Errors) for
// anything wrong with the file or the environment, so an operator fixes everything in one round; use
// errors.As to reach the individual problems.
type Errors struct {
	Problems []Problem
}

// Error joins the problems, one per line.
func (e *Errors) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Warning is something legal but probably unwanted (a short registration key, no key_encryption_key, weak
// argon2 parameters). The server logs warnings at start and runs anyway.
type Warning struct {
	Path    string
	Message string
}

// String renders the warning as one line, "path: message".
func (w Warning) String() string {
	if w.Path == "" {
		return w.Message
	}
	return w.Path + ": " + w.Message
}

// finding is a problem or warning being collected; by lists the hosts that inherited the offending top-level
// value, so one bad inherited key is reported once rather than once per host.
type finding struct {
	path, msg string
	by        []string
}

// report collects every error and warning of one load, in order, without duplicates.
type report struct {
	errs, warns []finding
	seen        map[string]int // "e|path|msg" or "w|path|msg" → index
	// broken holds the key paths whose value could not be decoded: the value left behind (a zero, a partial
	// list) is not what the operator wrote, so the rules do not report it again.
	broken map[string]bool
}

// markBroken records that the value at path could not be decoded.
func (r *report) markBroken(path string) {
	if r.broken == nil {
		r.broken = map[string]bool{}
	}
	r.broken[path] = true
}

// isBroken reports whether path, or a key above it, could not be decoded.
func (r *report) isBroken(path string) bool {
	for p := path; p != ""; p = parentKey(p) {
		if r.broken[p] {
			return true
		}
	}
	return false
}

// errorf records an error at path; by is the inheriting host's label ("hosts[1]") or "".
func (r *report) errorf(path, by, msg string) { r.add(&r.errs, "e", path, by, msg) }

// warnf records a warning at path; by is as for errorf.
func (r *report) warnf(path, by, msg string) { r.add(&r.warns, "w", path, by, msg) }

func (r *report) add(list *[]finding, kind, path, by, msg string) {
	if r.seen == nil {
		r.seen = map[string]int{}
	}
	key := kind + "|" + path + "|" + msg
	if i, ok := r.seen[key]; ok {
		if by != "" {
			(*list)[i].by = append((*list)[i].by, by)
		}
		return
	}
	f := finding{path: path, msg: msg}
	if by != "" {
		f.by = []string{by}
	}
	r.seen[key] = len(*list)
	*list = append(*list, f)
}

// failed reports whether any error was recorded.
func (r *report) failed() bool { return len(r.errs) > 0 }

// result renders the findings: the warnings, and an *Errors when there is at least one error.
func (r *report) result() ([]Warning, error) {
	var warns []Warning
	for _, f := range r.warns {
		warns = append(warns, Warning{Path: f.path, Message: f.render()})
	}
	if len(r.errs) == 0 {
		return warns, nil
	}
	e := &Errors{}
	for _, f := range r.errs {
		e.Problems = append(e.Problems, Problem{Path: f.path, Message: f.render()})
	}
	return warns, e
}

func (f finding) render() string {
	if len(f.by) == 0 {
		return f.msg
	}
	return f.msg + " (inherited by " + strings.Join(f.by, ", ") + ")"
}
