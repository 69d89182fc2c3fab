// Package reftool finds the field's reference tools (a Python interpreter
// with astropy, extinction, ...) for the cross-check tests. It is used
// only by tests.
//
// Tests that need a tool skip with a clear message when it is missing,
// unless ASTROONE_REQUIRE_INTEROP=1 (set by .ci/run), which makes a missing
// tool a failure. ASTROONE_PYTHON names the interpreter to try first;
// after it come python3 on $PATH and /usr/bin/python3 (a pyenv or
// virtualenv python3 often lacks Debian's python3-astropy).
package reftool

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Required reports whether missing reference tools must fail the tests.
func Required() bool { return os.Getenv("ASTROONE_REQUIRE_INTEROP") == "1" }

// SkipOrFail skips t with the message, or fails it when tools are
// required.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("reference tool required (ASTROONE_REQUIRE_INTEROP=1): %s", msg)
	}
	t.Skipf("reference tool not available, cross-check skipped: %s", msg)
}

// Python returns a Python interpreter that can import every module in
// modules (e.g. "astropy.io.fits", "numpy"), or skips/fails t.
func Python(t testing.TB, modules ...string) string {
	t.Helper()
	if testing.Short() {
		SkipOrFail(t, "-short")
	}
	imports := "import " + strings.Join(modules, ", ")
	var tried []string
	for _, c := range []string{os.Getenv("ASTROONE_PYTHON"), "python3", "/usr/bin/python3"} {
		if c == "" {
			continue
		}
		p, err := exec.LookPath(c)
		if err != nil {
			tried = append(tried, c+": not found")
			continue
		}
		out, err := exec.Command(p, "-c", imports).CombinedOutput()
		if err != nil {
			tried = append(tried, p+": "+lastLine(string(out), err))
			continue
		}
		return p
	}
	SkipOrFail(t, "no python3 that can %q (install Debian's python3-astropy / python3-extinction, or set ASTROONE_PYTHON); tried %s",
		imports, strings.Join(tried, "; "))
	return ""
}

func lastLine(out string, err error) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if l := lines[len(lines)-1]; l != "" {
		return l
	}
	return err.Error()
}

// Run runs the interpreter py with args (a script path or -c code, then
// its arguments), with a two-minute limit, and returns its standard
// output. A non-zero exit fails t with the script's standard error.
func Run(t testing.TB, py string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", py, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}
